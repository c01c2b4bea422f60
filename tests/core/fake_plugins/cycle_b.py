from core.plugins import Manifest

manifest = Manifest(name="cycle_b", version="1.0", depends=["cycle_c"])
