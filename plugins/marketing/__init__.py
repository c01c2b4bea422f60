"""Marketing: segments, targeted campaigns with consent by purpose, channel attribution, recommendations."""

from core.i18n import _l
from core.plugins import Manifest

manifest = Manifest(
    name="marketing",
    title=_l("Marketing"),
    version="0.1.0",
    summary=(
        "Segments from customer and purchase facts, campaigns with per-topic consent and "
        "signed unsubscribe links, attribution by profit, and co-purchase recommendations."
    ),
    hookspecs="plugins.marketing.hookspecs",
    uses=["insights"],
)
