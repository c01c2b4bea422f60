from core.plugins import Manifest

manifest = Manifest(name="cycle_c", version="1.0", depends=["cycle_a"])
