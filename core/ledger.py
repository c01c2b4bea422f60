"""Sales movements: the money rules as one set-based SQL building block every report can group.

A confirmed line is a movement of +net / +cost on its order date. A refunded line is, in
addition, a movement of −net / −cost on its refund date, so it counts in the period of the
sale and negatively in the period of the refund. Draft and cancelled orders count nowhere.
Group the movements by customer, salesperson, product or day to get any total.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import ColumnElement, Select, case, func, literal, select, union_all
from sqlalchemy.sql import Subquery

from core.models import Order, OrderLine

#: The orders that count (DESIGN.md §4): drafts and cancelled orders count nowhere.
COUNTED_STATUSES = ("confirmed", "refunded")


def counted_orders(order: Any = Order) -> ColumnElement[bool]:
    """The counted-orders rule as a condition on ``order`` (the Order model or an alias of it)."""
    return order.status.in_(COUNTED_STATUSES)


def _branch(day_column: Any, sign: int, start: dt.date | None, end: dt.date | None) -> Select[Any]:
    """One side of the movements: sales (sign +1, on the order date) or refunds (−1, on the refund date)."""
    statement = (
        select(
            OrderLine.id.label("line_id"),
            Order.id.label("order_id"),
            Order.customer_id.label("customer_id"),
            Order.salesperson_id.label("salesperson_id"),
            OrderLine.product_id.label("product_id"),
            day_column.label("day"),
            (OrderLine.net_amount * sign).label("net"),
            (OrderLine.cost_amount * sign).label("cost"),
            literal(sign).label("sign"),
        )
        .join(Order, Order.id == OrderLine.order_id)
        .where(counted_orders())
    )
    if sign < 0:
        statement = statement.where(OrderLine.refunded_on.is_not(None))
    if start is not None:
        statement = statement.where(day_column >= start)
    if end is not None:
        statement = statement.where(day_column <= end)
    return statement


def sales_movements(
    start: dt.date | None = None, end: dt.date | None = None, refunds: bool = True
) -> Subquery:
    """Every sale and refund movement with day in [start, end] (both optional), as a subquery.

    Columns: line_id, order_id, customer_id, salesperson_id, product_id, day, net, cost, sign.
    The date filters sit inside each branch so indexes on order_date / refunded_on are used.
    """
    sales = _branch(Order.order_date, 1, start, end)
    if not refunds:
        return sales.subquery("movements")
    return union_all(sales, _branch(OrderLine.refunded_on, -1, start, end)).subquery("movements")


def totals_after_refunds(*conditions: ColumnElement[bool]) -> Select[Any]:
    """Orders, net, cost (both after refunds) and refunded net of the counted orders matching conditions.

    The same figures as summing sales_movements() without dates (a refunded line's sale and
    refund cancel out, leaving it only in the refunded total), but reading each line once
    instead of twice: for one customer's totals on their page.
    """
    kept = OrderLine.refunded_on.is_(None)
    return (
        select(
            func.count(func.distinct(Order.id)),
            func.coalesce(func.sum(case((kept, OrderLine.net_amount), else_=0)), 0),
            func.coalesce(func.sum(case((kept, OrderLine.cost_amount), else_=0)), 0),
            func.coalesce(func.sum(case((kept, 0), else_=OrderLine.net_amount)), 0),
        )
        .join(Order, Order.id == OrderLine.order_id)
        .where(counted_orders(), *conditions)
    )
