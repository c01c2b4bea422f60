"""Loyalty in a real browser: a salesperson completes a care task from "My care tasks" and sees it on
the customer's timeline; staff record a preference from the banner; the overview pages render."""

from __future__ import annotations

import datetime as dt

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

pytestmark = pytest.mark.plugins("loyalty")


def gold_customer(live_server, owner, name="Grete Gold"):
    """A customer owned by ``owner`` with 60 × 40.00 = 2,400.00 profit this month: Gold (≥ 2,000)."""
    customer = live_server.create_customer(name=name, owner_id=owner.id, phone="030 1234567")
    wine = live_server.create_product(
        sku="WINE", name="Riesling", list_price="100.00", unit_cost="60.00"
    )
    live_server.create_order(customer, owner, [(wine, 60)], order_date=dt.date.today())
    return customer


def create_care_tasks(live_server):
    """Run the nightly care run (Gold: call every 60 days) as the worker would."""
    from plugins.loyalty.care import create_tasks

    with live_server.data():
        return create_tasks()


def test_complete_a_care_task_and_see_it_on_the_timeline(live_server, page, screenshot):
    sam = live_server.create_user("sales", name="Sam Seller", email="sam@example.com")
    customer = gold_customer(live_server, sam)
    assert create_care_tasks(live_server).care_tasks == 1
    live_server.log_in(page, sam)
    page.get_by_role("button", name="Loyalty").click()
    page.get_by_role("link", name="Care tasks").click()
    row = page.locator("tr", has_text="Grete Gold")
    assert "Gold care plan: call every 60 days" in row.inner_text()
    screenshot("loyalty-my-care-tasks")
    row.get_by_role("link", name="Complete").click()
    expect(page.get_by_text("Before you call")).to_be_visible()
    page.get_by_label("It was a").select_option("visit")
    # Mark as done without notes: the form says what is missing and keeps the choice.
    page.get_by_role("button", name="Mark as done").click()
    expect(page.get_by_text("Write a few words on how it went.")).to_be_visible()
    page.get_by_label("Notes").fill("Tasted the new Riesling; will order two cases in spring.")
    screenshot("loyalty-complete-task")
    page.get_by_role("button", name="Mark as done").click()
    expect(page.get_by_text("Task done: Grete Gold")).to_be_visible()
    assert page.locator("tr", has_text="Grete Gold").count() == 0  # no longer open
    page.goto(live_server.url_for("customers.detail", customer_id=customer.id))
    timeline = page.locator(".timeline").last
    assert "Visit by Sam Seller (care task)" in timeline.inner_text()
    assert "Tasted the new Riesling; will order two cases in spring." in timeline.inner_text()
    screenshot("loyalty-timeline-after-task")
    from plugins.loyalty.models import CareTask

    with live_server.data() as session:
        task = session.scalars(select(CareTask).where(CareTask.customer_id == customer.id)).one()
        assert (task.status, task.completed_by_id) == ("done", sam.id)


def test_record_a_preference_from_the_banner_and_see_the_badge(live_server, page, screenshot):
    support = live_server.create_user("support", name="Suzy Support")
    customer = live_server.create_customer(name="Ada Lovelace")
    live_server.log_in(page, support)
    page.goto(live_server.url_for("customers.detail", customer_id=customer.id))
    banner = page.locator(".preferences-banner")
    assert "No preferences recorded yet." in banner.inner_text()
    banner.get_by_text("Add a preference").click()
    banner.get_by_label("Kind").first.select_option("avoids")
    banner.get_by_label("Category").fill("Food")
    banner.get_by_label("Preference").fill("spicy dishes")
    banner.get_by_role("button", name="Add").click()
    expect(page.get_by_text("Preference saved.")).to_be_visible()
    assert "spicy dishes" in page.locator(".preferences-banner").inner_text()
    page.locator(".preferences-banner").get_by_text("Log a call, visit, e-mail or note").click()
    page.locator(".preferences-banner").get_by_label("Summary").fill(
        "Asked about gluten-free bread."
    )
    page.locator(".preferences-banner").get_by_role("button", name="Log").click()
    assert "Asked about gluten-free bread." in page.locator(".preferences-banner").inner_text()
    screenshot("loyalty-preferences-banner")
    page.goto(live_server.url_for("customers.index"))
    badge = page.locator(".badge", has_text="♥ 1 preference")
    assert badge.get_attribute("title") == "Avoids (Food): spicy dishes"


def test_overview_pages_for_a_manager_and_templates_for_an_admin(
    live_server, page, new_page, screenshot
):
    sam = live_server.create_user("sales", name="Sam Seller")
    gold_customer(live_server, sam)
    live_server.create_customer(name="Paula Prospect")
    manager = live_server.create_user("manager", name="Mia Manager")
    live_server.log_in(page, manager)
    page.goto(live_server.url_for("loyalty.tiers"))
    expect(
        page.locator("tr", has_text="Grete Gold").locator(".badge", has_text="Gold")
    ).to_be_visible()
    screenshot("loyalty-tiers")
    page.get_by_role("link", name="Value matrix").click()
    expect(page.locator("[data-cell=champions]")).to_be_visible()
    screenshot("loyalty-matrix")
    page.get_by_role("link", name="Lifecycle").click()
    expect(page.get_by_text("Moves in the last 30 days")).to_be_visible()
    screenshot("loyalty-lifecycle")
    page.get_by_role("link", name="Changes").click()
    expect(page.locator("tr", has_text="Grete Gold").first).to_be_visible()
    page.goto(live_server.url_for("dashboard.index"))
    expect(page.get_by_text("Customer tiers")).to_be_visible()
    screenshot("loyalty-dashboard")
    admin = live_server.create_user("admin", name="Adam Admin")
    other = new_page()
    live_server.log_in(other, admin)
    live_server.create_customer(name="Berta Birthday", birthday=dt.date(1980, 1, 1))
    other.goto(live_server.url_for("loyalty.edit_template", occasion="birthday"))
    expect(other.get_by_text("Preview: as Berta Birthday will get it")).to_be_visible()
    expect(other.get_by_text("Happy birthday, Berta!")).to_be_visible()
    screenshot("loyalty-greeting-preview", other)
    other.get_by_label("Subject").fill("Happy birthday, {{ nickname }}!")
    other.get_by_role("button", name="Save").click()
    expect(other.get_by_text("Unknown placeholder {{ nickname }}.", exact=False)).to_be_visible()
    other.get_by_label("Subject").fill("Happy birthday, {{ first_name }}!")
    other.get_by_role("button", name="Save").click()
    expect(other.get_by_text("The birthday greeting is saved.")).to_be_visible()
    screenshot("loyalty-greetings", other)


def test_a_chinese_user_reads_the_tiers_page_and_the_value_panel(live_server, page, screenshot):
    from core.models import User

    manager = live_server.create_user("manager", name="王经理")
    with live_server.data() as session:
        session.get(User, manager.id).language = "zh_CN"
    customer = gold_customer(live_server, manager, name="张伟")
    assert create_care_tasks(live_server).care_tasks == 1  # Gold: a call every 60 days
    live_server.log_in(page, manager)
    page.goto(live_server.url_for("loyalty.tiers"))
    expect(page.locator("html")).to_have_attribute("lang", "zh-CN")
    expect(page.get_by_role("heading", name="客户忠诚度")).to_be_visible()
    expect(page.get_by_text("按近 12 个月利润划分的等级")).to_be_visible()
    row = page.locator("tbody tr", has_text="张伟")
    expect(row).to_contain_text("Gold")  # the tier's name is the company's, as configured
    expect(row).to_contain_text("新客户")  # the stage "new", shown in Chinese
    expect(row).to_contain_text("2,400.00")
    screenshot("loyalty-zh-tiers")
    page.goto(live_server.url_for("customers.detail", customer_id=customer.id))
    panel = page.locator(".loyalty-panel", has_text="近 12 个月利润")
    expect(panel).to_contain_text("+2,400.00")
    expect(panel).to_contain_text("共 1 笔订单，最近一笔：今天")
    expect(page.locator(".loyalty-panel", has_text="每 60 天电话一次")).to_be_visible()
    screenshot("loyalty-zh-customer-panel")
