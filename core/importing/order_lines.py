"""Importing order lines: the lines given for an order replace that order's lines, written in bulk.

Lines are grouped by order in file order (they need not be next to each other) and
numbered 1, 2, ... per order. An order whose lines in the file equal its stored lines is
left alone (so importing a file twice changes nothing); an empty unit_price or unit_cost
matches whatever is stored. When an order's lines change, an empty unit_price takes the
product's list price and an empty unit_cost the product's current cost (a draft keeps no
cost until it is confirmed). If one line of an order is invalid, none of that order's lines
are imported, so an order is never left half-replaced. An order with refunds keeps its
lines (refunds are history made in the app).
"""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal
from typing import Any, NamedTuple

from sqlalchemy import delete, exists, select

from core.db import db
from core.importing import cells as read
from core.importing.base import (
    CHUNK,
    Importer,
    Progress,
    chunks,
    fetch_by_key,
    insert_many,
)
from core.importing.reading import Row
from core.models import Order, OrderLine, Product
from core.money import line_cost, line_net
from core.plugins import run_hook

ZERO = Decimal("0.0000")


class OrderInfo(NamedTuple):
    """What the import needs to know about an order named in the file."""

    id: int
    number: str
    status: str
    has_refunds: bool


class ProductInfo(NamedTuple):
    """What the import needs to know about a product named in the file."""

    id: int
    list_price: Decimal
    unit_cost: Decimal


class LineRow(NamedTuple):
    """A checked line; unit_price and unit_cost are None when the cell was empty."""

    line: int
    product_id: int
    quantity: Decimal
    unit_price: Decimal | None
    discount: Decimal
    unit_cost: Decimal | None


def same_lines(incoming: Sequence[LineRow], stored: Sequence[Any]) -> bool:
    """True when the file's lines say what the stored lines (in position order) already hold."""
    if len(incoming) != len(stored):
        return False
    for new, old in zip(incoming, stored, strict=True):
        if (new.product_id, new.quantity, new.discount) != (
            old.product_id,
            old.quantity,
            old.discount,
        ):
            return False
        if new.unit_price is not None and new.unit_price != old.unit_price:
            return False
        if new.unit_cost is not None and new.unit_cost != old.unit_cost:
            return False
    return True


class OrderLinesImport(Importer):
    """order-lines: order_number, sku, quantity, unit_price, discount, unit_cost."""

    kind = "order-lines"
    columns = ("order_number", "sku", "quantity", "unit_price", "discount", "unit_cost")
    key_column = "order_number"

    def __init__(self) -> None:
        super().__init__()
        self.orders: dict[str, OrderInfo | None] = {}
        self.products: dict[str, ProductInfo | None] = {}
        self.costs: dict[int, ProductInfo] = {}
        #: Checked lines per order id, in file order.
        self.lines: dict[int, list[LineRow]] = {}
        #: Orders with an invalid line: order id → the first invalid line.
        self.broken: dict[int, int] = {}
        #: Orders whose lines will be written: order id → True when it had lines before.
        self.replacing: dict[int, bool] = {}
        #: Status of each order in replacing (a draft gets no cost snapshot).
        self.statuses: dict[int, str] = {}
        #: One reader per column, in the order of the columns (each remembers its outcomes).
        self.readers = (
            read.Outcomes(read.text, "order_number", 40, True),
            read.Outcomes(read.text, "sku", 64, True),
            read.Outcomes(read.quantity, "quantity"),
            read.Outcomes(read.money, "unit_price"),
            read.Outcomes(read.fraction, "discount"),
            read.Outcomes(read.money, "unit_cost"),
        )

    def check(self, rows: Sequence[Row]) -> None:
        """Read the cells and look up orders and products once per chunk.

        This is the hot loop of the bulk path: each distinct text is read once (Outcomes),
        so a row costs a few dictionary lookups.
        """
        numbers, skus, quantities, prices, discounts, costs = self.readers
        parsed = [
            (
                row.line,
                numbers[row.cells["order_number"]],
                skus[row.cells["sku"]],
                quantities[row.cells["quantity"]],
                prices[row.cells["unit_price"]],
                discounts[row.cells["discount"]],
                costs[row.cells["unit_cost"]],
            )
            for row in rows
        ]
        self._look_up(
            {values[1] for values in parsed if type(values[1]) is str},
            {values[2] for values in parsed if type(values[2]) is str},
        )
        for values in parsed:
            self._check_line(*values)

    def _check_line(
        self, line: int, number: Any, sku: Any, quantity: Any, price: Any, discount: Any, cost: Any
    ) -> None:
        """Keep the line for its order, or reject it with every problem it has."""
        problems = [
            value.message
            for value in (number, sku, quantity, price, discount, cost)
            if type(value) is read.Problem
        ]
        if quantity is None:
            problems.append("quantity is empty")
        order = self.orders.get(number) if type(number) is str else None
        if type(number) is str and order is None:
            problems.append(
                f"order_number '{number}' is not an order (import the orders file first)"
            )
        product = self.products.get(sku) if type(sku) is str else None
        if type(sku) is str and product is None:
            problems.append(f"sku '{sku}' is not a product")
        if not problems and product is not None:
            problems += _total_problems(
                quantity,
                product.list_price if price is None else price,
                product.unit_cost if cost is None else cost,
            )
        if problems:
            self.reject(line, "; ".join(problems))
            if order is not None:
                self.broken.setdefault(order.id, line)
            return
        assert order is not None and product is not None
        self.lines.setdefault(order.id, []).append(
            LineRow(line, product.id, quantity, price, discount or ZERO, cost)
        )

    def _look_up(self, numbers: set[str], skus: set[str]) -> None:
        """Find orders and products not seen in earlier chunks (one query each)."""
        numbers -= set(self.orders)
        found = fetch_by_key(_ORDER_COLUMNS, Order.number, numbers)
        self.orders.update(
            {key: (OrderInfo(*found[key][1:]) if key in found else None) for key in numbers}
        )
        skus -= set(self.products)
        products = fetch_by_key(
            [Product.id, Product.list_price, Product.unit_cost], Product.sku, skus
        )
        for sku in skus:
            info = ProductInfo(*products[sku][1:]) if sku in products else None
            self.products[sku] = info
            if info:
                self.costs[info.id] = info

    def finish_check(self) -> None:
        """Hold back every line of an order with an invalid line, then compare with stored lines."""
        numbers = {info.id: info for info in self.orders.values() if info}
        for order_id, first_bad in self.broken.items():
            for line in self.lines.pop(order_id, []):
                self.reject(
                    line.line,
                    f"order {numbers[order_id].number} has an invalid line (line {first_bad}); "
                    "none of its lines were imported",
                )
        for part in chunks(sorted(self.lines)):
            stored = _stored_lines(part)
            for order_id in part:
                incoming, existing = self.lines[order_id], stored.get(order_id, [])
                if same_lines(incoming, existing):
                    self.unchanged += 1
                elif numbers[order_id].has_refunds:
                    for line in incoming:
                        self.reject(
                            line.line,
                            f"order {numbers[order_id].number} has refunds made in the app; "
                            "its lines cannot be replaced by import",
                        )
                else:
                    self.replacing[order_id] = bool(existing)
        self.statuses = {order_id: numbers[order_id].status for order_id in self.replacing}

    def write(self, progress: Progress) -> None:
        """Delete the replaced orders' lines, INSERT the new ones in bulk, then tell the plugins."""
        db.session.flush()
        order_ids = sorted(self.replacing)
        progress.phase(
            "Writing order lines", sum(len(self.lines[order_id]) for order_id in order_ids)
        )
        table = OrderLine.__table__
        for part in chunks([order_id for order_id in order_ids if self.replacing[order_id]]):
            db.session.execute(delete(table).where(table.c.order_id.in_(part)))
        batch: list[tuple[Any, ...]] = []
        for order_id in order_ids:
            batch += self._line_values(order_id)
            if len(batch) >= CHUNK or order_id == order_ids[-1]:
                insert_many(table, LINE_COLUMNS, batch)
                progress.advance(len(batch))
                batch = []
        self.added = sum(1 for had_lines in self.replacing.values() if not had_lines)
        self.changed = len(self.replacing) - self.added
        self.order_ids = order_ids
        db.session.expire_all()
        if order_ids:
            run_hook("orders_imported", order_ids=order_ids)

    def _line_values(self, order_id: int) -> list[tuple[Any, ...]]:
        """The order's new lines as INSERT values (LINE_COLUMNS), net and cost by the money rules."""
        snapshot = self.statuses[order_id] != "draft"
        values = []
        for position, line in enumerate(self.lines[order_id], start=1):
            product = self.costs[line.product_id]
            price = product.list_price if line.unit_price is None else line.unit_price
            cost = line.unit_cost
            if cost is None and snapshot:
                cost = product.unit_cost
            values.append(
                (
                    order_id,
                    line.product_id,
                    position,
                    line.quantity,
                    price,
                    line.discount,
                    cost,
                    line_net(line.quantity, price, line.discount),
                    None if cost is None else line_cost(line.quantity, cost),
                )
            )
        return values


#: The columns _line_values gives, in its order.
LINE_COLUMNS = (
    "order_id",
    "product_id",
    "position",
    "quantity",
    "unit_price",
    "discount",
    "unit_cost",
    "net_amount",
    "cost_amount",
)

_ORDER_COLUMNS = [
    Order.id,
    Order.number,
    Order.status,
    exists()
    .where(OrderLine.order_id == Order.id, OrderLine.refunded_on.is_not(None))
    .label("has_refunds"),
]


def _stored_lines(order_ids: Sequence[int]) -> dict[int, list[Any]]:
    """The stored lines of these orders in position order, by order id (one query)."""
    statement = (
        select(
            OrderLine.order_id,
            OrderLine.product_id,
            OrderLine.quantity,
            OrderLine.unit_price,
            OrderLine.discount,
            OrderLine.unit_cost,
        )
        .where(OrderLine.order_id.in_(order_ids))
        .order_by(OrderLine.order_id, OrderLine.position, OrderLine.id)
    )
    stored: dict[int, list[Any]] = {}
    for row in db.session.execute(statement):
        stored.setdefault(row.order_id, []).append(row)
    return stored


def _total_problems(quantity: Decimal, price: Decimal, cost: Decimal) -> list[str]:
    """A problem when the line's net or cost could not be stored in a money column.

    A discount only lowers the net, so quantity × price bounds it (and quantity × cost the cost).
    """
    if quantity * max(price, cost) >= read.MONEY_LIMIT - 1:
        return ["the line's total is too large"]
    return []
