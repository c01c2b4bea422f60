"""Who sees what: restricted teams keep internal notes to themselves; salespeople see their customers' tickets."""

from __future__ import annotations

import io

import pytest
from sqlalchemy import select

from core.db import db
from plugins.service_desk.models import Attachment
from plugins.service_desk.tickets import add_message

from .helpers import utc

SECRET = b"SECRET-NOTE-TEXT"
PDF = b"%PDF-1.4 secret contract"


@pytest.fixture
def scene(client, make_user, make_team, make_customer, make_ticket):
    """A ticket of the restricted Escalations team with a public reply, a note and an internal file."""
    member = make_user("support", name="Mia Member")
    outsider = make_user("support", name="Otto Outsider")
    owner = make_user("sales", name="Sam Sales")
    other_sales = make_user("sales", name="Sue Sales")
    team = make_team("Escalations", restricted=True, members=[member])
    customer = make_customer(name="Ada", email="ada@example.com", owner_id=owner.id)
    ticket = make_ticket(customer=customer, team=team, assignee=member, now=utc("2026-01-05 08:00"))
    add_message(ticket, "reply", "public reply text", member)
    note = add_message(ticket, "note", SECRET.decode(), member)
    db.session.commit()
    with client.session_transaction() as session:
        session["_user_id"] = str(member.id)
    client.post(
        f"/service_desk/tickets/{ticket.id}/messages",
        data={"kind": "note", "body": "contract attached", "attachments": [(io.BytesIO(PDF), "contract.pdf")]},
        content_type="multipart/form-data",
    )  # fmt: skip
    attachment = db.session.scalars(select(Attachment)).one()
    assert attachment.internal and note.internal
    return {"member": member, "outsider": outsider, "owner": owner, "other_sales": other_sales,
            "team": team, "customer": customer, "ticket": ticket, "attachment": attachment}  # fmt: skip


def pages(scene):
    """Every page and export that could show the ticket."""
    ticket, customer = scene["ticket"], scene["customer"]
    return [
        f"/service_desk/tickets/{ticket.id}",
        f"/service_desk/tickets/{ticket.id}/export.txt",
        "/service_desk/?queue=all",
        "/service_desk/?queue=team",
        "/service_desk/queue.csv?queue=all",
        f"/service_desk/lookup?q={customer.email}",
        f"/customers/{customer.id}",
        f"/customers/{customer.id}?timeline=all",
        "/",
    ]


def test_outsider_sees_the_public_part_only(client, login_as, scene):
    login_as(scene["outsider"])
    ticket = scene["ticket"]
    for url in pages(scene):
        response = client.get(url)
        assert response.status_code == 200, url
        assert SECRET not in response.data, url
        assert b"contract.pdf" not in response.data, url
    page = client.get(f"/service_desk/tickets/{ticket.id}")
    assert b"public reply text" in page.data
    assert client.get(f"/service_desk/attachments/{scene['attachment'].id}").status_code == 404
    for action, data in [
        ("messages", {"kind": "note", "body": "let me in"}),
        ("state", {"state": "resolved"}),
        ("update", {"kind": "complaint", "priority": "low"}),
        ("link-customer", {"customer_query": "Ada"}),
    ]:
        assert (
            client.post(f"/service_desk/tickets/{ticket.id}/{action}", data=data).status_code == 403
        ), action
    db.session.expire_all()
    assert ticket.state == "open" and ticket.priority == "normal"


def test_members_and_managers_read_notes_and_files(client, login_as, scene, make_user):
    for user in (scene["member"], make_user("manager")):
        login_as(user)
        for url in (
            f"/service_desk/tickets/{scene['ticket'].id}",
            f"/service_desk/tickets/{scene['ticket'].id}/export.txt",
        ):
            assert SECRET in client.get(url).data, (user.role, url)
        download = client.get(f"/service_desk/attachments/{scene['attachment'].id}")
        assert download.status_code == 200 and download.data == PDF


def test_unrestricted_team_shares_notes_with_every_agent(client, login_as, scene):
    scene["team"].restricted = False
    db.session.commit()
    login_as(scene["outsider"])
    assert SECRET in client.get(f"/service_desk/tickets/{scene['ticket'].id}").data


def test_salespeople_see_only_their_customers_tickets(client, login_as, scene):
    ticket = scene["ticket"]
    login_as(scene["owner"])
    assert client.get(f"/service_desk/tickets/{ticket.id}").status_code == 200
    assert (
        SECRET not in client.get(f"/service_desk/tickets/{ticket.id}").data
    )  # outside the restricted team
    assert (
        client.post(
            f"/service_desk/tickets/{ticket.id}/state", data={"state": "resolved"}
        ).status_code
        == 403
    )
    login_as(scene["other_sales"])
    assert client.get(f"/service_desk/tickets/{ticket.id}").status_code == 403
    assert client.get(f"/service_desk/tickets/{ticket.id}/export.txt").status_code == 403
    assert client.get(f"/service_desk/attachments/{scene['attachment'].id}").status_code == 403
    for url in (
        "/service_desk/?queue=all",
        f"/service_desk/lookup?q={scene['customer'].email}",
        f"/customers/{scene['customer'].id}",
    ):
        response = client.get(url)
        assert response.status_code == 200, url
        # The core's mail log on the customer page lists the reply's subject to anyone who may see
        # the customer; the service desk itself shows nothing of the ticket (no link, no entry).
        assert f"/service_desk/tickets/{ticket.id}".encode() not in response.data, url


def test_roles_without_the_permission_are_refused(client, login_as, scene):
    login_as("marketing")
    for url in (
        "/service_desk/",
        "/service_desk/lookup",
        f"/service_desk/tickets/{scene['ticket'].id}",
        "/service_desk/reports/sla",
    ):
        assert client.get(url).status_code == 403, url
    login_as("support")
    assert client.get("/service_desk/reports/sla").status_code == 403
    assert client.get("/service_desk/teams").status_code == 403


def test_anonymous_visitors_are_sent_to_the_login(app, scene):
    response = app.test_client().get(f"/service_desk/tickets/{scene['ticket'].id}")
    assert response.status_code == 302 and "/login" in response.headers["Location"]
