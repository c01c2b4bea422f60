"""The README's tour in a browser on a demo company; it also makes the README's screenshot.

With CLIENTELE_UPDATE_DOCS_IMAGES=1 the customer page is written to
docs/images/customer-page.png, the picture the README shows (commit it).
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from playwright.sync_api import expect

from core import dates

pytestmark = pytest.mark.plugins("sales_commission", "loyalty", "service_desk", "marketing")

DOCS_IMAGE = Path(__file__).resolve().parents[2] / "docs" / "images" / "customer-page.png"


def test_the_tour_finds_claudia_meyer_by_phone(live_server, page, screenshot):
    from core.demo import DemoOptions, fill_database

    with live_server.data():
        fill_database(DemoOptions(customers=150, orders=600, seed=7), dates.today())
    admin = live_server.create_user("admin", name="Ada Admin")
    live_server.log_in(page, admin)
    page.get_by_role("link", name="Customers").click()
    page.get_by_label("Search").fill("030 947248")
    page.keyboard.press("Enter")
    page.get_by_role("link", name="Claudia Meyer").click()
    page.get_by_role("heading", name="Claudia Meyer").wait_for()
    assert page.locator('a[href="tel:+4930947248"]').first.inner_text() == "+49 30 947248"
    expect(page.locator("[data-plugin=loyalty]").first).to_be_visible()
    page.set_viewport_size({"width": 1280, "height": 1080})
    screenshot("core-tour-customer-page")
    if os.environ.get("CLIENTELE_UPDATE_DOCS_IMAGES") == "1":
        page.screenshot(path=str(DOCS_IMAGE))
