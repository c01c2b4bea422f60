"""The desk's scheduled jobs: the SLA check every five minutes and closing old resolved tickets.

The SLA bookkeeping itself is in tracking.py and the state machine in tickets.py; the jobs
sit above both, so neither has to import the other.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select

from core.db import db
from core.i18n import N_
from core.models import utcnow
from plugins.service_desk import settings as service_desk_settings
from plugins.service_desk.history import said
from plugins.service_desk.models import Ticket
from plugins.service_desk.tickets import change_state
from plugins.service_desk.tracking import (
    clocks_for,
    due_for_check,
    flag_once,
    refresh_sla,
    ticket_flags,
)


def check_sla(now: dt.datetime | None = None) -> tuple[int, int]:
    """The scheduled check: warn before breaches and flag breaches, each once; returns (warnings, breaches)."""
    now = now or utcnow()
    warnings = breaches = 0
    for ticket in due_for_check(now, "warning"):
        clocks = clocks_for(ticket, now)
        for target, reading in (
            ("first_response", clocks.first_response),
            ("resolution", clocks.resolution),
        ):
            if reading is None or reading.stopped_at or reading.paused or reading.warn_at is None:
                continue
            if reading.warn_at <= now and not reading.breached:
                warnings += flag_once(ticket, target, "warning", reading.due_at or now, None, now)
    for ticket in due_for_check(now, "breach"):
        before = len(ticket_flags(ticket.id))
        refresh_sla(ticket, None, now)
        db.session.flush()
        breaches += len(ticket_flags(ticket.id)) - before
    return warnings, breaches


def auto_close(now: dt.datetime | None = None) -> int:
    """Close tickets resolved more than auto_close_days ago; returns how many were closed."""

    days = service_desk_settings.current().auto_close_days
    if not days:
        return 0
    now = now or utcnow()
    statement = select(Ticket).where(
        Ticket.state == "resolved", Ticket.resolved_at <= now - dt.timedelta(days=days)
    )
    closed = 0
    for ticket in db.session.scalars(statement.order_by(Ticket.id)).all():
        note = said(N_("closed automatically after %(days)s days"), days=days)
        change_state(ticket, "closed", None, now=now, note=note)
        closed += 1
    return closed
