"""Importing products (key: sku): name, category, list price, unit cost and whether it is still sold.

A new product needs a name, a list price and a unit cost; an existing one keeps what an
empty cell leaves unknown. Changing a unit cost only affects orders confirmed later: the
lines of confirmed orders keep their cost snapshot.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from functools import partial
from typing import Any

from core.db import db
from core.importing import cells as read
from core.importing.base import (
    Cells,
    Importer,
    Pending,
    Progress,
    apply_fields,
    chunks,
    fetch_by_key,
    load_by_id,
)
from core.importing.reading import Row
from core.models import Product

PRODUCT_READERS: dict[str, Callable[[str], Any]] = {
    "sku": partial(read.text, column="sku", max_length=64, required=True),
    "name": partial(read.text, column="name", max_length=200),
    "category": partial(read.text, column="category", max_length=100),
    "list_price": partial(read.money, column="list_price"),
    "unit_cost": partial(read.money, column="unit_cost"),
    "active": partial(read.flag, column="active"),
}

#: What a new product cannot do without.
REQUIRED_FOR_NEW = ("name", "list_price", "unit_cost")


class ProductsImport(Importer):
    """products: sku, name, category, list_price, unit_cost, active."""

    kind = "products"
    columns = tuple(PRODUCT_READERS)
    key_column = "sku"

    def __init__(self) -> None:
        super().__init__()
        self.pending: list[Pending] = []

    def check(self, rows: Sequence[Row]) -> None:
        """Read every cell; a new product needs a name, a list price and a unit cost."""
        parsed = []
        for row in rows:
            cells = Cells(row)
            fields = {
                column: cells.read(reader, column) for column, reader in PRODUCT_READERS.items()
            }
            self.claim_key(cells, fields["sku"])
            parsed.append((cells, fields))
        existing = fetch_by_key(
            [Product.id], Product.sku, [fields["sku"] for _, fields in parsed if fields["sku"]]
        )
        for cells, fields in parsed:
            found = fields["sku"] in existing
            if not found and fields["sku"] is not None:
                for column in REQUIRED_FOR_NEW:
                    if fields[column] is None and not cells.row.cells[column].strip():
                        cells.problem(f"{column} is empty (a new product needs it)")
            if self.settle(cells):
                known = {key: value for key, value in fields.items() if value is not None}
                existing_id = existing[fields["sku"]].id if found else None
                self.pending.append(Pending(cells.row.line, known, existing_id))

    def write(self, progress: Progress) -> None:
        """Add new products and update existing ones, chunk by chunk."""
        progress.phase("Writing products", len(self.pending))
        for part in chunks(self.pending):
            products = load_by_id(Product, [item.existing_id for item in part if item.existing_id])
            for item in part:
                if item.existing_id is None:
                    db.session.add(Product(**item.fields))
                    self.added += 1
                    continue
                changes = apply_fields(products[item.existing_id], item.fields)
                self.changed += bool(changes)
                self.unchanged += not changes
            db.session.flush()
            progress.advance(len(part))
