"""How the stored codes of marketing read on a page: statuses, consent sources, fixed evidence notes.

The database keeps the codes ("opted_out", "link") and the English notes the plugin writes
as evidence; pages show them in the reader's language. A code or note not listed here
(a customer's own words, a file name) is shown as it is.
"""

from __future__ import annotations

from typing import Any

from core.i18n import _l

CAMPAIGN_STATUSES: dict[str, Any] = {
    "draft": _l("draft"),
    "scheduled": _l("scheduled"),
    "sending": _l("sending"),
    "sent": _l("sent"),
    "cancelled": _l("cancelled"),
}
RECIPIENT_STATUSES: dict[str, Any] = {
    "pending": _l("pending"),
    "queued": _l("queued"),
    "opted_out": _l("opted out"),
    "no_address": _l("no address"),
}
#: The outbox's statuses of a queued mail.
MAIL_STATUSES: dict[str, Any] = {
    "pending": _l("pending"),
    "sent": _l("sent"),
    "failed": _l("failed"),
}
CONSENT_SOURCES: dict[str, Any] = {
    "link": _l("link"),
    "staff": _l("staff"),
    "import": _l("import"),
}
#: The evidence notes the plugin writes itself (consent events keep them in English).
NOTES: dict[str, Any] = {
    "Unsubscribe link.": _l("Unsubscribe link."),
    "Unsubscribe link: everything.": _l("Unsubscribe link: everything."),
    "Resubscribed from the unsubscribe page.": _l("Resubscribed from the unsubscribe page."),
    "Resubscribed to all marketing from the unsubscribe page.": _l(
        "Resubscribed to all marketing from the unsubscribe page."
    ),
    "Opted out when the customer was created.": _l("Opted out when the customer was created."),
    "Changed on the customer form.": _l("Changed on the customer form."),
    "The core's unsubscribe link in a mail: all marketing.": _l(
        "The core's unsubscribe link in a mail: all marketing."
    ),
}


def _shown(labels: dict[str, Any], code: str | None) -> str:
    return str(labels.get(code or "", code or "–"))


def campaign_status(code: str) -> str:
    """draft, scheduled, sending, sent, cancelled in the reader's language."""
    return _shown(CAMPAIGN_STATUSES, code)


def recipient_status(code: str) -> str:
    """pending, queued, opted out, no address in the reader's language."""
    return _shown(RECIPIENT_STATUSES, code)


def mail_status(code: str | None) -> str:
    """Where the outbox got with a recipient's mail ("–" when there is none)."""
    return _shown(MAIL_STATUSES, code)


def consent_source(code: str) -> str:
    """link, staff, import in the reader's language."""
    return _shown(CONSENT_SOURCES, code)


def note(text: str) -> str:
    """An evidence note: the plugin's own notes translated, anything else as written."""
    return str(NOTES.get(text, text))


#: The template globals of the marketing pages and panels.
TEMPLATE_GLOBALS = {
    "marketing_campaign_status": campaign_status,
    "marketing_recipient_status": recipient_status,
    "marketing_mail_status": mail_status,
    "marketing_consent_source": consent_source,
    "marketing_note": note,
}
