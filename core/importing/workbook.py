"""Reading an import file that is an Excel workbook (.xlsx): its first sheet, row by row.

The same rules as CSV: the first non-empty row is the header and names exactly the format's
columns; blank rows are skipped; "line N" is the sheet's row number, what Excel shows at the
left. The workbook is opened read-only (openpyxl streams it, so a 100,000-row sheet is never
held at once) with the values formulas last computed to.

Cells become the text the CSV importer reads: a number as its shortest exact digits (4.35,
12, 1234567), a date as YYYY-MM-DD, a date and time as YYYY-MM-DD HH:MM:SS, true/false. A
text cell is taken as it is: workbooks have no quoting, so nothing is unquoted. Empty columns
to the right of the header (a sheet's used range is often wider) are ignored.
"""

from __future__ import annotations

import datetime as dt
import zipfile
from collections.abc import Iterator, Sequence
from pathlib import Path
from types import TracebackType
from typing import Any

from core.importing.reading import BadRow, ImportFileError, Row, check_header

#: File name endings read as workbooks (the macro-enabled kind holds the same sheets).
SUFFIXES = (".xlsx", ".xlsm")


def is_workbook(path: Path) -> bool:
    """True when the file is to be read as an Excel workbook (by its name)."""
    return path.suffix.lower() in SUFFIXES


def cell_text(value: Any) -> str:
    """The text of one cell as the importer reads it (see the module's docstring)."""
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, dt.datetime):
        if value.time() == dt.time():
            return value.date().isoformat()
        return value.replace(microsecond=0).isoformat(sep=" ")
    if isinstance(value, (dt.date, dt.time)):
        return value.isoformat()
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else repr(value)
    return str(value)


def _open(path: Path) -> Any:
    """The workbook, read-only with computed values; ImportFileError when it is not one."""
    from openpyxl import load_workbook

    try:
        return load_workbook(path, read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, ValueError, OSError) as error:
        raise ImportFileError(
            f"the file is not a readable .xlsx workbook ({error}); save it again as "
            "'Excel Workbook (.xlsx)' or as 'CSV UTF-8'"
        ) from None


def _trimmed(values: Sequence[Any]) -> list[str]:
    """A row's cells as text without the empty cells at its end."""
    cells = [cell_text(value) for value in values]
    while cells and not cells[-1].strip():
        cells.pop()
    return cells


class XlsxSource:
    """An open workbook whose first sheet's header has been checked against the columns."""

    def __init__(self, path: Path, columns: Sequence[str] | None) -> None:
        self.path = path
        self.columns = tuple(columns) if columns is not None else None
        self._book = _open(path)
        try:
            if not self._book.worksheets:
                raise ImportFileError("the workbook has no sheet")
            sheet = self._book.worksheets[0]
            #: Rows of the sheet (what progress counts in; 0 when the file does not say).
            self.size = int(sheet.max_row or 0)
            self._rows = enumerate(sheet.iter_rows(values_only=True), start=1)
            self._line = 0
            self.header = self._read_header()
        except BaseException:
            self.close()
            raise

    def __enter__(self) -> XlsxSource:
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.close()

    def close(self) -> None:
        """Close the workbook."""
        self._book.close()

    def position(self) -> int:
        """Sheet rows read so far (for a progress bar)."""
        return min(self._line, self.size)

    def _next(self) -> list[str] | None:
        """The next row's cells as text (trailing empty ones dropped), or None at the end."""
        try:
            self._line, values = next(self._rows)
        except StopIteration:
            return None
        return _trimmed(values)

    def _read_header(self) -> tuple[str, ...]:
        first = self._next()
        while first is not None and not any(cell.strip() for cell in first):
            first = self._next()
        return check_header(first, self.columns, self._line)

    def rows(self) -> Iterator[Row | BadRow]:
        """Each data row in sheet order; a row with cells right of the header comes as BadRow."""
        width = len(self.header)
        while True:
            cells = self._next()
            if cells is None:
                return
            if not any(cell.strip() for cell in cells):
                continue
            if len(cells) > width:
                yield BadRow(self._line, len(cells))
                continue
            cells += [""] * (width - len(cells))
            yield Row(self._line, dict(zip(self.header, cells, strict=True)))


def workbook_rows_by_line(path: Path, lines: set[int]) -> Iterator[tuple[int, list[str]]]:
    """The cells, as text, of the first sheet's rows with these numbers (for the errors file)."""
    book = _open(path)
    try:
        for number, values in enumerate(book.worksheets[0].iter_rows(values_only=True), start=1):
            if number in lines:
                yield number, _trimmed(values)
    finally:
        book.close()
