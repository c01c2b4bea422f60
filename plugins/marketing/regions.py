"""Regional breakdown: where a segment's customers and profit are, and its share of each place's sales.

For each place (country + region, or country + region + city): the segment's customers,
their share of all the segment's customers, the segment's profit and its share of the
segment's profit, and the segment's share of the place's net sales ("this kind of customer
is 30 % of sales in Lyon"). Profit and net come from ``core.ledger.sales_movements`` over
the period (after refunds), summed in cents; the whole table is one SQL statement.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from sqlalchemy import func, select, true
from sqlalchemy.sql import ColumnElement

from core.db import db
from core.ledger import sales_movements
from core.models import Customer
from core.money import from_cents
from core.sql import sum_cents

LEVELS = ("region", "city")


@dataclass(frozen=True)
class Place:
    """One region or city and the segment's figures there."""

    country: str
    region: str
    #: None when the breakdown is by region.
    city: str | None
    customers: int
    all_customers: int
    profit: Decimal
    net: Decimal
    all_net: Decimal

    @property
    def label(self) -> str:
        """ "DE · Bavaria · Munich", with "–" for a missing part."""
        parts = [self.country or "–", self.region or "–"]
        if self.city is not None:
            parts.append(self.city or "–")
        return " · ".join(parts)

    @property
    def short_label(self) -> str:
        """The most precise part of the place ("Munich", else "Bavaria", else "DE"), for charts."""
        return self.city or self.region or self.country or "–"

    @property
    def share_of_place_sales(self) -> Decimal | None:
        """The segment's net / everyone's net in this place; None when the place sold nothing."""
        return self.net / self.all_net if self.all_net else None


@dataclass(frozen=True)
class Breakdown:
    """The places, with the segment's totals for the share columns."""

    places: list[Place]
    customers: int
    profit: Decimal

    def customer_share(self, place: Place) -> Decimal | None:
        """The place's share of the segment's customers."""
        return Decimal(place.customers) / self.customers if self.customers else None

    def profit_share(self, place: Place) -> Decimal | None:
        """The place's share of the segment's profit (None when the segment made none)."""
        return place.profit / self.profit if self.profit else None


def _places_statement(
    segment: ColumnElement[bool], level: str, start: dt.date | None, end: dt.date | None
) -> Any:
    """One row per place: keys, segment customers, customers, segment profit, segment net, net (cents)."""
    movements = sales_movements(start, end)
    per_customer = (
        select(
            movements.c.customer_id,
            sum_cents(movements.c.net).label("net"),
            (sum_cents(movements.c.net) - sum_cents(movements.c.cost)).label("profit"),
        )
        .group_by(movements.c.customer_id)
        .subquery("per_customer")
    )
    keys: list[Any] = [Customer.country, Customer.region]
    if level == "city":
        keys.append(Customer.city)
    net = func.coalesce(per_customer.c.net, 0)
    profit = func.coalesce(per_customer.c.profit, 0)
    return (
        select(
            *keys,
            func.count().filter(segment),
            func.count(),
            func.coalesce(func.sum(profit).filter(segment), 0),
            func.coalesce(func.sum(net).filter(segment), 0),
            func.coalesce(func.sum(net), 0),
        )
        .outerjoin(per_customer, per_customer.c.customer_id == Customer.id)
        .group_by(*keys)
    )


def breakdown(
    condition: ColumnElement[bool] | None,
    level: str,
    start: dt.date | None = None,
    end: dt.date | None = None,
) -> Breakdown:
    """The segment (SQL condition; None = every customer) by region or city, most profit first."""
    if level not in LEVELS:
        raise ValueError(f"level must be one of {', '.join(LEVELS)}")
    statement = _places_statement(condition if condition is not None else true(), level, start, end)
    places = []
    for row in db.session.execute(statement):
        values = list(row)
        city = values.pop(2) if level == "city" else None
        country, region, customers, everyone, profit_cents, net_cents, all_net = values
        if customers:
            places.append(
                Place(
                    country, region, city, int(customers), int(everyone),
                    from_cents(profit_cents), from_cents(net_cents), from_cents(all_net),
                )
            )  # fmt: skip
    places.sort(key=lambda place: (-place.profit, -place.customers, place.label))
    return Breakdown(
        places,
        sum(place.customers for place in places),
        sum((place.profit for place in places), Decimal("0.00")),
    )
