"""Every page answers and shows what a person needs; forms keep input and say what is wrong."""

from __future__ import annotations

import io

from sqlalchemy import func, select

from core.models import Customer
from plugins.service_desk.models import Attachment, Team, Ticket, TicketMessage

from .helpers import utc

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


def test_queue_ticket_and_report_pages_render(
    client, login_as, make_ticket, make_team, make_customer
):
    manager = login_as("manager")
    team = make_team("Front desk", members=[manager])
    ticket = make_ticket(
        customer=make_customer(name="Ada"), team=team, assignee=manager, now=utc("2026-01-05 08:00")
    )
    for url, text in [
        ("/service_desk/", b"My tickets"),
        ("/service_desk/?queue=all&sort=due&dir=asc", b"Parcel arrived broken"),
        (f"/service_desk/tickets/{ticket.id}", b"Parcel arrived broken"),
        ("/service_desk/lookup", b"Caller lookup"),
        ("/service_desk/lookup?q=Ada", b"Open a ticket"),
        ("/service_desk/tickets/new", b"New ticket"),
        ("/service_desk/reports/sla?period=2026-01", b"Front desk"),
        ("/service_desk/reports/satisfaction", b"CSAT"),
        ("/service_desk/reports/process?from=2026-01-01&to=2026-01-31", b"Where customers wait"),
        ("/service_desk/teams", b"Front desk"),
        ("/service_desk/teams/new", b"Restricted"),
        ("/", b"My open tickets"),
        (f"/customers/{ticket.customer_id}", b"Tickets"),
    ]:
        page = client.get(url)
        assert page.status_code == 200, url
        assert text in page.data, url


def test_open_a_ticket_from_the_form(db, client, login_as, make_customer, make_order, make_team):
    agent = login_as("support")
    team = make_team("Front desk", members=[agent])
    customer = make_customer(name="Ada", email="ada@example.com")
    order = make_order(customer=customer)
    form = client.get(
        f"/service_desk/tickets/new?customer={customer.id}&order={order.id}&kind=complaint"
    )
    assert f'<option selected value="{order.id}">'.encode() in form.data
    response = client.post(
        "/service_desk/tickets/new",
        data={
            "customer_id": customer.id,
            "order_id": order.id,
            "kind": "complaint",
            "channel": "phone",
            "subject": "Broken jar",
            "description": "One jar arrived broken",
            "priority": "high",
            "category": "Damaged goods",
            "team_id": team.id,
            "assignee_id": agent.id,
            "attachments": [(io.BytesIO(PNG), "photo.png")],
        },
        content_type="multipart/form-data",
    )
    assert response.status_code == 302
    ticket = db.session.scalars(select(Ticket)).one()
    assert (ticket.customer_id, ticket.order_id, ticket.priority, ticket.team_id) == (
        customer.id,
        order.id,
        "high",
        team.id,
    )
    attachment = db.session.scalars(select(Attachment)).one()
    assert attachment.original_name == "photo.png" and not attachment.internal
    page = client.get(f"/service_desk/tickets/{ticket.id}")
    assert b"photo.png" in page.data and order.number.encode() in page.data
    # The order's total is what the customer finally paid: net after refunds.
    from core import orders

    orders.refund(order, order.lines, order.order_date)
    db.session.commit()
    page = client.get(f"/service_desk/tickets/{ticket.id}").get_data(as_text=True)
    assert "0.00 EUR after 10.00 refunded" in page


def test_form_keeps_input_and_explains(db, client, login_as):
    login_as("support")
    response = client.post(
        "/service_desk/tickets/new",
        data={
            "kind": "inquiry",
            "channel": "phone",
            "subject": "",
            "priority": "normal",
            "contact_phone": "not a number",
            "description": "kept text",
        },  # fmt: skip
    )
    assert response.status_code == 200
    assert b"This field is required." in response.data
    assert b"is not a phone number" in response.data
    assert b"kept text" in response.data
    assert db.session.scalar(select(func.count()).select_from(Ticket)) == 0


def test_new_contact_with_a_new_customer_record(db, client, login_as):
    login_as("support")
    response = client.post(
        "/service_desk/tickets/new",
        data={
            "kind": "inquiry",
            "channel": "phone",
            "subject": "Opening hours?",
            "priority": "normal",
            "contact_name": "Bea Caller",
            "contact_phone": "030 1234567",
            "create_customer": "y",
        },  # fmt: skip
    )
    assert response.status_code == 302
    customer = db.session.scalars(select(Customer)).one()
    assert (customer.name, customer.phone_normalized) == ("Bea Caller", "+49301234567")
    assert db.session.scalars(select(Ticket)).one().customer_id == customer.id


def test_ticket_for_a_new_contact_without_a_record(db, client, login_as):
    login_as("support")
    client.post(
        "/service_desk/tickets/new",
        data={
            "kind": "inquiry",
            "channel": "phone",
            "subject": "Opening hours?",
            "priority": "normal",
            "contact_phone": "030 1234567",
        },  # fmt: skip
    )
    ticket = db.session.scalars(select(Ticket)).one()
    assert (ticket.customer_id, ticket.contact_phone) == (None, "030 1234567")
    assert db.session.scalar(select(func.count()).select_from(Customer)) == 0
    page = client.get(f"/service_desk/tickets/{ticket.id}").get_data(as_text=True)
    assert '<a class="text-nowrap" href="tel:+49301234567">+49 30 1234567</a>' in page


def test_work_a_ticket_through_the_page(db, client, login_as, make_ticket, make_customer):
    agent = login_as("support")
    ticket = make_ticket(customer=make_customer(email="ada@example.com"))
    url = f"/service_desk/tickets/{ticket.id}"
    client.post(f"{url}/messages", data={"kind": "reply", "body": "We send a new one."})
    client.post(f"{url}/messages", data={"kind": "note", "body": "Voucher approved by Bob"})
    client.post(f"{url}/state", data={"state": "waiting"})
    bad = client.post(f"{url}/state", data={"state": "closed"}, follow_redirects=True)
    assert b"cannot become closed" in bad.data
    client.post(
        f"{url}/update",
        data={
            "kind": "complaint",
            "priority": "urgent",
            "category": "Delivery",
            "team_id": "",
            "assignee_id": agent.id,
        },
    )
    db.session.expire_all()
    assert (ticket.state, ticket.priority, ticket.assignee_id) == ("waiting", "urgent", agent.id)
    assert [
        m.kind for m in db.session.scalars(select(TicketMessage).order_by(TicketMessage.id))
    ] == ["reply", "note"]
    page = client.get(url)
    assert b"Voucher approved by Bob" in page.data
    assert b"Priority: normal \xe2\x86\x92 urgent" in page.data


def test_attachment_checks(db, client, login_as, make_ticket):
    login_as("support")
    ticket = make_ticket()
    url = f"/service_desk/tickets/{ticket.id}/messages"
    fake = client.post(
        url, data={"kind": "note", "body": "see file", "attachments": [(io.BytesIO(b"<html><script>"), "photo.png")]},
        content_type="multipart/form-data", follow_redirects=True,
    )  # fmt: skip
    assert b"does not contain what a .png file should" in fake.data
    html = client.post(
        url, data={"kind": "note", "body": "see file", "attachments": [(io.BytesIO(b"<html>"), "page.html")]},
        content_type="multipart/form-data", follow_redirects=True,
    )  # fmt: skip
    assert b"files of this type are not accepted" in html.data
    assert db.session.scalar(select(func.count()).select_from(TicketMessage)) == 0  # all or nothing
    client.post(
        url, data={"kind": "note", "body": "see file", "attachments": [(io.BytesIO(PNG), "../../etc/passwd.png")]},
        content_type="multipart/form-data",
    )  # fmt: skip
    attachment = db.session.scalars(select(Attachment)).one()
    assert attachment.original_name == "passwd.png" and attachment.internal
    assert ".." not in attachment.stored_name
    download = client.get(f"/service_desk/attachments/{attachment.id}")
    assert download.status_code == 200
    assert download.data == PNG
    assert download.headers["Content-Disposition"].startswith("attachment;")
    assert download.headers["Content-Type"] == "image/png"
    assert download.headers["X-Content-Type-Options"] == "nosniff"
    # The app-wide policy never replaces the attachment's own, stricter one.
    assert download.headers["Content-Security-Policy"] == "default-src 'none'; sandbox"


def test_attachment_size_limit(db, client, login_as, make_ticket):
    login_as("support")
    ticket = make_ticket()
    big = PNG + b"\x00" * (5120 * 1024)
    response = client.post(
        f"/service_desk/tickets/{ticket.id}/messages",
        data={"kind": "note", "body": "big", "attachments": [(io.BytesIO(big), "big.png")]},
        content_type="multipart/form-data", follow_redirects=True,
    )  # fmt: skip
    assert b"the limit is 5120 KiB" in response.data
    assert db.session.scalar(select(func.count()).select_from(Attachment)) == 0


def test_teams_are_managed_by_managers(db, client, login_as, make_user):
    login_as("manager")
    agent = make_user("support", name="Zed Agent")
    response = client.post(
        "/service_desk/teams/new",
        data={"name": "Escalations", "restricted": "y", "active": "y", "member_ids": [agent.id]},
    )
    assert response.status_code == 302
    team = db.session.scalars(select(Team)).one()
    assert team.restricted and [member.id for member in team.members] == [agent.id]
    duplicate = client.post("/service_desk/teams/new", data={"name": "escalations", "active": "y"})
    assert b"Another team has this name." in duplicate.data
    client.post(f"/service_desk/teams/{team.id}", data={"name": "Escalations", "active": "y"})
    db.session.expire_all()
    assert not team.restricted and team.members == []


def test_unknown_ids_and_bad_input_never_fail(client, login_as):
    login_as("manager")
    assert client.get("/service_desk/tickets/999").status_code == 404
    assert client.get("/service_desk/tickets/abc").status_code == 404
    assert client.get("/service_desk/attachments/1").status_code == 404
    assert client.get("/service_desk/teams/7").status_code == 404
    assert client.get("/service_desk/tickets/new?customer=999").status_code == 404
    assert client.get("/service_desk/reports/sla?period=2026-13").status_code == 200
    assert client.get("/service_desk/reports/process?from=yesterday&by=nonsense").status_code == 200
    assert client.get("/service_desk/?queue=nonsense&sort=evil&page=x").status_code == 200
    assert client.get("/service_desk/lookup?customer=12345").status_code == 200


def _details_form(page: bytes) -> dict[str, str]:
    """The values the ticket page's details form would post, as the page rendered them."""
    import re

    form = page.decode()
    form = form[form.index('id="details"') :]
    form = form[: form.index("</form>")]
    values = dict(re.findall(r'<input[^>]*name="(seen_\w+)"[^>]*value="([^"]*)"', form))
    for name in ("kind", "priority", "category", "team_id", "assignee_id"):
        select = re.search(rf'<select[^>]*name="{name}".*?</select>', form, re.S)
        assert select, name
        chosen = re.search(
            r'<option selected value="([^"]*)"|<option value="([^"]*)" selected', select[0]
        )
        values[name] = next((v for v in chosen.groups() if v is not None), "") if chosen else ""
    return values


def test_saving_the_details_keeps_an_assignment_made_meanwhile(
    db, client, login_as, make_ticket, make_user
):
    ticket = make_ticket()
    url = f"/service_desk/tickets/{ticket.id}"
    ben = make_user("support", name="Ben")
    ann = login_as("support", name="Ann")
    shown = _details_form(client.get(url).data)
    assert (shown["seen_assignee_id"], shown["assignee_id"]) == ("", "")
    # Ben takes the ticket while Ann's page is open; Ann then raises its priority only.
    login_as(ben)
    taken = client.post(f"{url}/claim", follow_redirects=True)
    assert f"Ticket #{ticket.id} is yours now.".encode() in taken.data
    login_as(ann)
    saved = client.post(f"{url}/update", data={**shown, "priority": "high"}, follow_redirects=True)
    assert b"Priority: normal \xe2\x86\x92 high" in saved.data
    db.session.expire_all()
    assert (ticket.priority, ticket.assignee_id) == ("high", ben.id)


def test_assigning_a_ticket_someone_took_meanwhile_is_refused(
    db, client, login_as, make_ticket, make_user
):
    ticket = make_ticket()
    url = f"/service_desk/tickets/{ticket.id}"
    ben = make_user("support", name="Ben")
    ann = login_as("support", name="Ann")
    shown = _details_form(client.get(url).data)
    login_as(ben)
    client.post(f"{url}/claim")
    login_as(ann)
    refused = client.post(
        f"{url}/update",
        data={**shown, "assignee_id": str(ann.id), "priority": "urgent"},
        follow_redirects=True,
    )
    assert b"Someone else changed ticket" in refused.data
    assert b"assigned to Ben" in refused.data
    db.session.expire_all()
    assert (ticket.priority, ticket.assignee_id) == ("normal", ben.id)  # nothing changed
    # A second claim is refused too, naming who has it.
    again = client.post(f"{url}/claim", follow_redirects=True)
    assert b"already assigned to Ben; nothing changed." in again.data
