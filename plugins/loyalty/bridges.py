"""Loyalty's answers to the hooks other plugins publish (insights), loaded only when they are on."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import select

from core.dates import company_midnight
from core.i18n import _
from core.plugins import hookimpl
from plugins.loyalty import settings as loyalty_settings
from plugins.loyalty.models import CustomerValue, StageChange


@hookimpl(optionalhook=True)
def insights_best_customers() -> list[dict[str, Any]]:
    """Insights: the customers now in the highest tier (the first of the settings' tiers)."""
    tiers = loyalty_settings.current().tiers
    if not tiers:
        return []
    best = tiers[0].name
    return [
        {
            "label": _("Tier %(tier)s", tier=best),
            "customers": select(CustomerValue.customer_id).where(CustomerValue.tier == best),
        }
    ]


@hookimpl(optionalhook=True)
def insights_customer_moves(start: dt.date, end: dt.date) -> list[dict[str, Any]]:
    """Insights: customers who became churned, and who came back (reactivated), when they did."""

    def moves_into(stage: str) -> Any:
        return select(
            StageChange.customer_id.label("customer_id"), StageChange.changed_at.label("moved_at")
        ).where(
            StageChange.to_stage == stage,
            StageChange.changed_at >= company_midnight(start),
            StageChange.changed_at < company_midnight(end + dt.timedelta(days=1)),
        )

    return [
        {"key": "churned", "label": _("Churned"), "rows": moves_into("churned")},
        {"key": "reactivated", "label": _("Reactivated"), "rows": moves_into("reactivated")},
    ]
