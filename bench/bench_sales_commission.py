"""Benchmarks of the sales_commission plugin: a month's statements and the recompute of a month.

The month is the last complete month of the data set (1M order lines over 18 months at full
scale, about 60,000 entries in that month). Entries are built first by ``ctx.backfill``
(``orders_imported`` over every order: the bulk path); the config example's rules apply
(base revenue, grading by line, A ≥ 40 % → 8 %, B ≥ 20 % → 5 %, C ≥ 0 % → 2 %).

- ``sales_commission_statements``: ``statements.period_summaries`` for every salesperson
  (what `clientele sales_commission statement` and the managers' page compute) against one
  hand-written aggregate over the order lines that grades each sale, refund and
  cancellation of the month and sums the same totals (lines, net, profit, commission and
  commission per tier, per salesperson); both answers are checked equal. Goal 1.5.
- ``sales_commission_recompute``: ``recompute.recompute_period`` of that month in steady state
  (the entries are right; the engine recomputes every line and compares), against the same
  hand-written aggregate. Goal 1.5 (the issue's aim).
- ``sales_commission_recompute_rebuild``: the month's entries are deleted, then recomputed
  (every entry written again; the DELETE is inside the timed run), against the same
  aggregate alone. Goal 3.0: it writes the month's entries with their indexes and foreign
  keys where the reference only reads.

On PostgreSQL the preparation runs the core's nightly job ``core.planner_statistics``
(ANALYZE) after the backfill, as a database the plugin has run on for a night has.
Cancellation days are compared in UTC: the benchmark app's company time zone is UTC.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from bench.harness import BenchContext, BenchMismatch

PLUGINS = ("sales_commission",)
BENCHMARKS = (
    "sales_commission_statements",
    "sales_commission_recompute",
    "sales_commission_recompute_rebuild",
)
GOAL = 1.5
REBUILD_GOAL = 3.0

CENTS = "CAST(round({column} * 100) AS BIGINT)"
#: The default tiers on exact integer cents: margin ≥ min ⇔ profit × 10000 ≥ min_bp × net.
TIER = (
    "CASE WHEN net > 0 AND (net - cost) * 10000 >= 4000 * net THEN 'A' "
    "WHEN net > 0 AND (net - cost) * 10000 >= 2000 * net THEN 'B' "
    "WHEN net > 0 AND (net - cost) * 10000 >= 0 THEN 'C' END"
)
RATE = "CASE tier WHEN 'A' THEN 800 WHEN 'B' THEN 500 WHEN 'C' THEN 200 ELSE 0 END"


def reference_sql(ctx: BenchContext) -> str:
    """One hand-written aggregate: the month's sales, refunds and cancellations, graded and summed."""
    net, cost = (
        CENTS.format(column="l.net_amount"),
        CENTS.format(column="coalesce(l.cost_amount, 0)"),
    )
    counted = "o.status IN ('confirmed', 'refunded')"
    cast_ts = "CAST(:{0} AS TIMESTAMP)" if ctx.database == "postgresql" else ":{0}"
    return f"""
    WITH moves AS (
        SELECT o.salesperson_id, 1 AS sign, {net} AS net, {cost} AS cost
        FROM order_line l JOIN "order" o ON o.id = l.order_id
        WHERE o.order_date BETWEEN :first AND :last AND o.salesperson_id IS NOT NULL
          AND ({counted} OR (o.status = 'cancelled' AND o.confirmed_at IS NOT NULL))
      UNION ALL
        SELECT o.salesperson_id, -1, {net}, {cost}
        FROM order_line l JOIN "order" o ON o.id = l.order_id
        WHERE l.refunded_on BETWEEN :first AND :last AND {counted} AND o.salesperson_id IS NOT NULL
      UNION ALL
        SELECT o.salesperson_id, -1, {net}, {cost}
        FROM order_line l JOIN "order" o ON o.id = l.order_id
        WHERE o.status = 'cancelled' AND o.confirmed_at IS NOT NULL AND o.salesperson_id IS NOT NULL
          AND o.cancelled_at >= {cast_ts.format("from_moment")} AND o.cancelled_at < {cast_ts.format("to_moment")}
    ), graded AS (
        SELECT salesperson_id, sign, net, cost, {TIER} AS tier FROM moves
    )
    SELECT salesperson_id, tier, COUNT(*),
           SUM(sign * net), SUM(sign * (net - cost)),
           SUM(sign * CASE WHEN net - cost < 0 OR tier IS NULL THEN 0
                           ELSE (net * ({RATE}) + 5000) / 10000 END)
    FROM graded GROUP BY salesperson_id, tier
    """


def parameters(period: str) -> dict[str, Any]:
    """The month's bounds as the reference binds them."""
    from core import dates

    first, last = dates.parse_period(period)
    return {
        "first": first,
        "last": last,
        "from_moment": dt.datetime.combine(first, dt.time()),
        "to_moment": dt.datetime.combine(last + dt.timedelta(days=1), dt.time()),
    }


def _cents(value: Any) -> int:
    """An integer of cents from either database's row value."""
    return int(Decimal(str(value)))


def reference_totals(rows: list[Any]) -> dict[int, tuple[Any, ...]]:
    """{salesperson: (lines, net, profit, commission, ((tier, commission), ...))} in cents."""
    totals: dict[int, list[Any]] = {}
    for salesperson, tier, lines, net, profit, commission in rows:
        entry = totals.setdefault(salesperson, [0, 0, 0, 0, {}])
        entry[0] += lines
        entry[1] += _cents(net)
        entry[2] += _cents(profit)
        entry[3] += _cents(commission)
        if tier is not None and _cents(commission):
            entry[4][tier] = entry[4].get(tier, 0) + _cents(commission)
    return {key: (*value[:4], tuple(sorted(value[4].items()))) for key, value in totals.items()}


def summary_totals(summaries: list[Any]) -> dict[int, tuple[Any, ...]]:
    """The same shape from statements.period_summaries."""
    return {
        summary.salesperson.id: (
            summary.lines,
            int(summary.net * 100),
            int(summary.profit * 100),
            int(summary.commission * 100),
            tuple(
                sorted(
                    (tier, int(amount * 100)) for tier, amount in summary.by_tier.items() if amount
                )
            ),
        )
        for summary in summaries
        if summary.lines
    }


def _analyze(ctx: BenchContext) -> None:
    """What the core's nightly job does: ANALYZE (PostgreSQL only here, so the SQLite copy
    keeps the data set's statistics as generated for the modules after this one)."""
    with ctx.using(PLUGINS):
        from core.db import db, refresh_planner_statistics

        refresh_planner_statistics()
        db.session.commit()


def run(ctx: BenchContext) -> None:
    """Backfill the entries, then time the statements and the recomputes of one month."""
    from core import dates

    ctx.backfill("sales_commission")
    if ctx.database == "postgresql":
        ctx.once("sales_commission planner statistics", lambda: _analyze(ctx))
    end = ctx.dataset.end_date
    period = dates.period_of(dates.add_months(end.replace(day=1), -1))
    with ctx.using(PLUGINS):
        from sqlalchemy import func, select

        from core.db import db
        from plugins.sales_commission.models import Entry

        count = db.session.scalar(
            select(func.count()).select_from(Entry).where(Entry.period == period)
        )
        ctx.note(f"INFO sales_commission month {period}: {count} entries")
        _time_month(ctx, period)


def _time_month(ctx: BenchContext, period: str) -> None:
    """The three benchmarks of one month (the app context is pushed)."""
    from sqlalchemy import delete

    from core.db import db
    from plugins.sales_commission import recompute as recomputing
    from plugins.sales_commission import statements
    from plugins.sales_commission.models import Entry
    from plugins.sales_commission.settings import current_rules

    rules = current_rules()
    db.session.commit()
    sql, bound = reference_sql(ctx), parameters(period)

    def reference() -> dict[int, tuple[Any, ...]]:
        """The hand-written aggregate's totals."""
        return reference_totals(ctx.sql(sql, bound))

    def summaries() -> dict[int, tuple[Any, ...]]:
        """The plugin's statements of the month (a new session, as a request has)."""
        db.session.expire_all()
        return summary_totals(statements.period_summaries(period, rules))

    def recompute() -> None:
        """The month's recompute, committed."""
        recomputing.recompute_period(rules, period)
        db.session.commit()

    def rebuild() -> None:
        """The month's entries deleted, then recomputed."""
        db.session.execute(delete(Entry).where(Entry.period == period))
        recompute()

    ctx.compare(
        "sales_commission_statements",
        summaries,
        "sql_statements",
        reference,
        GOAL,
        same=lambda x: x,
    )
    if ctx.wanted("sales_commission_recompute"):
        recompute()
        if summaries() != reference():
            raise BenchMismatch("sales_commission_recompute changed the month's totals")
        ctx.compare("sales_commission_recompute", recompute, "sql_statements", reference, GOAL)
    if ctx.wanted("sales_commission_recompute_rebuild"):
        timing = ctx.measure(rebuild, repeat=3, number=1)
        ctx.profile("sales_commission_recompute_rebuild", rebuild)
        reference_timing = ctx.measure(reference, repeat=3)
        ctx.report(
            "sales_commission_recompute_rebuild",
            timing.seconds,
            "sql_statements",
            reference_timing.seconds,
            REBUILD_GOAL,
        )
        if summaries() != reference():
            raise BenchMismatch("the rebuilt month differs from the reference")
