"""Example: counts confirmed orders per customer and shows them on a page and a customer panel."""

from core.plugins import Manifest

manifest = Manifest(
    name="example",
    version="1.0.0",
    summary="Counts confirmed orders per customer (an example of a plugin living in its own package).",
    requires_core=">=0.1,<1",
)
