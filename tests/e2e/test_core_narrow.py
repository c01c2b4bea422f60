"""At 375 px (a phone) the pages a clerk opens during a call never scroll sideways; phones dial."""

from __future__ import annotations

import datetime as dt

import pytest

from tests.e2e.layout import sideways_overflow

pytestmark = pytest.mark.plugins("sales_commission", "loyalty", "service_desk", "marketing")

PHONE = {"width": 375, "height": 800}


def _customer_with_history(live_server):
    """A customer with a long company name, orders (one partly refunded) and a ticket."""
    seller = live_server.create_user("sales", name="Konstantin Papadopoulos-Schmidt")
    customer = live_server.create_customer(
        name="Claudia Meyer",
        company="Feinkost Meyer & Söhne Delikatessen GmbH",
        email="claudia.meyer@feinkost-meyer-delikatessen.example",
        phone="030 947248",
        country="DE",
        city="Berlin",
        owner_id=seller.id,
    )
    oil = live_server.create_product(
        sku="OIL-EXTRA-VIRGIN-5L", name="Olive oil extra virgin, 5 l tin", list_price="54.90",
        unit_cost="31.20",
    )  # fmt: skip
    salt = live_server.create_product(sku="SALT-1", name="Sea salt", list_price="4.99")
    order = live_server.create_order(
        customer, seller, [(oil, 12, None, "0.15"), (salt, "2.5")],
        order_date=dt.date.today() - dt.timedelta(days=3),
    )  # fmt: skip
    with live_server.data() as session:
        from core import orders
        from core.models import Customer, Order, User
        from plugins.service_desk.tickets import NewTicket, open_ticket

        stored = session.get(Order, order.id)
        orders.refund(stored, [stored.lines[1]], dt.date.today())
        agent = User(email="sue@example.com", name="Susanne Unterberger-Wolff", role="support")
        session.add(agent)
        ticket = NewTicket(
            kind="complaint", channel="phone", subject="Tin arrived dented on two sides, oil leaking",
            priority="urgent", customer=session.get(Customer, customer.id), order=stored,
        )  # fmt: skip
        open_ticket(ticket, agent)
    return seller, customer, order


def test_order_customer_and_caller_lookup_fit_a_phone(live_server, page, screenshot):
    _, customer, order = _customer_with_history(live_server)
    manager = live_server.create_user("manager", name="Mia Manager")
    live_server.log_in(page, manager)
    page.set_viewport_size(PHONE)
    pages = {
        "order": live_server.url_for("orders.detail", order_id=order.id),
        "customer": live_server.url_for("customers.detail", customer_id=customer.id),
        "lookup": live_server.url_for("service_desk.lookup", q="030 947248"),
        "lookup-matches": live_server.url_for("service_desk.lookup", q="Meyer"),
        "orders": live_server.url_for("orders.index"),
        "customers": live_server.url_for("customers.index"),
    }
    overflows = {}
    for name, url in pages.items():
        page.goto(url)
        overflows[name] = sideways_overflow(page)
        screenshot(f"core-375-{name}")
    assert overflows == dict.fromkeys(pages, 0)


def test_phone_numbers_are_tel_links(live_server, page):
    _, customer, _ = _customer_with_history(live_server)
    live_server.log_in(page, live_server.create_user("manager"))
    for url in (
        live_server.url_for("customers.detail", customer_id=customer.id),
        live_server.url_for("customers.index", q="Meyer"),
        live_server.url_for("service_desk.lookup", q="030 947248"),
    ):
        page.goto(url)
        link = page.locator('a[href="tel:+4930947248"]').first
        assert link.inner_text() == "+49 30 947248", url
