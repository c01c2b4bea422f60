"""Service desk: after-sales tickets, SLA, caller lookup, satisfaction surveys and process analysis."""

from core.i18n import _l
from core.plugins import Manifest

manifest = Manifest(
    name="service_desk",
    title=_l("Service desk"),
    version="0.1.0",
    summary="After-sales tickets with SLA in business hours, caller lookup, satisfaction surveys "
    "and time-in-state analysis.",
    uses=["marketing", "insights"],
    hookspecs="plugins.service_desk.hookspecs",
)
