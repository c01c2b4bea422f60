"""Portable SQL arithmetic the loyalty figures need: exact cents and whole days between dates.

SQLite stores money as floating point, so amounts are turned into integer cents before any
sum or comparison (``CAST(round(x * 100) AS BIGINT)`` of a two-place value is exact), and
date differences are computed per dialect (PostgreSQL subtracts dates, SQLite uses julianday).
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import BigInteger, Date, Integer, cast, func
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.compiler import SQLCompiler
from sqlalchemy.sql.elements import ColumnElement
from sqlalchemy.sql.functions import FunctionElement


def cents(amount: Any) -> ColumnElement[int]:
    """An amount column (two places, may be NULL) as exact integer cents (NULL counts as 0)."""
    return cast(func.round(func.coalesce(amount, 0) * 100), BigInteger)


class days_between(FunctionElement[int]):  # noqa: N801  (reads like the SQL function it is)
    """days_between(later, earlier): whole days from earlier to later, as an integer."""

    type = Integer()
    inherit_cache = True
    name = "days_between"


@compiles(days_between)
def _days_between_default(element: days_between, compiler: SQLCompiler, **kw: Any) -> str:
    """PostgreSQL and most databases: date − date is a number of days."""
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
    """date_plus_days(moment, days): the calendar date of a date or datetime plus whole days."""

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


def rounded_division(numerator: Any, denominator: Any) -> ColumnElement[int]:
    """numerator / denominator for positive integers, rounded half up, in integer arithmetic."""
    # // is integer division on both databases (SQLAlchemy's / would be true division).
    return (numerator * 2 + denominator) // (denominator * 2)
