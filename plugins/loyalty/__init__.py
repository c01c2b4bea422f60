"""Loyalty: customer value by profit, tiers with care plans, greetings, preferences and lifecycle."""

from core.i18n import _l
from core.plugins import Manifest

manifest = Manifest(
    name="loyalty",
    title=_l("Loyalty"),
    version="0.1.0",
    summary=(
        "Customer value by profit, tiers with care plans, lifecycle stages, greetings, "
        "preferences and interactions."
    ),
    uses=["marketing", "service_desk", "insights"],
)
