from core.plugins import Manifest

manifest = Manifest(name="needs_missing", version="1.0", depends=["nowhere"])
