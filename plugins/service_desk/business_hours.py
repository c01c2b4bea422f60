"""Business-hours arithmetic: how much working time lies between two instants, and when N minutes end.

All instants are naive UTC datetimes, as the database stores them. The calendar works in the
company's time zone: a working day opens and closes at local times, so a change to or from
daylight saving time is handled by converting each day's opening hours, never by adding
fixed offsets. Days are closed when they are not working days, are public holidays (the
``holidays`` package for the company's region) or are listed as extra closed dates.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection, Iterator
from dataclasses import dataclass, field
from zoneinfo import ZoneInfo

from core.i18n import _

#: Working days are numbered like date.weekday(): Monday 0 … Sunday 6.
DAY_NAMES = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
#: Searching further than this for working time means the calendar has none (a config mistake).
MAX_DAYS_SEARCHED = 3660


class CalendarError(ValueError):
    """The calendar cannot answer (e.g. it has no working time at all)."""


@dataclass(frozen=True)
class BusinessCalendar:
    """Opening hours on working days in one time zone, minus holidays and extra closed dates."""

    working_days: frozenset[int]
    opens: dt.time
    closes: dt.time
    timezone: ZoneInfo = field(default_factory=lambda: ZoneInfo("UTC"))
    closed_dates: frozenset[dt.date] = frozenset()
    #: Public holidays: anything supporting ``day in holidays`` (a holidays.HolidayBase).
    holidays: Collection[dt.date] = field(default=frozenset(), compare=False)

    def __post_init__(self) -> None:
        if not self.working_days:
            raise CalendarError(_("the calendar needs at least one working day"))
        if self.opens >= self.closes:
            raise CalendarError(_("opening time must be before closing time"))

    def is_open_on(self, day: dt.date) -> bool:
        """True when the business works on this local day."""
        return (
            day.weekday() in self.working_days
            and day not in self.closed_dates
            and day not in self.holidays
        )

    def opening_hours(self, day: dt.date) -> tuple[dt.datetime, dt.datetime] | None:
        """The day's (opens, closes) as naive UTC instants, or None on a closed day."""
        if not self.is_open_on(day):
            return None
        return self._utc(day, self.opens), self._utc(day, self.closes)

    def _utc(self, day: dt.date, time: dt.time) -> dt.datetime:
        """A local wall-clock time on a day, as a naive UTC instant."""
        local = dt.datetime.combine(day, time, tzinfo=self.timezone)
        return local.astimezone(dt.UTC).replace(tzinfo=None)

    def local_day(self, instant: dt.datetime) -> dt.date:
        """The local date of a naive UTC instant."""
        return instant.replace(tzinfo=dt.UTC).astimezone(self.timezone).date()

    def windows_from(self, start: dt.datetime) -> Iterator[tuple[dt.datetime, dt.datetime]]:
        """Working windows (UTC) from the local day of start onwards, clipped to begin at start."""
        day = self.local_day(start)
        for _day in range(MAX_DAYS_SEARCHED):
            hours = self.opening_hours(day)
            day += dt.timedelta(days=1)
            if hours is None or hours[1] <= start:
                continue
            yield max(hours[0], start), hours[1]
        raise CalendarError(
            _(
                "no working time within %(days)s days of %(start)s",
                days=MAX_DAYS_SEARCHED,
                start=start,
            )
        )

    def working_seconds(self, start: dt.datetime, end: dt.datetime) -> int:
        """Business seconds between two instants (0 when end is not after start)."""
        if end <= start:
            return 0
        total = 0
        for window_start, window_end in self.windows_from(start):
            if window_start >= end:
                break
            total += int((min(window_end, end) - window_start).total_seconds())
        return total

    def add_working_seconds(self, start: dt.datetime, seconds: int) -> dt.datetime:
        """The instant when ``seconds`` of business time have passed after start.

        With 0 seconds the answer is start itself (even outside opening hours); otherwise the
        answer always lies inside a working window, and exactly at a closing time when the
        time runs out with the day (17:00, not 09:00 the next morning).
        """
        if seconds <= 0:
            return start
        left = seconds
        for window_start, window_end in self.windows_from(start):
            available = int((window_end - window_start).total_seconds())
            if left <= available:
                return window_start + dt.timedelta(seconds=left)
            left -= available
        raise CalendarError("unreachable")  # windows_from raises first


def parse_clock_time(text: str) -> dt.time:
    """ "09:00" → time(9, 0); ValueError with a clear message otherwise."""
    try:
        hours, minutes = text.strip().split(":")
        return dt.time(int(hours), int(minutes))
    except ValueError:
        raise ValueError(
            _("'%(text)s' is not a time of day; write it as HH:MM, e.g. 09:00", text=text)
        ) from None


def parse_working_days(names: Collection[str]) -> frozenset[int]:
    """["mon", "tue"] → {0, 1}; ValueError naming an unknown day."""
    days = set()
    for name in names:
        key = str(name).strip().lower()[:3]
        if key not in DAY_NAMES:
            raise ValueError(
                _("'%(name)s' is not a day; use %(days)s", name=name, days=", ".join(DAY_NAMES))
            )
        days.add(DAY_NAMES.index(key))
    return frozenset(days)


def local_time_text(instant: dt.datetime | None, timezone: ZoneInfo) -> str:
    """A naive UTC instant as local "2026-03-02 10:00" for pages and mails ("–" for None)."""
    if instant is None:
        return "–"
    local = instant.replace(tzinfo=dt.UTC).astimezone(timezone)
    return local.strftime("%Y-%m-%d %H:%M")
