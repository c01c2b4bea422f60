"""The tiers report of `clientele loyalty tiers`: computed fresh from the orders as of a day.

It writes nothing, so any past day can be asked for; top-percent tiers are ranked over that
day's figures. The JSON shape is fixed (DESIGN.md section 6).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import select

from core.db import db
from core.models import Customer
from core.money import from_cents
from plugins.loyalty import settings as loyalty_settings
from plugins.loyalty.figures import figures_statement, window_parameters
from plugins.loyalty.lifecycle import stage_expression
from plugins.loyalty.tiers import ranked_cutoffs, threshold_cutoffs, tier_expression, uses_ranks

TIER_COLUMNS = ("external_id", "name", "profit_12m", "tier", "stage")


def tier_rows(as_of: dt.date) -> list[dict[str, Any]]:
    """One row per customer: external_id, name, profit_12m (Decimal), tier, stage; most profit first."""
    rules = loyalty_settings.current()
    figures = figures_statement(rules.lifecycle, with_previous=False).subquery("figures")
    parameters = window_parameters(as_of)
    if uses_ranks(rules.tiers):
        cutoffs, _ = ranked_cutoffs(figures, rules.tiers, parameters)
    else:
        cutoffs = threshold_cutoffs(rules.tiers)
    statement = (
        select(
            Customer.external_id,
            Customer.name,
            figures.c.profit_12m_cents,
            tier_expression(figures.c.profit_12m_cents, cutoffs).label("tier"),
            stage_expression(figures.c, rules.lifecycle).label("stage"),
        )
        .join(figures, figures.c.customer_id == Customer.id)
        .order_by(figures.c.profit_12m_cents.desc(), Customer.name, Customer.id)
    )
    return [
        {
            "external_id": row.external_id,
            "name": row.name,
            "profit_12m": from_cents(row.profit_12m_cents),
            "tier": row.tier,
            "stage": row.stage,
        }
        for row in db.session.execute(statement, parameters)
    ]
