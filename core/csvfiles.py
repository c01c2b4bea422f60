"""CSV files the app writes (exports, downloads, `--format csv`): one writer for all of them.

A spreadsheet runs a cell that starts with ``=``, ``+``, ``-`` or ``@`` (and, in some, a tab
or a carriage return) as a formula, so a customer named ``=HYPERLINK(...)`` would become a
link, or worse, in the clerk's spreadsheet ("CSV injection"). As OWASP recommends, such a
text cell is written with a single quote in front (``'=HYPERLINK(...)``), which spreadsheets
show as text. Numbers stay numbers: a cell that is exactly a decimal number (``-12.30``,
``42``) cannot be a formula and is written as it is, so refunds, clawbacks and negative
adjustments read back as numbers. A phone number such as ``+49 30 947248`` is text and gets
the quote.

`clientele import` undoes the quote (``read_cell``), so an export imports back unchanged. To
keep that exact, a text that itself starts with a quote followed by one of those characters
or another quote gets one more quote; any other leading quote (``'s-Hertogenbosch``) is left
alone both ways.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable, Iterator, Sequence
from decimal import Decimal
from typing import Any, Protocol

from flask import Response, stream_with_context

#: First characters that make a spreadsheet read a cell as a formula (OWASP's list).
FORMULA_STARTS = frozenset("=+-@\t\r")
#: A plain decimal number, which a spreadsheet reads as a number whatever its sign.
_NUMBER = re.compile(r"-?\d+(\.\d+)?")


class _Writable(Protocol):
    def write(self, text: str, /) -> Any: ...


def _needs_quote(text: str) -> bool:
    """True when text would start a formula, or starts with the quote that marks one."""
    if not text:
        return False
    if text[0] in FORMULA_STARTS:
        return _NUMBER.fullmatch(text) is None
    return text[0] == "'" and len(text) > 1 and (text[1] in FORMULA_STARTS or text[1] == "'")


def safe_cell(value: Any) -> str:
    """The text of a cell as written to a CSV file: None is empty, formulas are quoted."""
    if value is None:
        return ""
    text = value if isinstance(value, str) else str(value)
    return "'" + text if _needs_quote(text) else text


def read_cell(text: str) -> str:
    """Undo safe_cell on a cell read from a CSV file (the import does this for every cell)."""
    if len(text) > 1 and text[0] == "'" and (text[1] in FORMULA_STARTS or text[1] == "'"):
        return text[1:]
    return text


class CsvWriter:
    """csv.writer whose rows go through safe_cell (header included)."""

    def __init__(self, output: _Writable, lineterminator: str = "\n") -> None:
        self._writer = csv.writer(output, lineterminator=lineterminator)

    def writerow(self, row: Iterable[Any]) -> None:
        self._writer.writerow([safe_cell(value) for value in row])

    def writerows(self, rows: Iterable[Iterable[Any]]) -> None:
        for row in rows:
            self.writerow(row)


def csv_text(header: Sequence[str], rows: Iterable[Iterable[Any]]) -> str:
    """A whole CSV document as text: the header row, then the rows."""
    buffer = io.StringIO()
    writer = CsvWriter(buffer)
    writer.writerow(header)
    writer.writerows(rows)
    return buffer.getvalue()


def csv_download(filename: str, header: Sequence[str], rows: Iterable[Iterable[Any]]) -> Response:
    """A CSV attachment, streamed in chunks of about 64 kB so a long export never sits in memory."""

    def chunks() -> Iterator[str]:
        buffer = io.StringIO()
        writer = CsvWriter(buffer)
        writer.writerow(header)
        for row in rows:
            writer.writerow(row)
            if buffer.tell() > 64_000:
                yield buffer.getvalue()
                buffer.seek(0)
                buffer.truncate()
        yield buffer.getvalue()

    return Response(
        stream_with_context(chunks()),
        mimetype="text/csv",
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )


def xlsx_download(filename: str, header: Sequence[str], rows: Iterable[Iterable[Any]]) -> Response:
    """An xlsx attachment of one sheet: the header row, then the rows.

    Decimals go in as numbers with a number format of their own places (openpyxl writes a
    Decimal's exact digits, never a float rounded otherwise); None is an empty cell. Every text
    is a text cell, so ``=HYPERLINK(...)`` is shown, never run as a formula.
    """
    from openpyxl import Workbook

    book = Workbook(write_only=True)
    sheet = book.create_sheet(filename.rsplit(".", 1)[0][:31])
    sheet.append([_xlsx_cell(sheet, name) for name in header])
    for row in rows:
        sheet.append([_xlsx_cell(sheet, value) for value in row])
    data = io.BytesIO()
    book.save(data)
    return Response(
        data.getvalue(),
        mimetype="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )


def _xlsx_cell(sheet: Any, value: Any) -> Any:
    from openpyxl.cell import WriteOnlyCell

    if value is None or isinstance(value, (int, float)) and not isinstance(value, bool):
        return value
    if isinstance(value, Decimal):
        cell = WriteOnlyCell(sheet, value=value)
        places = -int(value.as_tuple().exponent)
        cell.number_format = "0." + "0" * places if places > 0 else "0"
        return cell
    cell = WriteOnlyCell(sheet, value=str(value))
    cell.data_type = "s"
    return cell
