"""Campaign messages: merge fields, the unsubscribe footer, and the signed unsubscribe token.

Templates are plain text with ``{{ field }}`` placeholders, checked and filled by
core.placeholders (the same syntax as every other message a plugin sends). Every message
ends with a signed link that unsubscribes the customer from the campaign's topic.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from core import placeholders, tokens
from core.i18n import _, _l, company_language, force_locale
from core.models import Customer

TOKEN_PURPOSE = "marketing.unsubscribe"
MERGE_FIELDS: dict[str, Any] = {
    **placeholders.CUSTOMER_PLACEHOLDERS,
    "unsubscribe_url": _l("the customer's own unsubscribe link (it is also added at the end)"),
}


@dataclass(frozen=True)
class Unsubscribe:
    """What an unsubscribe link carries: who, which topic, and which campaign sent it."""

    customer_id: int
    topic: str
    campaign_id: int | None


def problems(template: str) -> list[str]:
    """What keeps a subject or body from being filled (unknown or malformed placeholders)."""
    return placeholders.problems(template, MERGE_FIELDS)


def unsubscribe_token(customer_id: int, topic: str, campaign_id: int | None) -> str:
    """The signed token of a customer's unsubscribe link for a topic."""
    return tokens.sign(TOKEN_PURPOSE, {"c": customer_id, "t": topic, "m": campaign_id})


def read_token(token: str, max_age_days: int) -> Unsubscribe:
    """The payload of an unsubscribe token; core.tokens.TokenError when forged or expired."""
    payload: Any = tokens.unsign(TOKEN_PURPOSE, token, max_age_seconds=max_age_days * 86400)
    if not isinstance(payload, dict) or not isinstance(payload.get("c"), int):
        raise tokens.TokenError(_("This link is not valid."))
    campaign = payload.get("m")
    return Unsubscribe(
        payload["c"], str(payload.get("t", "")), campaign if isinstance(campaign, int) else None
    )


def recipient_language(customer: Customer) -> str:
    """The language of what the plugin itself writes to a customer: theirs when known, else the company's."""
    return getattr(customer, "language", None) or company_language()


def footer(topic: str, company: str, unsubscribe_url: str, language: str) -> str:
    """The unsubscribe footer every campaign message ends with, in the recipient's language."""
    with force_locale(language):
        why = _(
            "You receive this %(topic)s mail as a customer of %(company)s.",
            topic=topic,
            company=company,
        )
        how = _("Unsubscribe from %(topic)s mail: %(url)s", topic=topic, url=unsubscribe_url)
    return f"\n\n--\n{why}\n{how}\n"


def merge_values(customer: Customer, unsubscribe_url: str, company: str) -> dict[str, str]:
    """The merge fields of one customer."""
    return {
        **placeholders.customer_values(customer, company),
        "unsubscribe_url": unsubscribe_url,
    }


def compose(
    subject: str,
    body: str,
    customer: Customer,
    topic: str,
    unsubscribe_url: str,
    company: str,
) -> tuple[str, str]:
    """(subject, body) for one customer, the body ending with the unsubscribe footer.

    core.placeholders.PlaceholderError when a text has a placeholder that is not a merge field.
    """
    values = merge_values(customer, unsubscribe_url, company)
    ending = footer(topic, company, unsubscribe_url, recipient_language(customer))
    return placeholders.fill(subject, values).replace("\n", " ").strip(), placeholders.fill(
        body, values
    ).rstrip() + ending
