"""Insights: performance, customer cohorts and product baskets on one set of report pages."""

from core.i18n import _l
from core.plugins import Manifest

manifest = Manifest(
    name="insights",
    title=_l("Insights"),
    version="0.1.0",
    summary=(
        "Reports that read the other figures together: performance by category, channel, "
        "region, city, salesperson or product; monthly cohorts; products bought together."
    ),
    requires_core=">=0.1,<1",
    hookspecs="plugins.insights.hookspecs",
)
