import not_a_real_module_for_clientele  # noqa: F401

from core.plugins import Manifest

manifest = Manifest(name="broken_import", version="1.0")
