"""What happened to a ticket: its change history (events) and its stays in each state (state log).

A history line is read by people of different languages, so it is stored as a message: an
English msgid marked with N_ and its arguments, rendered in the reader's language when shown
(event_text), and once in English into TicketEvent.summary. An argument is plain text
(a name, a subject), a label (``word("state", "open")``), an instant (``moment(at)``) or
another message (``said(...)``)::

    record_event(ticket, "priority", said(N_("Priority: %(old)s → %(new)s"),
                 old=word("priority", "normal", lower=True), new=...), by, now)
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import select, update

from core.db import db
from core.i18n import _, format_datetime
from core.models import User
from plugins.service_desk.models import LABELS, StateLog, Ticket, TicketEvent, policy_label
from plugins.service_desk.sla import Stay

#: A message: {"msgid": English text with %(name)s placeholders, "args": {name: argument}}.
Message = dict[str, Any]


def said(msgid: str, **args: object) -> Message:
    """A message to store; ``msgid`` is marked with N_ where it is written."""
    return {"msgid": msgid, "args": {name: _argument(value) for name, value in args.items()}}


def word(table: str, key: str, lower: bool = False) -> dict[str, Any]:
    """An argument that is a label of models.LABELS ("state", "kind" ...), a category (table
    "category", shipped ones translated), an SLA policy ("policy") or, with table "text", a msgid of its own
    (N_("none")); ``lower``: written in lower case mid-sentence."""
    return {"label": table, "key": key, "lower": lower}


def moment(at: dt.datetime) -> dict[str, str]:
    """An argument that is a stored (naive UTC) instant, shown in company time."""
    return {"moment": at.isoformat()}


def _argument(value: object) -> object:
    if isinstance(value, dict):
        return value
    return "" if value is None else str(value)


def _shown(value: object, translate: bool) -> str:
    """One argument as text, translated or in English."""
    if not isinstance(value, dict):
        return str(value)
    if "msgid" in value:
        return render(value, translate)
    if "moment" in value:
        from plugins.service_desk.business_hours import local_time_text
        from plugins.service_desk.settings import desk_calendar

        at = dt.datetime.fromisoformat(value["moment"])
        return format_datetime(at) if translate else local_time_text(at, desk_calendar().timezone)
    table, key = value["label"], str(value["key"])
    if table == "category":
        from plugins.service_desk.settings import category_label

        return category_label(key) if translate else key
    if table == "policy":
        return policy_label(key) if translate else key
    english = key if table == "text" else LABELS[table].get(key, key)
    text = _(english) if translate else english
    return text.lower() if value.get("lower") else text


def render(message: Message, translate: bool = True) -> str:
    """The message in the current language (``translate``) or in English."""
    msgid = str(message["msgid"])
    args = {name: _shown(value, translate) for name, value in message.get("args", {}).items()}
    text = _(msgid) if translate else msgid
    return text % args if args else text


def event_text(event: TicketEvent) -> str:
    """What changed, in the reader's language (lines from before messages were kept: as stored)."""
    return render(event.message, translate=True) if event.message else event.summary


def record_event(
    ticket: Ticket, kind: str, message: Message, by: User | None, at: dt.datetime
) -> TicketEvent:
    """Add one line to the ticket's history (shown on the ticket and the customer timeline)."""
    event = TicketEvent(
        ticket_id=ticket.id,
        kind=kind,
        summary=render(message, translate=False)[:500],
        message=message,
        user_id=by.id if by else None,
        at=at,
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
