"""Benchmarks of the insights plugin: each report on the data set's last twelve months.

- ``insights_performance_category``: ``reports.performance("category", …)`` (sales and
  refunds of the period grouped by product category; net, cost, orders and customers)
  against one hand-written UNION ALL over the lines, grouped the same way. Goal 1.5 (the
  issue's aim).
- ``insights_performance_city_month``: the same by customer city and month. Goal 1.5.
- ``insights_cohorts``: ``reports.cohorts`` (first counted order per customer, active
  customers per cohort and month) against the hand-written two-level GROUP BY. Goal 1.5.
- ``insights_basket_category``: ``reports.basket("category", 20, …)`` (category pairs of the
  same order with their counts) against the hand-written self-join. Goal 1.5.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from bench.harness import BenchContext

PLUGINS = ("insights",)
GOAL = 1.5
COUNTED = "('confirmed', 'refunded')"
NET = "CAST(round(l.net_amount * 100) AS BIGINT)"
COST = "CAST(round(l.cost_amount * 100) AS BIGINT)"


def _month(ctx: BenchContext, column: str) -> str:
    if ctx.database == "postgresql":
        return f"to_char(CAST({column} AS TIMESTAMP WITHOUT TIME ZONE), 'YYYY-MM')"
    return f"substr({column}, 1, 7)"


def _movements(extra: str) -> str:
    """Sales on the order date and refunds on the refund date in [:start, :end], by hand."""
    return f"""
    SELECT l.product_id, o.id AS order_id, o.customer_id, {extra}
           {NET} AS net, {COST} AS cost, 1 AS sign, o.order_date AS day
    FROM order_line l JOIN "order" o ON o.id = l.order_id
    WHERE o.status IN {COUNTED} AND o.order_date >= :start AND o.order_date <= :end
    UNION ALL
    SELECT l.product_id, o.id, o.customer_id, {extra}
           -{NET}, -{COST}, -1, l.refunded_on
    FROM order_line l JOIN "order" o ON o.id = l.order_id
    WHERE o.status IN {COUNTED} AND l.refunded_on IS NOT NULL
      AND l.refunded_on >= :start AND l.refunded_on <= :end
    """


def _fresh_session() -> None:
    from core.db import db

    db.session.expire_all()


def _period(ctx: BenchContext) -> Any:
    from core.dates import add_months
    from plugins.insights import reports

    last = ctx.dataset.end_date.replace(day=1)
    first = add_months(last, -11)
    return reports.period(first.strftime("%Y-%m"), last.strftime("%Y-%m"))


def _cents(value: Any) -> Decimal:
    return Decimal(int(value)) * Decimal("0.01")


def bench_performance(ctx: BenchContext) -> None:
    from plugins.insights import reports

    when = _period(ctx)
    parameters = {"start": when.start, "end": when.end}

    def ours_category() -> list[tuple[Any, ...]]:
        _fresh_session()
        return [(r["key"], r["net"], r["cost"], r["orders"], r["customers"])
                for r in reports.performance("category", when)]  # fmt: skip

    def reference_category() -> list[tuple[Any, ...]]:
        _fresh_session()
        sql = f"""
        SELECT p.category, SUM(m.net), SUM(m.cost),
               COUNT(DISTINCT CASE WHEN m.sign = 1 THEN m.order_id END),
               COUNT(DISTINCT CASE WHEN m.sign = 1 THEN m.customer_id END)
        FROM ({_movements("")}) m JOIN product p ON p.id = m.product_id
        GROUP BY p.category
        """
        return [(row[0], _cents(row[1]), _cents(row[2]), row[3], row[4])
                for row in ctx.sql(sql, parameters)]  # fmt: skip

    ctx.compare("insights_performance_category", ours_category, "sql_performance_category",
                reference_category, GOAL, same=sorted)  # fmt: skip

    def ours_city() -> list[tuple[Any, ...]]:
        _fresh_session()
        return [(r["key"], r["month"], r["net"], r["cost"], r["orders"], r["customers"])
                for r in reports.performance("city", when, per_month=True)]  # fmt: skip

    def reference_city() -> list[tuple[Any, ...]]:
        _fresh_session()
        month = _month(ctx, "m.day")
        sql = f"""
        SELECT c.city, {month}, SUM(m.net), SUM(m.cost),
               COUNT(DISTINCT CASE WHEN m.sign = 1 THEN m.order_id END),
               COUNT(DISTINCT CASE WHEN m.sign = 1 THEN m.customer_id END)
        FROM ({_movements("")}) m JOIN customer c ON c.id = m.customer_id
        GROUP BY c.city, {month}
        """
        return [(row[0], row[1], _cents(row[2]), _cents(row[3]), row[4], row[5])
                for row in ctx.sql(sql, parameters)]  # fmt: skip

    ctx.compare("insights_performance_city_month", ours_city, "sql_performance_city_month",
                reference_city, GOAL, same=sorted)  # fmt: skip


def bench_cohorts(ctx: BenchContext) -> None:
    from plugins.insights import reports

    when = _period(ctx)

    def ours() -> list[tuple[str, int, tuple[int, ...]]]:
        _fresh_session()
        return [(r["cohort"], r["size"], tuple(r["active"])) for r in reports.cohorts(when)]

    def reference() -> list[tuple[str, int, tuple[int, ...]]]:
        _fresh_session()
        cohort, month = _month(ctx, "f.first_day"), _month(ctx, "o.order_date")
        sql = f"""
        SELECT {cohort}, {month}, COUNT(DISTINCT o.customer_id)
        FROM (SELECT customer_id, MIN(order_date) AS first_day FROM "order"
              WHERE status IN {COUNTED} GROUP BY customer_id) f
        JOIN "order" o ON o.customer_id = f.customer_id
        WHERE o.status IN {COUNTED} AND o.order_date >= :start AND o.order_date <= :end
          AND f.first_day >= :start AND f.first_day <= :end
        GROUP BY {cohort}, {month}
        """
        found: dict[str, dict[int, int]] = {}
        for name, active_month, active in ctx.sql(sql, {"start": when.start, "end": when.end}):
            found.setdefault(name, {})[reports.months_between(name, active_month)] = active
        rows = []
        for name in sorted(found):
            counts = tuple(
                found[name].get(k, 0) for k in range(reports.months_between(name, when.last) + 1)
            )
            rows.append((name, counts[0], counts))
        return rows

    ctx.compare("insights_cohorts", ours, "sql_cohorts", reference, GOAL, same=lambda rows: rows)


def bench_basket(ctx: BenchContext) -> None:
    from plugins.insights import reports

    when = _period(ctx)

    def ours() -> list[tuple[Any, ...]]:
        _fresh_session()
        return [(r["a"], r["b"], r["orders"]) for r in reports.basket("category", 20, when)]

    def reference() -> list[tuple[Any, ...]]:
        _fresh_session()
        sql = f"""
        WITH items AS (
            SELECT DISTINCT l.order_id, p.category AS item
            FROM order_line l JOIN "order" o ON o.id = l.order_id
            JOIN product p ON p.id = l.product_id
            WHERE o.status IN {COUNTED} AND o.order_date >= :start AND o.order_date <= :end
        ), counts AS (SELECT item, COUNT(*) AS n FROM items GROUP BY item)
        SELECT a.item, b.item, COUNT(*), ca.n, cb.n, (SELECT COUNT(DISTINCT order_id) FROM items)
        FROM items a JOIN items b ON a.order_id = b.order_id AND a.item <> b.item
        JOIN counts ca ON ca.item = a.item JOIN counts cb ON cb.item = b.item
        GROUP BY a.item, b.item, ca.n, cb.n HAVING COUNT(*) >= 20
        """
        return [
            (row[0], row[1], row[2]) for row in ctx.sql(sql, {"start": when.start, "end": when.end})
        ]

    ctx.compare("insights_basket_category", ours, "sql_basket_category", reference, GOAL,
                same=sorted)  # fmt: skip


def run(ctx: BenchContext) -> None:
    """Every insights benchmark on the app with insights enabled."""
    with ctx.using(PLUGINS):
        bench_performance(ctx)
        bench_cohorts(ctx)
        bench_basket(ctx)
