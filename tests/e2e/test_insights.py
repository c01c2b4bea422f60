"""Insights in a real browser: a manager opens each report, filters by a segment, drills into a
bar of the performance chart and downloads the xlsx, on a desktop and on a 375 px phone."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from openpyxl import load_workbook
from playwright.sync_api import expect

from plugins.marketing.models import Segment
from plugins.marketing.segments import Condition, Rule
from tests.e2e.layout import chart_label_overlaps, chart_labels, sideways_overflow, wait_for_charts

pytestmark = pytest.mark.plugins("marketing", "insights")


def _shop(live_server):
    """Jam and oil bought by two web customers (Munich, Paris) and one from a fair (Berlin)."""
    seller = live_server.create_user("sales", name="Sam Seller")
    ann = live_server.create_customer(name="Ann Arbor", city="Munich", channel="web")
    ben = live_server.create_customer(name="Ben Berg", city="Berlin", channel="fair")
    cat = live_server.create_customer(name="Cat Cole", city="Paris", channel="web")
    jam = live_server.create_product(sku="JAM", name="Jam", category="Preserves", list_price="10.00", unit_cost="6.00")  # fmt: skip
    oil = live_server.create_product(sku="OIL", name="Oil", category="Oils", list_price="8.00", unit_cost="3.00")  # fmt: skip
    month = dt.date.today().replace(day=1)
    first = live_server.create_order(ann, seller, [(jam, 2), (oil, 1)], order_date=month)
    live_server.create_order(ben, None, [(jam, 1)], order_date=month)
    live_server.create_order(cat, seller, [(jam, 3), (oil, 1)], order_date=month)
    with live_server.data() as session:
        web = Segment(
            name="Web", definition=Rule("all", (Condition("marketing.channel", "web"),)).to_json()
        )
        session.add(web)
        session.commit()
        return web.id, first.number


def test_a_manager_reads_each_report_filters_drills_and_exports(live_server, page, screenshot):
    web, ann_order = _shop(live_server)
    manager = live_server.create_user("manager", name="Mia Manager")
    live_server.log_in(page, manager)
    page.get_by_role("link", name="Insights").click()
    page.get_by_role("link", name="Performance").first.click()
    wait_for_charts(page)
    # Every customer: Preserves 60.00 (20 + 10 + 30), Oils 16.00.
    expect(page.locator("#performance")).to_contain_text("60.00")
    page.get_by_label("Customers", exact=True).select_option(label="Segment: Web")
    page.get_by_role("button", name="Show").click()
    # The web customers only: Preserves 20.00 + 30.00.
    expect(page.locator("#performance")).to_contain_text("50.00")
    wait_for_charts(page)
    assert set(chart_labels(page)) == {"Preserves", "Oils"}
    assert chart_label_overlaps(page) == []
    screenshot("insights-performance")
    # Click the first bar (most profit: Preserves) of the chart.
    box = page.evaluate(
        """() => {
          const chart = Chart.getChart(document.querySelector('figure[data-chart] canvas'));
          const bar = chart.getDatasetMeta(0).data[0];
          const rect = chart.canvas.getBoundingClientRect();
          return {x: rect.left + bar.x - 2, y: rect.top + bar.y};
        }"""
    )
    page.mouse.click(box["x"], box["y"])
    expect(page.locator("h1")).to_contain_text("Preserves")
    expect(page.locator("#orders")).to_contain_text(ann_order)
    expect(page.locator("#orders")).not_to_contain_text("Ben Berg")  # not in the segment
    screenshot("insights-drill-down")
    page.go_back()
    with page.expect_download() as download:
        page.get_by_role("link", name="Excel (xlsx)").click()
    sheet = load_workbook(io.BytesIO(download.value.path().read_bytes())).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0] == ("key", "net", "cost", "profit", "margin", "orders", "customers")
    assert rows[1][0] == "Preserves" and float(rows[1][1]) == 50.0 and rows[1][5] == 2
    for name, table in (("Cohorts", "#cohorts"), ("Baskets", "#basket")):
        page.get_by_role("link", name=name).first.click()
        page.get_by_label("Customers", exact=True).select_option(str(f"marketing:{web}"))
        page.get_by_role("button", name="Show").click()
        expect(page.locator(table)).to_be_visible()
        screenshot(f"insights-{name.lower()}")
    # The baskets of the web customers: jam and oil together in both their orders.
    page.get_by_label("At least (orders)").fill("2")
    page.get_by_label("Level").select_option("product")
    page.get_by_role("button", name="Show").click()
    expect(page.locator("#basket")).to_contain_text("JAM")
    expect(page.locator("#basket")).to_contain_text("1.0000")
    # Profitability: gross profit cat 12 + 5 = 17.00, ann 8 + 5 = 13.00, ben 4.00 (no costs
    # with marketing alone and no campaign); the best customer brings 17 / 34 of the total.
    page.get_by_role("link", name="Profitability").first.click()
    expect(page.locator("#profitability tbody tr").first).to_contain_text("Cat Cole")
    expect(page.locator("#profitability")).to_contain_text("17.00")
    expect(page.locator("#pareto")).to_contain_text("34.00")
    wait_for_charts(page)
    screenshot("insights-profitability")
    page.get_by_role("link", name="Where").first.click()
    page.get_by_label("By", exact=True).select_option("city")
    page.get_by_role("button", name="Show").click()
    expect(page.locator("#where tbody tr").first).to_contain_text("Paris")
    wait_for_charts(page)
    screenshot("insights-where")
    page.get_by_role("link", name="Persistence").first.click()
    # This month: three buyers, none of whom bought before.
    expect(page.locator("#persistence tbody tr").last).to_contain_text("3")
    wait_for_charts(page)
    screenshot("insights-persistence")
    page.get_by_role("link", name="Promotion").first.click()
    # The channels of this month: web (ann 13.00 + cat 17.00 profit) and fair (ben 4.00).
    expect(page.locator("#channels tbody tr").first).to_contain_text("30.00")
    screenshot("insights-promotion")
    page.set_viewport_size({"width": 375, "height": 800})
    for endpoint in (
        "insights.performance",
        "insights.cohorts",
        "insights.basket",
        "insights.profitability",
        "insights.where",
        "insights.persistence",
        "insights.promotion",
    ):
        page.goto(live_server.url_for(endpoint) + f"?segment=marketing:{web}")
        wait_for_charts(page)
        assert chart_label_overlaps(page) == []
        assert sideways_overflow(page) == 0, endpoint
        screenshot(f"{endpoint.replace('.', '-')}-375")


@pytest.mark.plugins("marketing", "insights", "pipeline")
def test_prospecting_shows_leads_and_won_deals_with_the_pipeline(live_server, page, screenshot):
    from plugins.pipeline import deals
    from plugins.pipeline import stages as stage_records

    _shop(live_server)
    today = dt.date.today()
    with live_server.data():
        won = stage_records.stage_of_kind("won")
        for title, channel in (("Fair lead", "fair"), ("Web lead", "web"), ("Web win", "web")):
            deal = deals.open_deal(
                deals.DealInput(title=title, owner=None, prospect_name=title, channel=channel),
                by=None,
                opened_on=today,
            )
            if title == "Web win":
                deals.move(deal, won, None)
    manager = live_server.create_user("manager", name="Mia Manager")
    live_server.log_in(page, manager)
    page.goto(live_server.url_for("insights.prospecting"))
    wait_for_charts(page)
    # This month: three leads (fair 1, web 2), one of them won.
    last = page.locator("#prospecting tbody tr").last
    expect(last).to_contain_text("3")
    expect(page.locator("#deals-leads tbody tr").last).to_contain_text("2")
    assert chart_label_overlaps(page) == []
    screenshot("insights-prospecting-pipeline")
    page.set_viewport_size({"width": 375, "height": 800})
    page.reload()
    wait_for_charts(page)
    assert sideways_overflow(page) == 0
    screenshot("insights-prospecting-pipeline-375")


def test_a_manager_reads_what_a_categorys_buyers_buy_next(live_server, page, screenshot):
    ann = live_server.create_customer(name="Ann Arbor", city="Munich", channel="web")
    ben = live_server.create_customer(name="Ben Berg", city="Berlin", channel="fair")
    cat = live_server.create_customer(name="Cat Cole", city="Paris", channel="web")
    jam = live_server.create_product(sku="JAM", name="Jam", category="Preserves", list_price="10.00", unit_cost="6.00")  # fmt: skip
    oil = live_server.create_product(sku="OIL", name="Oil", category="Oils", list_price="8.00", unit_cost="3.00")  # fmt: skip
    month = dt.date.today().replace(day=1)
    live_server.create_order(ann, None, [(jam, 2), (oil, 1)], order_date=month)
    live_server.create_order(ben, None, [(jam, 1)], order_date=month)
    live_server.create_order(cat, None, [(jam, 3), (oil, 1)], order_date=month)
    # Ann comes back for oil: her first order this month had Preserves and Oils.
    live_server.create_order(ann, None, [(oil, 2)], order_date=dt.date.today())
    manager = live_server.create_user("manager", name="Mia Manager")
    live_server.log_in(page, manager)
    page.goto(live_server.url_for("insights.basket"))
    page.get_by_role("link", name="What a category's buyers buy next →").click()
    wait_for_charts(page)
    rows = page.locator("#bought-next tbody tr")
    expect(rows.first).to_contain_text("Oils")
    # Preserves: ann, ben and cat bought it first; ann alone came back, with oil: 1 of 3.
    expect(page.locator("#bought-next")).to_contain_text("33.3")
    assert chart_label_overlaps(page) == []
    screenshot("insights-bought-next")
    page.set_viewport_size({"width": 375, "height": 800})
    page.reload()
    wait_for_charts(page)
    assert chart_label_overlaps(page) == [] and sideways_overflow(page) == 0
    screenshot("insights-bought-next-375")
