"""Sales commissions: profit-tiered rates, statements every salesperson can check line by line."""

from core.plugins import Manifest

manifest = Manifest(
    name="sales_commission",
    version="0.1.0",
    summary=(
        "Commissions graded by margin (tiers), accrued per order line, reversed on refunds, "
        "with monthly statements to approve and pay."
    ),
    uses=["insights"],
)
