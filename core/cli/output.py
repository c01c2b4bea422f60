"""Report output for every command that takes --format table|csv|json (DESIGN.md section 6).

Rows are dicts keyed by snake_case column names. Decimals are written with two places as
strings ("12.30") in CSV and JSON, so they survive any parser unchanged.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Mapping, Sequence
from decimal import Decimal
from typing import Any

import click

from core import csvfiles

FORMATS = ("table", "csv", "json")

#: Use as a decorator: @format_option
format_option = click.option(
    "--format",
    "output_format",
    type=click.Choice(FORMATS),
    default="table",
    show_default=True,
    help="Output format.",
)


def plain(value: Any) -> Any:
    """A JSON/CSV-friendly value: Decimal → "12.30", date → "2026-03-31", nested dicts and lists converted too."""
    if isinstance(value, Decimal):
        return f"{value:.2f}"
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, Mapping):
        return {key: plain(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [plain(item) for item in value]
    return value


def table_text(rows: Sequence[Mapping[str, Any]], columns: Sequence[str]) -> str:
    """Rows as an aligned text table with a header; numbers right-aligned."""
    cells = [
        [
            str(plain(row.get(column, "")) if row.get(column) is not None else "")
            for column in columns
        ]
        for row in rows
    ]
    widths = [
        max([len(column)] + [len(line[index]) for line in cells])
        for index, column in enumerate(columns)
    ]
    numeric = [
        all(isinstance(row.get(column), int | Decimal) for row in rows) and bool(rows)
        for column in columns
    ]

    def line(values: Sequence[str]) -> str:
        return "  ".join(
            value.rjust(width) if is_number else value.ljust(width)
            for value, width, is_number in zip(values, widths, numeric, strict=True)
        ).rstrip()

    return "\n".join(
        [
            line(list(columns)),
            line(["-" * width for width in widths]),
            *(line(row) for row in cells),
        ]
    )


def csv_text(rows: Sequence[Mapping[str, Any]], columns: Sequence[str]) -> str:
    """Rows as CSV with a header row."""
    return csvfiles.csv_text(
        columns, ([plain(row.get(column)) for column in columns] for row in rows)
    )


def emit(
    output_format: str,
    rows: Sequence[Mapping[str, Any]],
    columns: Sequence[str],
    envelope: Mapping[str, Any] | None = None,
    rows_key: str = "rows",
) -> None:
    """Print rows as a table, CSV, or JSON ({**envelope, rows_key: [...]})."""
    if output_format == "json":
        document = {**(envelope or {}), rows_key: [plain(dict(row)) for row in rows]}
        click.echo(json.dumps(plain(document), indent=2, ensure_ascii=False))
    elif output_format == "csv":
        click.echo(csv_text(rows, columns), nl=False)
    else:
        click.echo(table_text(rows, columns))
