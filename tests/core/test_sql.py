"""core.sql: exact cents, integer rounding and date functions give the same answers on both databases.

Runs on SQLite, and on PostgreSQL when CLIENTELE_TEST_DATABASE_URL is set; every figure is
worked out by hand in the comment next to it.
"""

import datetime as dt
from decimal import Decimal as D

import pytest
from sqlalchemy import Date, DateTime, Integer, Numeric, bindparam, cast, literal, select, union_all

from core.sql import (
    amount_of_cents,
    cents,
    date_plus_days,
    days_between,
    divide_ceiling,
    divide_half_up,
    month_of,
    seconds_between,
    sum_cents,
)


def one(db, expression):
    """The value of a single SQL expression."""
    return db.session.scalar(select(expression))


def money(text):
    """A two-place amount as the database sees a Money column."""
    return cast(literal(D(text)), Numeric(12, 2))


def whole(number):
    """An integer as SQL (not folded by Python)."""
    return cast(literal(number), Integer)


@pytest.mark.parametrize(
    ("amount", "expected"),
    [("0.29", 29), ("1.15", 115), ("2.675", 268), ("-3.10", -310), ("12345678.99", 1234567899)],
)
def test_cents_are_exact_even_where_floating_point_is_not(app, db, amount, expected):
    # 0.29 × 100 and 1.15 × 100 are 28.999… and 114.999… in binary floating point (SQLite's REAL).
    assert one(db, cents(money(amount))) == expected


def test_sum_cents_adds_in_cents_and_is_zero_without_rows(app, db):
    values = union_all(*(select(money(text).label("amount")) for text in ("0.10", "0.20", "0.70")))
    rows = values.subquery()
    # 0.10 + 0.20 + 0.70 = 1.00 exactly (as floats the sum would be 0.9999999999999999).
    assert db.session.scalar(select(sum_cents(rows.c.amount))) == 100
    empty = select(rows.c.amount).where(rows.c.amount > 5).subquery()
    assert db.session.scalar(select(sum_cents(empty.c.amount))) == 0


def test_amount_of_cents_is_the_amount_again(app, db):
    assert D(str(one(db, amount_of_cents(whole(12345))))) == D("123.45")


@pytest.mark.parametrize(
    ("numerator", "denominator", "expected"),
    [
        (24690, 200, 123),  # 123.45 → 123
        (24700, 200, 124),  # 123.5 exactly → half up → 124
        (24710, 200, 124),  # 123.55 → 124
        (0, 7, 0),
        (10, 3, 3),  # 3.33 → 3 (odd divisor: a remainder is never exactly half)
        (11, 3, 4),  # 3.67 → 4
        (1234500, 10000, 123),  # 123.45 → 123
        (1235000, 10000, 124),  # 123.5 → 124
    ],
)
def test_divide_half_up(app, db, numerator, denominator, expected):
    # By a Python int (the (n + d // 2) // d form) and by an SQL integer (the (2n + d) // 2d form).
    assert one(db, divide_half_up(whole(numerator), denominator)) == expected
    assert one(db, divide_half_up(whole(numerator), whole(denominator))) == expected


@pytest.mark.parametrize(
    ("numerator", "denominator", "expected"),
    [(0, 100, 0), (1, 100, 1), (100, 100, 1), (101, 100, 2), (900, 100, 9), (950, 100, 10)],
)
def test_divide_ceiling(app, db, numerator, denominator, expected):
    # The nearest-rank position of the 90th percentile of 10 values is ceil(10 × 90 / 100) = 9.
    assert one(db, divide_ceiling(whole(numerator), denominator)) == expected


def test_date_functions(app, db):
    # Typed parameters, as columns are: SQLite keeps dates as text, CAST(… AS DATE) would break them.
    first = bindparam("first", dt.date(2026, 2, 27), Date)
    later = bindparam("later", dt.date(2026, 3, 2), Date)
    # 27 Feb → 2 Mar 2026 (not a leap year): 28 Feb, 1 Mar, 2 Mar = 3 days.
    assert one(db, days_between(later, first)) == 3
    assert one(db, days_between(first, later)) == -3
    assert str(one(db, date_plus_days(first, whole(3)))) == "2026-03-02"
    assert one(db, month_of(later)) == "2026-03"


def test_timestamps(app, db):
    start = bindparam("start", dt.datetime(2026, 3, 31, 23, 59, 30), DateTime)
    end = bindparam("end", dt.datetime(2026, 4, 1, 0, 1, 0), DateTime)
    assert one(db, seconds_between(start, end)) == 90  # 30 s to midnight + 60 s
    assert one(db, month_of(start)) == "2026-03"  # the stored (UTC) month, not shifted by a zone
    assert str(one(db, date_plus_days(start, whole(1)))) == "2026-04-01"
