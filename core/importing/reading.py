"""Reading an import file: UTF-8 CSV, comma-separated, a header row, rows numbered as in an editor.

Line numbers count physical lines with the header as line 1, so "line 7" is what a person
sees in a text editor or spreadsheet even when a quoted cell spans several lines (the
number is then the line where the row starts). Blank rows (trailing ",,,," from
spreadsheets included) are skipped.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType

from core.csvfiles import read_cell


class ImportFileError(Exception):
    """The file as a whole cannot be imported (encoding, header, CSV syntax); nothing is written."""


@dataclass(frozen=True)
class Row:
    """One data row: the line it starts on and its cells by column name (untrimmed)."""

    line: int
    cells: dict[str, str]


@dataclass(frozen=True)
class BadRow:
    """A data row whose number of cells does not match the header."""

    line: int
    count: int


class CsvSource:
    """An open import file whose header has been checked against the expected columns."""

    def __init__(self, path: Path, columns: Sequence[str]) -> None:
        self.path = path
        self.columns = tuple(columns)
        self.size = path.stat().st_size
        self._binary = path.open("rb")
        self._text = io.TextIOWrapper(self._binary, encoding="utf-8-sig", newline="")
        self._reader = csv.reader(self._text, strict=True)
        try:
            self.header = self._read_header()
        except BaseException:
            self.close()
            raise

    def __enter__(self) -> CsvSource:
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.close()

    def close(self) -> None:
        """Close the file."""
        self._text.close()

    def position(self) -> int:
        """Bytes of the file read so far (for a progress bar)."""
        return min(self._binary.tell(), self.size)

    def _next(self) -> list[str] | None:
        """The next raw row, or None at the end; file-level problems become ImportFileError."""
        line = self._reader.line_num + 1
        try:
            return next(self._reader)
        except StopIteration:
            return None
        except UnicodeDecodeError:
            raise ImportFileError(_encoding_message(self.path)) from None
        except csv.Error as error:
            raise ImportFileError(f"line {line}: the file is not valid CSV ({error})") from None

    def _read_header(self) -> tuple[str, ...]:
        """Read the first row and check it names exactly the expected columns (in any order)."""
        expected = ", ".join(self.columns)
        first = self._next()
        while first is not None and not any(cell.strip() for cell in first):
            first = self._next()
        if first is None:
            raise ImportFileError(
                f"the file is empty; its first line must be the header: {expected}"
            )
        header = tuple(cell.strip() for cell in first)
        problems = []
        repeated = sorted({name for name in header if header.count(name) > 1})
        if repeated:
            problems.append("repeated column(s) " + ", ".join(repeated))
        missing = [name for name in self.columns if name not in header]
        if missing:
            problems.append("missing column(s) " + ", ".join(missing))
        extra = [name or "(empty)" for name in header if name not in self.columns]
        if extra:
            problems.append("unknown column(s) " + ", ".join(extra))
        if problems:
            where = f"line {self._reader.line_num}"
            raise ImportFileError(
                f"{where}: {'; '.join(problems)}. The header must be exactly: {expected}"
            )
        return header

    def rows(self) -> Iterator[Row | BadRow]:
        """Each data row in file order; a row with the wrong number of cells comes as BadRow."""
        width = len(self.header)
        while True:
            line = self._reader.line_num + 1
            raw = self._next()
            if raw is None:
                return
            if not any(cell.strip() for cell in raw):
                continue
            if len(raw) != width:
                yield BadRow(line, len(raw))
                continue
            cells = (read_cell(cell) for cell in raw)
            yield Row(line, dict(zip(self.header, cells, strict=True)))


def _encoding_message(path: Path) -> str:
    """Say on which line the file stops being UTF-8 (read again line by line to find it)."""
    with path.open("rb") as binary:
        for number, raw_line in enumerate(binary, start=1):
            try:
                raw_line.decode("utf-8")
            except UnicodeDecodeError as error:
                byte = raw_line[error.start]
                return (
                    f"line {number}: the file is not UTF-8 text (byte 0x{byte:02x}); "
                    "save it as 'CSV UTF-8' and import it again"
                )
    return "the file is not UTF-8 text; save it as 'CSV UTF-8' and import it again"


def raw_rows_by_line(path: Path, lines: set[int]) -> Iterator[tuple[int, list[str]]]:
    """The raw cells of the data rows starting on the given lines (for the errors file)."""
    with path.open(encoding="utf-8-sig", newline="") as text:
        reader = csv.reader(text, strict=True)
        while True:
            line = reader.line_num + 1
            raw = next(reader, None)
            if raw is None:
                return
            if line in lines:
                yield line, raw
