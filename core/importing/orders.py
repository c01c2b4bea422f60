"""Importing orders (key: number): customer, salesperson, order date and status, written in bulk.

What an import may do to an order that exists already (the app's own rules, see docs/import.md):

- its status may move forward: draft → confirmed, draft → cancelled, confirmed → cancelled;
  never back (a confirmed order is cancelled, not turned into a draft again; a cancelled
  order stays cancelled);
- confirming takes the cost snapshot of lines that have none (the product's current cost);
- customer, salesperson and date may be corrected while the order has no refunds;
- an order with refunds (made in the app, with their own date) cannot be changed at all.

Every order the file created or changed is given to the orders_imported hook once, in the
import's transaction, so plugins derive from the imported history set-based.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from functools import partial
from typing import Any, NamedTuple

from sqlalchemy import bindparam, exists, select, update

from core.db import db
from core.importing import cells as read
from core.importing.base import Cells, Importer, Progress, chunks, fetch_by_key
from core.importing.reading import Row
from core.merging import alias_targets
from core.models import Customer, Order, OrderLine, Product, User, utcnow
from core.money import line_cost
from core.plugins import run_hook

#: What a file may say about an order (refunds are made in the app, with their own date).
IMPORT_STATUSES = ("draft", "confirmed", "cancelled")
#: (old status, new status) an import may move an order along.
FORWARD = frozenset({("draft", "confirmed"), ("draft", "cancelled"), ("confirmed", "cancelled")})


class Stored(NamedTuple):
    """An order as the database has it."""

    id: int
    customer_id: int
    salesperson_id: int | None
    order_date: dt.date
    status: str
    has_refunds: bool


class Incoming(NamedTuple):
    """A checked row of the orders file."""

    number: str
    customer_id: int
    salesperson_id: int | None
    order_date: dt.date
    status: str
    stored: Stored | None


def transition_problem(number: str, stored: Stored, incoming: Incoming) -> str | None:
    """Why the import may not change the stored order this way, or None when it may."""
    same_fields = (stored.customer_id, stored.salesperson_id, stored.order_date) == (
        incoming.customer_id,
        incoming.salesperson_id,
        incoming.order_date,
    )
    if stored.has_refunds:
        if incoming.status == "confirmed" and same_fields:
            return None
        return f"order {number} has refunds made in the app; import cannot change it"
    if stored.status == incoming.status or (stored.status, incoming.status) in FORWARD:
        return None
    if stored.status == "confirmed":
        return f"order {number} is confirmed; it cannot go back to draft (cancel it instead)"
    return (
        f"order {number} is cancelled; it cannot become {incoming.status} again "
        "(import it under a new number)"
    )


def is_unchanged(incoming: Incoming) -> bool:
    """True when the stored order already says what the row says ("refunded" reads as confirmed)."""
    stored = incoming.stored
    if stored is None:
        return False
    status = "confirmed" if stored.status == "refunded" else stored.status
    return (stored.customer_id, stored.salesperson_id, stored.order_date, status) == (
        incoming.customer_id,
        incoming.salesperson_id,
        incoming.order_date,
        incoming.status,
    )


class OrdersImport(Importer):
    """orders: number, customer_external_id, salesperson_email, order_date, status."""

    kind = "orders"
    columns = ("number", "customer_external_id", "salesperson_email", "order_date", "status")
    key_column = "number"

    def __init__(self) -> None:
        super().__init__()
        self.pending: list[Incoming] = []
        self.customers: dict[str, int | None] = {}
        self.salespeople: dict[str, int | None] = {}
        self.read_number = partial(read.text, column="number", max_length=40, required=True)
        self.read_customer = read.Outcomes(read.text, "customer_external_id", 64, True)
        self.read_salesperson = read.Outcomes(read.email, "salesperson_email")
        self.read_date = read.Outcomes(read.day, "order_date")
        self.read_status = read.Outcomes(read.choice, "status", IMPORT_STATUSES)

    def check(self, rows: Sequence[Row]) -> None:
        """Read the cells, look up customers, salespeople and stored orders once per chunk."""
        parsed = [self._read(row) for row in rows]
        self._look_up(parsed)
        stored = fetch_by_key(
            _STORED_COLUMNS, Order.number, [values[0] for _, values in parsed if values[0]]
        )
        for cells, (number, external_id, email, order_date, status) in parsed:
            customer_id = self.customers.get(external_id) if external_id else None
            if external_id and customer_id is None:
                cells.problem(f"customer_external_id '{external_id}' is not a customer")
            salesperson_id = self.salespeople.get(email) if email else None
            if email and salesperson_id is None:
                cells.problem(f"salesperson_email '{email}' is not a user")
            if not self.settle(cells):
                continue
            found = stored.get(number)
            assert customer_id is not None  # a row without problems has a customer
            incoming = Incoming(
                number,
                customer_id,
                salesperson_id,
                order_date,
                status,
                Stored(*found[1:]) if found else None,
            )
            if incoming.stored is not None:
                problem = transition_problem(number, incoming.stored, incoming)
                if problem:
                    cells.problem(problem)
            if self.settle(cells):
                self.pending.append(incoming)

    def _read(self, row: Row) -> tuple[Cells, tuple[Any, ...]]:
        """The row's five cells read, problems noted on Cells."""
        cells = Cells(row)
        number = cells.read(self.read_number, "number")
        values = (
            number,
            cells.read(self.read_customer, "customer_external_id"),
            cells.read(self.read_salesperson, "salesperson_email"),
            cells.read(self.read_date, "order_date"),
            cells.read(self.read_status, "status"),
        )
        if values[3] is None and not row.cells["order_date"].strip():
            cells.problem("order_date is empty")
        if values[4] is None and not row.cells["status"].strip():
            cells.problem(f"status is empty (write {', '.join(IMPORT_STATUSES)})")
        self.claim_key(cells, number)
        return cells, values

    def _look_up(self, parsed: list[tuple[Cells, tuple[Any, ...]]]) -> None:
        """Find the ids of customers and salespeople not seen in earlier chunks (a query each)."""
        external_ids = {values[1] for _, values in parsed if values[1]} - set(self.customers)
        found = fetch_by_key([Customer.id], Customer.external_id, external_ids)
        # A customer merged into another is found under its old key too (core.merging).
        aliases = alias_targets({key for key in external_ids if key not in found})
        self.customers.update(
            {key: (found[key].id if key in found else aliases.get(key)) for key in external_ids}
        )
        emails = {values[2] for _, values in parsed if values[2]} - set(self.salespeople)
        users = fetch_by_key([User.id], User.email, emails)
        self.salespeople.update({key: (users[key].id if key in users else None) for key in emails})

    def write(self, progress: Progress) -> None:
        """Insert new orders, update changed ones, take cost snapshots, then tell the plugins."""
        db.session.flush()
        new = [item for item in self.pending if item.stored is None]
        changed = [item for item in self.pending if item.stored and not is_unchanged(item)]
        self.unchanged = len(self.pending) - len(new) - len(changed)
        progress.phase("Writing orders", len(new) + len(changed))
        now = utcnow()
        ids = self._insert(new, now, progress)
        self._update(changed, now, progress)
        take_cost_snapshots(
            [
                item.stored.id
                for item in changed
                if item.stored and item.stored.status == "draft" and item.status == "confirmed"
            ]
        )
        self.added, self.changed = len(new), len(changed)
        self.order_ids = sorted(ids + [item.stored.id for item in changed if item.stored])
        db.session.expire_all()
        if self.order_ids:
            run_hook("orders_imported", order_ids=self.order_ids)

    def _insert(self, new: list[Incoming], now: dt.datetime, progress: Progress) -> list[int]:
        """INSERT the new orders in bulk (executemany), then read their ids back by number."""
        table = Order.__table__
        ids: list[int] = []
        for part in chunks(new):
            rows = [
                {
                    "number": item.number,
                    "customer_id": item.customer_id,
                    "salesperson_id": item.salesperson_id,
                    "order_date": item.order_date,
                    "status": item.status,
                    "notes": "",
                    "created_at": now,
                    "confirmed_at": now if item.status == "confirmed" else None,
                    "cancelled_at": now if item.status == "cancelled" else None,
                }
                for item in part
            ]
            # Not RETURNING: keeping parameter order would make SQLite insert row by row.
            db.session.execute(table.insert(), rows)
            numbers = [item.number for item in part]
            ids += db.session.scalars(select(Order.id).where(Order.number.in_(numbers))).all()
            progress.advance(len(part))
        return ids

    def _update(self, changed: list[Incoming], now: dt.datetime, progress: Progress) -> None:
        """UPDATE the changed orders in bulk; confirmation and cancellation get their time."""
        table = Order.__table__
        statement = update(table).where(table.c.id == bindparam("order_id"))
        for part in chunks(changed):
            rows = []
            for item in part:
                assert item.stored is not None
                moved = item.stored.status != item.status
                rows.append(
                    {
                        "order_id": item.stored.id,
                        "customer_id": item.customer_id,
                        "salesperson_id": item.salesperson_id,
                        "order_date": item.order_date,
                        "status": item.status,
                        "confirmed_at": now if moved and item.status == "confirmed" else _KEEP,
                        "cancelled_at": now if moved and item.status == "cancelled" else _KEEP,
                    }
                )
            _update_keeping(statement, rows)
            progress.advance(len(part))


#: Marks a column an update leaves as it is.
_KEEP = object()

_STORED_COLUMNS = [
    Order.id,
    Order.customer_id,
    Order.salesperson_id,
    Order.order_date,
    Order.status,
    exists()
    .where(OrderLine.order_id == Order.id, OrderLine.refunded_on.is_not(None))
    .label("has_refunds"),
]


def _update_keeping(statement: Any, rows: list[dict[str, Any]]) -> None:
    """Run the UPDATE once per set of columns (rows leave _KEEP columns untouched)."""
    groups: dict[tuple[str, ...], list[dict[str, Any]]] = {}
    for row in rows:
        kept = {key: value for key, value in row.items() if value is not _KEEP}
        groups.setdefault(tuple(sorted(kept)), []).append(kept)
    for group in groups.values():
        db.session.execute(statement, group)


def take_cost_snapshots(order_ids: list[int]) -> None:
    """Give the lines of newly confirmed orders that have no cost the product's current cost."""
    table = OrderLine.__table__
    statement = update(table).where(table.c.id == bindparam("line_id"))
    for part in chunks(order_ids):
        lines = db.session.execute(
            select(OrderLine.id, OrderLine.quantity, Product.unit_cost)
            .join(Product, Product.id == OrderLine.product_id)
            .where(OrderLine.order_id.in_(part), OrderLine.unit_cost.is_(None))
        ).all()
        rows = [
            {"line_id": line_id, "unit_cost": cost, "cost_amount": line_cost(quantity, cost)}
            for line_id, quantity, cost in lines
        ]
        if rows:
            db.session.execute(statement, rows)
