"""Queues: mine, my teams, unassigned, breached; filters, sorting, CSV, bulk assign with CSRF."""

from __future__ import annotations

import csv
import io
import re

from sqlalchemy import select

from core.db import db
from plugins.service_desk.models import Ticket, TicketEvent
from plugins.service_desk.queues import QUEUES, QueueFilters, queue_counts, queue_statement
from plugins.service_desk.tickets import change_state

from .helpers import utc

NOW = utc("2026-01-05 12:30")


def ids(statement):
    """Ticket ids of a statement, in id order."""
    return sorted(ticket.id for ticket in db.session.scalars(statement))


def test_queues_and_filters(make_ticket, make_team, make_user):
    me, colleague = make_user("support"), make_user("support")
    mine_team = make_team("Front desk", members=[me])
    other_team = make_team("Returns")
    start = utc("2026-01-05 08:00")
    mine = make_ticket(assignee=me, team=mine_team, now=start, subject="Mine", category="Delivery")
    team = make_ticket(
        team=mine_team,
        assignee=colleague,
        now=utc("2026-01-05 12:00"),
        subject="Team",
        priority="high",
    )
    unassigned = make_ticket(
        team=other_team, now=utc("2026-01-05 12:00"), subject="Nobody", kind="inquiry"
    )
    done = make_ticket(assignee=me, now=start, subject="Done")
    change_state(done, "resolved", None, utc("2026-01-05 09:00"))
    db.session.commit()

    def queue(name, **filters):
        return ids(queue_statement(QueueFilters(queue=name, **filters), me, NOW))

    assert queue("mine") == [mine.id]  # done is resolved: queues show open work by default
    assert queue("mine", state="resolved") == [done.id]
    assert queue("team") == [mine.id, team.id]
    assert queue("unassigned") == [unassigned.id]
    assert queue("breached") == [mine.id]  # due 09:00 / 12:00; the others were opened at 12:00
    assert queue("all") == [mine.id, team.id, unassigned.id, done.id]
    assert queue("all", kind="inquiry") == [unassigned.id]
    assert queue("all", priority="high") == [team.id]
    assert queue("all", category="Delivery") == [mine.id]
    assert queue("all", team_id=other_team.id) == [unassigned.id]
    assert queue("all", text=f"#{team.id}") == [team.id]
    assert queue("all", text="nobo") == [unassigned.id]
    # Each tab's badge counts what the tab lists: "all" shows the resolved ticket too.
    assert queue_counts(me, NOW) == {"mine": 1, "team": 2, "unassigned": 1, "breached": 1, "all": 4}
    assert queue_counts(me, NOW) == {name: len(queue(name)) for name in QUEUES}


def test_the_all_tickets_badge_counts_the_rows_the_tab_lists(client, login_as, make_ticket):
    login_as("manager")
    for number in range(3):
        make_ticket(subject=f"Closed {number}", now=utc("2026-01-05 08:00"))
    tickets = db.session.scalars(select(Ticket)).all()
    for ticket in tickets[:2]:
        change_state(ticket, "resolved", None, utc("2026-01-05 09:00"))
    db.session.commit()
    page = client.get("/service_desk/?queue=all").get_data(as_text=True)
    badge = re.search(r"All tickets <span[^>]*>(\d+)</span>", page)
    assert badge.group(1) == "3"
    assert page.count("Closed ") == 3  # the list: one open, two resolved


def test_queue_page_sorts_and_pages(client, login_as, make_ticket):
    login_as("manager")
    make_ticket(subject="Low one", priority="low", now=utc("2026-01-05 08:00"))
    make_ticket(subject="Urgent one", priority="urgent", now=utc("2026-01-05 09:00"))
    page = client.get("/service_desk/?queue=all&sort=priority&dir=asc").data.decode()
    assert page.index("Urgent one") < page.index("Low one")
    page = client.get("/service_desk/?queue=all&sort=created&dir=asc").data.decode()
    assert page.index("Low one") < page.index("Urgent one")


def test_csv_export_of_a_queue(client, login_as, make_ticket, make_customer):
    login_as("manager")
    ticket = make_ticket(
        customer=make_customer(name="Ada"), subject="Broken, twice", now=utc("2026-01-05 08:00")
    )
    response = client.get("/service_desk/queue.csv?queue=all")
    assert response.headers["Content-Type"].startswith("text/csv")
    lines = response.data.decode().splitlines()
    assert lines[0].startswith("id,opened_at,type,channel,customer,subject")
    # 08:00 UTC is 09:00 in Berlin; the subject's comma is quoted.
    assert (
        lines[1]
        == f'{ticket.id},2026-01-05 09:00,complaint,phone,Ada,"Broken, twice",normal,,new,,,2026-01-05 13:00'
    )


def test_bulk_assign(db, client, login_as, make_ticket, make_team, make_user):
    lead = login_as("manager")
    agent = make_user("support", name="Ann Agent")
    outsider = make_user("support")
    team = make_team("Front desk", members=[agent])
    secret = make_team("Escalations", restricted=True, members=[lead])
    first, second = make_ticket(), make_ticket()
    restricted = make_ticket(team=secret)
    response = client.post(
        "/service_desk/bulk-assign",
        data={
            "ticket_ids": [first.id, second.id],
            "assignee_id": agent.id,
            "team_id": team.id,
            "next": "/service_desk/?queue=all",
        },
    )
    assert response.status_code == 302 and response.headers["Location"].endswith(
        "/service_desk/?queue=all"
    )
    db.session.expire_all()
    assert (first.assignee_id, second.assignee_id, first.team_id) == (agent.id, agent.id, team.id)
    summaries = db.session.scalars(
        select(TicketEvent.summary).where(TicketEvent.ticket_id == first.id)
    ).all()
    assert "Assigned to Ann Agent" in summaries and "Team: none → Front desk" in summaries
    # An assignee outside a restricted team is refused for that ticket only.
    page = client.post(
        "/service_desk/bulk-assign",
        data={"ticket_ids": [restricted.id, first.id], "assignee_id": outsider.id},
        follow_redirects=True,
    )
    assert b"1 ticket changed." in page.data
    assert f"#{restricted.id}: ".encode() in page.data
    db.session.expire_all()
    assert restricted.assignee_id is None and first.assignee_id == outsider.id
    nothing = client.post(
        "/service_desk/bulk-assign", data={"assignee_id": agent.id}, follow_redirects=True
    )
    assert b"Tick at least one ticket" in nothing.data
    # Unassign, and an off-site "next" is ignored.
    unassign = client.post(
        "/service_desk/bulk-assign",
        data={"ticket_ids": [first.id], "unassign": "1", "next": "https://evil.example/"},
    )
    assert unassign.headers["Location"].endswith("/service_desk/")
    db.session.expire_all()
    assert first.assignee_id is None


def test_bulk_assign_needs_the_csrf_token(app, client, login_as, make_ticket, make_user):
    login_as("manager")
    agent = make_user("support")
    ticket = make_ticket()
    app.config["WTF_CSRF_ENABLED"] = True
    try:
        refused = client.post(
            "/service_desk/bulk-assign", data={"ticket_ids": [ticket.id], "assignee_id": agent.id}
        )
        assert refused.status_code == 400
        page = client.get("/service_desk/?queue=all").data.decode()
        token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)
        accepted = client.post(
            "/service_desk/bulk-assign",
            data={"csrf_token": token, "ticket_ids": [ticket.id], "assignee_id": agent.id},
        )
        assert accepted.status_code == 302
    finally:
        app.config["WTF_CSRF_ENABLED"] = False
    db.session.expire_all()
    assert db.session.get(Ticket, ticket.id).assignee_id == agent.id


def test_support_cannot_bulk_assign_what_they_may_not_work(
    db, client, login_as, make_ticket, make_team
):
    agent = login_as("support")
    secret = make_team("Escalations", restricted=True)
    ticket = make_ticket(team=secret)
    page = client.post(
        "/service_desk/bulk-assign",
        data={"ticket_ids": [ticket.id], "assignee_id": agent.id},
        follow_redirects=True,
    )
    assert b"0 tickets changed." in page.data
    assert b"you cannot work on tickets of Escalations" in page.data
    db.session.expire_all()
    assert ticket.assignee_id is None
    sales = login_as("sales")
    refused = client.post(
        "/service_desk/bulk-assign", data={"ticket_ids": [ticket.id], "assignee_id": sales.id}
    )
    assert refused.status_code == 403


def test_csv_export_of_a_queue_quotes_formulas(client, login_as, make_ticket, make_customer):
    login_as("manager")
    make_ticket(
        customer=make_customer(name="@Ada"),
        subject="=cmd|' /C calc'!A0",
        now=utc("2026-01-05 08:00"),
    )
    rows = list(
        csv.DictReader(
            io.StringIO(client.get("/service_desk/queue.csv?queue=all").get_data(as_text=True))
        )
    )
    assert (rows[0]["customer"], rows[0]["subject"]) == ("'@Ada", "'=cmd|' /C calc'!A0")
