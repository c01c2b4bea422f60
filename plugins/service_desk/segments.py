"""Segment rules service_desk offers to marketing (its segment_criteria hook), as set-based SQL."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from sqlalchemy import select

from core.i18n import _, _l
from core.models import Customer, utcnow
from plugins.service_desk.models import OPEN_STATES, Ticket


def has_open_complaint(_: object = True) -> Any:
    """Customers with a complaint that is new, open or waiting on them."""
    complaints = select(Ticket.customer_id).where(
        Ticket.kind == "complaint", Ticket.state.in_(OPEN_STATES), Ticket.customer_id.is_not(None)
    )
    return Customer.id.in_(complaints)


def opened_ticket_within(days: Decimal | int | str, now: dt.datetime | None = None) -> Any:
    """Customers who opened a ticket in the last N days (N whole and not negative)."""
    try:
        number = Decimal(str(days))
    except ArithmeticError:
        raise ValueError(_("'%(days)s' is not a number of days", days=days)) from None
    if not number.is_finite() or number < 0 or number != number.to_integral_value():
        raise ValueError(_("'%(days)s' is not a whole number of days", days=days))
    if number > 36_600:
        raise ValueError(_("'%(days)s' days is more than a hundred years", days=days))
    since = (now or utcnow()) - dt.timedelta(days=int(number))
    recent = select(Ticket.customer_id).where(
        Ticket.created_at >= since, Ticket.customer_id.is_not(None)
    )
    return Customer.id.in_(recent)


def criteria() -> list[dict[str, Any]]:
    """The criteria in the shape marketing's segment_criteria hook expects (PLUGINS.md)."""
    return [
        {
            "key": "service_desk.open_complaint",
            "label": _l("Has an open complaint"),
            "kind": "flag",
            "build": has_open_complaint,
        },
        {
            "key": "service_desk.ticket_within_days",
            "label": _l("Opened a ticket in the last N days"),
            "kind": "number",
            "build": opened_ticket_within,
        },
    ]
