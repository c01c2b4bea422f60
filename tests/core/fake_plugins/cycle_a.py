from core.plugins import Manifest

manifest = Manifest(name="cycle_a", version="1.0", depends=["cycle_b"])
