"""Caller lookup: any phone format finds the caller; one screen; a fixed number of queries."""

from __future__ import annotations

import datetime as dt

import pytest

from plugins.service_desk.tickets import change_state

from .helpers import utc


@pytest.fixture
def ada(make_customer):
    """Ada, whose number was stored as typed by someone else: +49 30 1234567."""
    return make_customer(name="Ada Lovelace", phone="+49 30 1234567", email="ada@example.com")


@pytest.mark.parametrize(
    "typed", ["030 1234567", "0049301234567", "+49 (30) 123-4567", "030/123 45 67"]
)
def test_any_phone_format_finds_the_caller(client, login_as, ada, typed):
    login_as("support")
    page = client.get("/service_desk/lookup", query_string={"q": typed})
    assert page.status_code == 200
    assert b'id="caller"' in page.data
    assert b"Ada Lovelace" in page.data


def test_one_screen_with_badges_orders_and_tickets(
    client, login_as, ada, make_order, make_product, make_ticket
):
    login_as("support")
    order = make_order(
        customer=ada, lines=[(make_product(list_price="12.50"), 2)], order_date=dt.date(2026, 1, 2)
    )
    ticket = make_ticket(customer=ada, subject="Wrong size", now=utc("2026-01-05 08:00"))
    page = client.get("/service_desk/lookup?q=030 1234567").data.decode()
    assert "1 open ticket" in page  # this plugin's badge
    assert order.number in page and "25.00" in page  # 2 × 12.50
    assert f"/service_desk/tickets/{ticket.id}" in page and "Wrong size" in page
    assert (
        f"/service_desk/tickets/new?customer={ada.id}&amp;order={order.id}&amp;kind=complaint"
        in page
    )
    assert f"/service_desk/tickets/new?customer={ada.id}" in page


def _history(customer, make_order, make_ticket, product, size):
    """Give the customer `size` orders and `size` tickets (some closed)."""
    for number in range(size):
        make_order(
            customer=customer,
            lines=[(product, 1)],
            order_date=dt.date(2025, 1, 1) + dt.timedelta(days=number),
        )
        ticket = make_ticket(
            customer=customer, subject=f"Issue {number}", now=utc("2026-01-05 08:00")
        )
        if number % 2:
            change_state(ticket, "resolved", None, utc("2026-01-05 09:00"))


def test_query_count_does_not_grow_with_history(
    client, login_as, make_customer, make_order, make_ticket, make_product, count_queries
):
    login_as("support")
    product = make_product()
    small = make_customer(name="Small", phone="030 1111111")
    big = make_customer(name="Big", phone="030 2222222")
    _history(small, make_order, make_ticket, product, 1)
    _history(big, make_order, make_ticket, product, 50)
    counts = []
    for phone in ("030 1111111", "030 2222222"):
        client.get(f"/service_desk/lookup?q={phone}")  # warm-up: nothing lazy left to load
        with count_queries() as statements:
            page = client.get(f"/service_desk/lookup?q={phone}")
        assert page.status_code == 200 and b'id="caller"' in page.data
        counts.append(len(statements))
    # The logged-in user, the matching customers, this plugin's badges, the orders, the tickets.
    assert counts == [5, 5]


def test_several_matches_give_a_short_list_in_fixed_queries(
    client, login_as, make_customer, make_order, make_ticket, make_product, count_queries
):
    login_as("support")
    product = make_product()
    millers = [make_customer(name=f"Miller {letter}") for letter in "ABC"]
    _history(millers[0], make_order, make_ticket, product, 20)
    with count_queries() as statements:
        page = client.get("/service_desk/lookup?q=miller")
    text = page.data.decode()
    assert 'id="matches"' in text and text.count("list-group-item-action") == 3
    assert "10 open tickets" in text  # the 10 of 20 left unresolved
    first = len(statements)
    _history(millers[1], make_order, make_ticket, product, 20)
    with count_queries() as statements:
        client.get("/service_desk/lookup?q=miller")
    assert len(statements) == first


def test_many_matches_ask_for_more(client, login_as, make_customer):
    login_as("support")
    for number in range(12):
        make_customer(name=f"Smith {number:02d}")
    text = client.get("/service_desk/lookup?q=smith").data.decode()
    assert "10+ customers match" in text and text.count("list-group-item-action") == 10


def test_unknown_number_offers_a_new_customer_or_a_ticket(client, login_as, ada):
    login_as("support")
    text = client.get("/service_desk/lookup?q=0171 9999999").data.decode()
    assert 'id="no-match"' in text
    assert "/service_desk/tickets/new?contact_phone=0171+9999999&amp;create=1" in text
    assert "/service_desk/tickets/new?contact_phone=0171+9999999" in text
    assert "Ticket for a new contact" in text


def test_salespeople_see_only_their_own_orders_in_the_lookup(
    client, login_as, ada, make_order, make_user
):
    seller = login_as("sales")
    mine = make_order(customer=ada, salesperson=seller)
    theirs = make_order(customer=ada, salesperson=make_user("sales"))
    text = client.get("/service_desk/lookup?q=ada@example.com").data.decode()
    assert mine.number in text and theirs.number not in text


@pytest.mark.parametrize(
    "typed",
    ["+86 138 0013 8000", "0086 138 0013 8000", "13800138000", "138-0013-8000", "(+86)13800138000"],
)
def test_a_chinese_mobile_finds_the_caller_in_every_format(
    app, client, login_as, make_customer, monkeypatch, typed
):
    monkeypatch.setitem(app.config["CLIENTELE"], "default_region", "CN")
    make_customer(name="张伟", phone="138 0013 8000")
    login_as("support")
    page = client.get("/service_desk/lookup", query_string={"q": typed})
    assert page.status_code == 200
    assert b'id="caller"' in page.data
    assert "张伟" in page.get_data(as_text=True)
