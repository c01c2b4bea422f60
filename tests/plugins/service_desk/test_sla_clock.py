"""SLA clocks: due times with pauses (waiting on the customer, resolved), stops, warnings (pure).

Calendar: Monday–Friday 09:00–17:00 Berlin (08:00–16:00 UTC in January), German holidays.
2026-01-05 is a Monday; all instants below are UTC.
"""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import holidays

from plugins.service_desk.business_hours import BusinessCalendar, parse_working_days
from plugins.service_desk.sla import (
    Policy,
    Stay,
    choose_policy,
    describe_minutes,
    pauses_of,
    read_clock,
    ticket_clocks,
)

from .helpers import utc

OFFICE = BusinessCalendar(
    working_days=parse_working_days(["mon", "tue", "wed", "thu", "fri"]),
    opens=dt.time(9),
    closes=dt.time(17),
    timezone=ZoneInfo("Europe/Berlin"),
    holidays=holidays.country_holidays("DE"),
)


def stays(*rows):
    """Stay rows from (state, entered, left) texts; left None = still there."""
    return [Stay(state, utc(entered), utc(left) if left else None) for state, entered, left in rows]


def test_running_clock_without_pause():
    # Opened Monday 08:00 UTC, 240 business minutes → Monday 12:00 UTC; at 10:00, 120 min used.
    reading = read_clock(OFFICE, utc("2026-01-05 08:00"), 240, [], utc("2026-01-05 10:00"))
    assert reading.due_at == utc("2026-01-05 12:00")
    assert reading.elapsed_seconds == 120 * 60
    assert reading.remaining_seconds == 120 * 60
    assert not reading.paused and not reading.breached


def test_pause_while_waiting_on_customer_moves_the_deadline():
    # 60 min used (08:00–09:00), waiting until Tuesday 09:00 UTC, then 180 min left:
    # Tuesday 09:00 → 12:00 UTC. Without the pause it would have been Monday 12:00.
    history = stays(
        ("new", "2026-01-05 08:00", "2026-01-05 08:30"),
        ("open", "2026-01-05 08:30", "2026-01-05 09:00"),
        ("waiting", "2026-01-05 09:00", "2026-01-06 09:00"),
        ("open", "2026-01-06 09:00", None),
    )
    reading = read_clock(
        OFFICE, utc("2026-01-05 08:00"), 240, pauses_of(history), utc("2026-01-06 10:00")
    )
    assert reading.due_at == utc("2026-01-06 12:00")
    assert reading.elapsed_seconds == (60 + 60) * 60  # Monday 08–09 and Tuesday 09–10


def test_pause_across_the_night_and_the_weekend():
    # Opened Friday 9 Jan 14:00 UTC (15:00 local). Running 14:00–15:00 (60), waiting 15:00–15:30,
    # running 15:30–16:00 (30): 90 used on Friday. 150 left from Monday 08:00 UTC → 10:30 UTC.
    history = stays(
        ("new", "2026-01-09 14:00", "2026-01-09 15:00"),
        ("waiting", "2026-01-09 15:00", "2026-01-09 15:30"),
        ("open", "2026-01-09 15:30", None),
    )
    reading = read_clock(
        OFFICE, utc("2026-01-09 14:00"), 240, pauses_of(history), utc("2026-01-12 08:00")
    )
    assert reading.due_at == utc("2026-01-12 10:30")
    assert reading.elapsed_seconds == 90 * 60


def test_paused_now_has_no_due_time_but_keeps_what_is_left():
    history = stays(
        ("new", "2026-01-05 08:00", "2026-01-05 09:00"),
        ("waiting", "2026-01-05 09:00", None),
    )
    reading = read_clock(
        OFFICE, utc("2026-01-05 08:00"), 240, pauses_of(history), utc("2026-01-07 12:00")
    )
    assert reading.paused
    assert reading.due_at is None
    assert reading.remaining_seconds == 180 * 60
    assert not reading.breached


def test_breached_before_the_pause_stays_breached():
    # 60-minute target: due Monday 09:00; the agent only set "waiting" at 10:00.
    history = stays(
        ("new", "2026-01-05 08:00", "2026-01-05 10:00"),
        ("waiting", "2026-01-05 10:00", None),
    )
    reading = read_clock(
        OFFICE, utc("2026-01-05 08:00"), 60, pauses_of(history), utc("2026-01-06 12:00")
    )
    assert reading.paused
    assert reading.due_at == utc("2026-01-05 09:00")
    assert reading.breached


def test_first_response_met_and_late():
    start = utc("2026-01-05 15:30")  # 16:30 local: 30 min on Monday, due Tuesday 08:30 UTC
    met = read_clock(
        OFFICE, start, 60, [], utc("2026-01-08 12:00"), stopped_at=utc("2026-01-06 08:15")
    )
    assert met.due_at == utc("2026-01-06 08:30")
    assert met.met and not met.breached
    late = read_clock(
        OFFICE, start, 60, [], utc("2026-01-08 12:00"), stopped_at=utc("2026-01-06 08:31")
    )
    assert late.breached and not late.met
    assert late.elapsed_seconds == 61 * 60


def test_pauses_after_the_stop_do_not_move_the_deadline():
    history = stays(
        ("new", "2026-01-05 08:00", "2026-01-05 08:20"),
        ("open", "2026-01-05 08:20", "2026-01-05 08:40"),
        ("waiting", "2026-01-05 08:40", None),
    )
    reading = read_clock(
        OFFICE,
        utc("2026-01-05 08:00"),
        60,
        pauses_of(history),
        utc("2026-01-06 08:00"),
        stopped_at=utc("2026-01-05 08:20"),
    )
    assert reading.due_at == utc("2026-01-05 09:00")
    assert reading.met


def test_resolved_and_reopened_ticket_continues_where_the_clock_stopped():
    # 240 min target. Running Monday 08:00–10:00 (120), resolved until Wednesday 08:00 UTC,
    # reopened: 120 left → Wednesday 10:00 UTC.
    history = stays(
        ("new", "2026-01-05 08:00", "2026-01-05 10:00"),
        ("resolved", "2026-01-05 10:00", "2026-01-06 12:00"),
        ("closed", "2026-01-06 12:00", "2026-01-07 08:00"),
        ("open", "2026-01-07 08:00", None),
    )
    pauses = pauses_of(history)
    assert pauses == [(utc("2026-01-05 10:00"), utc("2026-01-07 08:00"))]  # resolved+closed merged
    reading = read_clock(OFFICE, utc("2026-01-05 08:00"), 240, pauses, utc("2026-01-07 09:00"))
    assert reading.due_at == utc("2026-01-07 10:00")


def test_warning_comes_the_lead_time_before_the_deadline():
    # 60 min target, 15 min lead: warning after 45 business minutes, across the night.
    reading = read_clock(
        OFFICE, utc("2026-01-05 15:30"), 60, [], utc("2026-01-05 15:31"), warn_before_minutes=15
    )
    assert reading.due_at == utc("2026-01-06 08:30")
    assert reading.warn_at == utc("2026-01-06 08:15")
    early = read_clock(
        OFFICE, utc("2026-01-05 08:00"), 10, [], utc("2026-01-05 08:01"), warn_before_minutes=15
    )
    assert early.warn_at == utc("2026-01-05 08:00")  # lead longer than the target: warn at once


def test_ticket_clocks_stop_first_response_at_resolution():
    # Resolved without a reply at 08:50: that counts as the first response (met, due 09:00);
    # resolution paused, resolved in time.
    history = stays(
        ("new", "2026-01-05 08:00", "2026-01-05 08:50"),
        ("resolved", "2026-01-05 08:50", None),
    )
    clocks = ticket_clocks(
        OFFICE,
        utc("2026-01-05 08:00"),
        history,
        utc("2026-01-05 08:50"),
        60,
        240,
        utc("2026-01-09 08:00"),
    )
    assert clocks.first_response is not None and clocks.first_response.met
    assert clocks.resolution is not None and clocks.resolution.paused
    assert clocks.breached_targets == []


def test_ticket_clocks_without_targets():
    clocks = ticket_clocks(
        OFFICE, utc("2026-01-05 08:00"), [], None, None, None, utc("2026-01-05 09:00")
    )
    assert clocks.first_response is None and clocks.resolution is None


def test_policy_for_a_tier_wins_over_the_general_one():
    policies = [
        Policy("normal", 60, 240),
        Policy("normal", 15, 60, tier="Gold"),
        Policy("high", 30, None),
    ]
    assert choose_policy(policies, "normal", "Gold").name == "normal / Gold"
    assert choose_policy(policies, "normal", "Silver").name == "normal"
    assert choose_policy(policies, "normal", None).name == "normal"
    assert choose_policy(policies, "high", "Gold").resolution_minutes is None
    assert choose_policy(policies, "low", None) is None


def test_minutes_in_words():
    assert describe_minutes(90) == "1 h 30 min"
    assert describe_minutes(480) == "8 h"
    assert describe_minutes(45) == "45 min"
    assert describe_minutes(-30) == "−30 min"


def test_a_pause_that_starts_now_pauses_the_clock():
    history = stays(
        ("new", "2026-01-05 08:00", "2026-01-05 09:00"), ("waiting", "2026-01-05 09:00", None)
    )
    reading = read_clock(
        OFFICE, utc("2026-01-05 08:00"), 240, pauses_of(history), utc("2026-01-05 09:00")
    )
    assert reading.paused and reading.due_at is None
    assert reading.remaining_seconds == 180 * 60
