"""Service desk's answers to the hooks other plugins publish (insights), loaded only when they are on."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import func, literal, select

from core.dates import company_midnight
from core.i18n import _
from core.money import to_cents
from core.plugins import hookimpl
from plugins.service_desk import settings
from plugins.service_desk.models import Ticket


@hookimpl(optionalhook=True)
def insights_customer_costs(start: dt.date, end: dt.date) -> list[dict[str, Any]]:
    """Insights: each customer's tickets opened in the period × the cost_per_ticket setting.

    A ticket counts on the company day it was opened. With cost_per_ticket at 0 (the
    default) the service desk adds no cost and no column.
    """
    per_ticket = to_cents(settings.current().cost_per_ticket)
    if per_ticket == 0:
        return []
    rows = (
        select(
            Ticket.customer_id.label("customer_id"),
            (func.count(Ticket.id) * literal(per_ticket)).label("cents"),
        )
        .where(
            Ticket.customer_id.is_not(None),
            Ticket.created_at >= company_midnight(start),
            Ticket.created_at < company_midnight(end + dt.timedelta(days=1)),
        )
        .group_by(Ticket.customer_id)
    )
    return [{"key": "service", "label": _("Service"), "rows": rows}]
