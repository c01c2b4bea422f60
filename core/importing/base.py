"""What every import format shares: collecting rejections, duplicate keys, chunked key lookups, progress."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any, ClassVar, Protocol, TypeVar

from sqlalchemy import Numeric, select

from core.db import db
from core.importing.cells import CellError, refuse_control_characters
from core.importing.reading import Row

T = TypeVar("T")

#: Rows checked together, and keys looked up in one query.
CHUNK = 2000


class Progress(Protocol):
    """Receives the progress of an import (the command line shows it as a bar)."""

    def phase(self, label: str, total: int) -> None:
        """A new phase starts with this many units of work."""

    def advance(self, done: int) -> None:
        """This many more units of the current phase are done."""


class NoProgress:
    """Progress that shows nothing (the default outside the command line)."""

    def phase(self, label: str, total: int) -> None:
        """Ignore the new phase."""

    def advance(self, done: int) -> None:
        """Ignore the progress."""


def chunks(items: Sequence[T], size: int | None = None) -> Iterator[Sequence[T]]:
    """Consecutive slices of at most size items (default CHUNK)."""
    size = size or CHUNK
    for start in range(0, len(items), size):
        yield items[start : start + size]


def fetch_by_key(columns: Sequence[Any], key: Any, keys: Iterable[Any]) -> dict[Any, Any]:
    """Rows of select(key, *columns) whose key is in keys, by key: one query per chunk of keys."""
    found: dict[Any, Any] = {}
    wanted = sorted(set(keys))
    for part in chunks(wanted):
        for row in db.session.execute(select(key, *columns).where(key.in_(part))):
            found[row[0]] = row
    return found


@dataclass
class Pending:
    """A checked row waiting to be written: its known fields and the id of the record it updates."""

    line: int
    fields: dict[str, Any]
    existing_id: int | None


def insert_many(table: Any, columns: Sequence[str], rows: Sequence[tuple[Any, ...]]) -> None:
    """INSERT the rows (tuples in the order of columns) in bulk on the driver.

    The bulk path skips SQLAlchemy's per-value processing, so values must already be what
    the columns store: ints, None, and Decimals rounded to the column's places (which the
    importers do with the money rules). PostgreSQL (psycopg) gets them with COPY, its bulk
    loading path; other databases with one executemany, SQLite as floats since it has no
    decimal type (as SQLAlchemy itself would bind them).
    """
    if not rows:
        return
    connection = db.session.connection()
    dialect = connection.dialect
    quote = dialect.identifier_preparer.quote
    names = ", ".join(quote(column) for column in columns)
    if dialect.driver == "psycopg":
        cursor: Any = connection.connection.cursor()
        with cursor.copy(f"COPY {quote(table.name)} ({names}) FROM STDIN") as copy:
            for row in rows:
                copy.write_row(row)
        cursor.close()
        return
    marker = "?" if dialect.paramstyle == "qmark" else "%s"
    statement = (
        f"INSERT INTO {quote(table.name)} ({names}) VALUES ({', '.join([marker] * len(columns))})"
    )
    if not dialect.supports_native_decimal:
        rows = _decimals_as_floats(table, columns, rows)
    connection.exec_driver_sql(statement, list(rows))


def _decimals_as_floats(
    table: Any, columns: Sequence[str], rows: Sequence[tuple[Any, ...]]
) -> list[tuple[Any, ...]]:
    """The rows with the values of decimal columns as floats, column by column (fast)."""
    values = [list(column) for column in zip(*rows, strict=True)]
    for position, name in enumerate(columns):
        column_type = table.c[name].type
        if isinstance(getattr(column_type, "impl", column_type), Numeric):
            values[position] = [
                None if value is None else float(value) for value in values[position]
            ]
    return list(zip(*values, strict=True))


class Cells:
    """Reads the cells of one row, collecting every problem instead of stopping at the first."""

    def __init__(self, row: Row) -> None:
        self.row = row
        self.problems: list[str] = []

    def read(self, reader: Callable[[str], Any], column: str) -> Any:
        """The reader's value for the column's cell, or None after noting the problem."""
        try:
            value = self.row.cells[column]
            refuse_control_characters(value, column)
            return reader(value)
        except CellError as error:
            self.problems.append(str(error))
            return None

    def problem(self, message: str) -> None:
        """Note a problem found by a rule that spans cells or the database."""
        self.problems.append(message)


class Importer:
    """One import format: check rows chunk by chunk, then write everything that passed."""

    kind: ClassVar[str]
    columns: ClassVar[tuple[str, ...]]
    #: The column whose value identifies a row (the idempotence key).
    key_column: ClassVar[str]

    def __init__(self) -> None:
        self.rejected: dict[int, str] = {}
        self.rows = 0
        self.added = 0
        self.changed = 0
        self.unchanged = 0
        #: Orders the file created or changed (given to orders_imported).
        self.order_ids: list[int] = []
        #: Rows written with soft fields kept as typed and flagged: line → what and why.
        self.flagged: dict[int, list[str]] = {}
        #: Rows matched but deliberately not written (a merged customer's old key): line → why.
        self.skipped: dict[int, str] = {}
        self._first_line: dict[str, int] = {}

    def reject(self, line: int, reason: str) -> None:
        """Refuse the row on this line (the first reason given is kept)."""
        self.rejected.setdefault(line, reason)

    def claim_key(self, cells: Cells, key: str | None) -> None:
        """Note a problem when the key appeared on an earlier row of the file."""
        if key is None:
            return
        first = self._first_line.setdefault(key, cells.row.line)
        if first != cells.row.line:
            cells.problem(f"{self.key_column} '{key}' appears again (first on line {first})")

    def settle(self, cells: Cells) -> bool:
        """Reject the row when it has problems; True when it passed."""
        if cells.problems:
            self.reject(cells.row.line, "; ".join(cells.problems))
            return False
        return True

    def check(self, rows: Sequence[Row]) -> None:
        """Check a chunk of rows, keeping what the write needs and rejecting the rest."""
        raise NotImplementedError

    def finish_check(self) -> None:
        """Rules that need the whole file (run after the last chunk)."""

    def write(self, progress: Progress) -> None:
        """Write every row that passed, in bulk, and update the counts."""
        raise NotImplementedError


def load_by_id(model: Any, ids: list[int]) -> dict[int, Any]:
    """The records with these ids, by id, in one query."""
    if not ids:
        return {}
    return {
        record.id: record for record in db.session.scalars(select(model).where(model.id.in_(ids)))
    }


def apply_fields(record: Any, fields: dict[str, Any]) -> dict[str, tuple[Any, Any]]:
    """Set the fields that differ on the record; returns {field: (old, new)}."""
    changes = {}
    for key, value in fields.items():
        old = getattr(record, key)
        if old != value:
            changes[key] = (old, value)
            setattr(record, key, value)
    return changes
