"""Sales commission's answers to the hooks other plugins publish (insights), loaded only when they are on."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import select

from core.i18n import _
from core.plugins import hookimpl
from core.sql import sum_cents
from plugins.sales_commission.models import Entry


@hookimpl(optionalhook=True)
def insights_customer_costs(start: dt.date, end: dt.date) -> list[dict[str, Any]]:
    """Insights: the commission earned on each customer's sales, dated as the sales are.

    Every entry counts on its event date (the order date of a sale, the date of a refund or
    cancellation, which reverse it), so the cost falls in the period of the profit it was
    paid on and a clawback lowers it where the refund lowers the profit.
    """
    rows = (
        select(Entry.customer_id.label("customer_id"), sum_cents(Entry.amount).label("cents"))
        .where(Entry.event_date >= start, Entry.event_date <= end)
        .group_by(Entry.customer_id)
    )
    return [{"key": "commission", "label": _("Commission"), "rows": rows}]
