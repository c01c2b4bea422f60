"""Small SQL pieces that differ between SQLite and PostgreSQL, compiled per dialect."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Integer
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.expression import ColumnElement, FunctionElement


class seconds_between(FunctionElement[int]):  # noqa: N801  (reads like the SQL function it is)
    """Whole seconds from the first timestamp to the second: seconds_between(start, end)."""

    type = Integer()
    name = "seconds_between"
    inherit_cache = True

    def __init__(self, start: Any, end: Any) -> None:
        super().__init__(start, end)


@compiles(seconds_between, "sqlite")
def _seconds_sqlite(element: seconds_between, compiler: Any, **kw: Any) -> str:
    """SQLite keeps timestamps as text: the difference of Julian days, in seconds, rounded."""
    start, end = (compiler.process(argument, **kw) for argument in element.clauses)
    return f"CAST(ROUND((julianday({end}) - julianday({start})) * 86400) AS INTEGER)"


@compiles(seconds_between)
def _seconds_default(element: seconds_between, compiler: Any, **kw: Any) -> str:
    """PostgreSQL (and others with EXTRACT EPOCH): the interval's seconds, rounded."""
    start, end = (compiler.process(argument, **kw) for argument in element.clauses)
    return f"CAST(ROUND(EXTRACT(EPOCH FROM ({end} - {start}))) AS INTEGER)"


def ceiling_rank(count: ColumnElement[Any], percent: int) -> ColumnElement[Any]:
    """The nearest-rank position of a percentile: ceil(count × percent / 100), in integer SQL."""
    return (count * percent + 99) // 100
