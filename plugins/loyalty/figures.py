"""Per-customer figures as one set-based SELECT: profit by window, order counts, order rhythm.

Trailing 12 months as of a day D are the movements with D − 365 days < day ≤ D; the
previous period is D − 730 < day ≤ D − 365. Movements come from core.ledger.sales_movements,
so refunds count negatively on their refund date and cancelled orders count nowhere.
Order counts use orders that are confirmed or refunded with an order date up to D.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import Date, Select, bindparam, case, func, literal, select
from sqlalchemy.sql.elements import ColumnElement

from core.ledger import counted_orders, sales_movements
from core.models import Customer, Order
from core.sql import cents, days_between, divide_half_up
from plugins.loyalty.settings import LifecycleRules

#: The statements take their days as named parameters (see window_parameters), so a statement
#: is built once and run for any day; SQLAlchemy then reuses its compiled form too. The names
#: differ from every column name, as INSERT and UPDATE reserve those.
AS_OF = bindparam("as_of_day", type_=Date)
WINDOW_START = bindparam("window_first_day", type_=Date)
PREVIOUS_START = bindparam("previous_first_day", type_=Date)
#: The customer ids of a restricted (incremental) statement.
SCOPE: Any = bindparam("scope_ids", expanding=True)

#: The figure columns, in the order figures_statement returns them (after customer_id).
FIGURE_COLUMNS = (
    "as_of",
    "profit_12m_cents",
    "profit_previous_12m_cents",
    "orders_12m",
    "order_count",
    "first_order_on",
    "previous_order_on",
    "last_order_on",
    "usual_interval_days",
    "last_gap_days",
    "interval_before_last_days",
)


def window_parameters(as_of: dt.date) -> dict[str, dt.date]:
    """The day parameters for as_of: the trailing 12 months start on as_of − 364 days (as_of − 365
    excluded), the 12 months before start on as_of − 729 days."""
    return {
        "as_of_day": as_of,
        "window_first_day": as_of - dt.timedelta(days=364),
        "previous_first_day": as_of - dt.timedelta(days=729),
    }


def _profit_by_customer(restricted: bool, with_previous: bool) -> Any:
    """Subquery: customer_id, profit in cents of the trailing 12 months and of the 12 before
    (0 when with_previous is False, which reads only one year of movements)."""
    # sales_movements compares its day columns with these parameters as it would with dates.
    first_day = PREVIOUS_START if with_previous else WINDOW_START
    movements = sales_movements(first_day, AS_OF)  # type: ignore[arg-type]
    # net − cost of one line is a two-place amount, so rounding it to cents is exact.
    profit = cents(movements.c.net - func.coalesce(movements.c.cost, 0))
    if with_previous:
        sums = (
            func.sum(profit).filter(movements.c.day >= WINDOW_START).label("profit_12m"),
            func.sum(profit).filter(movements.c.day < WINDOW_START).label("profit_previous"),
        )
    else:
        sums = (func.sum(profit).label("profit_12m"), literal(0).label("profit_previous"))
    statement = select(movements.c.customer_id, *sums).group_by(movements.c.customer_id)
    if restricted:
        statement = statement.where(movements.c.customer_id.in_(SCOPE))
    return statement.subquery("profit_by_customer")


def _order_facts(restricted: bool) -> Any:
    """Subquery: customer_id, order count (all and last 12 months), first, second-last, last order date."""
    recency = func.row_number().over(
        partition_by=Order.customer_id, order_by=(Order.order_date.desc(), Order.id.desc())
    )
    counted = select(Order.customer_id, Order.order_date, recency.label("recency")).where(
        counted_orders(), Order.order_date <= AS_OF
    )
    if restricted:
        counted = counted.where(Order.customer_id.in_(SCOPE))
    orders = counted.subquery("counted_orders")
    return (
        select(
            orders.c.customer_id,
            func.count().label("order_count"),
            func.count().filter(orders.c.order_date >= WINDOW_START).label("orders_12m"),
            func.min(orders.c.order_date).label("first_order_on"),
            func.max(orders.c.order_date).filter(orders.c.recency == 2).label("previous_order_on"),
            func.max(orders.c.order_date).label("last_order_on"),
        )
        .group_by(orders.c.customer_id)
        .subquery("order_facts")
    )


def _interval(span_days: Any, gaps: Any, rules: LifecycleRules) -> ColumnElement[int]:
    """span / gaps rounded, at least the minimum interval; the default interval when gaps < 1."""
    average = divide_half_up(span_days, gaps)
    clamped = case(
        (average < rules.minimum_interval_days, rules.minimum_interval_days), else_=average
    )
    return case((gaps >= 1, clamped), else_=rules.default_interval_days)


def figures_statement(
    rules: LifecycleRules, restricted: bool = False, with_previous: bool = True
) -> Select[Any]:
    """SELECT customer_id and FIGURE_COLUMNS for every customer (or those in SCOPE), prospects included.

    Run it with window_parameters(as_of), and with scope_ids=[ids] when restricted. Without
    with_previous the profit of the 12 months before is 0 (for reports that do not show it).
    """
    profit = _profit_by_customer(restricted, with_previous)
    facts = _order_facts(restricted)
    count = func.coalesce(facts.c.order_count, 0)
    statement = (
        select(
            Customer.id.label("customer_id"),
            AS_OF.label("as_of"),
            func.coalesce(profit.c.profit_12m, 0).label("profit_12m_cents"),
            func.coalesce(profit.c.profit_previous, 0).label("profit_previous_12m_cents"),
            func.coalesce(facts.c.orders_12m, 0).label("orders_12m"),
            count.label("order_count"),
            facts.c.first_order_on,
            facts.c.previous_order_on,
            facts.c.last_order_on,
            _interval(
                days_between(facts.c.last_order_on, facts.c.first_order_on), count - 1, rules
            ).label("usual_interval_days"),
            case(
                (count >= 2, days_between(facts.c.last_order_on, facts.c.previous_order_on)),
                else_=None,
            ).label("last_gap_days"),
            _interval(
                days_between(facts.c.previous_order_on, facts.c.first_order_on), count - 2, rules
            ).label("interval_before_last_days"),
        )
        .outerjoin(profit, profit.c.customer_id == Customer.id)
        .outerjoin(facts, facts.c.customer_id == Customer.id)
    )
    if restricted:
        statement = statement.where(Customer.id.in_(SCOPE))
    return statement
