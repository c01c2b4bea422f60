"""Mail the service desk queues in the outbox: replies and surveys to customers, SLA alerts to staff.

Everything goes through core.outbox in the current transaction, so a rolled-back action
sends nothing; every message is transactional (not subject to the marketing opt-out).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from core.i18n import _, company_language, force_locale, format_datetime
from core.models import User
from core.outbox import queue_email
from plugins.service_desk import settings as service_desk_settings
from plugins.service_desk.models import Survey, Ticket, TicketMessage, label

SOURCE = "service_desk"


def customer_address(ticket: Ticket) -> str:
    """Where mail for the ticket's customer goes: the customer's e-mail, else the contact's."""
    if ticket.customer is not None and ticket.customer.email:
        return ticket.customer.email
    return ticket.contact_email


def customer_language(ticket: Ticket) -> str:
    """The language the customer reads: their own when it is known, else the company's."""
    return getattr(ticket.customer, "language", None) or company_language()


def staff_language(user: User) -> str:
    """The language a staff member reads: their own choice, else the company's."""
    return user.language or company_language()


def ticket_link(ticket: Ticket) -> str:
    """The absolute address of the ticket page (for staff mails)."""
    return f"{service_desk_settings.current().base_url}/service_desk/tickets/{ticket.id}"


def send_reply(ticket: Ticket, message: TicketMessage, by: User | None) -> None:
    """Mail a public reply to the customer, in the customer's language."""
    settings = service_desk_settings.current()
    with force_locale(customer_language(ticket)):
        request = _("Your request #%(id)s: %(subject)s", id=ticket.id, subject=ticket.subject)
    body = (
        f"{message.body}\n\n"
        f"— {by.name if by else settings.company}, {settings.company}\n"
        f"{request}\n"
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
    with force_locale(customer_language(ticket)):
        values = {"id": ticket.id, "subject": ticket.subject}
        body = (
            _('Hello,\n\nyour request #%(id)s "%(subject)s" has been resolved.', **values)
            + "\n"
            + _("How did we do? Rate us from 1 to 5 (one click, no login):")
            + f"\n\n{link}\n\n"
            + _(
                "The link works once and until %(until)s.", until=format_datetime(survey.expires_at)
            )
            + f"\n\n{settings.company}\n"
        )
        subject = _("How did we do? Request #%(id)s", id=ticket.id)
    queue_email(
        customer_address(ticket),
        subject,
        body,
        customer=ticket.customer,
        source=SOURCE,
        dedupe_key=f"service_desk.survey:{survey.id}",
    )


def _sla_alert(ticket: Ticket, target: str, level: str, due_at: dt.datetime) -> tuple[str, str]:
    """(subject, body) of an SLA alert in the current language."""
    values = {"what": label("target", target).lower(), "id": ticket.id}
    when = format_datetime(due_at)
    if level == "warning":
        subject = _("[#%(id)s] %(what)s due %(when)s", when=when, **values)
        opening = _(
            "The %(what)s on ticket #%(id)s is due at %(when)s and has not happened yet.",
            when=when,
            **values,
        )
    else:
        subject = _("[#%(id)s] %(what)s SLA breached", **values)
        opening = _(
            "The %(what)s on ticket #%(id)s was due at %(when)s; the target was missed.",
            when=when,
            **values,
        )
    customer = _("Customer: %(name)s", name=ticket.contact_label)
    body = f"{opening}\n\n{ticket.subject}\n{customer}\n\n{ticket_link(ticket)}\n"
    return subject, body


def send_sla_alert(
    ticket: Ticket, target: str, level: str, due_at: dt.datetime, recipients: Sequence[User]
) -> None:
    """Warn staff that a target is about to be missed, or tell them it was (once per ticket and target)."""
    for user in recipients:
        with force_locale(staff_language(user)):
            subject, body = _sla_alert(ticket, target, level, due_at)
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
    for user in recipients:
        with force_locale(staff_language(user)):
            rated = _(
                "The customer rated ticket #%(id)s %(rating)s/5.",
                id=ticket.id,
                rating=survey.rating,
            )
            comment = _("Comment: %(comment)s", comment=survey.comment or _("(none)"))
            subject = _("[#%(id)s] rated %(rating)s/5", id=ticket.id, rating=survey.rating)
        body = f"{rated}\n\n{comment}\n\n{ticket_link(ticket)}\n"
        queue_email(
            user.email,
            subject,
            body,
            user=user,
            source=SOURCE,
            dedupe_key=f"service_desk.low-rating:{survey.id}:{user.id}",
        )
