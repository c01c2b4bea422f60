"""What happened to a ticket: its change history (events) and its stays in each state (state log)."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select, update

from core.db import db
from core.models import User
from plugins.service_desk.models import StateLog, Ticket, TicketEvent
from plugins.service_desk.sla import Stay


def record_event(
    ticket: Ticket, kind: str, summary: str, by: User | None, at: dt.datetime
) -> TicketEvent:
    """Add one line to the ticket's history (shown on the ticket and the customer timeline)."""
    event = TicketEvent(
        ticket_id=ticket.id, kind=kind, summary=summary[:500], user_id=by.id if by else None, at=at
    )
    db.session.add(event)
    return event


def enter_state(ticket: Ticket, state: str, by: User | None, at: dt.datetime) -> None:
    """End the ticket's current stay (if any) at ``at`` and start a stay in ``state``."""
    db.session.execute(
        update(StateLog)
        .where(StateLog.ticket_id == ticket.id, StateLog.left_at.is_(None))
        .values(left_at=at)
        .execution_options(synchronize_session="fetch")
    )
    db.session.add(
        StateLog(ticket_id=ticket.id, state=state, entered_at=at, user_id=by.id if by else None)
    )


def stays_of(ticket_id: int) -> list[Stay]:
    """The ticket's stays in order (one query)."""
    rows = db.session.execute(
        select(StateLog.state, StateLog.entered_at, StateLog.left_at)
        .where(StateLog.ticket_id == ticket_id)
        .order_by(StateLog.entered_at, StateLog.id)
    )
    return [Stay(state, entered, left) for state, entered, left in rows]


def events_of(ticket_id: int) -> list[TicketEvent]:
    """The ticket's history, newest first (one query)."""
    return list(
        db.session.scalars(
            select(TicketEvent)
            .where(TicketEvent.ticket_id == ticket_id)
            .order_by(TicketEvent.at.desc(), TicketEvent.id.desc())
        )
    )
