"""The scheduled SLA check with a frozen clock: warnings before breaches and breaches, each once.

Ticket opened Monday 2026-01-05 08:00 UTC (09:00 Berlin), normal priority: first response
due 09:00 UTC (warning 08:45), resolution due 12:00 UTC (warning 11:45).
"""

from __future__ import annotations

import datetime as dt

import time_machine
from sqlalchemy import select

from core.models import OutboxMessage
from plugins.service_desk.jobs import auto_close, check_sla
from plugins.service_desk.models import SlaFlag, TicketEvent
from plugins.service_desk.queues import QueueFilters, queue_statement
from plugins.service_desk.tickets import add_message, change_state

from .helpers import utc

MONDAY_9 = utc("2026-01-05 08:00")


def frozen(text):
    """Freeze the clock at a UTC instant (utcnow, time.time and the token signer all see it)."""
    return time_machine.travel(utc(text).replace(tzinfo=dt.UTC), tick=False)


def flags(db):
    """(target, level) of every stored flag."""
    return sorted(tuple(row) for row in db.session.execute(select(SlaFlag.target, SlaFlag.level)))


def mails(db):
    """(to, subject) of every queued mail."""
    rows = db.session.execute(select(OutboxMessage.to_address, OutboxMessage.subject))
    return sorted(tuple(row) for row in rows)


def test_warning_then_breach_each_flagged_and_mailed_once(db, make_ticket, make_user):
    agent = make_user("support", email="agent@example.com")
    ticket = make_ticket(by=agent, assignee=agent, now=MONDAY_9)
    with frozen("2026-01-05 08:44"):
        assert check_sla() == (0, 0)
    with frozen("2026-01-05 08:46"):
        assert check_sla() == (1, 0)
        assert check_sla() == (0, 0)  # the job runs again: nothing new
    assert flags(db) == [("first_response", "warning")]
    assert mails(db) == [
        ("agent@example.com", f"[#{ticket.id}] first response due 2026-01-05 10:00")
    ]
    with frozen("2026-01-05 09:01"):
        assert check_sla() == (0, 1)
    with frozen("2026-01-05 09:30"):
        assert check_sla() == (0, 0)
    assert flags(db) == [("first_response", "breach"), ("first_response", "warning")]
    breach = db.session.scalars(select(SlaFlag).where(SlaFlag.level == "breach")).one()
    assert (breach.due_at, breach.flagged_at) == (utc("2026-01-05 09:00"), utc("2026-01-05 09:01"))
    with frozen("2026-01-05 11:50"):
        assert check_sla() == (1, 0)  # resolution warning at 11:45
    with frozen("2026-01-05 12:05"):
        assert check_sla() == (0, 1)
        assert check_sla() == (0, 0)
    assert len(flags(db)) == 4
    assert len(mails(db)) == 4
    summaries = list(
        db.session.scalars(select(TicketEvent.summary).where(TicketEvent.kind == "sla_breach"))
    )
    assert summaries == [
        "First response SLA breached (due 2026-01-05 10:00)",
        "Resolution SLA breached (due 2026-01-05 13:00)",
    ]


def test_a_paused_clock_never_breaches(db, make_ticket):
    ticket = make_ticket(now=MONDAY_9)
    add_message(ticket, "note", "asked for photos by phone", None, utc("2026-01-05 08:20"))
    change_state(ticket, "waiting", None, utc("2026-01-05 08:30"))
    add_message(ticket, "reply", "Please send photos", None, utc("2026-01-05 08:31"))
    db.session.commit()
    with frozen("2026-01-09 15:00"):
        assert check_sla() == (0, 0)
    assert flags(db) == []


def test_a_late_reply_is_flagged_at_once_and_only_once(db, make_ticket):
    ticket = make_ticket(now=MONDAY_9)
    add_message(ticket, "reply", "Sorry for the wait", None, utc("2026-01-05 09:30"))
    db.session.commit()
    assert flags(db) == [("first_response", "breach")]
    with frozen("2026-01-05 09:40"):
        assert check_sla() == (0, 0)
    assert flags(db) == [("first_response", "breach")]


def test_breached_queue_shows_overdue_tickets_before_the_check_ran(db, make_ticket, make_user):
    agent = make_user("support")
    late = make_ticket(now=MONDAY_9, subject="late")
    make_ticket(now=utc("2026-01-05 09:30"), subject="in time")
    statement = queue_statement(QueueFilters(queue="breached"), agent, utc("2026-01-05 09:10"))
    assert [ticket.id for ticket in db.session.scalars(statement)] == [late.id]


def test_unassigned_tickets_warn_the_team(db, make_ticket, make_team, make_user):
    first, second = (
        make_user("support", email="a@example.com"),
        make_user("support", email="b@example.com"),
    )
    team = make_team("Front desk", members=[first, second])
    make_ticket(now=MONDAY_9, team=team)
    with frozen("2026-01-05 08:50"):
        check_sla()
    assert [to for to, _ in mails(db)] == ["a@example.com", "b@example.com"]


def test_resolved_tickets_are_closed_after_the_configured_days(db, make_ticket):
    ticket = make_ticket(now=MONDAY_9)
    change_state(ticket, "resolved", None, utc("2026-01-05 09:00"))
    db.session.commit()
    with frozen("2026-01-12 08:59"):
        assert auto_close() == 0
    with frozen("2026-01-12 09:01"):
        assert auto_close() == 1
        assert auto_close() == 0
    assert ticket.state == "closed"


def test_weekend_and_pause_with_the_real_clock(db, make_ticket, make_user):
    """Everything below reads the (frozen) clock itself: no instant is passed in."""
    agent = make_user("support", email="agent@example.com")
    with frozen("2026-01-09 15:00"):  # Friday 16:00 in Berlin
        ticket = make_ticket(assignee=agent)
    # First response: 60 min → Friday 17:00 local. Resolution: 60 on Friday + 180 on Monday.
    assert ticket.first_response_due_at == utc("2026-01-09 16:00")
    assert ticket.resolution_due_at == utc("2026-01-12 11:00")
    with frozen("2026-01-09 15:30"):
        add_message(ticket, "reply", "Could you send a photo?", agent)
        change_state(ticket, "waiting", agent)
        db.session.commit()
    assert ticket.resolution_due_at is None  # paused with 210 minutes left
    with frozen("2026-01-12 09:00"):  # Monday 10:00 in Berlin
        add_message(ticket, "customer", "Photo sent", agent)
        db.session.commit()
    # 30 minutes were used on Friday; 210 left from Monday 10:00 local → 13:30 local.
    assert ticket.state == "open"
    assert ticket.resolution_due_at == utc("2026-01-12 12:30")
    with frozen("2026-01-12 12:20"):
        assert check_sla() == (1, 0)  # warned at 12:15, 15 minutes before
    with frozen("2026-01-12 12:31"):
        assert check_sla() == (0, 1)
    assert flags(db) == [("resolution", "breach"), ("resolution", "warning")]
