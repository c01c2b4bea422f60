"""Mail the service desk queues in the outbox: replies and surveys to customers, SLA alerts to staff.

Everything goes through core.outbox in the current transaction, so a rolled-back action
sends nothing; every message is transactional (not subject to the marketing opt-out).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from core.models import User
from core.outbox import queue_email
from plugins.service_desk import settings as service_desk_settings
from plugins.service_desk.business_hours import local_time_text
from plugins.service_desk.models import Survey, Ticket, TicketMessage
from plugins.service_desk.settings import desk_calendar

SOURCE = "service_desk"
TARGET_LABELS = {"first_response": "first response", "resolution": "resolution"}


def customer_address(ticket: Ticket) -> str:
    """Where mail for the ticket's customer goes: the customer's e-mail, else the contact's."""
    if ticket.customer is not None and ticket.customer.email:
        return ticket.customer.email
    return ticket.contact_email


def ticket_link(ticket: Ticket) -> str:
    """The absolute address of the ticket page (for staff mails)."""
    return f"{service_desk_settings.current().base_url}/service_desk/tickets/{ticket.id}"


def send_reply(ticket: Ticket, message: TicketMessage, by: User | None) -> None:
    """Mail a public reply to the customer."""
    settings = service_desk_settings.current()
    body = (
        f"{message.body}\n\n"
        f"— {by.name if by else settings.company}, {settings.company}\n"
        f"Your request #{ticket.id}: {ticket.subject}\n"
    )
    queue_email(
        customer_address(ticket),
        f"[#{ticket.id}] {ticket.subject}",
        body,
        customer=ticket.customer,
        user=by,
        source=SOURCE,
        dedupe_key=f"service_desk.reply:{message.id}",
    )


def send_survey(ticket: Ticket, survey: Survey, token: str) -> None:
    """Invite the customer to rate how their request was handled (link valid until it expires)."""
    settings = service_desk_settings.current()
    link = f"{settings.base_url}/service_desk/survey/{token}"
    until = local_time_text(survey.expires_at, desk_calendar().timezone)
    body = (
        f'Hello,\n\nyour request #{ticket.id} "{ticket.subject}" has been resolved.\n'
        f"How did we do? Rate us from 1 to 5 (one click, no login):\n\n{link}\n\n"
        f"The link works once and until {until}.\n\n{settings.company}\n"
    )
    queue_email(
        customer_address(ticket),
        f"How did we do? Request #{ticket.id}",
        body,
        customer=ticket.customer,
        source=SOURCE,
        dedupe_key=f"service_desk.survey:{survey.id}",
    )


def send_sla_alert(
    ticket: Ticket, target: str, level: str, due_at: dt.datetime, recipients: Sequence[User]
) -> None:
    """Warn staff that a target is about to be missed, or tell them it was (once per ticket and target)."""
    when = local_time_text(due_at, desk_calendar().timezone)
    what = TARGET_LABELS[target]
    if level == "warning":
        subject = f"[#{ticket.id}] {what} due {when}"
        opening = f"The {what} on ticket #{ticket.id} is due at {when} and has not happened yet."
    else:
        subject = f"[#{ticket.id}] {what} SLA breached"
        opening = f"The {what} on ticket #{ticket.id} was due at {when}; the target was missed."
    body = f"{opening}\n\n{ticket.subject}\nCustomer: {ticket.contact_label}\n\n{ticket_link(ticket)}\n"
    for user in recipients:
        queue_email(
            user.email,
            subject,
            body,
            user=user,
            source=SOURCE,
            dedupe_key=f"service_desk.sla-{level}:{ticket.id}:{target}:{user.id}",
        )


def send_low_rating(ticket: Ticket, survey: Survey, recipients: Sequence[User]) -> None:
    """Tell the handlers that the customer was unhappy, with the comment."""
    body = (
        f"The customer rated ticket #{ticket.id} {survey.rating}/5.\n\n"
        f"Comment: {survey.comment or '(none)'}\n\n{ticket_link(ticket)}\n"
    )
    for user in recipients:
        queue_email(
            user.email,
            f"[#{ticket.id}] rated {survey.rating}/5",
            body,
            user=user,
            source=SOURCE,
            dedupe_key=f"service_desk.low-rating:{survey.id}:{user.id}",
        )
