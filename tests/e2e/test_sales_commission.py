"""Sales commission in a real browser: a salesperson checks a statement line by line and follows
it to the order; a manager approves and pays it; every commission page renders for its roles."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from playwright.sync_api import expect

from core import dates
from core.models import User

pytestmark = pytest.mark.plugins("sales_commission")


def last_month() -> tuple[str, dt.date]:
    """The previous month (over, so approvable) and a day in it."""
    first = dates.add_months(dt.date.today().replace(day=1), -1)
    return dates.period_of(first), first.replace(day=10)


def make_sales(live_server):
    """Ann's orders of last month; the statement figures are worked out in the comments."""
    ann = live_server.create_user("sales", name="Ann Archer", email="ann@example.com")
    ben = live_server.create_user("sales", name="Ben Baker", email="ben@example.com")
    manager = live_server.create_user("manager", name="Mia Manager", email="mia@example.com")
    truffle = live_server.create_product(
        sku="TRUF", name="Truffle oil", list_price="100.00", unit_cost="50.00"
    )
    olive = live_server.create_product(
        sku="OLIV", name="Olive oil", list_price="10.00", unit_cost="7.00"
    )
    customer = live_server.create_customer(name="Ada Lovelace")
    period, day = last_month()
    # O1: TRUF 2 × 100.00 → margin 50 %, A 8 % of 200.00 = 16.00; OLIV 3 × 10.00 → 30 %, B 5 % = 1.50
    first = live_server.create_order(customer, ann, [(truffle, 2), (olive, 3)], order_date=day)
    # O2: TRUF with 25 % off → net 75.00, margin 33.3 %: the discount moves it to B, 5 % = 3.75
    second = live_server.create_order(customer, ann, [(truffle, 1, None, "0.25")], order_date=day)
    live_server.create_order(customer, ben, [(olive, 1)], order_date=day)  # Ben: B 0.50
    return ann, ben, manager, customer, period, first, second


def figures(page):
    """The big figures of the page as {label: value}."""
    return dict(
        zip(
            page.locator(".figure-label").all_inner_texts(),
            page.locator(".figure-value").all_inner_texts(),
            strict=True,
        )
    )


def test_salesperson_checks_the_statement_and_a_manager_approves_it(
    live_server, page, new_page, screenshot
):
    ann, ben, manager, _, period, first, second = make_sales(live_server)
    live_server.log_in(page, ann)
    page.get_by_role("button", name="Sales commission").click()
    page.get_by_role("link", name="Statements").click()
    page.locator("#my-statements").get_by_role("link", name=period).click()
    page.get_by_role("heading", name=f"Statement {period} · Ann Archer").wait_for()
    # 16.00 + 1.50 + 3.75 = 21.25; net 200.00 + 30.00 + 75.00 = 305.00; profit 100 + 9 + 25 = 134.00
    assert figures(page) == {
        "Lines": "3",
        "Net": "305.00",
        "Profit": "134.00",
        "Commission": "21.25",
    }
    discounted = page.locator(f'tr[data-order="{second.number}"]')
    cells = [
        re.sub(r"\s+", " ", text).strip() for text in discounted.locator("td").all_inner_texts()
    ]
    assert cells[7:16] == [
        "75.00",
        "50.00",
        "33.33 %",
        "B",
        "5 %",
        "75.00",
        "3.75",
        "100 %",
        "3.75",
    ]
    screenshot("sales_commission-statement-salesperson")

    # Another salesperson's statement is not found.
    response = page.goto(live_server.url + f"/sales_commission/statements/{period}/{ben.id}")
    assert response.status == 404
    page.go_back()

    # Follow the discounted line to its order.
    discounted.get_by_role("link", name=second.number).click()
    expect(page.get_by_role("heading", name=f"Order {second.number}")).to_be_visible()
    assert page.locator("tbody tr").first.locator("td.num").nth(3).inner_text() == "75.00"
    screenshot("sales_commission-order-from-statement")

    boss = new_page()
    live_server.log_in(boss, manager)
    boss.goto(live_server.url + f"/sales_commission/?period={period}")
    rows = boss.locator("#statements tbody tr")
    assert rows.count() == 2
    screenshot("sales_commission-statements-manager", boss)
    boss.locator("#statements").get_by_role("link", name="Ann Archer").click()
    boss.once("dialog", lambda dialog: dialog.accept())
    boss.get_by_role("button", name="Approve statement").click()
    boss.get_by_text(f"The {period} statement of Ann Archer is approved.").wait_for()
    expect(boss.locator("h1 .status-approved")).to_be_visible()
    # Paying without a reference is refused next to the field; with one it is recorded.
    boss.get_by_role("button", name="Mark paid").click()
    boss.get_by_text("Enter the payment reference").wait_for()
    boss.get_by_label("Payment reference").fill(f"Payroll {dates.next_period(period)}")
    boss.get_by_role("button", name="Mark paid").click()
    boss.get_by_text("is marked paid").wait_for()
    screenshot("sales_commission-statement-paid", boss)

    page.goto(live_server.url + f"/sales_commission/statements/{period}/{ann.id}")
    expect(page.locator("h1 .status-paid")).to_be_visible()
    assert "paid on" in page.locator("h1 + div").inner_text()
    assert page.get_by_role("button", name="Approve statement").count() == 0
    page.goto(live_server.url + "/sales_commission/")
    assert "paid" in page.locator("#my-statements tbody tr").first.inner_text()


def test_every_commission_page_for_its_roles(live_server, page, new_page, screenshot):
    ann, _, manager, customer, period, first, _ = make_sales(live_server)
    admin = live_server.create_user("admin", name="Ada Admin")
    live_server.log_in(page, manager)
    page.goto(live_server.url + "/sales_commission/products")
    assert page.locator('#product-grades tr[data-sku="TRUF"]').inner_text().count("A") >= 1
    screenshot("sales_commission-product-grades")
    page.goto(live_server.url + f"/sales_commission/leaderboard?from={period}&to={period}")
    assert page.locator("#leaderboard tbody tr").first.inner_text().startswith("1\tAnn Archer")
    screenshot("sales_commission-leaderboard")
    page.goto(live_server.url + f"/sales_commission/split?number={first.number}")
    page.get_by_label("Salesperson 2").select_option(label="Ben Baker")
    page.get_by_label("Percent 1").fill("60")
    page.get_by_label("Percent 2").fill("40")
    page.get_by_role("button", name="Save split").click()
    page.get_by_text("is now split").wait_for()
    screenshot("sales_commission-split")
    page.goto(live_server.url + f"/customers/{customer.id}")
    expect(page.locator(".sales-commission-panel")).to_be_visible()
    screenshot("sales_commission-customer-panel")
    page.goto(live_server.url + "/")
    expect(page.get_by_text("Commission by tier this month")).to_be_visible()
    screenshot("sales_commission-dashboard-manager")

    seller = new_page()
    live_server.log_in(seller, ann)
    expect(seller.get_by_text("Your commission this month")).to_be_visible()
    screenshot("sales_commission-dashboard-salesperson", seller)

    rules = new_page()
    live_server.log_in(rules, admin)
    rules.get_by_role("button", name="Sales commission").click()
    rules.get_by_role("link", name="Commission rules").click()
    rules.get_by_label("Effective from").fill("2099-01-01")
    rules.get_by_label("min_margin of tier 1").fill("0.50")
    rules.get_by_role("button", name="Add version").click()
    rules.get_by_text("thresholds must be strictly descending").wait_for()
    screenshot("sales_commission-rules-error", rules)
    rules.get_by_label("min_margin of tier 1").fill("0.20")
    rules.get_by_role("button", name="Add version").click()
    rules.get_by_text("New rules in force for orders dated from 2099-01-01 on").wait_for()
    assert rules.locator(".rule-version").count() == 2
    screenshot("sales_commission-rules", rules)


def test_chart_labels_stay_apart_on_statements_and_leaderboard(live_server, page, screenshot):
    """Seven salespeople with real-length names: each name and figure readable, none drawn over another."""
    from tests.e2e.layout import chart_label_overlaps, chart_labels

    names = [
        "Anna Becker", "Bernd Schneider", "Carla Fischer-Hoffmann", "Dieter Wagner",
        "Elif Yılmaz", "Frank Zimmermann", "Gisela Neumann",
    ]  # fmt: skip
    product = live_server.create_product(sku="OIL", list_price="100.00", unit_cost="50.00")
    customer = live_server.create_customer(name="Ada Lovelace")
    period, day = last_month()
    for number, name in enumerate(names, start=1):
        seller = live_server.create_user("sales", name=name)
        live_server.create_order(customer, seller, [(product, number * 3)], order_date=day)
    manager = live_server.create_user("manager", name="Mia Manager")
    live_server.log_in(page, manager)
    for url, shot in (
        (live_server.url_for("sales_commission.index", period=period), "statements"),
        (live_server.url_for("sales_commission.leaderboard", period=period), "leaderboard"),
    ):
        page.goto(url)
        labels = chart_labels(page)
        assert set(names) <= set(labels), labels
        assert chart_label_overlaps(page) == []
        screenshot(f"sales_commission-chart-{shot}")
        page.set_viewport_size({"width": 375, "height": 800})
        page.reload()
        assert chart_label_overlaps(page) == []
        screenshot(f"sales_commission-chart-{shot}-375")
        page.set_viewport_size({"width": 1280, "height": 900})


def test_a_chinese_salesperson_reads_her_statement(live_server, page, screenshot):
    """Ann works in Chinese (her profile's choice): the statement speaks it, the figures are
    the same as in English (worked out above: 3 lines, net 305.00, profit 134.00, 21.25)."""
    ann, _, _, _, period, _, second = make_sales(live_server)
    with live_server.data() as session:
        session.get(User, ann.id).language = "zh_CN"
    live_server.log_in(page, ann)
    page.goto(live_server.url + f"/sales_commission/statements/{period}/{ann.id}")
    expect(page.locator("html")).to_have_attribute("lang", "zh-CN")
    page.get_by_role("heading", name=f"对账单 {period} · Ann Archer").wait_for()
    assert figures(page) == {"行数": "3", "净额": "305.00", "利润": "134.00", "提成": "21.25"}
    assert page.locator(f'tr[data-order="{second.number}"]').count() == 1
    screenshot("sales_commission-statement-chinese")
