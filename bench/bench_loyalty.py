"""Benchmarks of the loyalty plugin: the full recompute, the tiers report, one customer, badges.

- ``loyalty_recompute_full``: ``recompute_all`` for every customer (100k customers / 1M lines at
  full scale) in steady state (the snapshot exists; figures, tiers and stages are rewritten and
  compared), against one hand-written ``UPDATE … FROM`` computing the same trailing-12-month
  profit, tier and stage. Goal 1.5 (the issue's aim).
- ``loyalty_tiers_report``: what ``clientele loyalty tiers --as-of`` computes (read only) against
  the hand-written SELECT of the same rows. Goal 1.5.
- ``loyalty_recompute_customer``: the incremental path for the busiest customer (what an order
  confirmation runs) against the hand-written UPDATE for that customer; an INFO line gives the
  number of statements for a one-order customer and the busiest one (it must be the same).
  Goal 2.0: ``core.ledger.sales_movements`` reads a customer's lines once for the sales and
  once more for the refunds, where the hand-written SQL reads them once.

The core's nightly job ``core.planner_statistics`` runs ``ANALYZE`` (see
``core.db.refresh_planner_statistics``), so a database the plugin has run on for a night has
planner statistics; the preparation does the same, and on SQLite the statistics are removed
again at the end when the copy had none, so the modules after this one see the data set as
generated.

Trailing 12 months end on the data set's last day (``ctx.dataset.end_date``); tiers are the
default thresholds and lifecycle the default rules (written into the reference SQL below).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from functools import partial
from typing import Any

from sqlalchemy import event, func, select

from bench.harness import BenchContext, BenchMismatch
from core.db import db

PLUGINS = ("loyalty",)
GOAL = 1.5
INCREMENTAL_GOAL = 2.0

#: Default tiers in cents, default lifecycle (stable after 9, factors 2 and 4, intervals 90 / 7).
TIER_CASE = (
    "CASE WHEN {p} >= 500000 THEN 'Platinum' WHEN {p} >= 200000 THEN 'Gold' "
    "WHEN {p} >= 50000 THEN 'Silver' WHEN {p} >= 1 THEN 'Bronze' END"
)


def _days(ctx: BenchContext, later: str, earlier: str) -> str:
    """Whole days between two date expressions in the working database's SQL."""
    if ctx.database == "postgresql":
        return f"({later} - {earlier})"
    return f"CAST(julianday({later}) - julianday({earlier}) AS INTEGER)"


def figures_sql(ctx: BenchContext, one_customer: bool) -> str:
    """Hand-written SELECT of customer_id, profit_12m, tier, stage (same rules as the plugin)."""
    greatest = "GREATEST" if ctx.database == "postgresql" else "max"
    as_of = "CAST(:as_of AS DATE)" if ctx.database == "postgresql" else ":as_of"
    only = " AND o.customer_id = :customer" if one_customer else ""
    only_customer = " WHERE c.id = :customer" if one_customer else ""
    cents = "CAST(round((l.net_amount - l.cost_amount) * 100) AS BIGINT)"
    days_since = _days(ctx, as_of, "f.last_on")
    return f"""
    WITH money AS (
        SELECT o.customer_id,
               SUM(CASE WHEN o.order_date >= :start AND o.order_date <= :as_of THEN {cents} ELSE 0 END)
             - SUM(CASE WHEN l.refunded_on >= :start AND l.refunded_on <= :as_of THEN {cents} ELSE 0 END) AS profit
        FROM order_line l JOIN "order" o ON o.id = l.order_id
        WHERE o.status IN ('confirmed', 'refunded')
          AND ((o.order_date >= :start AND o.order_date <= :as_of)
               OR (l.refunded_on >= :start AND l.refunded_on <= :as_of)){only}
        GROUP BY o.customer_id
    ), ranked AS (
        SELECT o.customer_id, o.order_date,
               ROW_NUMBER() OVER (PARTITION BY o.customer_id ORDER BY o.order_date DESC, o.id DESC) AS recency
        FROM "order" o
        WHERE o.status IN ('confirmed', 'refunded') AND o.order_date <= :as_of{only}
    ), facts AS (
        SELECT customer_id, COUNT(*) AS n, MIN(order_date) AS first_on, MAX(order_date) AS last_on,
               MAX(CASE WHEN recency = 2 THEN order_date END) AS previous_on
        FROM ranked GROUP BY customer_id
    ), rhythm AS (
        SELECT f.customer_id, f.n, {days_since} AS days_since,
               CASE WHEN f.n >= 2 THEN {greatest}(7, (2 * {_days(ctx, "f.last_on", "f.first_on")} + f.n - 1) / (2 * (f.n - 1))) ELSE 90 END AS usual,
               CASE WHEN f.n >= 3 THEN {greatest}(7, (2 * {_days(ctx, "f.previous_on", "f.first_on")} + f.n - 2) / (2 * (f.n - 2))) ELSE 90 END AS before_last,
               {_days(ctx, "f.last_on", "f.previous_on")} AS gap
        FROM facts f
    )
    SELECT c.id AS customer_id, COALESCE(m.profit, 0) AS profit_12m,
           {TIER_CASE.format(p="COALESCE(m.profit, 0)")} AS tier,
           CASE WHEN r.n IS NULL THEN 'prospect'
                WHEN r.days_since > r.usual * 4 THEN 'churned'
                WHEN r.days_since > r.usual * 2 THEN 'at_risk'
                WHEN r.n >= 2 AND r.gap > r.before_last * 2 THEN 'reactivated'
                WHEN r.n = 1 THEN 'new'
                WHEN r.n < 9 THEN 'developing'
                ELSE 'stable' END AS stage
    FROM customer c
    LEFT JOIN money m ON m.customer_id = c.id
    LEFT JOIN rhythm r ON r.customer_id = c.id{only_customer}
    """


def update_sql(ctx: BenchContext, one_customer: bool) -> str:
    """The hand-written recompute: the figures SELECT written into the snapshot in one UPDATE."""
    return f"""
    UPDATE loyalty_customer_value SET profit_12m_cents = x.profit_12m, tier = x.tier, stage = x.stage
    FROM ({figures_sql(ctx, one_customer)}) AS x
    WHERE loyalty_customer_value.customer_id = x.customer_id
    """


def snapshot() -> list[tuple[int, int, str | None, str | None]]:
    """What the snapshot holds after a recompute, to check both ways wrote the same."""
    from plugins.loyalty.models import CustomerValue

    rows = db.session.execute(
        select(
            CustomerValue.customer_id,
            CustomerValue.profit_12m_cents,
            CustomerValue.tier,
            CustomerValue.stage,
        ).order_by(CustomerValue.customer_id)
    )
    return [(row[0], int(row[1]), row[2], row[3]) for row in rows]


def check_same(name: str, ours: Callable[[], Any], reference: Callable[[], Any]) -> None:
    """Run the reference then ours, each followed by a read of the snapshot; they must agree."""
    reference()
    theirs = snapshot()
    ours()
    mine = snapshot()
    if mine != theirs:
        different = [pair for pair in zip(mine, theirs, strict=False) if pair[0] != pair[1]][:3]
        raise BenchMismatch(f"{name}: the snapshot differs from the reference's: {different}")


def bench_full_recompute(ctx: BenchContext, as_of: dt.date, parameters: dict[str, Any]) -> None:
    """Every customer: recompute_all against the hand-written UPDATE."""
    from plugins.loyalty.recompute import recompute_all

    if not ctx.wanted("loyalty_recompute_full"):
        return

    def ours() -> None:
        recompute_all("bench", as_of)
        db.session.commit()

    def reference() -> None:
        ctx.sql(update_sql(ctx, one_customer=False), parameters)
        db.session.commit()

    check_same("loyalty_recompute_full", ours, reference)
    ctx.compare("loyalty_recompute_full", ours, "sql_recompute_full", reference, GOAL, repeat=3)


def bench_report(ctx: BenchContext, as_of: dt.date, parameters: dict[str, Any]) -> None:
    """The tiers report (read only) against the hand-written SELECT."""
    from plugins.loyalty.report import tier_rows

    def ours() -> list[dict[str, Any]]:
        return tier_rows(as_of)

    statement = f"""
        SELECT c.name, x.profit_12m, x.tier, x.stage
        FROM ({figures_sql(ctx, one_customer=False)}) AS x JOIN customer c ON c.id = x.customer_id
        ORDER BY x.profit_12m DESC, c.name, c.id
    """

    def reference() -> list[Any]:
        return ctx.sql(statement, parameters)

    def same(rows: list[Any]) -> list[tuple[Any, ...]]:
        """Both answers as (name, profit in cents, tier, stage)."""
        return [
            (row["name"], int(row["profit_12m"] * 100), row["tier"], row["stage"])
            if isinstance(row, dict)
            else (row[0], int(row[1]), row[2], row[3])
            for row in rows
        ]

    ctx.compare(
        "loyalty_tiers_report", ours, "sql_tiers_report", reference, GOAL, same=same, repeat=3
    )


def count_statements(func: Callable[[], Any]) -> int:
    """How many SQL statements func runs."""
    statements: list[str] = []

    def record(*_: Any) -> None:
        statements.append("")

    engine = db.engine
    event.listen(engine, "before_cursor_execute", record)
    try:
        func()
    finally:
        event.remove(engine, "before_cursor_execute", record)
    return len(statements)


def bench_one_customer(ctx: BenchContext, as_of: dt.date, parameters: dict[str, Any]) -> None:
    """The incremental path for the busiest customer, and its constant statement count."""
    from core.models import Order
    from plugins.loyalty.recompute import recompute_customers

    busiest = ctx.dataset.busiest_customer_id
    single = db.session.scalar(
        select(Order.customer_id).group_by(Order.customer_id).having(func.count() == 1).limit(1)
    )
    counts = {
        label: count_statements(partial(recompute_customers, [customer], "bench", as_of))
        for label, customer in (("one order", int(single or 0)), ("busiest", busiest))
    }
    orders = db.session.scalar(select(func.count()).where(Order.customer_id == busiest))
    db.session.commit()
    ctx.note(
        f"INFO loyalty incremental statements: {counts['one order']} for a customer with one order, "
        f"{counts['busiest']} for the busiest ({orders} orders)"
    )
    one = {**parameters, "customer": busiest}

    def ours() -> None:
        recompute_customers([busiest], "bench", as_of)
        db.session.commit()

    def reference() -> None:
        ctx.sql(update_sql(ctx, one_customer=True), one)
        db.session.commit()

    ctx.compare(
        "loyalty_recompute_customer", ours, "sql_recompute_customer", reference, INCREMENTAL_GOAL
    )


def had_statistics(ctx: BenchContext) -> bool:
    """True when the SQLite copy already holds planner statistics (always True on PostgreSQL)."""
    if ctx.database != "sqlite":
        return True
    found = ctx.sql("SELECT count(*) FROM sqlite_master WHERE name = 'sqlite_stat1'")
    return bool(found[0][0]) and bool(ctx.sql("SELECT count(*) FROM sqlite_stat1")[0][0])


def run(ctx: BenchContext) -> None:
    """Prepare the snapshot once (as the nightly job would), then time the recompute, report, one customer."""
    from core.db import refresh_planner_statistics
    from plugins.loyalty.recompute import recompute_all

    as_of = ctx.dataset.end_date
    parameters = {"as_of": as_of, "start": as_of - dt.timedelta(days=364)}
    with ctx.using(PLUGINS):
        statistics_before = had_statistics(ctx)

        def prepare() -> None:
            recompute_all("bench preparation", as_of)
            refresh_planner_statistics()
            db.session.commit()

        ctx.once("loyalty nightly recompute (snapshot rows, history, statistics)", prepare)
        try:
            bench_full_recompute(ctx, as_of, parameters)
            bench_report(ctx, as_of, parameters)
            bench_one_customer(ctx, as_of, parameters)
        finally:
            if not statistics_before:
                ctx.sql("DELETE FROM sqlite_stat1")
                db.session.commit()
