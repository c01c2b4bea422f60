"""The hand-written SQL of what the plugins write when an order is confirmed, for the reference.

confirm_orders' reference must give the same answer as the real path, so for each plugin
enabled it writes the rows that plugin's order_confirmed hook writes, in the same
transaction as the order:

- sales_commission: one grade row per line (the product's list price and cost) and one
  entry per line for the salesperson, graded on the line's margin with the rule version in
  effect (its tiers read once per batch, as a careful hand-written job would), figures in
  Python Decimal with the money rounding (half up to the cent);
- loyalty: the customer's figures read in one grouped SELECT over their history (profit in
  cents of the trailing 12 months and the 12 before, refunds negative on their refund day,
  order counts and dates) and written with one UPDATE.

marketing and service_desk write nothing when an order is confirmed. Left out, and said in
the INFO line: the commission month is taken as open (no approvals in the data set) and the
loyalty tier and stage moves (a history row only when one changes) are not re-checked.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from decimal import Decimal
from typing import Any

from bench.harness import BenchContext
from core.models import utcnow
from core.money import round_money

#: What a reference writes besides the core's rows: a function of (ctx, order_id, plan facts).
PluginWrite = Callable[[BenchContext, "OrderFacts"], None]
LEFT_OUT = "commission months taken as open; loyalty tier/stage moves not re-checked"


class OrderFacts:
    """What the reference knows of the order it just inserted."""

    def __init__(
        self,
        order_id: int,
        customer_id: int,
        salesperson_id: int,
        day: dt.date,
        lines: Sequence[dict[str, Any]],
        list_prices: dict[int, tuple[Decimal, Decimal]],
    ) -> None:
        self.order_id = order_id
        self.customer_id = customer_id
        self.salesperson_id = salesperson_id
        self.day = day
        #: The inserted line rows (product_id, position, quantity, unit_price, ...).
        self.lines = lines
        #: {product id: (list price, unit cost)} as read before the insert.
        self.list_prices = list_prices


GRADE_INSERT = (
    "INSERT INTO sales_commission_line_grade (order_line_id, list_price, product_cost) "
    "VALUES (:line_id, :list_price, :product_cost)"
)
ENTRY_INSERT = (
    "INSERT INTO sales_commission_entry (salesperson_id, period, sale_period, kind, event_date, "
    "order_id, order_line_id, line_position, customer_id, product_id, quantity, unit_price, "
    "discount, unit_cost, line_net, line_cost, grading_revenue, grading_profit, margin, "
    "rule_version_id, base_kind, grade_by, tier, rate, line_base, line_commission, share, net, "
    "cost, profit, amount, reason, created_at) VALUES (:salesperson_id, :period, :period, "
    "'sale', :day, :order_id, :line_id, :position, :customer_id, :product_id, :quantity, "
    ":unit_price, :discount, :unit_cost, :net, :cost, :net, :profit, :margin, :version_id, "
    ":base_kind, :grade_by, :tier, :rate, :base, :commission, 100, :net, :cost, :profit, "
    ":commission, :reason, :now)"
)
SIX_PLACES = Decimal("0.000001")


def commission_writer(ctx: BenchContext) -> PluginWrite:
    """The commission reference, with the rule version in effect and its tiers read now (once)."""
    version_id, base_kind, grade_by = ctx.sql(
        "SELECT id, base, grade_by FROM sales_commission_rule_version "
        "WHERE effective_from <= :day ORDER BY effective_from DESC, id DESC LIMIT 1",
        {"day": ctx.dataset.end_date},
    )[0]
    tiers = [
        (name, Decimal(str(margin)), Decimal(str(rate)))
        for name, margin, rate in ctx.sql(
            "SELECT name, min_margin, rate FROM sales_commission_rule_tier "
            "WHERE version_id = :version ORDER BY min_margin DESC",
            {"version": version_id},
        )
    ]
    if base_kind != "revenue" or grade_by != "line":
        raise NotImplementedError("the reference knows the default rules (revenue, by line)")

    def write(ctx: BenchContext, facts: OrderFacts) -> None:
        ids = dict(
            ctx.sql(
                "SELECT position, id FROM order_line WHERE order_id = :order",
                {"order": facts.order_id},
            )
        )
        grades, entries = [], []
        now = utcnow()
        period = facts.day.strftime("%Y-%m")
        for line in facts.lines:
            line_id = ids[line["position"]]
            list_price, product_cost = facts.list_prices[line["product_id"]]
            grades.append(
                {"line_id": line_id, "list_price": list_price, "product_cost": product_cost}
            )
            net, cost = line["net_amount"], line["cost_amount"]
            profit = net - cost
            margin = (profit / net).quantize(SIX_PLACES) if net else None
            tier = next(
                (t for t in tiers if margin is not None and margin >= t[1]), (None, None, None)
            )
            rate = tier[2] if tier[2] is not None else Decimal("0")
            commission = round_money(net * rate)
            entries.append(
                {
                    "salesperson_id": facts.salesperson_id,
                    "period": period,
                    "day": facts.day,
                    "order_id": facts.order_id,
                    "line_id": line_id,
                    "position": line["position"],
                    "customer_id": facts.customer_id,
                    "product_id": line["product_id"],
                    "quantity": line["quantity"],
                    "unit_price": line["unit_price"],
                    "discount": line["discount"],
                    "unit_cost": line["unit_cost"],
                    "net": net,
                    "cost": cost,
                    "profit": profit,
                    "margin": margin,
                    "version_id": version_id,
                    "base_kind": base_kind,
                    "grade_by": grade_by,
                    "tier": tier[0],
                    "rate": rate,
                    "base": net,
                    "commission": commission,
                    "reason": "" if tier[0] is not None else "margin below every tier",
                    "now": now,
                }
            )
        ctx.sql_many(GRADE_INSERT, grades)
        ctx.sql_many(ENTRY_INSERT, entries)

    return write


#: The customer's profit in cents from their history: sales on the order day, refunds
#: negative on the refund day (net − cost of a line has two places, so ×100 is exact).
LOYALTY_PROFIT = (
    "SELECT "
    "coalesce(sum(CASE WHEN o.order_date >= :window THEN c.cents ELSE 0 END), 0) "
    "- coalesce(sum(CASE WHEN c.refunded_on >= :window AND c.refunded_on <= :as_of "
    "THEN c.cents ELSE 0 END), 0), "
    "coalesce(sum(CASE WHEN o.order_date >= :previous AND o.order_date < :window "
    "THEN c.cents ELSE 0 END), 0) "
    "- coalesce(sum(CASE WHEN c.refunded_on >= :previous AND c.refunded_on < :window "
    "THEN c.cents ELSE 0 END), 0) "
    'FROM "order" o JOIN (SELECT order_id, refunded_on, '
    "CAST(round((net_amount - coalesce(cost_amount, 0)) * 100) AS INTEGER) AS cents "
    "FROM order_line) c ON c.order_id = o.id "
    "WHERE o.customer_id = :customer AND o.status IN ('confirmed', 'refunded') "
    "AND o.order_date <= :as_of AND o.order_date >= :previous"
)
#: Order count, count in the last 12 months, first and last order day.
LOYALTY_ORDERS = (
    "SELECT count(*), sum(CASE WHEN order_date >= :window THEN 1 ELSE 0 END), "
    'min(order_date), max(order_date) FROM "order" WHERE customer_id = :customer '
    "AND status IN ('confirmed', 'refunded') AND order_date <= :as_of"
)
#: The day of the order before the last.
LOYALTY_PREVIOUS = (
    'SELECT order_date FROM "order" WHERE customer_id = :customer '
    "AND status IN ('confirmed', 'refunded') AND order_date <= :as_of "
    "ORDER BY order_date DESC, id DESC LIMIT 1 OFFSET 1"
)
LOYALTY_UPDATE = (
    "UPDATE loyalty_customer_value SET as_of = :as_of, profit_12m_cents = :profit, "
    "profit_previous_12m_cents = :previous_profit, orders_12m = :orders_12m, "
    "order_count = :order_count, first_order_on = :first, previous_order_on = :previous_day, "
    "last_order_on = :last, usual_interval_days = :usual, last_gap_days = :gap, "
    "interval_before_last_days = :before_last, computed_at = :now WHERE customer_id = :customer"
)


def _day(value: Any) -> dt.date | None:
    """A Date column from either driver (SQLite gives text)."""
    if value is None or isinstance(value, dt.date):
        return value
    return dt.date.fromisoformat(value)


def _interval(span: int, gaps: int, minimum: int, default: int) -> int:
    """span / gaps rounded half up, at least the minimum; the default when gaps < 1."""
    if gaps < 1:
        return default
    return max(minimum, (span * 2 + gaps) // (gaps * 2))


def loyalty_writer(ctx: BenchContext, minimum: int, default: int) -> PluginWrite:
    """The loyalty reference: three reads of the customer's history, one UPDATE of the figures."""
    as_of = ctx.dataset.end_date

    def write(ctx: BenchContext, facts: OrderFacts) -> None:
        values: dict[str, Any] = {
            "customer": facts.customer_id,
            "as_of": as_of,
            "window": as_of - dt.timedelta(days=364),
            "previous": as_of - dt.timedelta(days=729),
        }
        profit, previous_profit = ctx.sql(LOYALTY_PROFIT, values)[0]
        count, in_window, first, last = ctx.sql(LOYALTY_ORDERS, values)[0]
        before = ctx.sql(LOYALTY_PREVIOUS, values)
        first, last = _day(first), _day(last)
        previous_day = _day(before[0][0]) if before else None
        span = (last - first).days if first and last else 0
        span_before = (previous_day - first).days if first and previous_day else 0
        ctx.sql(
            LOYALTY_UPDATE,
            {
                **values,
                "profit": int(profit),
                "previous_profit": int(previous_profit),
                "orders_12m": int(in_window or 0),
                "order_count": count,
                "first": first,
                "previous_day": previous_day,
                "last": last,
                "usual": _interval(span, count - 1, minimum, default),
                "gap": (last - previous_day).days if last and previous_day else None,
                "before_last": _interval(span_before, count - 2, minimum, default),
                "now": utcnow(),
            },
        )

    return write


def plugin_writers(ctx: BenchContext, plugins: Sequence[str]) -> list[PluginWrite]:
    """The reference writes for these plugins (set up once per batch run, inside the app context)."""
    writers = []
    if "sales_commission" in plugins:
        writers.append(commission_writer(ctx))
    if "loyalty" in plugins:
        from plugins.loyalty import settings as loyalty_settings

        rules = loyalty_settings.current().lifecycle
        writers.append(
            loyalty_writer(ctx, rules.minimum_interval_days, rules.default_interval_days)
        )
    return writers
