"""Campaign messages: merge fields, the unsubscribe footer, and the signed unsubscribe token.

Templates are plain text with ``{{ field }}`` placeholders, replaced by simple substitution
(never run as Jinja, so a template can do nothing but insert the known fields). Every
message ends with a signed link that unsubscribes the customer from the campaign's topic.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from core import tokens
from core.models import Customer

TOKEN_PURPOSE = "marketing.unsubscribe"
PLACEHOLDER = re.compile(r"\{\{\s*([A-Za-z_]+)\s*\}\}")
MERGE_FIELDS = {
    "name": "the customer's name",
    "first_name": "the first word of the name",
    "company": "the customer's company",
    "city": "the customer's city",
    "country": "the customer's country code",
    "email": "the customer's e-mail address",
    "unsubscribe_url": "the customer's own unsubscribe link (it is also added at the end)",
}


@dataclass(frozen=True)
class Unsubscribe:
    """What an unsubscribe link carries: who, which topic, and which campaign sent it."""

    customer_id: int
    topic: str
    campaign_id: int | None


def unknown_fields(template: str) -> list[str]:
    """Placeholders in the template that are not merge fields."""
    return sorted({name for name in PLACEHOLDER.findall(template) if name not in MERGE_FIELDS})


def fill(template: str, values: dict[str, str]) -> str:
    """Replace each {{ field }} with its value (unknown ones are left as typed)."""

    def replace(match: re.Match[str]) -> str:
        return values.get(match.group(1), match.group(0))

    return PLACEHOLDER.sub(replace, template)


def unsubscribe_token(customer_id: int, topic: str, campaign_id: int | None) -> str:
    """The signed token of a customer's unsubscribe link for a topic."""
    return tokens.sign(TOKEN_PURPOSE, {"c": customer_id, "t": topic, "m": campaign_id})


def read_token(token: str, max_age_days: int) -> Unsubscribe:
    """The payload of an unsubscribe token; core.tokens.TokenError when forged or expired."""
    payload: Any = tokens.unsign(TOKEN_PURPOSE, token, max_age_seconds=max_age_days * 86400)
    if not isinstance(payload, dict) or not isinstance(payload.get("c"), int):
        raise tokens.TokenError("This link is not valid.")
    campaign = payload.get("m")
    return Unsubscribe(
        payload["c"], str(payload.get("t", "")), campaign if isinstance(campaign, int) else None
    )


def merge_values(customer: Customer, unsubscribe_url: str) -> dict[str, str]:
    """The merge fields of one customer."""
    name = customer.name.strip()
    return {
        "name": name,
        "first_name": name.split()[0] if name else "",
        "company": customer.company,
        "city": customer.city,
        "country": customer.country,
        "email": customer.email,
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
    """(subject, body) for one customer, the body ending with the unsubscribe footer."""
    values = merge_values(customer, unsubscribe_url)
    footer = (
        f"\n\n--\nYou receive this {topic} mail as a customer of {company}.\n"
        f"Unsubscribe from {topic} mail: {unsubscribe_url}\n"
    )
    return fill(subject, values).replace("\n", " ").strip(), fill(body, values).rstrip() + footer
