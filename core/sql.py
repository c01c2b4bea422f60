"""Portable SQL arithmetic: exact cents, integer rounding and date functions for SQLite and PostgreSQL.

SQLite stores money as floating point, so amounts become integer cents before any sum or
comparison: ``CAST(round(x * 100) AS BIGINT)`` of a two-place value is exact on both
databases. Divisions are integer divisions (``//`` renders as integer ``/`` for integer
operands on both), written so they round the way the money rules say. Date arithmetic that
the two databases spell differently is compiled per dialect.

Plugins use these instead of writing their own copies (docs/plugins.md, "What core offers").
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import BigInteger, Date, Integer, String, cast, func, literal_column
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.compiler import SQLCompiler
from sqlalchemy.sql.elements import ColumnElement
from sqlalchemy.sql.functions import FunctionElement

#: 0.01 as SQL, written into the statement (a literal keeps it exact on PostgreSQL's NUMERIC).
CENT: ColumnElement[Any] = literal_column("0.01")


def cents(amount: Any) -> ColumnElement[int]:
    """A two-place amount (column or expression) as exact integer cents; NULL stays NULL."""
    return cast(func.round(amount * 100), BigInteger)


def sum_cents(amount: Any) -> ColumnElement[int]:
    """SUM of an amount in integer cents, 0 when there are no rows."""
    return func.coalesce(func.sum(cents(amount)), 0)


def amount_of_cents(expression: Any) -> ColumnElement[Any]:
    """Integer cents as an amount again (for writing into a Money column inside SQL)."""
    return expression * CENT


def divide_half_up(numerator: Any, denominator: Any) -> ColumnElement[int]:
    """numerator / denominator rounded half up, for a numerator ≥ 0 and a denominator > 0.

    Integer arithmetic only. With a whole-number denominator d this is (n + d // 2) // d (exact
    for odd d too: a remainder can then never be exactly half); otherwise (2n + d) // 2d.
    """
    if isinstance(denominator, int):
        return (numerator + denominator // 2) // denominator
    return (numerator * 2 + denominator) // (denominator * 2)


def divide_ceiling(numerator: Any, denominator: Any) -> ColumnElement[int]:
    """numerator / denominator rounded up, for a numerator ≥ 0 and a whole denominator > 0."""
    return (numerator + (denominator - 1)) // denominator


class days_between(FunctionElement[int]):  # noqa: N801  (reads like the SQL function it is)
    """days_between(later, earlier): whole days from the earlier date to the later one."""

    type = Integer()
    inherit_cache = True
    name = "days_between"


@compiles(days_between)
def _days_between_default(element: days_between, compiler: SQLCompiler, **kw: Any) -> str:
    """PostgreSQL: date − date is a number of days."""
    later, earlier = list(element.clauses)
    return f"({compiler.process(later, **kw)} - {compiler.process(earlier, **kw)})"


@compiles(days_between, "sqlite")
def _days_between_sqlite(element: days_between, compiler: SQLCompiler, **kw: Any) -> str:
    """SQLite keeps dates as text; julianday() of two dates differs by a whole number."""
    later, earlier = list(element.clauses)
    return (
        f"CAST(julianday({compiler.process(later, **kw)}) - "
        f"julianday({compiler.process(earlier, **kw)}) AS INTEGER)"
    )


class date_plus_days(FunctionElement[Any]):  # noqa: N801
    """date_plus_days(moment, days): the calendar date of a date or timestamp plus whole days."""

    type = Date()
    inherit_cache = True
    name = "date_plus_days"


@compiles(date_plus_days)
def _date_plus_days_default(element: date_plus_days, compiler: SQLCompiler, **kw: Any) -> str:
    """PostgreSQL: CAST(x AS DATE) + n."""
    moment, days = list(element.clauses)
    return f"(CAST({compiler.process(moment, **kw)} AS DATE) + {compiler.process(days, **kw)})"


@compiles(date_plus_days, "sqlite")
def _date_plus_days_sqlite(element: date_plus_days, compiler: SQLCompiler, **kw: Any) -> str:
    """SQLite: date(x, '+n days')."""
    moment, days = list(element.clauses)
    return (
        f"date({compiler.process(moment, **kw)}, "
        f"'+' || CAST({compiler.process(days, **kw)} AS TEXT) || ' days')"
    )


class seconds_between(FunctionElement[int]):  # noqa: N801
    """seconds_between(start, end): whole seconds from the start timestamp to the end, rounded."""

    type = Integer()
    inherit_cache = True
    name = "seconds_between"


@compiles(seconds_between, "sqlite")
def _seconds_between_sqlite(element: seconds_between, compiler: SQLCompiler, **kw: Any) -> str:
    """SQLite keeps timestamps as text: the difference of Julian days, in seconds, rounded."""
    start, end = (compiler.process(argument, **kw) for argument in element.clauses)
    return f"CAST(ROUND((julianday({end}) - julianday({start})) * 86400) AS INTEGER)"


@compiles(seconds_between)
def _seconds_between_default(element: seconds_between, compiler: SQLCompiler, **kw: Any) -> str:
    """PostgreSQL: the seconds of the interval, rounded."""
    start, end = (compiler.process(argument, **kw) for argument in element.clauses)
    return f"CAST(ROUND(EXTRACT(EPOCH FROM ({end} - {start}))) AS INTEGER)"


class month_of(FunctionElement[str]):  # noqa: N801
    """month_of(day): the YYYY-MM period of a date or timestamp."""

    type = String()
    inherit_cache = True
    name = "month_of"


@compiles(month_of)
def _month_of_default(element: month_of, compiler: SQLCompiler, **kw: Any) -> str:
    """PostgreSQL: to_char of a plain timestamp (of a date it would use the session's time zone)."""
    (day,) = list(element.clauses)
    return f"to_char(CAST({compiler.process(day, **kw)} AS TIMESTAMP WITHOUT TIME ZONE), 'YYYY-MM')"


@compiles(month_of, "sqlite")
def _month_of_sqlite(element: month_of, compiler: SQLCompiler, **kw: Any) -> str:
    """SQLite keeps dates as 'YYYY-MM-DD…' text: the first seven characters."""
    (day,) = list(element.clauses)
    return f"substr({compiler.process(day, **kw)}, 1, 7)"
