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
- ``insights_performance_salesperson`` / ``insights_performance_product``: performance by
  salesperson (orders without one under "") and by product, against the same UNION ALL
  grouped by the user or the product. Goal 1.5.
- ``insights_bought_next``: ``reports.bought_next("category", …)`` (what the buyers of a
  category buy in their next order of the period) against ROW_NUMBER over each customer's
  orders of the period, their first and next order ids, and the next order's lines read by
  the order_line index. Goal 1.5.
- ``insights_prospecting``: ``reports.prospecting`` with insights alone (new customers per
  month and channel) against one GROUP BY over the first counted orders. Goal 1.5.

With every plugin the reports read through hooks enabled (insights, sales_commission,
pipeline, service_desk with cost_per_ticket 2.50, loyalty, marketing; their data written first,
see bench/insights_data.py):

- ``insights_prospecting_deals``: prospecting with pipeline's leads and won deals, against
  the same GROUP BY plus one over the deals. Goal 1.5.
- ``insights_persistence``: ``reports.persistence`` (buyers and returning buyers per month,
  the repeat-purchase rate, loyalty's churned and reactivated customers per month) against
  three hand-written GROUP BYs. Goal 1.5.
- ``insights_profitability``: ``reports.profitability`` (per customer gross profit minus
  commission, service and campaign costs) against one statement of five grouped parts, the
  campaign shares by window functions. Goal 1.5.
- ``insights_where_city``: ``reports.where("city", …)`` with loyalty's best tier, against a
  GROUP BY of the movements by city and one of the tier's customers. Goal 1.5.
- ``insights_promotion``: ``reports.promotion`` (marketing's campaign and channel figures)
  against one statement over each campaign's window orders and one by channel. Goal 1.5.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from decimal import Decimal
from typing import Any

from bench.harness import BenchContext

PLUGINS = ("insights",)
#: The plugins whose figures the reports read through the insights hooks.
HOOKED_PLUGINS = (
    "insights",
    "sales_commission",
    "pipeline",
    "service_desk",
    "loyalty",
    "marketing",
)
HOOKED_SETTINGS = {"service_desk": {"cost_per_ticket": Decimal("2.50")}}
TICKET_CENTS = 250
ALONE = (
    "insights_performance_category",
    "insights_performance_city_month",
    "insights_performance_salesperson",
    "insights_performance_product",
    "insights_cohorts",
    "insights_basket_category",
    "insights_bought_next",
    "insights_prospecting",
)
HOOKED = (
    "insights_prospecting_deals",
    "insights_persistence",
    "insights_profitability",
    "insights_where_city",
    "insights_promotion",
)
BENCHMARKS = ALONE + HOOKED
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
    SELECT l.product_id, o.id AS order_id, o.customer_id, o.salesperson_id, {extra}
           {NET} AS net, {COST} AS cost, 1 AS sign, o.order_date AS day
    FROM order_line l JOIN "order" o ON o.id = l.order_id
    WHERE o.status IN {COUNTED} AND o.order_date >= :start AND o.order_date <= :end
    UNION ALL
    SELECT l.product_id, o.id, o.customer_id, o.salesperson_id, {extra}
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

    def ours_by(by: str) -> Callable[[], list[tuple[Any, ...]]]:
        def ours() -> list[tuple[Any, ...]]:
            _fresh_session()
            return [(r["key"], r["id"], r["net"], r["cost"], r["orders"], r["customers"])
                    for r in reports.performance(by, when)]  # fmt: skip

        return ours

    grouped = {
        # key, id and join of each dimension, as the report names its rows
        "salesperson": ("COALESCE(u.name, '')", "m.salesperson_id",
                        'LEFT JOIN "user" u ON u.id = m.salesperson_id'),
        "product": ("p.sku", "p.id", "JOIN product p ON p.id = m.product_id"),
    }  # fmt: skip

    def reference_by(by: str) -> Callable[[], list[tuple[Any, ...]]]:
        key, identifier, join = grouped[by]

        def reference() -> list[tuple[Any, ...]]:
            _fresh_session()
            sql = f"""
            SELECT {key}, {identifier}, SUM(m.net), SUM(m.cost),
                   COUNT(DISTINCT CASE WHEN m.sign = 1 THEN m.order_id END),
                   COUNT(DISTINCT CASE WHEN m.sign = 1 THEN m.customer_id END)
            FROM ({_movements("")}) m {join}
            GROUP BY {key}, {identifier}
            """
            return [(row[0], row[1], _cents(row[2]), _cents(row[3]), row[4], row[5])
                    for row in ctx.sql(sql, parameters)]  # fmt: skip

        return reference

    for by in grouped:
        ctx.compare(f"insights_performance_{by}", ours_by(by), f"sql_performance_{by}",
                    reference_by(by), GOAL, same=sorted)  # fmt: skip


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


def bench_bought_next(ctx: BenchContext) -> None:
    from plugins.insights import reports

    when = _period(ctx)

    def ours() -> list[tuple[Any, ...]]:
        _fresh_session()
        return [(r["a"], r["b"], r["customers"], r["buyers"], r["returned"])
                for r in reports.bought_next("category", when)]  # fmt: skip

    def reference() -> list[tuple[Any, ...]]:
        _fresh_session()
        sql = f"""
        WITH ranked AS (
            SELECT o.customer_id, o.id,
                   ROW_NUMBER() OVER (PARTITION BY o.customer_id ORDER BY o.order_date, o.id) AS rank
            FROM "order" o
            WHERE o.status IN {COUNTED} AND o.order_date >= :start AND o.order_date <= :end
              AND EXISTS (SELECT 1 FROM order_line l WHERE l.order_id = o.id)
        ), pairs AS (
            SELECT customer_id, MIN(CASE WHEN rank = 1 THEN id END) AS first_id,
                   MIN(CASE WHEN rank = 2 THEN id END) AS next_id
            FROM ranked WHERE rank <= 2 GROUP BY customer_id
        ), first_items AS (
            SELECT DISTINCT f.customer_id, p.category AS item, f.next_id
            FROM pairs f JOIN order_line l ON l.order_id = f.first_id
            JOIN product p ON p.id = l.product_id
        ), buyers AS (
            SELECT item, COUNT(*) AS buyers, COUNT(next_id) AS returned FROM first_items
            GROUP BY item
        )
        SELECT f.item, p.category, COUNT(DISTINCT f.customer_id), b.buyers, b.returned
        FROM first_items f JOIN order_line l ON l.order_id = f.next_id
        JOIN product p ON p.id = l.product_id JOIN buyers b ON b.item = f.item
        GROUP BY f.item, p.category, b.buyers, b.returned
        """
        return [tuple(row) for row in ctx.sql(sql, {"start": when.start, "end": when.end})]

    ctx.compare("insights_bought_next", ours, "sql_bought_next", reference, GOAL, same=sorted)


def _new_customers_sql(ctx: BenchContext) -> str:
    month = _month(ctx, "f.first_day")
    return f"""
    SELECT {month}, c.channel, COUNT(*)
    FROM (SELECT customer_id, MIN(order_date) AS first_day FROM "order"
          WHERE status IN {COUNTED} GROUP BY customer_id) f
    JOIN customer c ON c.id = f.customer_id
    WHERE f.first_day >= :start AND f.first_day <= :end
    GROUP BY {month}, c.channel
    """


def _per_month(months: list[str], rows: list[Any]) -> dict[str, list[int]]:
    """{channel: [count per month]} from (month, channel, count) rows."""
    position = {name: index for index, name in enumerate(months)}
    found: dict[str, list[int]] = {}
    for month, channel, count in rows:
        found.setdefault(channel or "", [0] * len(months))[position[month]] += int(count)
    return dict(sorted(found.items()))


def _prospects(result: dict[str, Any]) -> tuple[Any, ...]:
    deals = tuple((d["key"], tuple(d["totals"]), tuple((k, tuple(v)) for k, v in d["channels"].items()))
                  for d in result["deals"])  # fmt: skip
    channels = tuple((k, tuple(v)) for k, v in result["channels"].items())
    return channels, tuple(result["totals"]), deals


def _prospecting_reference(ctx: BenchContext, deals: bool) -> Callable[[], dict[str, Any]]:
    when = _period(ctx)
    parameters = {"start": when.start, "end": when.end}
    opened, closed = _month(ctx, "d.opened_on"), _month(ctx, "d.closed_on")
    deals_sql = f"""
    SELECT 'leads', {opened}, COALESCE(d.channel, ''), COUNT(*) FROM pipeline_opportunity d
    WHERE d.opened_on >= :start AND d.opened_on <= :end
    GROUP BY {opened}, COALESCE(d.channel, '')
    UNION ALL
    SELECT 'won', {closed}, COALESCE(d.channel, ''), COUNT(*) FROM pipeline_opportunity d
    JOIN pipeline_stage s ON s.id = d.stage_id
    WHERE s.kind = 'won' AND d.closed_on >= :start AND d.closed_on <= :end
    GROUP BY {closed}, COALESCE(d.channel, '')
    """

    def reference() -> dict[str, Any]:
        _fresh_session()
        months = when.months
        channels = _per_month(months, ctx.sql(_new_customers_sql(ctx), parameters))
        totals = [sum(counts[k] for counts in channels.values()) for k in range(len(months))]
        found = []
        if deals:
            rows = ctx.sql(deals_sql, parameters)
            for key in ("leads", "won"):
                per_channel = _per_month(months, [row[1:] for row in rows if row[0] == key])
                found.append({
                    "key": key, "channels": per_channel,
                    "totals": [sum(c[k] for c in per_channel.values()) for k in range(len(months))],
                })  # fmt: skip
        return {"channels": channels, "totals": totals, "deals": found}

    return reference


def bench_prospecting(ctx: BenchContext, deals: bool) -> None:
    from plugins.insights import reports

    when = _period(ctx)

    def ours() -> dict[str, Any]:
        _fresh_session()
        return reports.prospecting(when)

    name = "insights_prospecting_deals" if deals else "insights_prospecting"
    ctx.compare(name, ours, name.replace("insights_", "sql_"),
                _prospecting_reference(ctx, deals), GOAL, same=_prospects)  # fmt: skip


def bench_persistence(ctx: BenchContext) -> None:
    from core.dates import company_timezone
    from plugins.insights import reports

    if str(company_timezone()) != "UTC":  # the reference groups the moves by their UTC month
        ctx.skip("insights_persistence needs the company timezone UTC")
    when = _period(ctx)
    parameters = {
        "start": when.start,
        "end": when.end,
        "from": dt.datetime.combine(when.start, dt.time()),
        "until": dt.datetime.combine(when.end + dt.timedelta(days=1), dt.time()),
    }
    month, first_month = _month(ctx, "o.order_date"), _month(ctx, "f.first_day")
    buyers_sql = f"""
    SELECT {month}, COUNT(DISTINCT o.customer_id),
           COUNT(DISTINCT CASE WHEN {first_month} < {month} THEN o.customer_id END)
    FROM "order" o
    JOIN (SELECT customer_id, MIN(order_date) AS first_day FROM "order"
          WHERE status IN {COUNTED} GROUP BY customer_id) f ON f.customer_id = o.customer_id
    WHERE o.status IN {COUNTED} AND o.order_date >= :start AND o.order_date <= :end
    GROUP BY {month}
    """
    repeat_sql = f"""
    SELECT COUNT(*), COALESCE(SUM(CASE WHEN orders >= 2 THEN 1 ELSE 0 END), 0)
    FROM (SELECT customer_id, COUNT(*) AS orders FROM "order"
          WHERE status IN {COUNTED} AND order_date >= :start AND order_date <= :end
          GROUP BY customer_id) per_customer
    """
    moved = _month(ctx, "changed_at")
    moves_sql = f"""
    SELECT to_stage, {moved}, COUNT(DISTINCT customer_id) FROM loyalty_stage_change
    WHERE to_stage IN ('churned', 'reactivated') AND changed_at >= :from AND changed_at < :until
    GROUP BY to_stage, {moved}
    """

    def ours() -> tuple[Any, ...]:
        _fresh_session()
        result = reports.persistence(when)
        rows = tuple((r["month"], r["buyers"], r["returning"], r.get("churned"), r.get("reactivated"))
                     for r in result["rows"])  # fmt: skip
        return rows, result["repeat_rate"]

    def reference() -> tuple[Any, ...]:
        _fresh_session()
        figures = {row[0]: (int(row[1]), int(row[2])) for row in ctx.sql(buyers_sql, parameters)}
        once, twice = ctx.sql(repeat_sql, parameters)[0]
        moves = {(row[0], row[1]): int(row[2]) for row in ctx.sql(moves_sql, parameters)}
        rows = tuple((name, *figures.get(name, (0, 0)), moves.get(("churned", name), 0),
                      moves.get(("reactivated", name), 0)) for name in when.months)  # fmt: skip
        return rows, reports.fraction(Decimal(int(twice)) / int(once)) if once else None

    ctx.compare("insights_persistence", ours, "sql_persistence", reference, GOAL,
                same=lambda result: result)  # fmt: skip


def bench_profitability(ctx: BenchContext) -> None:
    from plugins.insights import reports

    when = _period(ctx)
    parameters = {
        "start": when.start,
        "end": when.end,
        "from": dt.datetime.combine(when.start, dt.time()),
        "until": dt.datetime.combine(when.end + dt.timedelta(days=1), dt.time()),
    }
    sql = f"""
    WITH profit AS (
        SELECT customer_id, SUM(net) - SUM(cost) AS cents FROM ({_movements("")}) m
        GROUP BY customer_id
    ), commission AS (
        SELECT customer_id, SUM(CAST(round(amount * 100) AS BIGINT)) AS cents
        FROM sales_commission_entry WHERE event_date >= :start AND event_date <= :end
        GROUP BY customer_id
    ), service AS (
        SELECT customer_id, COUNT(*) * {TICKET_CENTS} AS cents FROM service_desk_ticket
        WHERE customer_id IS NOT NULL AND created_at >= :from AND created_at < :until
        GROUP BY customer_id
    ), reached AS (
        SELECT r.customer_id, r.received_on, CAST(round(c.cost * 100) AS BIGINT) AS cost,
               COUNT(*) OVER (PARTITION BY r.campaign_id) AS reached,
               ROW_NUMBER() OVER (PARTITION BY r.campaign_id ORDER BY r.id) AS position
        FROM marketing_recipient r JOIN marketing_campaign c ON c.id = r.campaign_id
        WHERE r.status = 'queued' AND c.cost > 0
    ), campaigns AS (
        SELECT customer_id,
               SUM(cost / reached + CASE WHEN position <= cost % reached THEN 1 ELSE 0 END) AS cents
        FROM reached WHERE received_on >= :start AND received_on <= :end
        GROUP BY customer_id
    ), everyone AS (
        SELECT customer_id FROM profit UNION SELECT customer_id FROM commission
        UNION SELECT customer_id FROM service UNION SELECT customer_id FROM campaigns
    )
    SELECT e.customer_id, c.external_id, c.name, COALESCE(p.cents, 0), COALESCE(co.cents, 0),
           COALESCE(s.cents, 0), COALESCE(ca.cents, 0)
    FROM everyone e JOIN customer c ON c.id = e.customer_id
    LEFT JOIN profit p ON p.customer_id = e.customer_id
    LEFT JOIN commission co ON co.customer_id = e.customer_id
    LEFT JOIN service s ON s.customer_id = e.customer_id
    LEFT JOIN campaigns ca ON ca.customer_id = e.customer_id
    """

    def ours() -> dict[str, Any]:
        _fresh_session()
        return reports.profitability(when)

    def reference() -> list[tuple[Any, ...]]:
        _fresh_session()
        rows: list[tuple[Any, ...]] = []
        for row in ctx.sql(sql, parameters):
            customer_id, external_id, name, *figures = row
            cents = [int(value) for value in figures]
            net = cents[0] - cents[1] - cents[2] - cents[3]
            rows.append((customer_id, external_id or "", name, *cents, net))
        rows.sort(key=lambda row: (-row[-1], row[2], row[0]))  # the ranking the report shows
        return rows

    def same(found: Any) -> list[tuple[Any, ...]]:
        if isinstance(found, list):
            return sorted(found)
        assert [key for key, _label in found["sources"]] == ["campaigns", "commission", "service"]
        return sorted(
            (r["customer_id"], r["external_id"], r["name"], *(int(r[key] * 100) for key in
             ("gross_profit", "commission", "service", "campaigns", "net_contribution")))
            for r in found["rows"]
        )  # fmt: skip

    ctx.compare("insights_profitability", ours, "sql_profitability", reference, GOAL, same=same)


def bench_where(ctx: BenchContext) -> None:
    from plugins.insights import reports
    from plugins.loyalty import settings as loyalty_settings

    when = _period(ctx)
    parameters = {
        "start": when.start,
        "end": when.end,
        "tier": loyalty_settings.current().tiers[0].name,
    }
    sales_sql = f"""
    SELECT COALESCE(c.city, ''), COUNT(DISTINCT CASE WHEN m.sign = 1 THEN m.customer_id END),
           SUM(m.net), SUM(m.net) - SUM(m.cost)
    FROM ({_movements("")}) m JOIN customer c ON c.id = m.customer_id
    GROUP BY COALESCE(c.city, '')
    """
    best_sql = """
    SELECT COALESCE(c.city, ''), COUNT(*) FROM loyalty_customer_value v
    JOIN customer c ON c.id = v.customer_id WHERE v.tier = :tier
    GROUP BY COALESCE(c.city, '')
    """

    def ours() -> list[tuple[Any, ...]]:
        _fresh_session()
        result = reports.where("city", when, best=reports.best_customers())
        return [(r["key"], r["buyers"], r["net"], r["profit"], r["best"]) for r in result["rows"]]

    def reference() -> list[tuple[Any, ...]]:
        _fresh_session()
        places = {row[0]: [int(row[1]), _cents(row[2]), _cents(row[3]), 0]
                  for row in ctx.sql(sales_sql, parameters)}  # fmt: skip
        for key, best in ctx.sql(best_sql, {"tier": parameters["tier"]}):
            places.setdefault(key, [0, Decimal("0.00"), Decimal("0.00"), 0])[3] = int(best)
        return [(key, *figures) for key, figures in places.items()]

    ctx.compare("insights_where_city", ours, "sql_where_city", reference, GOAL, same=sorted)


def bench_promotion(ctx: BenchContext) -> None:
    from plugins.insights import reports
    from plugins.marketing import settings as marketing_settings

    when = _period(ctx)
    parameters = {"start": when.start, "end": when.end}
    days = marketing_settings.current().attribution_days
    window_end = (
        f"r.received_on + {days}"
        if ctx.database == "postgresql"
        else f"date(r.received_on, '+{days} days')"
    )
    campaigns_sql = f"""
    SELECT c.name, CAST(round(c.cost * 100) AS BIGINT), COUNT(DISTINCT w.customer_id),
           COALESCE(SUM(w.net), 0), COALESCE(SUM(w.cost), 0)
    FROM marketing_campaign c LEFT JOIN (
        SELECT r.campaign_id, r.customer_id,
               CASE WHEN l.refunded_on IS NULL THEN {NET} ELSE 0 END AS net,
               CASE WHEN l.refunded_on IS NULL THEN {COST} ELSE 0 END AS cost
        FROM marketing_recipient r
        JOIN "order" o ON o.customer_id = r.customer_id
        JOIN order_line l ON l.order_id = o.id
        WHERE r.status = 'queued' AND o.status IN {COUNTED}
          AND o.order_date >= r.received_on AND o.order_date < {window_end}
    ) w ON w.campaign_id = c.id
    WHERE c.id IN (SELECT campaign_id FROM marketing_recipient
                   WHERE status = 'queued' AND received_on >= :start AND received_on <= :end)
    GROUP BY c.id, c.name, c.cost
    """
    channel = "COALESCE(NULLIF(c.channel, ''), '(none)')"
    channels_sql = f"""
    SELECT every.channel, COALESCE(s.buyers, 0), COALESCE(s.net, 0), COALESCE(s.cost, 0)
    FROM (SELECT DISTINCT {channel} AS channel FROM customer c) every
    LEFT JOIN (
        SELECT {channel} AS channel,
               COUNT(DISTINCT CASE WHEN m.sign = 1 THEN m.customer_id END) AS buyers,
               SUM(m.net) AS net, SUM(m.cost) AS cost
        FROM ({_movements("")}) m JOIN customer c ON c.id = m.customer_id
        GROUP BY {channel}
    ) s ON s.channel = every.channel
    """

    def ours() -> list[tuple[Any, ...]]:
        _fresh_session()
        result = reports.promotion(when)
        return [("campaign", r["name"], r["buyers"], r["net"], r["profit"], r["cost"])
                for r in result["campaigns"]] + [
                ("channel", r["name"], r["buyers"], r["net"], r["profit"], None)
                for r in result["channels"]]  # fmt: skip

    def reference() -> list[tuple[Any, ...]]:
        _fresh_session()
        rows: list[tuple[Any, ...]] = []
        for name, cost, buyers, net, lines_cost in ctx.sql(campaigns_sql, parameters):
            rows.append(("campaign", name, int(buyers), _cents(net),
                         _cents(int(net) - int(lines_cost)), _cents(cost)))  # fmt: skip
        for name, buyers, net, cost in ctx.sql(channels_sql, parameters):
            rows.append(("channel", name, int(buyers), _cents(net),
                         _cents(int(net) - int(cost)), None))  # fmt: skip
        return rows

    ctx.compare("insights_promotion", ours, "sql_promotion", reference, GOAL, same=sorted)


def _hooked_set_up(ctx: BenchContext) -> None:
    """The other plugins' data the wanted hooked reports read; each once per run."""
    from bench.bench_pipeline import seed_deals
    from bench.bench_service_desk import seed_tickets
    from bench.insights_data import seed_campaigns, seed_moves
    from plugins.loyalty.recompute import recompute_all

    wanted = {name for name in HOOKED if ctx.wanted(name)}
    found = []
    if "insights_prospecting_deals" in wanted:
        opened, closed = ctx.once("pipeline deals", lambda: seed_deals(ctx))
        found.append(f"{opened + closed} deals")
    if "insights_profitability" in wanted:
        found.append(f"{ctx.once('service_desk tickets', lambda: seed_tickets(ctx))} tickets")
    if wanted & {"insights_profitability", "insights_promotion"}:
        campaigns, recipients = ctx.once(
            "insights: marketing campaigns", lambda: seed_campaigns(ctx)
        )
        found.append(f"{campaigns} campaigns to {recipients} recipients")
    if "insights_where_city" in wanted:
        ctx.once(
            "insights: loyalty tiers",
            lambda: recompute_all("bench preparation", ctx.dataset.end_date),
        )
    if "insights_persistence" in wanted:
        moves = ctx.once("insights: loyalty stage moves", lambda: seed_moves(ctx))
        found.append(f"{moves} seeded stage moves")
    ctx.note(f"INFO insights: {', '.join(found)}")


def run(ctx: BenchContext) -> None:
    """Every insights benchmark: first on insights alone, then with the plugins it reads through hooks."""
    from bench.insights_data import remove_seeded

    with ctx.using(PLUGINS):
        bench_performance(ctx)
        bench_cohorts(ctx)
        bench_basket(ctx)
        bench_bought_next(ctx)
        bench_prospecting(ctx, deals=False)
    if not any(ctx.wanted(name) for name in HOOKED):
        return
    if ctx.wanted("insights_profitability"):
        ctx.backfill("sales_commission")
    with ctx.using(HOOKED_PLUGINS, HOOKED_SETTINGS):
        _hooked_set_up(ctx)
        try:
            bench_prospecting(ctx, deals=True)
            bench_persistence(ctx)
            bench_profitability(ctx)
            bench_where(ctx)
            bench_promotion(ctx)
        finally:
            remove_seeded()
