"""Marketing in a real browser: build a segment with its live count, send a campaign, unsubscribe."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from playwright.sync_api import expect
from sqlalchemy import func, select

from core.models import Customer, OutboxMessage
from plugins.marketing.models import ConsentEvent

pytestmark = pytest.mark.plugins("marketing")


def _shop(live_server):
    """Four customers, two German vips (one without e-mail), and a few orders."""
    seller = live_server.create_user("sales", name="Sam Seller")
    ada = live_server.create_customer(name="Ada Lovelace", email="ada@example.com", country="DE",
                                      city="Berlin", tags="vip", channel="web")  # fmt: skip
    bea = live_server.create_customer(name="Bea Berg", email="bea@example.com", country="DE",
                                      city="Munich", tags="vip", channel="fair")  # fmt: skip
    live_server.create_customer(
        name="Cem Caliskan", email="", country="DE", tags="vip", channel="web"
    )
    live_server.create_customer(
        name="Dora Diaz", email="dora@example.com", country="FR", city="Lyon"
    )
    sauce = live_server.create_product(sku="SWEET", name="Sweet and sour sauce", category="Sweet-sour",
                                       list_price="10.00", unit_cost="6.00")  # fmt: skip
    rice = live_server.create_product(sku="RICE", name="Rice", category="Staples", list_price="5.00",
                                      unit_cost="4.00")  # fmt: skip
    today = dt.date.today()
    live_server.create_order(
        ada, seller, [(sauce, 2, "10.00"), (rice, 1, "5.00")], order_date=today
    )
    live_server.create_order(bea, seller, [(rice, 3, "5.00")], order_date=today)
    return ada, bea


def _count(page) -> str:
    """The live count once the builder has stopped counting."""
    page.wait_for_function("() => !document.getElementById('segment-form').dataset.counting")
    return page.locator("#live-count").inner_text()


def test_segment_campaign_and_unsubscribe(live_server, page, new_page, screenshot):
    ada, bea = _shop(live_server)
    marketer = live_server.create_user("marketing", name="Mia Marketing")
    live_server.log_in(page, marketer)

    page.get_by_role("button", name="Marketing").click()  # the plugin's menu
    page.get_by_role("link", name="Segments").click()
    page.get_by_role("link", name="New segment").click()
    page.wait_for_selector("#segment-form[data-ready]")
    page.get_by_label("Name", exact=True).fill("German vips")
    page.locator("select[name='conditions-0-key']").select_option(label="Country")
    page.locator("select[name='conditions-0-value']").select_option(
        "DE"
    )  # the field became a choice
    page.wait_for_function("() => document.getElementById('live-count').innerText === '3'")
    assert _count(page) == "3"  # ada, bea, cem
    page.get_by_role("button", name="Add condition").click()
    page.locator("select[name='conditions-1-key']").select_option(label="Has an e-mail address")
    page.wait_for_function("() => document.getElementById('live-count').innerText === '2'")
    page.get_by_role("button", name="Add condition").click()
    page.locator("select[name='conditions-2-key']").select_option(
        label="Spent at least (net after refunds)"
    )
    page.locator("input[name='conditions-2-value']").fill("20")
    # ada spent 2 × 10 + 5 = 25, bea 3 × 5 = 15.
    page.wait_for_function("() => document.getElementById('live-count').innerText === '1'")
    assert page.locator("#sample").inner_text().strip() == "Ada Lovelace Berlin"
    page.locator(".condition-row").nth(2).get_by_role("button", name="Remove condition").click()
    page.wait_for_function("() => document.getElementById('live-count').innerText === '2'")
    page.locator(
        "input[name='conditions-0-value'], select[name='conditions-0-value']"
    ).first.wait_for()
    screenshot("marketing-segment-builder")
    page.get_by_role("button", name="Save segment").click()
    page.get_by_text("Segment German vips saved.").wait_for()
    expect(page.get_by_role("heading", name="2 customers")).to_be_visible()
    screenshot("marketing-segment-detail")

    page.get_by_role("link", name="New campaign").click()
    page.get_by_label("Name", exact=True).fill("Spring offers")
    page.get_by_label("Consent topic").select_option("offers")
    page.get_by_label("Subject").fill("{{ first_name }}, spring is here")
    page.get_by_label("Message").fill("Hello {{ first_name }},\nour spring offers are in.")
    page.get_by_label("Cost").fill("30.00")
    page.get_by_role("button", name="Save draft").click()
    page.get_by_text("Campaign Spring offers saved as a draft.").wait_for()
    expect(page.get_by_text("Ada, spring is here")).to_be_visible()  # the message as Ada gets it
    screenshot("marketing-campaign-draft")
    page.once("dialog", lambda dialog: dialog.accept())
    page.get_by_role("button", name="Send now").click()
    page.get_by_text("Campaign Spring offers is being sent.").wait_for()
    page.reload()
    assert page.locator("#campaign-status").inner_text() == "sent"
    figures = page.locator("#campaign-progress .figure-value").all_inner_texts()
    assert figures == ["2", "0", "0", "0"]  # queued, opted out, no address, pending
    screenshot("marketing-campaign-sent")

    with live_server.data() as session:
        body = session.scalar(
            select(OutboxMessage.body).where(OutboxMessage.to_address == "bea@example.com")
        )
    path = re.search(r"https?://[^/\s]+(/marketing/unsubscribe/\S+)", body).group(1)
    visitor = new_page()  # the customer, not logged in
    visitor.goto(live_server.url + path)
    # Opening the link (as a mail scanner would) changes nothing: the page asks first.
    expect(visitor.get_by_text("Do you want to stop getting offers mail from us?")).to_be_visible()
    assert visitor.locator("#consent-now").inner_text().splitlines()[:2] == [
        "Marketing mail: yes",
        "Offers mail: yes",
    ]
    with live_server.data() as session:
        assert session.scalar(select(func.count()).select_from(ConsentEvent)) == 0
    screenshot("marketing-unsubscribe-question", visitor)
    visitor.get_by_role("button", name="Unsubscribe from offers mail").click()
    visitor.get_by_text("You are unsubscribed from offers mail").wait_for()
    assert "Offers mail: no, you unsubscribed" in visitor.locator("#consent-now").inner_text()
    screenshot("marketing-unsubscribe", visitor)
    visitor.get_by_role("button", name="Unsubscribe from all marketing mail").click()
    visitor.get_by_text("You are unsubscribed from all marketing mail").wait_for()
    assert live_server.get(Customer, bea.id).marketing_opt_out is True
    assert live_server.get(Customer, ada.id).marketing_opt_out is False

    page.goto(live_server.url_for("customers.detail", customer_id=bea.id))
    panel = page.locator("[data-plugin=marketing]").filter(has_text="Marketing consent")
    assert "Unsubscribe link: everything." in panel.inner_text()
    screenshot("marketing-customer-consent")


def test_reports_and_recommendations(live_server, page, screenshot):
    ada, bea = _shop(live_server)
    with live_server.data():
        from plugins.marketing.recommendations import refresh

        refresh(50)
    manager = live_server.create_user("manager", name="Max Manager")
    live_server.log_in(page, manager)

    page.get_by_role("button", name="Marketing").click()
    page.get_by_role("link", name="Attribution").click()
    expect(page.locator("#channels").get_by_text("web")).to_be_visible()
    expect(page.locator("figure.chart canvas")).to_be_visible()
    screenshot("marketing-attribution")
    page.get_by_role("link", name="Regions").click()
    page.get_by_label("By", exact=True).select_option("city")
    page.get_by_role("button", name="Show").click()
    expect(page.locator("#places").get_by_text("DE · – · Berlin")).to_be_visible()
    screenshot("marketing-regions")

    page.get_by_role("link", name="Who should get a product").click()
    page.get_by_role("row", name=re.compile("SWEET")).get_by_role(
        "link", name="Who should get this"
    ).click()
    # Bea bought rice, as Ada did; Ada also bought the sauce: Bea should get it.
    expect(page.locator("#audience").get_by_text("Bea Berg")).to_be_visible()
    screenshot("marketing-product-audience")
    page.get_by_role("button", name="Save segment").click()
    page.get_by_text("Segment Should get SWEET saved.").wait_for()

    page.goto(live_server.url_for("customers.detail", customer_id=bea.id))
    expect(page.locator("#recommendations").get_by_text("Sweet and sour sauce")).to_be_visible()
    screenshot("marketing-customer-recommendations")


def test_a_chinese_marketer_opens_a_segment_and_a_campaign(live_server_factory, page, screenshot):
    """A marketer who chose 简体中文: the builder, a saved segment and a sent campaign in Chinese,
    dates and times as Chinese write them (the company is in Shanghai)."""
    server = live_server_factory(plugins=["marketing"], currency="CNY", timezone="Asia/Shanghai")
    _shop(server)
    with server.data() as session:
        from plugins.marketing.models import Campaign, Segment
        from plugins.marketing.segments import Condition, Rule

        germans = Segment(
            name="德国客户",
            definition=Rule("all", (Condition("marketing.country", "DE"),)).to_json(),
        )
        session.add(germans)
        session.add(
            Campaign(name="春季促销", topic="offers", subject="{{ name }}，您好", body="春季新品上市。",
                     segment=germans, status="draft")
        )  # fmt: skip
        session.commit()
    marketer = server.create_user("marketing", name="王芳", language="zh_CN")
    server.log_in(page, marketer)

    page.get_by_role("button", name="营销").click()  # the plugin's menu, in Chinese
    page.get_by_role("link", name="客户分群").click()
    page.get_by_role("link", name="德国客户").click()
    # ada, bea and cem are German; the Chinese dates of when they became customers.
    expect(page.get_by_role("heading", name="3 位客户")).to_be_visible()
    expect(page.get_by_text("国家：DE")).to_be_visible()
    expect(
        page.locator("table").get_by_text(re.compile(r"^\d{4}年\d{1,2}月\d{1,2}日$")).first
    ).to_be_visible()
    screenshot("marketing-zh-segment")

    page.get_by_role("link", name="编辑").click()
    page.wait_for_selector("#segment-form[data-ready]")
    page.get_by_role("button", name="添加条件").click()
    page.locator("select[name='conditions-1-key']").select_option(label="有电子邮件地址")
    page.wait_for_function("() => document.getElementById('live-count').innerText === '2'")
    expect(page.locator(".condition-row").nth(1).get_by_text("是", exact=True)).to_be_visible()
    screenshot("marketing-zh-segment-builder")

    page.get_by_role("link", name="营销活动").first.click()
    page.get_by_role("link", name="春季促销").click()
    expect(page.locator("#campaign-status")).to_have_text("草稿")
    expect(page.get_by_text("Ada Lovelace 将收到的邮件")).to_be_visible()
    page.once("dialog", lambda dialog: dialog.accept())
    page.get_by_role("button", name="立即发送").click()
    page.get_by_text("营销活动 春季促销 正在发送。").wait_for()
    page.reload()
    expect(page.locator("#campaign-status")).to_have_text("已发送")
    expect(
        page.get_by_text(re.compile(r"\d{4}年\d{1,2}月\d{1,2}日 \d{2}:\d{2} 开始"))
    ).to_be_visible()
    expect(page.get_by_text("开始发送时分群中有 3 位客户，已分 1 批处理。")).to_be_visible()
    screenshot("marketing-zh-campaign")
