"""core.dates: company time ↔ stored UTC across daylight saving time, and periods."""

import datetime as dt

import pytest

from core import dates


@pytest.fixture
def berlin(make_app):
    """An app whose company is in Berlin (UTC+1 in winter, UTC+2 from 29 March 2026, 02:00)."""
    return make_app(timezone="Europe/Berlin")


def test_stored_utc_shown_in_company_time(berlin):
    assert dates.to_company_time(dt.datetime(2026, 3, 28, 23, 30)).strftime("%Y-%m-%d %H:%M") == (
        "2026-03-29 00:30"
    )
    # After the clocks went forward the difference is two hours.
    assert dates.to_company_time(dt.datetime(2026, 3, 29, 22, 30)).hour == 0


def test_company_day_of_a_late_evening_utc_timestamp(berlin):
    assert dates.company_day(dt.datetime(2026, 3, 31, 22, 30)) == dt.date(2026, 4, 1)
    assert dates.company_day(dt.datetime(2026, 3, 31, 21, 30)) == dt.date(2026, 3, 31)


def test_typed_company_time_stored_as_utc(berlin):
    assert dates.from_company_time(dt.datetime(2026, 1, 15, 9, 0)) == dt.datetime(2026, 1, 15, 8, 0)
    assert dates.from_company_time(dt.datetime(2026, 7, 15, 9, 0)) == dt.datetime(2026, 7, 15, 7, 0)
    aware = dt.datetime(2026, 7, 15, 9, 0, tzinfo=dt.UTC)
    assert dates.from_company_time(aware) == dt.datetime(2026, 7, 15, 9, 0)  # a zone given wins


def test_company_midnight(berlin):
    assert dates.company_midnight(dt.date(2026, 1, 1)) == dt.datetime(2025, 12, 31, 23, 0)
    assert dates.company_midnight(dt.date(2026, 6, 1)) == dt.datetime(2026, 5, 31, 22, 0)


def test_round_trip_in_utc_without_an_app():
    moment = dt.datetime(2026, 3, 31, 12, 0)
    assert dates.from_company_time(dates.to_company_time(moment)) == moment


def test_periods():
    assert dates.parse_period("2026-02") == (dt.date(2026, 2, 1), dt.date(2026, 2, 28))
    assert dates.next_period("2026-12") == "2027-01"
    with pytest.raises(ValueError, match="write it as YYYY-MM"):
        dates.parse_period("2026-13")
