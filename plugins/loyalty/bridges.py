"""Loyalty's answers to the hooks other plugins publish (insights), loaded only when they are on."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from core.i18n import _
from core.plugins import hookimpl
from plugins.loyalty import settings as loyalty_settings
from plugins.loyalty.models import CustomerValue


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
