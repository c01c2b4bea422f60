"""The value matrix: order frequency × average profit per order, over the trailing 12 months.

Only customers with at least one order in the trailing 12 months are placed. A customer is
"frequent" with at least ``frequent_orders`` orders and "high" when their average profit per
order is at least ``high_order_profit``. With matrix_split = "median" both splits are the
medians of the customers placed (the lower middle one for an even count, so the median
customer is frequent/high); with "fixed" they come from the settings. The comparison
profit ≥ split × orders is done in integer cents, so it is exact.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from sqlalchemy import Float, Select, and_, case, cast, func, select

from core.db import db
from core.i18n import _l
from core.models import Customer, User
from core.money import from_cents
from plugins.loyalty import settings as loyalty_settings
from plugins.loyalty.access import visible_customers
from plugins.loyalty.models import CustomerValue

#: Quadrant key → (label, what it means).
QUADRANTS = {
    "champions": (
        _l("Champions"),
        _l("Frequent orders with a high profit each: keep them close."),
    ),
    "big_tickets": (
        _l("Big tickets"),
        _l("Rare orders with a high profit each: win more of their orders."),
    ),
    "regulars": (
        _l("Regulars"),
        _l("Frequent orders with a low profit each: sell up, watch discounts."),
    ),
    "occasional": (_l("Occasional"), _l("Rare orders with a low profit each: low-cost care.")),
}


@dataclass(frozen=True)
class MatrixSplit:
    """Where the matrix splits frequent from rare and high from low profit per order."""

    frequent_orders: int
    high_order_profit_cents: int
    basis: str

    @property
    def high_order_profit(self) -> Decimal:
        """The profit-per-order split as money."""
        return from_cents(self.high_order_profit_cents)


@dataclass(frozen=True)
class MatrixCell:
    """One quadrant's customers and their profit."""

    key: str
    label: str
    meaning: str
    customers: int
    profit: Decimal
    orders: int


def _placed(user: User) -> Select[Any]:
    """Snapshot rows of visible customers with an order in the trailing 12 months."""
    statement = (
        select(CustomerValue)
        .join(Customer, Customer.id == CustomerValue.customer_id)
        .where(CustomerValue.orders_12m > 0)
    )
    return visible_customers(statement, user)


def _median(value: Any, user: User) -> float | None:
    """The lower median of a per-customer value over the placed customers (one query)."""
    ranking = visible_customers(
        select(
            value.label("value"),
            func.row_number().over(order_by=value).label("position"),
            func.count().over().label("placed"),
        )
        .join(Customer, Customer.id == CustomerValue.customer_id)
        .where(CustomerValue.orders_12m > 0),
        user,
    ).subquery("ranking")
    found = db.session.scalar(
        select(ranking.c.value).where(ranking.c.position == (ranking.c.placed + 1) // 2)
    )
    return None if found is None else float(found)


def matrix_split(user: User) -> MatrixSplit:
    """The split from the settings, or the medians of the customers the user sees."""
    settings = loyalty_settings.current()
    if settings.matrix_split == "fixed":
        return MatrixSplit(
            settings.matrix_frequent_orders, int(settings.matrix_high_order_profit * 100), "fixed"
        )
    orders = _median(CustomerValue.orders_12m, user)
    per_order = _median(
        cast(CustomerValue.profit_12m_cents, Float) / CustomerValue.orders_12m, user
    )
    return MatrixSplit(
        max(1, int(orders or 1)), math.floor(per_order) if per_order is not None else 0, "median"
    )


def quadrant_expression(split: MatrixSplit) -> Any:
    """SQL CASE naming the quadrant of a snapshot row (exact integer comparisons)."""
    frequent = CustomerValue.orders_12m >= split.frequent_orders
    high = (
        CustomerValue.profit_12m_cents >= CustomerValue.orders_12m * split.high_order_profit_cents
    )
    return case(
        (and_(frequent, high), "champions"),
        (high, "big_tickets"),
        (frequent, "regulars"),
        else_="occasional",
    )


def cells(user: User, split: MatrixSplit) -> dict[str, MatrixCell]:
    """The four quadrants with their customer counts and profit (one query)."""
    quadrant = quadrant_expression(split)
    statement = (
        _placed(user)
        .with_only_columns(
            quadrant.label("quadrant"),
            func.count(),
            func.coalesce(func.sum(CustomerValue.profit_12m_cents), 0),
            func.coalesce(func.sum(CustomerValue.orders_12m), 0),
        )
        .group_by(quadrant)
    )
    found = {
        row[0]: (int(row[1]), int(row[2]), int(row[3])) for row in db.session.execute(statement)
    }
    result = {}
    for key, (label, meaning) in QUADRANTS.items():
        count, profit, orders = found.get(key, (0, 0, 0))
        result[key] = MatrixCell(key, str(label), str(meaning), count, from_cents(profit), orders)
    return result


def customers_in(quadrant: str, user: User, split: MatrixSplit) -> Select[Any]:
    """SELECT of the snapshot rows in one quadrant, ready to sort and paginate."""
    return _placed(user).where(quadrant_expression(split) == quadrant)


def unplaced_count(user: User) -> int:
    """Customers the user sees with no order in the trailing 12 months."""
    statement = visible_customers(
        select(func.count())
        .select_from(CustomerValue)
        .join(Customer, Customer.id == CustomerValue.customer_id)
        .where(CustomerValue.orders_12m == 0),
        user,
    )
    return int(db.session.scalar(statement) or 0)
