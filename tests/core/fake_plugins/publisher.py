from core.plugins import Manifest

manifest = Manifest(
    name="publisher", version="1.0", hookspecs="tests.core.fake_plugins.publisher_specs"
)
