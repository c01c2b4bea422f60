"""Sales commissions: profit-tiered rates, statements every salesperson can check line by line."""

from core.i18n import _l
from core.plugins import Manifest

manifest = Manifest(
    name="sales_commission",
    title=_l("Sales commission"),
    version="0.1.0",
    summary=(
        "Commissions graded by margin (tiers), accrued per order line, reversed on refunds, "
        "with monthly statements to approve and pay."
    ),
    uses=["insights"],
)
