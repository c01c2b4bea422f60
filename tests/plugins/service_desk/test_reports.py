"""SLA report, CSAT and the process analysis, with figures worked out by hand."""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal

import pytest
import time_machine

from core.db import db
from plugins.service_desk.analysis import complaint_trend, longest_step, time_in_state
from plugins.service_desk.models import Survey
from plugins.service_desk.reports import csat_report, sla_report
from plugins.service_desk.tickets import add_message, change_state

from .helpers import utc

JANUARY = (dt.date(2026, 1, 1), dt.date(2026, 1, 31))


@pytest.fixture
def sla_tickets(make_ticket, make_team, make_customer):
    """Five tickets opened Monday 2026-01-05 08:00 UTC (normal: first response due 09:00, resolution 12:00).

    Front desk: A replied 08:30 and resolved 11:00 (both met); B replied 09:30 (late) and resolved
    11:00; C low priority (no SLA); D untouched (still running, nothing flagged).
    No team: E resolved 13:00 without a reply (both targets breached).
    """
    team = make_team("Front desk")
    start = utc("2026-01-05 08:00")
    customer = make_customer(email="c@example.com")
    tickets = {
        name: make_ticket(customer=customer, team=team, now=start, subject=name) for name in "ABD"
    }
    tickets["C"] = make_ticket(customer=customer, team=team, now=start, priority="low", subject="C")
    tickets["E"] = make_ticket(customer=customer, now=start, subject="E")
    add_message(tickets["A"], "reply", "on it", None, utc("2026-01-05 08:30"))
    change_state(tickets["A"], "resolved", None, utc("2026-01-05 11:00"))
    add_message(tickets["B"], "reply", "sorry", None, utc("2026-01-05 09:30"))
    change_state(tickets["B"], "resolved", None, utc("2026-01-05 11:00"))
    change_state(tickets["E"], "resolved", None, utc("2026-01-05 13:00"))
    db.session.commit()
    return tickets


def test_sla_report_per_team(sla_tickets):
    rows = {row["team"]: row for row in sla_report(*JANUARY)}
    assert list(rows) == ["Front desk", "No team", "All teams"]
    assert rows["Front desk"] == {
        "team": "Front desk", "tickets": 4, "with_sla": 3, "first_response_met": 1,
        "first_response_breached": 1, "resolution_met": 2, "resolution_breached": 0,
        "breached": 1, "breach_rate": Decimal("33.33"),  # 1 of 3, half up
    }  # fmt: skip
    assert rows["No team"]["breached"] == 1 and rows["No team"]["breach_rate"] == Decimal("100.00")
    total = rows["All teams"]
    assert (total["tickets"], total["with_sla"], total["breached"]) == (5, 4, 2)
    assert total["breach_rate"] == Decimal("50.00")
    assert sla_report(dt.date(2026, 2, 1), dt.date(2026, 2, 28)) == []


def test_sla_report_command(cli, sla_tickets):
    result = cli.invoke(["service_desk", "sla-report", "--period", "2026-01", "--format", "json"])
    assert result.exit_code == 0, result.output
    document = json.loads(result.output)
    assert document["period"] == "2026-01"
    front = document["teams"][0]
    assert (
        front["team"] == "Front desk" and front["breach_rate"] == "33.33" and front["tickets"] == 4
    )
    csv_result = cli.invoke(
        ["service_desk", "sla-report", "--period", "2026-01", "--format", "csv"]
    )
    assert csv_result.output.splitlines()[0] == (
        "team,tickets,with_sla,first_response_met,first_response_breached,"
        "resolution_met,resolution_breached,breached,breach_rate"
    )
    assert csv_result.output.splitlines()[1] == "Front desk,4,3,1,1,2,0,1,33.33"
    table = cli.invoke(["service_desk", "sla-report", "--period", "2026-01"])
    assert "All teams" in table.output and "50.00" in table.output
    bad = cli.invoke(["service_desk", "sla-report", "--period", "January"])
    assert bad.exit_code != 0 and "YYYY-MM" in bad.output


def test_sla_page_shows_the_same_figures(client, login_as, sla_tickets):
    login_as("manager")
    page = client.get("/service_desk/reports/sla?period=2026-01").data.decode()
    assert "33.33 %" in page and "50.00 %" in page and "data-chart" in page


@pytest.fixture
def surveys(make_ticket, make_user, make_team):
    """Agent X: ratings 5, 4, 2 and one unanswered; agent Y: 3. All resolved in January."""
    x, y = make_user("support", name="Xena"), make_user("support", name="Yuri")
    team = make_team("Front desk")
    ticket = make_ticket(now=utc("2026-01-05 08:00"))
    for agent, rating, category in [
        (x, 5, "Delivery"),
        (x, 4, "Delivery"),
        (x, 2, "Billing"),
        (x, None, "Billing"),
        (y, 3, "Billing"),
    ]:
        db.session.add(
            Survey(
                ticket_id=ticket.id,
                nonce=f"n{len(db.session.new)}{agent.id}{rating}",
                created_at=utc("2026-01-06 08:00"),
                expires_at=utc("2026-01-20 08:00"),
                resolved_on=dt.date(2026, 1, 6),
                agent_id=agent.id,
                team_id=team.id,
                category=category,
                rating=rating,
                answered_at=utc("2026-01-07 08:00") if rating else None,
            )  # fmt: skip
        )
    db.session.commit()


def test_csat_per_agent_team_and_category(surveys):
    by_agent = {row["agent"]: row for row in csat_report(*JANUARY, "agent")}
    assert by_agent["Xena"] == {
        "agent": "Xena", "sent": 4, "answered": 3, "response_rate": Decimal("75.00"),
        "average_rating": Decimal("3.67"),  # 11 / 3
        "csat": Decimal("66.67"),  # 2 of 3 rated 4 or 5
    }  # fmt: skip
    assert by_agent["Yuri"]["csat"] == Decimal("0.00")
    team = csat_report(*JANUARY, "team")[0]
    assert (team["team"], team["answered"], team["csat"]) == ("Front desk", 4, Decimal("50.00"))
    by_category = {row["category"]: row for row in csat_report(*JANUARY, "category")}
    assert by_category["Delivery"]["csat"] == Decimal("100.00")
    assert by_category["Billing"]["csat"] == Decimal("0.00")  # ratings 2 and 3
    assert by_category["Billing"]["response_rate"] == Decimal("66.67")


def test_csat_command_and_page(cli, client, login_as, surveys):
    result = cli.invoke(
        ["service_desk", "csat-report", "--period", "2026-01", "--by", "team", "--format", "json"]
    )
    assert json.loads(result.output)["rows"][0]["csat"] == "50.00"
    login_as("manager")
    page = client.get("/service_desk/reports/satisfaction?from=2026-01-01&to=2026-01-31&by=agent")
    assert b"66.67 %" in page.data


@pytest.fixture
def process(make_ticket, make_team):
    """Wall-clock stays (hours), now = 2026-01-07 18:00 UTC.

    Delivery / A: T1 new 2, open 3+1, waiting 24 · T2 new 4, open 2 · T3 new 10 (still new).
    Billing / B: T4 new 1, open 1.
    """
    team_a, team_b = make_team("A"), make_team("B")

    def at(start, hours):
        return utc(start) + dt.timedelta(hours=hours)

    t1 = make_ticket(team=team_a, category="Delivery", now=utc("2026-01-05 08:00"))
    for state, hours in [("open", 2), ("waiting", 5), ("open", 29), ("resolved", 30)]:
        change_state(t1, state, None, at("2026-01-05 08:00", hours))
    t2 = make_ticket(team=team_a, category="Delivery", now=utc("2026-01-06 08:00"))
    change_state(t2, "open", None, at("2026-01-06 08:00", 4))
    change_state(t2, "resolved", None, at("2026-01-06 08:00", 6))
    make_ticket(team=team_a, category="Delivery", now=utc("2026-01-07 08:00"))
    t4 = make_ticket(team=team_b, category="Billing", kind="inquiry", now=utc("2026-01-06 10:00"))
    change_state(t4, "open", None, at("2026-01-06 10:00", 1))
    change_state(t4, "resolved", None, at("2026-01-06 10:00", 2))
    db.session.commit()
    return utc("2026-01-07 18:00")


def figures(rows):
    """{(group, state): (tickets, average, p50, p90)} as strings for easy reading."""
    return {
        (row.group, row.state): (
            row.tickets,
            str(row.average_hours),
            str(row.p50_hours),
            str(row.p90_hours),
        )
        for row in rows
    }


def test_time_in_state_for_all_tickets(process):
    rows = time_in_state(*JANUARY, None, now=process)
    assert figures(rows) == {
        # new: 1, 2, 4, 10 → average 17 / 4 = 4.25 → 4.3; p50 = 2nd value; p90 = 4th (ceil 3.6)
        ("All tickets", "new"): (4, "4.3", "2.0", "10.0"),
        # open: 1, 2, 4 → 7 / 3 = 2.33; p50 = 2nd (ceil 1.5); p90 = 3rd (ceil 2.7)
        ("All tickets", "open"): (3, "2.3", "2.0", "4.0"),
        ("All tickets", "waiting"): (1, "24.0", "24.0", "24.0"),
    }
    assert longest_step(rows) == "waiting"


def test_time_in_state_per_category_and_team(process):
    by_category = figures(time_in_state(*JANUARY, "category", now=process))
    assert by_category[("Delivery", "new")] == (3, "5.3", "4.0", "10.0")  # 2, 4, 10
    assert by_category[("Delivery", "open")] == (2, "3.0", "2.0", "4.0")  # 2, 4
    assert by_category[("Billing", "new")] == (1, "1.0", "1.0", "1.0")
    by_team = figures(time_in_state(*JANUARY, "team", now=process))
    assert by_team[("A", "waiting")] == (1, "24.0", "24.0", "24.0")
    assert ("B", "waiting") not in by_team
    complaints_only = figures(time_in_state(*JANUARY, None, kind="complaint", now=process))
    assert complaints_only[("All tickets", "new")] == (3, "5.3", "4.0", "10.0")


def test_complaint_trend_by_month(make_ticket):
    for when, category, kind in [
        ("2026-01-05 08:00", "Delivery", "complaint"),
        ("2026-01-20 08:00", "Delivery", "complaint"),
        ("2026-01-21 08:00", "Billing", "complaint"),
        ("2026-02-02 08:00", "Delivery", "complaint"),
        ("2026-02-03 08:00", "Billing", "inquiry"),  # not a complaint
        ("2026-04-01 08:00", "Delivery", "complaint"),  # after the period
    ]:
        make_ticket(category=category, kind=kind, now=utc(when))
    months, series = complaint_trend(dt.date(2026, 1, 1), dt.date(2026, 3, 31))
    assert months == ["2026-01", "2026-02", "2026-03"]
    assert series == {"Billing": [1, 0, 0], "Delivery": [2, 1, 0]}


def test_process_page_highlights_the_longest_step(client, login_as, process):
    with time_machine.travel(process.replace(tzinfo=dt.UTC), tick=False):
        login_as("manager")  # the session cookie must not come from the future
        page = client.get(
            "/service_desk/reports/process?from=2026-01-01&to=2026-01-31&by=team"
        ).data.decode()
    assert "The longest step is <strong" in page and "Waiting on customer</strong>" in page
    spec = json.loads(page.split('class="chart-data">')[1].split("</script>")[0])
    assert spec["labels"][spec["highlight"]] == "Waiting on customer"  # the bar drawn apart
