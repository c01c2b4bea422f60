"""Reading an import file: CSV in any common encoding and delimiter, a header row, rows numbered as in an editor.

The encoding is detected: UTF-8 with or without a byte order mark, UTF-16 with one, else
what charset-normalizer finds (Latin-1, Windows-1252, GBK, ...). The delimiter is the one of
comma, semicolon, tab and bar that splits the first lines consistently (csv.Sniffer); a file
where none does is read with commas.

Line numbers count physical lines with the header as line 1, so "line 7" is what a person
sees in a text editor or spreadsheet even when a quoted cell spans several lines (the
number is then the line where the row starts). Blank rows (trailing ",,,," from
spreadsheets included) are skipped.
"""

from __future__ import annotations

import codecs
import csv
import io
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType
from typing import Any

import charset_normalizer

from core.csvfiles import read_cell

#: Delimiters a spreadsheet program writes CSV with.
DELIMITERS = ",;\t|"

#: Bytes of a file that is not UTF-8 its encoding is detected from (the detector is slow).
DETECTED = 1024 * 1024

#: Encodings by how often spreadsheet programs write them, preferred when the detector's
#: readings tie (Western European Windows, Chinese, then the others).
PREFERRED = ("cp1252", "latin_1", "gb18030", "gbk", "gb2312", "big5", "shift_jis", "cp1251")

#: How much more "chaos" (charset-normalizer's measure of unlikely text) still counts as a tie.
TIE = 0.05

#: Bytes of the file the delimiter is guessed from.
SAMPLE = 64 * 1024


@dataclass(frozen=True)
class Dialect:
    """How an import file is written: its text encoding and the character between cells."""

    encoding: str
    delimiter: str


def _is_utf8(path: Path) -> bool:
    """True when the whole file is UTF-8 (read in blocks, so a large file is never held at once)."""
    decoder = codecs.getincrementaldecoder("utf-8")()
    with path.open("rb") as binary:
        try:
            while block := binary.read(DETECTED):
                decoder.decode(block)
            decoder.decode(b"", final=True)
        except UnicodeDecodeError:
            return False
    return True


def detect_encoding(path: Path, data: bytes) -> str:
    """The encoding of the file (data: its first bytes): "utf-8-sig" for UTF-8, BOM or not,
    "utf-16" with a UTF-16 BOM, else the detector's.

    Raises ImportFileError when no encoding reads the bytes as text.
    """
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "utf-16"
    if _is_utf8(path):
        return "utf-8-sig"
    matches = list(charset_normalizer.from_bytes(data))
    if not matches:
        raise ImportFileError(
            "the file is not text in any encoding we know; save it as 'CSV UTF-8' and import it again"
        )
    # A few lines of accented letters read equally well in several code pages (é is é in
    # Windows-1252 and Windows-1250): among the readings as clean as the best one, take the
    # encoding spreadsheet programs write most.
    least = min(match.chaos for match in matches)
    clean = [match.encoding for match in matches if match.chaos <= least + TIE]
    encoding = min(clean, key=lambda name: PREFERRED.index(name) if name in PREFERRED else 99)
    # GB18030 is the superset of GBK and GB2312 that every Chinese spreadsheet program writes.
    return "gb18030" if encoding in ("gbk", "gb2312") else encoding


def detect_dialect(path: Path) -> Dialect:
    """The encoding and delimiter of the file at path."""
    with path.open("rb") as binary:
        data = binary.read(DETECTED)
    encoding = detect_encoding(path, data)
    sample = data[:SAMPLE].decode(encoding, errors="ignore")
    lines = sample.splitlines()
    if len(data) > SAMPLE and len(lines) > 1:
        lines = lines[:-1]  # the last line of the sample may be cut in the middle
    try:
        delimiter = csv.Sniffer().sniff("\n".join(lines[:50]), delimiters=DELIMITERS).delimiter
    except csv.Error:
        delimiter = ","
    header = lines[0] if lines else ""
    if delimiter != "," and header.count(delimiter) < header.count(","):
        delimiter = ","
    return Dialect(encoding, delimiter)


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

    def __init__(self, path: Path, columns: Sequence[str] | None) -> None:
        self.path = path
        self.columns = tuple(columns) if columns is not None else None
        self.size = path.stat().st_size
        self.dialect = detect_dialect(path)
        self._binary = path.open("rb")
        self._text = io.TextIOWrapper(self._binary, encoding=self.dialect.encoding, newline="")
        self._reader = csv.reader(self._text, strict=True, delimiter=self.dialect.delimiter)
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
            raise ImportFileError(_encoding_message(self.path, self.dialect.encoding)) from None
        except csv.Error as error:
            raise ImportFileError(f"line {line}: the file is not valid CSV ({error})") from None

    def _read_header(self) -> tuple[str, ...]:
        """Read the first row and check it names exactly the expected columns (in any order)."""
        first = self._next()
        while first is not None and not any(cell.strip() for cell in first):
            first = self._next()
        return check_header(first, self.columns, self._reader.line_num)

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


def check_header(
    first: Sequence[str] | None, columns: Sequence[str] | None, line: int
) -> tuple[str, ...]:
    """The header row's names, trimmed, when they are exactly the columns (in any order).

    Raises ImportFileError naming what is missing, unknown or repeated (``line`` is the
    header's line or sheet row). With ``columns`` None (a file whose columns are mapped to the
    format's afterwards, the web import) any names do, made unique: an empty one becomes
    "column 3", a repeated one "phone (5)"."""
    if columns is None:
        if first is None:
            raise ImportFileError("the file is empty; its first line must be the header")
        return unique_header(first)
    expected = ", ".join(columns)
    if first is None:
        raise ImportFileError(f"the file is empty; its first line must be the header: {expected}")
    header = tuple(cell.strip() for cell in first)
    problems = []
    repeated = sorted({name for name in header if header.count(name) > 1})
    if repeated:
        problems.append("repeated column(s) " + ", ".join(repeated))
    missing = [name for name in columns if name not in header]
    if missing:
        problems.append("missing column(s) " + ", ".join(missing))
    extra = [name or "(empty)" for name in header if name not in columns]
    if extra:
        problems.append("unknown column(s) " + ", ".join(extra))
    if problems:
        raise ImportFileError(
            f"line {line}: {'; '.join(problems)}. The header must be exactly: {expected}"
        )
    return header


def unique_header(first: Sequence[str]) -> tuple[str, ...]:
    """Header names, trimmed, each once: "column N" for an empty one, "name (N)" for a repeat."""
    names: list[str] = []
    for position, cell in enumerate(first, start=1):
        name = cell.strip() or f"column {position}"
        if name in names:
            name = f"{name} ({position})"
        names.append(name)
    return tuple(names)


class MappedSource:
    """A file whose own columns are mapped to a format's: rows come with the format's names.

    ``mapping`` is {the file's column: the format's column}; the format's columns no file
    column maps to read as empty cells. The header stays the file's, so the errors file holds
    the rows as they were."""

    def __init__(self, source: Any, mapping: dict[str, str], columns: Sequence[str]) -> None:
        self.source = source
        self.mapping = dict(mapping)
        self.columns = tuple(columns)
        self.header = source.header
        self.path = source.path
        self.size = source.size

    def position(self) -> int:
        """How far the file has been read."""
        return int(self.source.position())

    def rows(self) -> Iterator[Row | BadRow]:
        """The file's rows with the format's column names."""
        empty = dict.fromkeys(self.columns, "")
        for row in self.source.rows():
            if isinstance(row, BadRow):
                yield row
                continue
            cells = dict(empty)
            for column, field in self.mapping.items():
                cells[field] = row.cells.get(column, "")
            yield Row(row.line, cells)


def _encoding_message(path: Path, encoding: str) -> str:
    """Say on which line the file stops being text in its encoding (read again line by line)."""
    with path.open("rb") as binary:
        for number, raw_line in enumerate(binary, start=1):
            try:
                raw_line.decode(encoding)
            except UnicodeDecodeError as error:
                byte = raw_line[error.start]
                return (
                    f"line {number}: the file is not {encoding} text (byte 0x{byte:02x}); "
                    "save it as 'CSV UTF-8' and import it again"
                )
    return f"the file is not {encoding} text; save it as 'CSV UTF-8' and import it again"


def raw_rows_by_line(
    path: Path, lines: set[int], dialect: Dialect | None = None
) -> Iterator[tuple[int, list[str]]]:
    """The raw cells of the data rows starting on the given lines (for the errors file)."""
    dialect = dialect or detect_dialect(path)
    with path.open(encoding=dialect.encoding, newline="") as text:
        reader = csv.reader(text, strict=True, delimiter=dialect.delimiter)
        while True:
            line = reader.line_num + 1
            raw = next(reader, None)
            if raw is None:
                return
            if line in lines:
                yield line, raw
