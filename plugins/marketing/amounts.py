"""Money sums in SQL on exact integer cents, so SQLite's floating-point Numeric never rounds money."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from sqlalchemy import BigInteger, cast, func
from sqlalchemy.sql import ColumnElement

CENT = Decimal("0.01")


def cents(amount: Any) -> ColumnElement[int]:
    """A two-place money column as whole cents: exact on SQLite (REAL) and PostgreSQL (NUMERIC) alike."""
    return cast(func.round(amount * 100), BigInteger)


def sum_cents(amount: Any) -> ColumnElement[int]:
    """SUM of a money column in cents, 0 when there are no rows."""
    return func.coalesce(func.sum(cents(amount)), 0)


def from_cents(value: int | Decimal | None) -> Decimal:
    """Whole cents from the database → a two-place Decimal amount."""
    return (Decimal(int(value or 0)) * CENT).quantize(CENT)


def to_cents(amount: Decimal) -> int:
    """A Decimal amount → whole cents, rounding a third decimal half up (as the money rules do)."""
    from core.money import round_money

    return int(round_money(amount) * 100)
