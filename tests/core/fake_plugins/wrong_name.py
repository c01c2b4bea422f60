from core.plugins import Manifest

manifest = Manifest(name="other_name", version="1.0")
