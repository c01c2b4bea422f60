from core.plugins import Manifest

manifest = Manifest(name="future_core", version="2.0", requires_core=">=99")
