"""What loyalty offers other plugins through their hooks: segment criteria, exclusions, SLA tiers.

Every criterion builds a set-based SQL condition over core.models.Customer
(``Customer.id.in_(SELECT …)``); marketing negates it itself when asked for "not".
"""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal
from typing import Any

from sqlalchemy import or_, select
from sqlalchemy.sql.elements import ColumnElement

from core.db import db
from core.i18n import _
from core.models import Customer
from core.search import lower_contains
from plugins.loyalty import settings as loyalty_settings
from plugins.loyalty.models import STAGE_NAMES, STAGES, CustomerValue, Preference


def _tier_is(value: str) -> ColumnElement[bool]:
    """Customers whose current tier is value."""
    return Customer.id.in_(select(CustomerValue.customer_id).where(CustomerValue.tier == value))


def _stage_is(value: str) -> ColumnElement[bool]:
    """Customers in this lifecycle stage (the key, e.g. "at_risk", or its label "At risk")."""
    by_label = {label.lower(): key for key, label in STAGE_NAMES.items()}
    stage = by_label.get(value.strip().lower(), value.strip().lower())
    return Customer.id.in_(select(CustomerValue.customer_id).where(CustomerValue.stage == stage))


def _has_preference(value: str) -> ColumnElement[bool]:
    """Customers with a preference whose category or text contains value (any case)."""
    value = value.strip()
    return Customer.id.in_(
        select(Preference.customer_id).where(
            or_(lower_contains(Preference.text, value), lower_contains(Preference.category, value))
        )
    )


def _profit_at_least(value: Decimal) -> ColumnElement[bool]:
    """Customers whose trailing-12-month profit is at least value (compared in exact cents)."""
    threshold = int((Decimal(value) * 100).to_integral_value())
    return Customer.id.in_(
        select(CustomerValue.customer_id).where(CustomerValue.profit_12m_cents >= threshold)
    )


def segment_criteria() -> list[dict[str, Any]]:
    """The criteria loyalty offers marketing's segment builder."""
    tiers = [rule.name for rule in loyalty_settings.current().tiers]
    return [
        {
            "key": "loyalty.tier",
            "label": _("Loyalty tier"),
            "kind": "choice",
            "choices": tiers,
            "build": _tier_is,
        },
        {
            "key": "loyalty.stage",
            "label": _("Lifecycle stage"),
            "kind": "choice",
            "choices": [STAGE_NAMES[stage] for stage in STAGES],
            "build": _stage_is,
        },
        {
            "key": "loyalty.preference",
            "label": _("Has a preference matching"),
            "kind": "text",
            "build": _has_preference,
        },
        {
            "key": "loyalty.profit_12m",
            "label": _("Profit in the last 12 months at least"),
            "kind": "number",
            "build": _profit_at_least,
        },
    ]


def current_tiers(customer_ids: Sequence[int]) -> dict[int, str]:
    """{customer id: current tier} for the customers that have one (one query)."""
    if not customer_ids:
        return {}
    statement = select(CustomerValue.customer_id, CustomerValue.tier).where(
        CustomerValue.customer_id.in_(list(customer_ids)), CustomerValue.tier.is_not(None)
    )
    return {row[0]: str(row[1]) for row in db.session.execute(statement)}
