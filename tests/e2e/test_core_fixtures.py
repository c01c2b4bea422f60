"""The browser-test fixtures themselves: plugin sets, a fresh database per test, the safety nets."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect
from sqlalchemy import func, select

from core.models import Customer


def _customers(server) -> int:
    """How many customers the live server's database holds."""
    with server.data() as session:
        return session.scalar(select(func.count()).select_from(Customer))


def test_each_test_starts_on_an_empty_database(live_server):
    assert _customers(live_server) == 0
    live_server.create_customer(name="Left behind")
    assert _customers(live_server) == 1


def test_the_previous_tests_rows_are_gone(live_server):
    assert _customers(live_server) == 0
    assert live_server.create_customer().id == 1


@pytest.mark.plugins("example")
def test_the_plugins_marker_enables_a_plugin(live_server, page):
    seller = live_server.create_user("sales")
    customer = live_server.create_customer(name="Counted", owner_id=seller.id)
    product = live_server.create_product()
    live_server.create_order(customer, seller, [(product, 1)])
    live_server.create_order(customer, seller, [(product, 2)])
    live_server.log_in(page, seller)
    page.goto(live_server.url_for("customers.detail", customer_id=customer.id))
    assert page.locator("[data-plugin=example] .example-count").inner_text() == "2"
    page.get_by_role("link", name="Example", exact=True).click()
    assert page.url == live_server.url + "/example/"


def test_a_second_server_enables_a_plugin_on_the_same_data(live_server_factory, page):
    plain = live_server_factory()
    seller = plain.create_user("sales")
    customer = plain.create_customer(name="Kept", owner_id=seller.id)
    plain.create_order(customer, seller, [(plain.create_product(), 1)])

    with_example = live_server_factory(plugins=["example"])
    with_example.log_in(page, seller.email, "password")
    page.goto(with_example.url_for("customers.detail", customer_id=customer.id))
    expect(page.get_by_role("heading", name="Kept")).to_be_visible()
    # The order was confirmed before the plugin was enabled, so it counted nothing.
    assert page.locator("[data-plugin=example] .example-count").inner_text() == "0"


def test_a_server_error_is_recorded(live_server_factory, page):
    server = live_server_factory()

    def broken() -> str:
        raise RuntimeError("broken on purpose")

    server.app.add_url_rule("/broken", "broken", broken)
    assert page.goto(server.url + "/broken").status == 500
    assert [str(error) for error in server.errors] == ["broken on purpose"]
    server.errors.clear()  # expected here; left in place it fails the test at teardown
