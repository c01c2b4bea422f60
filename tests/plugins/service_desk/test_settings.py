"""Settings are checked at start-up; a wrong value stops it with a message naming the key."""

from __future__ import annotations

import datetime as dt

import pytest

from core.plugins import PluginError
from plugins.service_desk import settings as service_desk_settings
from plugins.service_desk.settings import desk_calendar


@pytest.mark.parametrize(
    ("settings", "message"),
    [
        (
            {"sla_policies": [{"priority": "normal"}, {"priority": "asap"}]},
            "sla_policies[1].priority: expected one of low, normal, high, urgent",
        ),
        (
            {"sla_policies": [{"priority": "high", "first_response_minutes": 0}]},
            "sla_policies[0].first_response_minutes: expected a whole number of minutes above 0",
        ),
        (
            {"sla_policies": [{"priority": "high"}, {"priority": "high"}]},
            "sla_policies[1]: a second policy for high",
        ),
        (
            {"sla_policies": [{"priority": "high", "hours": 4}]},
            "sla_policies[0]: unknown key 'hours'",
        ),
        (
            {"business_hours": {"opens": "18:00", "closes": "08:00"}},
            "business_hours.closes: the desk must open before it closes",
        ),
        (
            {"business_hours": {"opens": "nine"}},
            "business_hours.opens: 'nine' is not a time of day",
        ),
        (
            {"business_hours": {"working_days": ["mon", "someday"]}},
            "business_hours.working_days: 'someday' is not a day",
        ),
        (
            {"business_hours": {"closed_dates": ["24.12.2026"]}},
            "business_hours.closed_dates[0]: expected a date written YYYY-MM-DD",
        ),
        ({"business_hours": {"lunch": "12:00"}}, "business_hours: unknown key 'lunch'"),
        ({"categories": []}, "categories: expected at least one entry"),
        ({"attachment_types": ["pdf", "exe"]}, "attachment_types[1]: expected one of pdf"),
        (
            {"low_rating_follow_up": "shout"},
            "low_rating_follow_up: expected one of 'none', 'notify', 'reopen'",
        ),
        ({"survey_expiry_days": 0}, "survey_expiry_days: expected a number above 0"),
        ({"colour": "blue"}, "unknown key 'colour'"),
    ],
)
def test_wrong_settings_stop_start_up(make_app, settings, message):
    with pytest.raises(PluginError) as error:
        make_app(plugins=["service_desk"], settings={"service_desk": settings})
    assert "[plugins.service_desk]" in str(error.value)
    assert message in str(error.value)


def test_settings_are_typed(make_app):
    make_app(
        plugins=["service_desk"],
        settings={
            "service_desk": {
                "business_hours": {
                    "working_days": ["mon", "tue"],
                    "opens": "08:00",
                    "closes": "12:30",
                    "closed_dates": ["2026-01-06", dt.date(2026, 1, 7)],
                },
                "sla_policies": [{"priority": "normal", "tier": "Gold", "resolution_minutes": 30}],
                "attachment_max_kb": 100,
            }
        },  # fmt: skip
    )
    calendar = desk_calendar()
    assert calendar.working_days == frozenset({0, 1})
    assert (calendar.opens, calendar.closes) == (dt.time(8), dt.time(12, 30))
    assert calendar.closed_dates == {dt.date(2026, 1, 6), dt.date(2026, 1, 7)}
    settings = service_desk_settings.current()
    assert settings.attachment_max_bytes == 100 * 1024
    assert settings.policies[0].name == "normal / Gold"
    assert settings.policies[0].first_response_minutes is None


def test_unknown_holiday_subdivision_is_reported_clearly(make_app):
    make_app(
        plugins=["service_desk"],
        settings={"service_desk": {"business_hours": {"holiday_subdivision": "XX"}}},
    )
    with pytest.raises(PluginError, match="subdivision 'XX'"):
        desk_calendar()
