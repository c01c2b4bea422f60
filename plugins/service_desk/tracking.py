"""Keeping each ticket's SLA columns current and flagging breaches and warnings once (jobs.py runs it).

The due and warning instants stored on a ticket depend only on its history, so they are
recomputed on every change (tickets.py) and stay true while time passes; the scheduled
check then finds what is due with one indexed query and flags each target once.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import ColumnElement, and_, exists, or_, select

from core.db import db
from core.i18n import N_
from core.models import User
from plugins.service_desk import notifications
from plugins.service_desk import settings as service_desk_settings
from plugins.service_desk.history import moment, record_event, said, stays_of, word
from plugins.service_desk.models import SlaFlag, TeamMember, Ticket
from plugins.service_desk.settings import desk_calendar
from plugins.service_desk.sla import TicketClocks, ticket_clocks

#: States in which both clocks can run (waiting, resolved and closed pause them).
RUNNING_STATES = ("new", "open")


def clocks_for(ticket: Ticket, now: dt.datetime) -> TicketClocks:
    """Read the ticket's SLA clocks at ``now`` from its state log (one query)."""
    return ticket_clocks(
        desk_calendar(),
        ticket.created_at,
        stays_of(ticket.id),
        ticket.first_responded_at,
        ticket.first_response_minutes,
        ticket.resolution_minutes,
        now,
        service_desk_settings.current().warn_before_minutes,
    )


def refresh_sla(
    ticket: Ticket, by: User | None, now: dt.datetime, notify: bool = True
) -> TicketClocks:
    """Store the ticket's due and warning instants and flag any target breached by now."""
    clocks = clocks_for(ticket, now)
    first, resolution = clocks.first_response, clocks.resolution
    ticket.first_response_due_at = first.due_at if first else None
    ticket.first_response_warn_at = first.warn_at if first else None
    ticket.resolution_due_at = resolution.due_at if resolution else None
    ticket.resolution_warn_at = resolution.warn_at if resolution else None
    for target in clocks.breached_targets:
        reading = first if target == "first_response" else resolution
        assert reading is not None and reading.due_at is not None
        flag_once(ticket, target, "breach", reading.due_at, by, now, notify)
    return clocks


def flag_once(
    ticket: Ticket,
    target: str,
    level: str,
    due_at: dt.datetime,
    by: User | None,
    now: dt.datetime,
    notify: bool = True,
) -> bool:
    """Store a warning or breach unless it is stored already; record it and alert staff. True if new."""
    already = db.session.scalar(
        select(SlaFlag.id).where(
            SlaFlag.ticket_id == ticket.id, SlaFlag.target == target, SlaFlag.level == level
        )
    )
    if already is not None:
        return False
    db.session.add(
        SlaFlag(ticket_id=ticket.id, target=target, level=level, due_at=due_at, flagged_at=now)
    )
    if level == "breach":
        message = N_("%(target)s SLA breached (due %(due)s)")
    else:
        message = N_("%(target)s due soon (due %(due)s); warning sent")
    record_event(
        ticket,
        f"sla_{level}",
        said(message, target=word("target", target), due=moment(due_at)),
        by,
        now,
    )
    if notify:
        notifications.send_sla_alert(ticket, target, level, due_at, alert_recipients(ticket))
    return True


def alert_recipients(ticket: Ticket) -> list[User]:
    """Who hears about the ticket's SLA: its assignee, else the active members of its team."""
    if ticket.assignee is not None:
        return [ticket.assignee] if ticket.assignee.active else []
    if ticket.team_id is None:
        return []
    return list(
        db.session.scalars(
            select(User)
            .join(TeamMember, TeamMember.user_id == User.id)
            .where(TeamMember.team_id == ticket.team_id, User.active.is_(True))
            .order_by(User.id)
        )
    )


def _not_flagged(target: str, level: str) -> ColumnElement[bool]:
    """SQL: the ticket has no flag of this target and level yet."""
    return ~exists().where(
        SlaFlag.ticket_id == Ticket.id, SlaFlag.target == target, SlaFlag.level == level
    )


def due_for_check(now: dt.datetime, level: str) -> list[Ticket]:
    """Tickets with a running clock past its due (level "breach") or warning (level "warning") instant.

    Warnings are only for clocks not yet overdue: an overdue clock gets its breach instead.
    """
    first_due, resolution_due = Ticket.first_response_due_at, Ticket.resolution_due_at
    if level == "breach":
        first_passed, resolution_passed = first_due <= now, resolution_due <= now
    else:
        first_passed = and_(Ticket.first_response_warn_at <= now, first_due > now)
        resolution_passed = and_(Ticket.resolution_warn_at <= now, resolution_due > now)
    first_running = and_(
        Ticket.first_responded_at.is_(None), first_passed, _not_flagged("first_response", level)
    )
    resolution_running = and_(resolution_passed, _not_flagged("resolution", level))
    statement = (
        select(Ticket)
        .where(Ticket.state.in_(RUNNING_STATES), or_(first_running, resolution_running))
        .order_by(Ticket.id)
    )
    return list(db.session.scalars(statement))


def ticket_flags(ticket_id: int) -> list[SlaFlag]:
    """The breach flags of a ticket (one query)."""
    return list(
        db.session.scalars(
            select(SlaFlag).where(SlaFlag.ticket_id == ticket_id, SlaFlag.level == "breach")
        )
    )
