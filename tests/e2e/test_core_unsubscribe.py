"""The core's unsubscribe page in a real browser: opening the link asks, the button stops mail."""

from __future__ import annotations

from playwright.sync_api import expect

from core.models import Customer
from core.unsubscribe import unsubscribe_url


def test_the_link_in_a_greeting_asks_then_stops_marketing_mail(live_server, page, screenshot):
    ada = live_server.create_customer(name="Ada Lovelace", email="ada@example.com")
    with live_server.app.test_request_context():
        path = unsubscribe_url(ada.id).split("/unsubscribe/", 1)[1]
    page.goto(f"{live_server.url}/unsubscribe/{path}")  # no login: the signed link is enough
    expect(page.get_by_role("button", name="Stop all marketing mail")).to_be_visible()
    assert live_server.get(Customer, ada.id).marketing_opt_out is False  # opening changed nothing
    screenshot("core-unsubscribe-question")
    page.get_by_role("button", name="Stop all marketing mail").click()
    assert (
        "You are unsubscribed from all marketing mail"
        in page.locator("#unsubscribe-result").inner_text()
    )
    assert live_server.get(Customer, ada.id).marketing_opt_out is True
    screenshot("core-unsubscribe-done")
