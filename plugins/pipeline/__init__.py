"""Pipeline: leads and opportunities through stages, follow-ups, orders that win deals, forecasts."""

from core.i18n import _l
from core.plugins import Manifest

manifest = Manifest(
    name="pipeline",
    title=_l("Pipeline"),
    version="0.1.0",
    summary=(
        "Opportunities through configured stages with their history, follow-ups on deals and "
        "customers, won deals made into orders, and funnel, win-rate and forecast reports."
    ),
    requires_core=">=0.1,<1",
    uses=["insights"],
)
