"""Funnel, win rate and forecast: grouped SQL over the deals, figures finished in Python.

- win rate by owner (e-mail), product (SKU), channel or month (YYYY-MM of the close date):
  won, lost, win_rate = won / (won + lost) to 4 places, won_amount to the cent, and
  avg_cycle_days = mean of closed_on − opened_on over the won deals to 1 place, half up. A
  deal with several products counts once for each product, with its whole amount; a deal
  without products is left out of the product view.
- funnel per stage: open deals now in it, their amount, their amount weighted by each deal's
  probability (each deal rounded to the cent, then summed), won deals that passed through the
  stage and lost deals that stopped there (the won and lost stages count their own deals).
- forecast per month: open deals by expected close month (count, amount, weighted) against
  the deals won in that month.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from sqlalchemy import BigInteger, and_, case, cast, distinct, func, select

from core.db import db
from core.models import Product, User
from core.money import from_cents
from core.sql import cents, days_between, divide_half_up, month_of
from plugins.pipeline import stages as stage_records
from plugins.pipeline.models import Opportunity, OpportunityLine, Stage, StageMove

DIMENSIONS = ("owner", "product", "channel", "month")
WINRATE_COLUMNS = ("key", "won", "lost", "win_rate", "won_amount", "avg_cycle_days")
FUNNEL_COLUMNS = ("stage", "open", "open_amount", "weighted_amount", "won", "lost")
FORECAST_COLUMNS = ("month", "open", "open_amount", "weighted_amount", "won", "won_amount")
FOUR = Decimal("0.0001")
ONE = Decimal("0.1")


class ReportError(ValueError):
    """A report cannot be made from these arguments; the message says why."""


def win_rate(won: int, lost: int) -> Decimal | None:
    """won / (won + lost) to four places, half up; None without closed deals."""
    if won + lost == 0:
        return None
    return (Decimal(won) / Decimal(won + lost)).quantize(FOUR, rounding=ROUND_HALF_UP)


def mean_days(total_days: int, deals: int) -> Decimal | None:
    """A mean number of days to one place, half up; None over no deals."""
    if not deals:
        return None
    return (Decimal(total_days) / Decimal(deals)).quantize(ONE, rounding=ROUND_HALF_UP)


def weighted_cents() -> Any:
    """A deal's amount × probability in whole cents, rounded half up, in integer arithmetic."""
    ten_thousandths = cast(func.round(Opportunity.probability * 10000), BigInteger)
    return divide_half_up(func.coalesce(cents(Opportunity.amount), 0) * ten_thousandths, 10000)


def _key(by: str) -> tuple[Any, list[Any]]:
    """The grouping expression and the joins it needs."""
    if by == "owner":
        return func.coalesce(User.email, ""), [(User, User.id == Opportunity.owner_id, True)]
    if by == "channel":
        return Opportunity.channel, []
    if by == "month":
        return month_of(Opportunity.closed_on), []
    if by == "product":
        pairs = (
            select(OpportunityLine.opportunity_id, OpportunityLine.product_id).distinct().subquery()
        )
        return Product.sku, [
            (pairs, pairs.c.opportunity_id == Opportunity.id, False),
            (Product, Product.id == pairs.c.product_id, False),
        ]
    raise ReportError(f"Group by one of: {', '.join(DIMENSIONS)}.")


def winrate(
    by: str, first: dt.date | None = None, last: dt.date | None = None
) -> list[dict[str, Any]]:
    """Rows {key, won, lost, win_rate, won_amount, avg_cycle_days} over deals closed in the dates."""
    if first and last and first > last:
        raise ReportError("The first date is after the last one.")
    key, joins = _key(by)
    is_won = Stage.kind == "won"
    is_lost = Stage.kind == "lost"
    dated_win = and_(is_won, Opportunity.opened_on.is_not(None))
    statement = select(
        key.label("key"),
        func.sum(case((is_won, 1), else_=0)),
        func.sum(case((is_lost, 1), else_=0)),
        func.coalesce(func.sum(case((is_won, cents(Opportunity.amount)), else_=0)), 0),
        func.coalesce(
            func.sum(
                case(
                    (dated_win, days_between(Opportunity.closed_on, Opportunity.opened_on)), else_=0
                )
            ),
            0,
        ),
        func.sum(case((dated_win, 1), else_=0)),
    ).select_from(Opportunity)
    statement = statement.join(Stage, Stage.id == Opportunity.stage_id)
    for target, on, outer in joins:
        statement = statement.join(target, on, isouter=outer)
    statement = statement.where(Stage.kind.in_(("won", "lost")), Opportunity.closed_on.is_not(None))
    if first is not None:
        statement = statement.where(Opportunity.closed_on >= first)
    if last is not None:
        statement = statement.where(Opportunity.closed_on <= last)
    statement = statement.group_by(key).order_by(key)
    rows = []
    for row_key, won, lost, won_cents, cycle_days, dated in db.session.execute(statement):
        won, lost = int(won or 0), int(lost or 0)
        rows.append(
            {
                "key": row_key or "",
                "won": won,
                "lost": lost,
                "win_rate": win_rate(won, lost),
                "won_amount": from_cents(won_cents),
                "avg_cycle_days": mean_days(int(cycle_days or 0), int(dated or 0)),
            }
        )
    return rows


@dataclass(frozen=True)
class FunnelRow:
    """One stage of the funnel."""

    stage: Stage
    open: int
    open_amount: Decimal
    weighted_amount: Decimal
    won: int
    lost: int

    def as_dict(self) -> dict[str, Any]:
        return {
            "stage": self.stage.name,
            "open": self.open,
            "open_amount": self.open_amount,
            "weighted_amount": self.weighted_amount,
            "won": self.won,
            "lost": self.lost,
        }


def funnel(owner_id: int | None = None) -> list[FunnelRow]:
    """Every stage in order with its open deals, amounts and the won and lost deals it saw."""
    stages = stage_records.all_stages()

    def mine(statement: Any) -> Any:
        return statement if owner_id is None else statement.where(Opportunity.owner_id == owner_id)

    now_in = {
        stage_id: (count, amount, weighted)
        for stage_id, count, amount, weighted in db.session.execute(
            mine(
                select(
                    Opportunity.stage_id,
                    func.count(),
                    func.coalesce(func.sum(cents(Opportunity.amount)), 0),
                    func.coalesce(func.sum(weighted_cents()), 0),
                ).group_by(Opportunity.stage_id)
            )
        )
    }
    current = Stage.__table__.alias("current_stage")
    passed = dict(
        db.session.execute(
            mine(
                select(StageMove.to_stage_id, func.count(distinct(StageMove.opportunity_id)))
                .join(Opportunity, Opportunity.id == StageMove.opportunity_id)
                .join(current, current.c.id == Opportunity.stage_id)
                .where(current.c.kind == "won")
                .group_by(StageMove.to_stage_id)
            )
        ).all()
    )
    stopped = dict(
        db.session.execute(
            mine(
                select(Opportunity.lost_from_stage_id, func.count())
                .join(current, current.c.id == Opportunity.stage_id)
                .where(current.c.kind == "lost", Opportunity.lost_from_stage_id.is_not(None))
                .group_by(Opportunity.lost_from_stage_id)
            )
        ).all()
    )
    rows = []
    for stage in stages:
        count, amount, weighted = now_in.get(stage.id, (0, 0, 0))
        if stage.kind == "open":
            rows.append(
                FunnelRow(
                    stage,
                    int(count),
                    from_cents(amount),
                    from_cents(weighted),
                    int(passed.get(stage.id, 0)),
                    int(stopped.get(stage.id, 0)),
                )
            )
        else:
            won = int(count) if stage.kind == "won" else 0
            lost = int(count) if stage.kind == "lost" else 0
            rows.append(FunnelRow(stage, 0, from_cents(0), from_cents(0), won, lost))
    return rows


def forecast(
    first: dt.date | None = None, last: dt.date | None = None, owner_id: int | None = None
) -> list[dict[str, Any]]:
    """Per month: open deals by expected close month (count, amount, weighted) and deals won."""
    open_month = month_of(Opportunity.expected_close_on)
    expected = (
        select(
            open_month,
            func.count(),
            func.coalesce(func.sum(cents(Opportunity.amount)), 0),
            func.coalesce(func.sum(weighted_cents()), 0),
        )
        .join(Stage, Stage.id == Opportunity.stage_id)
        .where(Stage.kind == "open", Opportunity.expected_close_on.is_not(None))
        .group_by(open_month)
    )
    won_month = month_of(Opportunity.closed_on)
    actual = (
        select(won_month, func.count(), func.coalesce(func.sum(cents(Opportunity.amount)), 0))
        .join(Stage, Stage.id == Opportunity.stage_id)
        .where(Stage.kind == "won", Opportunity.closed_on.is_not(None))
        .group_by(won_month)
    )
    if first is not None:
        expected = expected.where(Opportunity.expected_close_on >= first)
        actual = actual.where(Opportunity.closed_on >= first)
    if last is not None:
        expected = expected.where(Opportunity.expected_close_on <= last)
        actual = actual.where(Opportunity.closed_on <= last)
    if owner_id is not None:
        expected = expected.where(Opportunity.owner_id == owner_id)
        actual = actual.where(Opportunity.owner_id == owner_id)
    months: dict[str, dict[str, Any]] = {}

    def month_row(month: str) -> dict[str, Any]:
        return months.setdefault(
            month,
            {
                "month": month,
                "open": 0,
                "open_amount": from_cents(0),
                "weighted_amount": from_cents(0),
                "won": 0,
                "won_amount": from_cents(0),
            },
        )

    for month, count, amount, weighted in db.session.execute(expected):
        month_row(month).update(
            open=int(count), open_amount=from_cents(amount), weighted_amount=from_cents(weighted)
        )
    for month, count, amount in db.session.execute(actual):
        month_row(month).update(won=int(count), won_amount=from_cents(amount))
    return [months[month] for month in sorted(months)]


def channel_counts() -> list[dict[str, Any]]:
    """Deals per channel: open, won and lost (what marketing may read)."""
    statement = (
        select(
            Opportunity.channel,
            func.sum(case((Stage.kind == "open", 1), else_=0)),
            func.sum(case((Stage.kind == "won", 1), else_=0)),
            func.sum(case((Stage.kind == "lost", 1), else_=0)),
        )
        .join(Stage, Stage.id == Opportunity.stage_id)
        .group_by(Opportunity.channel)
        .order_by(Opportunity.channel)
    )
    return [
        {"channel": channel or "", "open": int(o or 0), "won": int(w or 0), "lost": int(x or 0)}
        for channel, o, w, x in db.session.execute(statement)
    ]
