"""The clock (now, today in the company's time zone), company time ↔ stored UTC, and periods.

Everything that stamps a moment or asks for today goes through ``utcnow()`` and ``today()``,
so ``clock(at)`` can set the time an action is recorded at: ``clientele demo`` plays its
story through the same services a clerk uses, each event with the clock at its own moment.
Timestamps are stored as naive UTC datetimes; people type and read company time, and the
functions here are the only conversions between the two (plugins included).
"""

from __future__ import annotations

import calendar
import datetime as dt
import re
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from zoneinfo import ZoneInfo

from flask import current_app, has_app_context

PERIOD_PATTERN = re.compile(r"^(\d{4})-(\d{2})$")


def company_timezone() -> ZoneInfo:
    """The [clientele].timezone of the current app (UTC outside an app)."""
    name = current_app.config["CLIENTELE"]["timezone"] if has_app_context() else "UTC"
    return ZoneInfo(name)


_CLOCK: ContextVar[dt.datetime | None] = ContextVar("clientele_clock", default=None)


def utcnow() -> dt.datetime:
    """The current time in UTC without tzinfo, as every DateTime column stores it (see clock)."""
    fixed = _CLOCK.get()
    return fixed if fixed is not None else dt.datetime.now(dt.UTC).replace(tzinfo=None)


@contextmanager
def clock(at: dt.datetime) -> Iterator[dt.datetime]:
    """Within the block, utcnow() is ``at`` (naive UTC, or aware) and today() its company date.

    For replaying a past event through the normal services (the demo's story); the clock
    belongs to the current thread or task only, and is restored when the block ends.
    """
    if at.tzinfo is not None:
        at = at.astimezone(dt.UTC).replace(tzinfo=None)
    token = _CLOCK.set(at)
    try:
        yield at
    finally:
        _CLOCK.reset(token)


def today() -> dt.date:
    """Today's date where the company is."""
    return utcnow().replace(tzinfo=dt.UTC).astimezone(company_timezone()).date()


def to_company_time(moment: dt.datetime) -> dt.datetime:
    """A stored (naive UTC) timestamp as an aware datetime in the company's time zone."""
    return moment.replace(tzinfo=dt.UTC).astimezone(company_timezone())


def company_day(moment: dt.datetime) -> dt.date:
    """The company-time date of a stored (naive UTC) timestamp."""
    return to_company_time(moment).date()


def from_company_time(moment: dt.datetime) -> dt.datetime:
    """A company-time datetime (naive, or aware in any zone) as the naive UTC value to store."""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=company_timezone())
    return moment.astimezone(dt.UTC).replace(tzinfo=None)


def company_midnight(day: dt.date) -> dt.datetime:
    """Midnight at the company at the start of day, as the naive UTC value to store."""
    return from_company_time(dt.datetime.combine(day, dt.time()))


def parse_period(text: str) -> tuple[dt.date, dt.date]:
    """ "2026-03" → (2026-03-01, 2026-03-31); ValueError with a clear message otherwise."""
    match = PERIOD_PATTERN.match(text.strip())
    if not match or not 1 <= int(match.group(2)) <= 12:
        raise ValueError(f"'{text}' is not a period; write it as YYYY-MM, e.g. 2026-03")
    year, month = int(match.group(1)), int(match.group(2))
    return dt.date(year, month, 1), dt.date(year, month, calendar.monthrange(year, month)[1])


def period_of(day: dt.date) -> str:
    """The YYYY-MM period a day falls in."""
    return f"{day.year:04d}-{day.month:02d}"


def next_period(period: str) -> str:
    """The month after period ("2026-12" → "2027-01")."""
    first, last = parse_period(period)
    return period_of(last + dt.timedelta(days=1))


def add_months(day: dt.date, months: int) -> dt.date:
    """The same day months later (clamped to the month's last day): 31 Jan + 1 → 28/29 Feb."""
    index = day.year * 12 + day.month - 1 + months
    year, month = divmod(index, 12)
    last = calendar.monthrange(year, month + 1)[1]
    return dt.date(year, month + 1, min(day.day, last))


def parse_date(text: str) -> dt.date:
    """ "2026-03-31" → date; ValueError with a clear message otherwise."""
    try:
        return dt.date.fromisoformat(text.strip())
    except ValueError:
        raise ValueError(f"'{text}' is not a date; write it as YYYY-MM-DD") from None
