"""Tiers by trailing-12-month profit: fixed thresholds or top-percent ranks, both as cutoffs.

A tier is reached by a profit of at least its cutoff (a customer exactly at a threshold gets
that tier). With ``min_profit`` the cutoffs are the configured amounts. With ``top_percent``
the customers with a positive profit are ranked (highest first, N of them); the cutoff of a
tier with top_percent p is the profit of the customer at rank ceil(N × p / 100), and everyone
with at least that profit is in the tier, so customers tied with the last one are never
split. Customers with no positive profit never reach a top-percent tier.

Ranks depend on every customer, so the incremental path (one order) does not re-rank: it
compares the customer's new profit with the cutoffs stored by the last full recompute
(loyalty_tier_cutoff). Until a first full recompute has run there are no stored cutoffs and
the incremental path gives no top-percent tier.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from sqlalchemy import case, delete, false, func, insert, literal, null, select
from sqlalchemy.sql.elements import ColumnElement

from core.db import db
from core.models import utcnow
from plugins.loyalty.models import TierCutoff
from plugins.loyalty.settings import TierRule


@dataclass(frozen=True)
class Cutoff:
    """The lowest trailing-12-month profit (in cents) that reaches a tier."""

    tier: str
    position: int
    min_profit_cents: int


def uses_ranks(rules: Sequence[TierRule]) -> bool:
    """True when the tiers are top-percent ranks rather than fixed thresholds."""
    return any(rule.top_percent is not None for rule in rules)


def threshold_cutoffs(rules: Sequence[TierRule]) -> list[Cutoff]:
    """Cutoffs of fixed-threshold tiers, straight from the settings."""
    return [
        Cutoff(rule.name, position, int(rule.min_profit * 100))
        for position, rule in enumerate(rules)
        if rule.min_profit is not None
    ]


def rank_position(ranked: int, top_percent: Decimal) -> int:
    """ceil(ranked × top_percent / 100), in exact integer arithmetic."""
    numerator, denominator = (top_percent / 100).as_integer_ratio()
    return int((ranked * numerator + denominator - 1) // denominator)


def ranked_cutoffs(
    source: Any, rules: Sequence[TierRule], parameters: dict[str, Any] | None = None
) -> tuple[list[Cutoff], int]:
    """Cutoffs of top-percent tiers ranked over ``source`` (anything with customer_id and
    profit_12m_cents columns; ``parameters`` are its bind values), in one query; also N."""
    profit = source.c.profit_12m_cents
    ranking = (
        select(
            profit.label("profit"),
            func.row_number().over(order_by=(profit.desc(), source.c.customer_id)).label("rank"),
            func.count().over().label("ranked"),
        )
        .where(profit > 0)
        .subquery("ranking")
    )
    positions = []
    for rule in rules:
        assert rule.top_percent is not None
        numerator, denominator = (rule.top_percent / 100).as_integer_ratio()
        positions.append((ranking.c.ranked * numerator + denominator - 1) // denominator)
    rows = db.session.execute(
        select(ranking.c.profit, ranking.c.rank, ranking.c.ranked).where(
            ranking.c.rank.in_(positions) if positions else false()
        ),
        parameters or {},
    ).all()
    if not rows:
        return [], 0
    ranked = int(rows[0].ranked)
    profit_at = {int(row.rank): int(row.profit) for row in rows}
    cutoffs = []
    for position, rule in enumerate(rules):
        assert rule.top_percent is not None
        cutoffs.append(
            Cutoff(rule.name, position, profit_at[rank_position(ranked, rule.top_percent)])
        )
    return cutoffs, ranked


def tier_expression(profit_cents: Any, cutoffs: Sequence[Cutoff]) -> ColumnElement[Any]:
    """SQL CASE: the first tier (from the top) whose cutoff the profit reaches; NULL for none."""
    if not cutoffs:
        return null()
    return case(
        *[(profit_cents >= cutoff.min_profit_cents, cutoff.tier) for cutoff in cutoffs],
        else_=null(),
    )


def tier_rank(tier: Any, rules: Sequence[TierRule]) -> ColumnElement[int]:
    """SQL: the tier's position from the top (0 = highest), customers without a tier last."""
    if not rules:
        return literal(0)
    return case(*[(tier == rule.name, index) for index, rule in enumerate(rules)], else_=len(rules))


def store_cutoffs(cutoffs: Sequence[Cutoff], ranked: int) -> None:
    """Replace the stored cutoffs with those of this full recompute."""
    db.session.execute(delete(TierCutoff))
    if cutoffs:
        now = utcnow()
        db.session.execute(
            insert(TierCutoff),
            [
                {
                    "tier": cutoff.tier,
                    "position": cutoff.position,
                    "min_profit_cents": cutoff.min_profit_cents,
                    "ranked_customers": ranked,
                    "computed_at": now,
                }
                for cutoff in cutoffs
            ],
        )


def stored_cutoffs(rules: Sequence[TierRule]) -> list[Cutoff]:
    """Cutoffs kept by the last full recompute, for the tiers still configured (one query)."""
    names = {rule.name for rule in rules}
    rows = db.session.scalars(select(TierCutoff).order_by(TierCutoff.position))
    return [
        Cutoff(row.tier, row.position, row.min_profit_cents) for row in rows if row.tier in names
    ]


def incremental_cutoffs(rules: Sequence[TierRule]) -> list[Cutoff]:
    """Cutoffs for recomputing a few customers: the settings, or the last full recompute's ranks."""
    return stored_cutoffs(rules) if uses_ranks(rules) else threshold_cutoffs(rules)


def badge_colour(tier: str | None, rules: Sequence[TierRule]) -> str:
    """The Bootstrap colour of a tier's badge."""
    for rule in rules:
        if rule.name == tier:
            return rule.badge
    return "secondary"
