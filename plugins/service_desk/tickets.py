"""Opening tickets and changing them: states, replies and notes, assignment, priority, category.

Every change runs in a SAVEPOINT together with its history line, its state-log entry, the SLA
recomputation and any mail it queues, so it happens completely or not at all; the caller
commits. Tickets carry a version number: a change made from a stale copy (someone else
changed the ticket meanwhile) fails with a TicketError instead of overwriting their change.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass

from sqlalchemy.orm.exc import StaleDataError

from core import dates
from core.db import db
from core.i18n import N_, _
from core.locking import change_state as change_if_unchanged
from core.models import Customer, Order, User, utcnow
from core.plugins import call_each, plugin_system
from plugins.service_desk import notifications
from plugins.service_desk import settings as service_desk_settings
from plugins.service_desk.access import can_be_assigned
from plugins.service_desk.history import Message, enter_state, record_event, render, said, word
from plugins.service_desk.models import (
    CHANNELS,
    PRIORITIES,
    TICKET_KINDS,
    Team,
    Ticket,
    TicketMessage,
    label,
)
from plugins.service_desk.sla import choose_policy
from plugins.service_desk.surveys import start_survey
from plugins.service_desk.tracking import refresh_sla

#: Which state may follow which; reopening is resolved/closed → open.
TRANSITIONS = {
    "new": ("open", "waiting", "resolved"),
    "open": ("waiting", "resolved"),
    "waiting": ("open", "resolved"),
    "resolved": ("open", "closed"),
    "closed": ("open",),
}


#: The history line each kind of message leaves (never the text of an internal note).
MESSAGE_EVENTS = {
    "reply": N_("Reply sent to the customer"),
    "note": N_("Internal note added"),
    "customer": N_("Message from the customer logged"),
}


class TicketError(Exception):
    """A ticket action is not allowed or the input is wrong; the message is for the user."""


@dataclass
class NewTicket:
    """What an agent types to open a ticket."""

    kind: str
    channel: str
    subject: str
    description: str = ""
    priority: str = "normal"
    category: str = ""
    customer: Customer | None = None
    order: Order | None = None
    team: Team | None = None
    assignee: User | None = None
    contact_name: str = ""
    contact_email: str = ""
    contact_phone: str = ""


@contextmanager
def _atomic() -> Iterator[None]:
    """A SAVEPOINT for one ticket change; a stale ticket becomes a TicketError, nothing is kept."""
    try:
        with db.session.begin_nested():
            yield
            db.session.flush()
    except StaleDataError:
        raise TicketError(
            _(
                "Someone else changed this ticket meanwhile; nothing was saved. Reload and try again."
            )
        ) from None


def _check_new(data: NewTicket) -> None:
    """Raise TicketError saying what is wrong with a new ticket."""
    if data.kind not in TICKET_KINDS:
        raise TicketError(_("Type must be one of %(known)s.", known=", ".join(TICKET_KINDS)))
    if data.channel not in CHANNELS:
        raise TicketError(_("Channel must be one of %(known)s.", known=", ".join(CHANNELS)))
    if data.priority not in PRIORITIES:
        raise TicketError(_("Priority must be one of %(known)s.", known=", ".join(PRIORITIES)))
    if not data.subject.strip():
        raise TicketError(_("A ticket needs a subject."))
    if (
        data.customer is None
        and not (data.contact_name or data.contact_phone or data.contact_email).strip()
    ):
        raise TicketError(_("Choose a customer, or give the new contact's name, phone or e-mail."))
    if data.order is not None and (
        data.customer is None or data.order.customer_id != data.customer.id
    ):
        raise TicketError(_("The order does not belong to this customer."))
    if data.assignee is not None and not can_be_assigned(data.assignee, data.team):
        raise TicketError(
            _("%(name)s cannot work on tickets of this team.", name=data.assignee.name)
        )


def open_ticket(data: NewTicket, by: User | None, now: dt.datetime | None = None) -> Ticket:
    """Open a ticket in state "new" with its SLA policy and due times; nothing is committed."""
    _check_new(data)
    now = now or utcnow()
    with _atomic():
        ticket = Ticket(
            kind=data.kind,
            channel=data.channel,
            subject=data.subject.strip()[:200],
            description=data.description.strip(),
            priority=data.priority,
            category=data.category.strip(),
            customer=data.customer,
            order_id=data.order.id if data.order else None,
            team=data.team,
            assignee=data.assignee,
            contact_name=data.contact_name.strip(),
            contact_email=data.contact_email.strip().lower(),
            contact_phone=data.contact_phone.strip(),
            created_by_id=by.id if by else None,
            created_at=now,
            updated_at=now,
            opened_on=dates.company_day(now),
            state="new",
        )
        db.session.add(ticket)
        db.session.flush()
        enter_state(ticket, "new", by, now)
        opened = said(
            N_("Opened (%(kind)s, %(channel)s): %(subject)s"),
            kind=word("kind", ticket.kind, lower=True),
            channel=word("channel", ticket.channel, lower=True),
            subject=ticket.subject,
        )
        record_event(ticket, "created", opened, by, now)
        _apply_policy(ticket, by, now, announce=False)
    return ticket


def customer_tier(customer_id: int | None) -> str | None:
    """The customer's tier from plugins implementing sla_customer_tiers (later plugins win)."""
    if customer_id is None:
        return None
    tier = None
    for _plugin, answer in call_each(
        plugin_system().pm, "sla_customer_tiers", customer_ids=[customer_id]
    ):
        if answer and answer.get(customer_id):
            tier = str(answer[customer_id])
    return tier


def _apply_policy(ticket: Ticket, by: User | None, now: dt.datetime, announce: bool = True) -> None:
    """Choose the SLA policy for the ticket's priority and customer tier, then recompute due times."""
    customer_id = ticket.customer.id if ticket.customer is not None else None
    policy = choose_policy(
        service_desk_settings.current().policies, ticket.priority, customer_tier(customer_id)
    )
    name = policy.name if policy else ""
    if announce and name != ticket.sla_policy:
        record_event(
            ticket,
            "sla_policy",
            said(
                N_("SLA policy: %(old)s → %(new)s"),
                old=word("policy", ticket.sla_policy)
                if ticket.sla_policy
                else word("text", N_("none")),
                new=word("policy", name) if name else word("text", N_("none")),
            ),
            by,
            now,
        )
    ticket.sla_policy = name
    ticket.first_response_minutes = policy.first_response_minutes if policy else None
    ticket.resolution_minutes = policy.resolution_minutes if policy else None
    db.session.flush()
    refresh_sla(ticket, by, now)


def _changed_meanwhile(ticket: Ticket) -> str:
    """The message for the loser of two simultaneous changes (the ticket was re-read)."""
    who = ticket.assignee.name if ticket.assignee else _("nobody")
    return _(
        "Someone else changed ticket #%(id)s a moment ago (it is %(state)s now, assigned to "
        "%(who)s). Nothing changed.",
        id=ticket.id,
        state=label("state", ticket.state).lower(),
        who=who,
    )


def change_state(
    ticket: Ticket,
    state: str,
    by: User | None,
    now: dt.datetime | None = None,
    notify: bool = True,
    note: Message | None = None,
) -> None:
    """Move the ticket to another state (see TRANSITIONS), log the stay, recompute SLA, mail as needed."""
    if state not in TRANSITIONS.get(ticket.state, ()):
        raise TicketError(
            _(
                "A ticket that is %(state)s cannot become %(new)s.",
                state=label("state", ticket.state).lower(),
                new=label("state", state).lower(),
            )
        )
    now = now or utcnow()
    with _atomic():
        previous = ticket.state
        if not change_if_unchanged(ticket, (previous,), state, column="state"):
            raise TicketError(_changed_meanwhile(ticket))
        ticket.updated_at = now
        if state == "resolved":
            ticket.resolved_at = now
            ticket.first_responded_at = ticket.first_responded_at or now
        elif state == "closed":
            ticket.closed_at = now
        elif previous in ("resolved", "closed"):
            ticket.resolved_at = ticket.closed_at = None
            ticket.reopen_count += 1
        db.session.flush()
        enter_state(ticket, state, by, now)
        reopened = state == "open" and previous in ("resolved", "closed")
        msgid = N_("Reopened: %(old)s → %(new)s") if reopened else N_("State: %(old)s → %(new)s")
        summary = said(msgid, old=word("state", previous), new=word("state", state))
        if note:
            summary = said(N_("%(change)s (%(note)s)"), change=summary, note=note)
        record_event(ticket, "state", summary, by, now)
        refresh_sla(ticket, by, now, notify)
        if state == "resolved":
            start_survey(ticket, now, notify)


def add_message(
    ticket: Ticket,
    kind: str,
    body: str,
    by: User | None,
    now: dt.datetime | None = None,
    notify: bool = True,
) -> TicketMessage:
    """Add a public reply (mailed to the customer), an internal note, or a message from the customer.

    The first public reply is the first response. A reply to a new ticket opens it; a message
    from the customer on a ticket waiting on them opens it again.
    """
    if kind not in ("reply", "note", "customer"):
        raise TicketError(_("Unknown kind of message."))
    if not body.strip():
        raise TicketError(_("Write something first."))
    if kind == "reply" and not notifications.customer_address(ticket):
        raise TicketError(
            _("This customer has no e-mail address: add it, or write an internal note.")
        )
    now = now or utcnow()
    with _atomic():
        message = TicketMessage(
            ticket_id=ticket.id,
            kind=kind,
            body=body.strip(),
            author_id=by.id if by else None,
            created_at=now,
        )
        db.session.add(message)
        db.session.flush()
        ticket.updated_at = now
        record_event(ticket, kind, said(MESSAGE_EVENTS[kind]), by, now)
        if kind == "reply":
            _after_reply(ticket, message, by, now, notify)
        next_state = {("reply", "new"): "open", ("customer", "waiting"): "open"}.get(
            (kind, ticket.state)
        )
        if next_state:
            change_state(ticket, next_state, by, now, notify)
        else:
            refresh_sla(ticket, by, now, notify)
    return message


def _after_reply(
    ticket: Ticket, message: TicketMessage, by: User | None, now: dt.datetime, notify: bool
) -> None:
    """Mail the reply to the customer; the first reply is the first response."""
    if notify:
        notifications.send_reply(ticket, message, by)
    if ticket.first_responded_at is None:
        ticket.first_responded_at = now
        record_event(ticket, "first_response", said(N_("First response given")), by, now)


def update_ticket(
    ticket: Ticket,
    by: User | None,
    now: dt.datetime | None = None,
    seen: Mapping[str, object] | None = None,
    **changes: object,
) -> list[str]:
    """Change priority, category, kind, team, assignee or customer; returns what changed, in words.

    ``seen`` holds the values the user's form showed (ids for team and assignee). With it, only
    the fields the user changed from what they saw are written, so an edit of the priority
    never undoes the reassignment another agent saved meanwhile; a field both of them changed
    is refused with a message saying who has the ticket now. Team and assignee are written with
    a conditional UPDATE on the value seen, so of two simultaneous saves exactly one wins.
    """
    allowed = {"priority", "category", "kind", "team", "assignee", "customer"}
    unknown = set(changes) - allowed
    if unknown:
        raise TicketError(_("Cannot change %(fields)s here.", fields=", ".join(sorted(unknown))))
    now = now or utcnow()
    changed: list[str] = []
    with _atomic():
        for field, value in changes.items():
            old = getattr(ticket, field)
            if old == value:
                continue
            shown = _comparable(seen[field]) if seen and field in seen else _comparable(old)
            if _comparable(value) == shown:
                continue  # the user left it as they saw it; someone else has changed it since
            if _comparable(old) != shown:
                raise TicketError(_changed_meanwhile(ticket))
            _check_change(ticket, field, value, changes)
            if field in ("team", "assignee"):
                wanted = getattr(value, "id", None)
                if not change_if_unchanged(ticket, (shown,), wanted, column=f"{field}_id"):
                    raise TicketError(_changed_meanwhile(ticket))
            setattr(ticket, field, value)
            change = _describe_change(field, old, value)
            changed.append(render(change))
            record_event(ticket, field, change, by, now)
        if changed:
            ticket.updated_at = now
            if "priority" in changes or "customer" in changes:
                _apply_policy(ticket, by, now)
    return changed


def _comparable(value: object) -> object:
    """A field's value as a form shows it: the id of a team or user, other values as they are."""
    return getattr(value, "id", value)


def claim(ticket: Ticket, agent: User, now: dt.datetime | None = None) -> list[str]:
    """Take an unassigned ticket for ``agent``; refused when someone has it already.

    Of two agents claiming the same ticket at once exactly one gets it: the assignment is a
    conditional UPDATE on ``assignee_id IS NULL`` (see update_ticket).
    """
    if ticket.assignee_id is not None:
        raise TicketError(
            _(
                "Ticket #%(id)s is already assigned to %(name)s; nothing changed.",
                id=ticket.id,
                name=getattr(ticket.assignee, "name", None) or _("someone"),
            )
        )
    return update_ticket(ticket, agent, now, assignee=agent)


def _check_change(ticket: Ticket, field: str, value: object, changes: dict[str, object]) -> None:
    """Raise TicketError when a field change is not allowed."""
    if field == "priority" and value not in PRIORITIES:
        raise TicketError(_("Priority must be one of %(known)s.", known=", ".join(PRIORITIES)))
    if field == "kind" and value not in TICKET_KINDS:
        raise TicketError(_("Type must be one of %(known)s.", known=", ".join(TICKET_KINDS)))
    if field == "customer" and (value is None or ticket.customer is not None):
        raise TicketError(_("A ticket's customer can only be set once, for a new contact."))
    team = changes.get("team", ticket.team)
    assignee = changes.get("assignee", ticket.assignee)
    team_or_none = team if isinstance(team, Team) else None
    if (
        field in ("team", "assignee")
        and isinstance(assignee, User)
        and not can_be_assigned(assignee, team_or_none)
    ):
        raise TicketError(
            _(
                "%(name)s cannot work on tickets of team %(team)s.",
                name=assignee.name,
                team=getattr(team, "name", ""),
            )
        )


def _describe_change(field: str, old: object, new: object) -> Message:
    """ "Priority: normal → high", "Assigned to Ada Lovelace", "Team: none → Returns"."""

    def name(value: object) -> object:
        """A user's or team's name, or the value itself; "none" for nothing."""
        return getattr(value, "name", value) or word("text", N_("none"))

    if field == "assignee":
        if new is None:
            return said(N_("Unassigned (was %(name)s)"), name=name(old))
        return said(N_("Assigned to %(name)s"), name=name(new))
    if field == "customer":
        return said(N_("Linked to customer %(name)s"), name=name(new))
    if field == "kind":
        return said(
            N_("Type: %(old)s → %(new)s"), old=word("kind", str(old)), new=word("kind", str(new))
        )
    if field == "priority":
        return said(
            N_("Priority: %(old)s → %(new)s"),
            old=word("priority", str(old), lower=True),
            new=word("priority", str(new), lower=True),
        )
    if field == "team":
        return said(N_("Team: %(old)s → %(new)s"), old=name(old), new=name(new))
    return said(
        N_("Category: %(old)s → %(new)s"),
        old=word("category", str(old)) if old else name(old),
        new=word("category", str(new)) if new else name(new),
    )
