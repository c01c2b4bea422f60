"""The orders part of the data set: dates, sizes, statuses, lines, prices, discounts, refunds.

Drawn from the generator's `random.Random`, in date order, written in batches; see bench/data.py.
"""

from __future__ import annotations

import datetime as dt
import random
from decimal import Decimal
from itertools import accumulate
from typing import TYPE_CHECKING, Any

from core.models import Order, OrderLine
from core.money import line_cost, line_net, round_money

if TYPE_CHECKING:
    from bench.data import CustomerFacts, Dataset, ProductFacts, Scale, Writer

#: Orders are generated and written this many at a time (bounded memory at any scale).
ORDER_BATCH = 5000


def _day_weights(start: dt.date, end: dt.date) -> tuple[list[dt.date], list[float]]:
    """Every day of the period and how busy it is (growing business, quiet weekends)."""
    days = [start + dt.timedelta(days=offset) for offset in range((end - start).days + 1)]
    weights = []
    for position, day in enumerate(days):
        growth = 0.7 + 0.6 * position / max(1, len(days) - 1)
        weekday = (1.0, 1.0, 1.0, 1.0, 1.1, 0.5, 0.15)[day.weekday()]
        season = 1.25 if day.month in (11, 12) else 1.0
        weights.append(growth * weekday * season)
    return days, weights


def _lines_per_order(rng: random.Random, total: int) -> list[int]:
    """Order sizes averaging 10 lines (1 to 19), cut so they add up to exactly `total`."""
    sizes = []
    remaining = total
    while remaining > 0:
        size = min(remaining, rng.randint(1, 19))
        sizes.append(size)
        remaining -= size
    return sizes


def write_orders(
    writer: Writer,
    rng: random.Random,
    scale: Scale,
    customers: list[CustomerFacts],
    weights: list[float],
    products: list[ProductFacts],
    salespeople: list[int],
    dataset: Dataset,
) -> None:
    """Orders over the period, in date order, with their lines, refunds and cancellations."""
    sizes = _lines_per_order(rng, scale.order_lines)
    customer_cumulative = list(accumulate(weights))
    chosen = rng.choices(customers, cum_weights=customer_cumulative, k=len(sizes))
    days, day_weights = _day_weights(dataset.start_date, dataset.end_date)
    order_days = sorted(rng.choices(days, weights=day_weights, k=len(sizes)))
    sellable = [product for product in products if product.active] or products
    popularity = list(accumulate(1.0 / (rank + 3) ** 0.8 for rank in range(len(sellable))))
    counts: dict[int, int] = {}
    plans = OrderPlanner(rng, dataset.end_date, salespeople, sellable, popularity)
    order_id = 0
    line_id = 0
    for start in range(0, len(sizes), ORDER_BATCH):
        order_rows: list[tuple[Any, ...]] = []
        line_rows: list[tuple[Any, ...]] = []
        for size, customer, day in zip(
            sizes[start : start + ORDER_BATCH],
            chosen[start : start + ORDER_BATCH],
            order_days[start : start + ORDER_BATCH],
            strict=True,
        ):
            order_id += 1
            order, lines = plans.order(order_id, line_id, size, customer, day)
            line_id += len(lines)
            order_rows.append(order)
            line_rows.extend(lines)
            counts[customer.id] = counts.get(customer.id, 0) + 1
            dataset.statuses[order[4]] = dataset.statuses.get(order[4], 0) + 1
        writer.write(Order.__table__, OrderPlanner.ORDER_COLUMNS, order_rows)
        writer.write(OrderLine.__table__, OrderPlanner.LINE_COLUMNS, line_rows)
    dataset.orders = order_id
    dataset.order_lines = line_id
    dataset.busiest_customer_id = max(counts, key=lambda key: (counts[key], -key))


class OrderPlanner:
    """Draws one order and its lines: status, dates, products, prices, discounts and refunds."""

    ORDER_COLUMNS = (
        "id",
        "number",
        "customer_id",
        "salesperson_id",
        "status",
        "order_date",
        "notes",
        "created_at",
        "confirmed_at",
        "cancelled_at",
    )
    LINE_COLUMNS = (
        "id",
        "order_id",
        "product_id",
        "position",
        "quantity",
        "unit_price",
        "discount",
        "unit_cost",
        "net_amount",
        "cost_amount",
        "refunded_on",
    )
    DISCOUNTS = (Decimal("0"), Decimal("0.05"), Decimal("0.1"), Decimal("0.125"), Decimal("0.15"))
    DISCOUNT_WEIGHTS = (75, 10, 8, 2, 5)

    def __init__(
        self,
        rng: random.Random,
        end_date: dt.date,
        salespeople: list[int],
        products: list[ProductFacts],
        popularity: list[float],
    ) -> None:
        self.rng = rng
        self.end_date = end_date
        self.salespeople = salespeople
        self.products = products
        self.popularity = popularity

    def order(
        self, order_id: int, line_id: int, size: int, customer: CustomerFacts, day: dt.date
    ) -> tuple[tuple[Any, ...], list[tuple[Any, ...]]]:
        """One order row and its line rows."""
        rng = self.rng
        status = self._status(day)
        salesperson = customer.owner_id
        if salesperson is None or rng.random() < 0.15:
            salesperson = rng.choice(self.salespeople)
        created = dt.datetime.combine(day, dt.time(rng.randint(7, 18), rng.randint(0, 59)))
        confirmed = created + dt.timedelta(minutes=rng.randint(1, 240))
        was_confirmed = status in ("confirmed", "refunded") or (
            status == "cancelled" and rng.random() < 0.5
        )
        cancelled = None
        if status == "cancelled":
            cancelled = min(
                confirmed + dt.timedelta(days=rng.randint(0, 10)),
                dt.datetime.combine(self.end_date, dt.time(23)),
            )
        refunded = self._refunded_positions(status, size)
        refund_day = min(day + dt.timedelta(days=rng.randint(1, 45)), self.end_date)
        if refunded and len(refunded) == size:
            status = "refunded"
        picks = rng.choices(self.products, cum_weights=self.popularity, k=size)
        months_ago = (self.end_date - day).days / 30.0
        lines = [
            self._line(
                line_id + position,
                order_id,
                position,
                product,
                customer.wholesale,
                months_ago if was_confirmed else None,
                refund_day if position in refunded else None,
            )
            for position, product in enumerate(picks, start=1)
        ]
        order = (
            order_id,
            f"SO-{order_id:07d}",
            customer.id,
            salesperson,
            status,
            day,
            "",
            created,
            confirmed if was_confirmed else None,
            cancelled,
        )
        return order, lines

    def _status(self, day: dt.date) -> str:
        """Mostly confirmed; some cancelled; recent ones sometimes still drafts."""
        draw = self.rng.random()
        if (self.end_date - day).days <= 14 and draw < 0.15:
            return "draft"
        if draw > 0.96:
            return "cancelled"
        return "confirmed"

    def _refunded_positions(self, status: str, size: int) -> set[int]:
        """Which lines of a confirmed order were refunded: 2 % partly, 1 % wholly."""
        if status != "confirmed":
            return set()
        draw = self.rng.random()
        if draw < 0.01:
            return set(range(1, size + 1))
        if draw < 0.03:
            count = self.rng.randint(1, max(1, min(3, size - 1)))
            return set(self.rng.sample(range(1, size + 1), count))
        return set()

    def _line(
        self,
        line_id: int,
        order_id: int,
        position: int,
        product: ProductFacts,
        wholesale: bool,
        months_ago: float | None,
        refunded_on: dt.date | None,
    ) -> tuple[Any, ...]:
        """One line; the cost snapshot (None for never-confirmed orders) drifts with age."""
        rng = self.rng
        if product.by_weight:
            quantity = Decimal(rng.randint(250, 6000)).scaleb(-3)
        else:
            quantity = Decimal(rng.randint(1, 12) * (rng.randint(2, 6) if wholesale else 1))
        price = product.list_price
        if rng.random() < 0.3:
            price = round_money(price * Decimal(rng.randint(850, 1000)).scaleb(-3))
        discount = rng.choices(self.DISCOUNTS, weights=self.DISCOUNT_WEIGHTS)[0]
        unit_cost = cost = None
        if months_ago is not None:
            drift = Decimal(str(round(1 - 0.002 * months_ago, 4)))
            unit_cost = round_money(product.unit_cost * drift)
            cost = line_cost(quantity, unit_cost)
        net = line_net(quantity, price, discount)
        return (
            line_id,
            order_id,
            product.id,
            position,
            quantity,
            price,
            discount,
            unit_cost,
            net,
            cost,
            refunded_on,
        )
