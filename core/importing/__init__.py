"""`clientele import`: five formats, from CSV or .xlsx, checked row by row in Python, then written in bulk.

    result = import_file("customers", Path("customers.csv"), skip_invalid=False)
    if result.written: db.session.commit()

Every row is checked before anything is written, so a file is atomic: when a row is
rejected nothing is written (``result.written`` is False) unless ``skip_invalid`` is given,
in which case the valid rows are written and the rejected ones are reported. The caller
commits or rolls back. Import is idempotent: keys are email, external_id, sku and number,
and the lines given for an order replace that order's lines. The formats and rules are in
docs/import.md.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from core.csvfiles import CsvWriter, read_cell
from core.importing import base
from core.importing.base import Importer, NoProgress, Progress
from core.importing.catalogue import ProductsImport
from core.importing.order_lines import OrderLinesImport
from core.importing.orders import OrdersImport
from core.importing.people import CustomersImport, UsersImport
from core.importing.reading import (
    BadRow,
    CsvSource,
    ImportFileError,
    MappedSource,
    Row,
    raw_rows_by_line,
)
from core.importing.workbook import XlsxSource, is_workbook, workbook_rows_by_line

__all__ = [
    "FORMATS",
    "ImportFileError",
    "ImportResult",
    "NoProgress",
    "Progress",
    "import_file",
    "write_errors",
]

#: Every import format by the name the command line uses.
FORMATS: dict[str, type[Importer]] = {
    importer.kind: importer
    for importer in (UsersImport, CustomersImport, ProductsImport, OrdersImport, OrderLinesImport)
}


@dataclass
class ImportResult:
    """What an import did: rows read, records added / changed / unchanged, rows rejected."""

    kind: str
    path: Path
    header: tuple[str, ...]
    rows: int = 0
    added: int = 0
    changed: int = 0
    unchanged: int = 0
    #: Rejected rows: line number → reason.
    rejected: dict[int, str] = field(default_factory=dict)
    #: False when a rejected row stopped the whole file (nothing was written).
    written: bool = False
    #: Orders given to the orders_imported hook.
    order_ids: list[int] = field(default_factory=list)
    #: Rows written with a soft field kept as typed, to check: line → notes.
    flagged: dict[int, list[str]] = field(default_factory=dict)
    #: Rows not written on purpose (a merged customer's old key): line → why.
    skipped: dict[int, str] = field(default_factory=dict)

    @property
    def notes(self) -> list[str]:
        """What was kept as typed or skipped on purpose, as "line N: ...", in file order."""
        notes = [(line, note) for line, notes in self.flagged.items() for note in notes]
        notes += list(self.skipped.items())
        return [f"line {line}: {note}" for line, note in sorted(notes)]

    @property
    def problems(self) -> list[str]:
        """Each rejected row as "line N: reason", in file order."""
        return [f"line {line}: {reason}" for line, reason in sorted(self.rejected.items())]

    @property
    def counted(self) -> str:
        """What added / changed / unchanged count: orders for order lines, else the rows' records."""
        return "orders" if self.kind == "order-lines" else self.kind


def import_file(
    kind: str,
    path: Path,
    skip_invalid: bool = False,
    progress: Progress | None = None,
    mapping: dict[str, str] | None = None,
) -> ImportResult:
    """Check every row of the file, then write the valid ones if all are valid or skip_invalid.

    ``mapping`` ({the file's column: the format's column}, the web import) takes a file with
    its own header; without it the header must name exactly the format's columns. Raises
    ImportFileError when the file itself is unusable (no known encoding, wrong header, broken
    CSV); plugins' orders_imported errors come as PluginError. Nothing is committed.
    """
    if kind not in FORMATS:
        raise ImportFileError(f"unknown format {kind!r}; use one of {', '.join(FORMATS)}")
    if path.suffix.lower() == ".xls":
        raise ImportFileError(
            "old Excel 97-2003 workbooks (.xls) cannot be read; save it as "
            "'Excel Workbook (.xlsx)' or as 'CSV UTF-8'"
        )
    importer = FORMATS[kind]()
    progress = progress or NoProgress()
    opened = XlsxSource if is_workbook(path) else CsvSource
    with opened(path, None if mapping is not None else importer.columns) as source:
        header = source.header
        if mapping is not None:
            check_mapping(importer, header, mapping)
            _check_rows(importer, MappedSource(source, mapping, importer.columns), progress)
        else:
            _check_rows(importer, source, progress)
    importer.finish_check()
    result = ImportResult(kind, path, header, rows=importer.rows, rejected=importer.rejected)
    if importer.rejected and not skip_invalid:
        return result
    importer.write(progress)
    result.written = True
    result.added, result.changed, result.unchanged = (
        importer.added,
        importer.changed,
        importer.unchanged,
    )
    result.order_ids = importer.order_ids
    result.flagged = importer.flagged
    result.skipped = importer.skipped
    return result


def check_mapping(importer: Importer, header: tuple[str, ...], mapping: dict[str, str]) -> None:
    """ImportFileError unless the mapping names the file's columns and the format's, each
    format column at most once, and maps the format's key."""
    unknown = sorted(set(mapping) - set(header))
    if unknown:
        raise ImportFileError(f"the file has no column(s) {', '.join(unknown)}")
    fields = list(mapping.values())
    wrong = sorted(set(fields) - set(importer.columns))
    if wrong:
        raise ImportFileError(f"{', '.join(wrong)} is not a column of {importer.kind}")
    twice = sorted({field for field in fields if fields.count(field) > 1})
    if twice:
        raise ImportFileError(f"several columns are mapped to {', '.join(twice)}")
    if importer.key_column not in fields:
        raise ImportFileError(
            f"map a column to {importer.key_column} (the key rows are matched on)"
        )


def _check_rows(importer: Importer, source: Any, progress: Progress) -> None:
    """Feed the file's rows to the importer chunk by chunk, showing progress (bytes or sheet rows)."""
    progress.phase(f"Checking {source.path.name}", source.size)
    reported = 0
    batch: list[Row] = []
    for row in source.rows():
        importer.rows += 1
        if isinstance(row, BadRow):
            importer.reject(
                row.line, f"has {row.count} cells but the header has {len(source.header)} columns"
            )
            continue
        batch.append(row)
        if len(batch) >= base.CHUNK:
            importer.check(batch)
            batch = []
            position = source.position()
            progress.advance(position - reported)
            reported = position
    if batch:
        importer.check(batch)
    progress.advance(source.size - reported)


def write_errors(result: ImportResult, path: Path) -> int:
    """Write the rejected rows as they were in the file, plus a reason column; returns the count."""
    width = len(result.header)
    with path.open("w", encoding="utf-8", newline="") as output:
        writer = CsvWriter(output, lineterminator="\r\n")
        writer.writerow([*result.header, "reason"])
        rows: Iterator[tuple[int, list[str]]]
        if is_workbook(result.path):
            rows = workbook_rows_by_line(result.path, set(result.rejected))
        else:
            # Unquoted first, so the file imports again as the original would have.
            rows = (
                (line, [read_cell(cell) for cell in raw])
                for line, raw in raw_rows_by_line(result.path, set(result.rejected))
            )
        for line, cells in rows:
            cells = cells + [""] * (width - len(cells))
            writer.writerow([*cells, f"line {line}: {result.rejected[line]}"])
    return len(result.rejected)
