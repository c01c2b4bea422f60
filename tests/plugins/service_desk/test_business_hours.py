"""Business-hours arithmetic across nights, weekends, holidays and daylight saving time (pure).

Calendar: Monday–Friday 09:00–17:00 Europe/Berlin with German public holidays.
Berlin is UTC+1 in winter (09:00 local = 08:00 UTC, 17:00 = 16:00 UTC) and UTC+2 from the
last Sunday of March (09:00 local = 07:00 UTC). 2026-01-05 is a Monday.
"""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import holidays
import pytest

from plugins.service_desk.business_hours import (
    BusinessCalendar,
    CalendarError,
    parse_clock_time,
    parse_working_days,
)

from .helpers import utc

BERLIN = ZoneInfo("Europe/Berlin")


def calendar(closed=(), subdivision=None, days=("mon", "tue", "wed", "thu", "fri")):
    """The office calendar used throughout."""
    return BusinessCalendar(
        working_days=parse_working_days(days),
        opens=dt.time(9),
        closes=dt.time(17),
        timezone=BERLIN,
        closed_dates=frozenset(closed),
        holidays=holidays.country_holidays("DE", subdiv=subdivision),
    )


MINUTE = 60


@pytest.mark.parametrize(
    ("start", "minutes", "due", "why"),
    [
        ("2026-01-05 08:00", 60, "2026-01-05 09:00", "inside one day: 09:00 + 1 h local"),
        (
            "2026-01-05 15:30",
            60,
            "2026-01-06 08:30",
            "across the night: 30 min Monday + 30 min Tuesday",
        ),
        (
            "2026-01-09 15:00",
            120,
            "2026-01-12 09:00",
            "across the weekend: 60 min Friday + 60 min Monday",
        ),
        (
            "2026-01-10 09:00",
            30,
            "2026-01-12 08:30",
            "opened on Saturday: counts from Monday 09:00",
        ),
        ("2026-01-05 05:00", 30, "2026-01-05 08:30", "opened before opening time"),
        ("2026-01-05 18:00", 30, "2026-01-06 08:30", "opened after closing time"),
        ("2026-01-05 08:00", 480, "2026-01-05 16:00", "a full day ends at 17:00, not next morning"),
        ("2026-01-05 08:00", 481, "2026-01-06 08:01", "one minute more is next morning"),
        ("2025-12-31 15:00", 120, "2026-01-02 09:00", "New Year's Day (Thursday) is a holiday"),
        (
            "2026-04-02 14:00",
            120,
            "2026-04-07 08:00",
            "Easter: Good Friday and Easter Monday closed (CEST)",
        ),
        ("2026-03-27 15:30", 60, "2026-03-30 07:30", "clocks go forward on Sunday 29 March"),
        ("2026-10-23 14:30", 60, "2026-10-26 08:30", "clocks go back on Sunday 25 October"),
    ],
)
def test_add_working_time(start, minutes, due, why):
    assert calendar().add_working_seconds(utc(start), minutes * MINUTE) == utc(due), why


def test_zero_minutes_is_the_start_itself():
    assert calendar().add_working_seconds(utc("2026-01-10 09:00"), 0) == utc("2026-01-10 09:00")


def test_extra_closed_date_is_skipped():
    # Friday 2 January closed as well: 60 min on 31 December, the rest on Monday 5 January.
    office = calendar(closed={dt.date(2026, 1, 2)})
    assert office.add_working_seconds(utc("2025-12-31 15:00"), 120 * MINUTE) == utc(
        "2026-01-05 09:00"
    )


def test_holidays_of_a_subdivision():
    # Epiphany (Tuesday 6 January) is a holiday in Bavaria only.
    start = utc("2026-01-05 15:00")
    assert calendar().add_working_seconds(start, 120 * MINUTE) == utc("2026-01-06 09:00")
    assert calendar(subdivision="BY").add_working_seconds(start, 120 * MINUTE) == utc(
        "2026-01-07 09:00"
    )


@pytest.mark.parametrize(
    ("start", "end", "minutes"),
    [
        ("2026-01-05 08:00", "2026-01-05 16:00", 480),
        ("2026-01-05 07:00", "2026-01-05 17:00", 480),  # outside hours on both sides
        ("2026-01-09 15:00", "2026-01-12 09:00", 120),  # Friday 16–17 + Monday 09–10 local
        ("2026-01-10 00:00", "2026-01-11 23:59", 0),  # a weekend
        ("2025-12-31 15:00", "2026-01-02 09:00", 120),  # across New Year's Day
        ("2026-03-27 15:00", "2026-03-30 08:00", 120),  # across the change to summer time
        ("2026-01-05 12:00", "2026-01-05 11:00", 0),  # end before start
    ],
)
def test_working_time_between(start, end, minutes):
    assert calendar().working_seconds(utc(start), utc(end)) == minutes * MINUTE


def test_adding_then_measuring_agrees():
    office = calendar()
    start = utc("2026-01-07 13:17")
    for minutes in (1, 59, 60, 61, 479, 480, 481, 2400, 9999):
        due = office.add_working_seconds(start, minutes * MINUTE)
        assert office.working_seconds(start, due) == minutes * MINUTE


def test_a_calendar_needs_working_time():
    with pytest.raises(CalendarError):
        calendar(days=())
    with pytest.raises(CalendarError):
        BusinessCalendar(frozenset({0}), dt.time(17), dt.time(9))


def test_parsing_settings_values():
    assert parse_working_days(["Mon", "friday"]) == frozenset({0, 4})
    assert parse_clock_time("08:30") == dt.time(8, 30)
    with pytest.raises(ValueError, match="not a day"):
        parse_working_days(["funday"])
    with pytest.raises(ValueError, match="HH:MM"):
        parse_clock_time("half past eight")
