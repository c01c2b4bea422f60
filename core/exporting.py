"""`clientele export`: the five import formats written from the database, streamed in chunks.

An exported file imports back unchanged (export → import round-trips): the columns are the
import columns, amounts have two decimals, quantities and discounts are plain numbers,
dates are YYYY-MM-DD and moments YYYY-MM-DD HH:MM:SS. An order whose lines were refunded in
the app is written as "confirmed" (refunds are made in the app, with their own date), and
order lines keep their cost snapshot, so history imports back as it was.

Customers are keyed by external_id; a customer created in the app without one is given
"CUST-<id>" when customers are exported (as Odoo gives records an external ID on export),
so the file can be imported back and orders can refer to it.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

from sqlalchemy import String, Table, case, cast, func, literal, select, update
from sqlalchemy.orm import aliased

from core.csvfiles import CsvWriter
from core.db import db
from core.importing import FORMATS, NoProgress, Progress
from core.models import Customer, Order, OrderLine, Product, User
from core.money import format_quantity

#: Rows fetched from the database at a time.
CHUNK = 2000
#: Columns written with exactly two decimals; other Decimals are written as plain numbers.
MONEY_COLUMNS = frozenset({"list_price", "unit_cost", "unit_price"})


@dataclass(frozen=True)
class Export:
    """One export format: its columns and the statement that selects them in that order."""

    kind: str
    statement: Callable[[], Any]

    @property
    def columns(self) -> tuple[str, ...]:
        """The import format's columns."""
        return FORMATS[self.kind].columns


def _users() -> Any:
    """email, name, role."""
    return select(User.email, User.name, User.role).order_by(User.id)


def _customers() -> Any:
    """The customer columns, with the owner's e-mail."""
    owner = aliased(User)
    return (
        select(
            Customer.external_id,
            Customer.name,
            Customer.company,
            Customer.email,
            Customer.phone,
            Customer.country,
            Customer.region,
            Customer.city,
            Customer.channel,
            Customer.birthday,
            owner.email,
            Customer.tags,
            Customer.created_at,
        )
        .outerjoin(owner, owner.id == Customer.owner_id)
        .order_by(Customer.id)
    )


def _products() -> Any:
    """sku, name, category, list_price, unit_cost, active."""
    return select(
        Product.sku,
        Product.name,
        Product.category,
        Product.list_price,
        Product.unit_cost,
        Product.active,
    ).order_by(Product.id)


def _orders() -> Any:
    """The order columns; a refunded order is written as confirmed."""
    salesperson = aliased(User)
    return (
        select(
            Order.number,
            Customer.external_id,
            salesperson.email,
            Order.order_date,
            case((Order.status == "refunded", "confirmed"), else_=Order.status),
        )
        .join(Customer, Customer.id == Order.customer_id)
        .outerjoin(salesperson, salesperson.id == Order.salesperson_id)
        .order_by(Order.id)
    )


def _order_lines() -> Any:
    """The lines of every order, in order and position order."""
    return (
        select(
            Order.number,
            Product.sku,
            OrderLine.quantity,
            OrderLine.unit_price,
            OrderLine.discount,
            OrderLine.unit_cost,
        )
        .join(Order, Order.id == OrderLine.order_id)
        .join(Product, Product.id == OrderLine.product_id)
        .order_by(Order.id, OrderLine.position, OrderLine.id)
    )


EXPORTS = {
    export.kind: export
    for export in (
        Export("users", _users),
        Export("customers", _customers),
        Export("products", _products),
        Export("orders", _orders),
        Export("order-lines", _order_lines),
    )
}


def cell(column: str, value: Any) -> str:
    """A value as the import reads it back."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, Decimal):
        if column in MONEY_COLUMNS:
            return f"{value:.2f}"
        return format_quantity(value)
    if isinstance(value, dt.datetime):
        return value.isoformat(sep=" ")
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value)


def give_external_ids() -> int:
    """Give customers without an external_id "CUST-<id>" (when free); returns how many got one."""
    table: Table = Customer.__table__
    candidate = literal("CUST-") + cast(table.c.id, String)
    taken = select(table.c.external_id).where(table.c.external_id.is_not(None)).scalar_subquery()
    statement = (
        update(table)
        .where(table.c.external_id.is_(None), candidate.not_in(taken))
        .values(external_id=candidate)
    )
    count = int(db.session.execute(statement).rowcount or 0)  # type: ignore[attr-defined]
    db.session.expire_all()
    return count


def export_rows(kind: str) -> Iterator[list[str]]:
    """The rows of one format as text cells, fetched from the database in chunks."""
    export = EXPORTS[kind]
    columns = export.columns
    statement = export.statement().execution_options(yield_per=CHUNK)
    for row in db.session.execute(statement):
        yield [cell(column, value) for column, value in zip(columns, row, strict=True)]


def count_rows(kind: str) -> int:
    """How many rows an export of this format writes (one query)."""
    statement = EXPORTS[kind].statement().order_by(None)
    return int(db.session.scalar(select(func.count()).select_from(statement.subquery())) or 0)


def export_file(kind: str, path: Path, progress: Progress | None = None) -> int:
    """Write the format's header and rows to path; returns the number of rows written."""
    progress = progress or NoProgress()
    export = EXPORTS[kind]
    progress.phase(f"Exporting {kind}", count_rows(kind))
    written = 0
    with path.open("w", encoding="utf-8", newline="") as output:
        writer = CsvWriter(output, lineterminator="\r\n")
        writer.writerow(export.columns)
        for row in export_rows(kind):
            writer.writerow(row)
            written += 1
            if written % CHUNK == 0:
                progress.advance(CHUNK)
    progress.advance(written % CHUNK)
    return written
