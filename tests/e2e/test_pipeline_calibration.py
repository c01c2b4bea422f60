"""The calibration report in a real browser: a manager opens it from the pipeline reports and
reads the Brier scores, the reliability table and its chart, on a desktop and on a phone."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from playwright.sync_api import expect

from core.models import Product, User
from plugins.pipeline import deals, learning
from plugins.pipeline import stages as stage_records
from plugins.pipeline.deals import DealInput, LineInput
from tests.e2e.layout import chart_label_overlaps, sideways_overflow, wait_for_charts

pytestmark = pytest.mark.plugins("pipeline")


def _history(live_server, sam: User, sue: User) -> int:
    """40 deals closed before the last complete quarter and 16 in it: web deals of Sam's win
    one time in four, fair deals of Sue's three times in four; and one open fair deal of Sue's."""
    jam = live_server.create_product(sku="JAM", name="Jam", list_price="10.00")
    first, _last = learning.last_complete_quarter(dt.date.today())
    with live_server.data() as session:
        sam, sue, jam = (
            session.get(User, sam.id),
            session.get(User, sue.id),
            session.get(Product, jam.id),
        )
        engaging = stage_records.stage_by_name("Engaging")
        won, lost = stage_records.stage_of_kind("won"), stage_records.stage_of_kind("lost")
        reason = stage_records.lost_reasons()[0]
        for number in range(56):
            held = number >= 40
            closed = (
                first + dt.timedelta(days=number % 40 + 1)
                if held
                else first - dt.timedelta(days=number * 3 + 1)
            )
            opened = closed - dt.timedelta(days=5 + number % 50)
            fair = number % 2 == 0
            owner = sue if fair else sam
            wins = (number % 8 != 0) if fair else (number % 8 == 1)
            deal = deals.open_deal(
                DealInput(f"Deal {number}", owner, prospect_name=f"P{number}",
                          channel="fair" if fair else "web", lines=[LineInput(jam, Decimal("1"), Decimal("200.00"))]),
                owner, opened_on=opened, at=dt.datetime.combine(opened, dt.time(9)),
            )  # fmt: skip
            if number % 3:
                deals.move(deal, engaging, owner, at=dt.datetime.combine(opened, dt.time(15)))
            end = dt.datetime.combine(closed, dt.time(12))
            deals.move(
                deal, won if wins else lost, owner, lost_reason=None if wins else reason, at=end
            )
        session.flush()
        today = dt.date.today()
        deal = deals.open_deal(
            DealInput("Open fair deal", sue, prospect_name="Fay", channel="fair",
                      lines=[LineInput(jam, Decimal("1"), Decimal("200.00"))]),
            sue, opened_on=today - dt.timedelta(days=3),
        )  # fmt: skip
        deals.move(deal, engaging, sue)
        session.flush()
        return deal.id


def test_a_manager_reads_the_calibration_report(live_server, page, screenshot, new_page):
    sam = live_server.create_user("sales", name="Sam Seller")
    sue = live_server.create_user("sales", name="Sue Seller")
    open_deal = _history(live_server, sam, sue)
    manager = live_server.create_user("manager", name="Mia Manager")
    live_server.log_in(page, manager)
    page.goto(live_server.url_for("pipeline.reports"))
    expect(page.locator("#stage-times")).to_contain_text("Prospecting")
    page.get_by_role("link", name="Calibration of the learned probability").click()
    expect(page.locator("h1")).to_contain_text("Calibration")
    expect(page.locator("#calibration-method")).to_contain_text("Trained on the 40 deals")
    assert float(page.locator("#brier-learned").inner_text()) < float(
        page.locator("#brier-manual").inner_text()
    )
    expect(page.locator("#reliability tbody tr")).to_have_count(10)
    wait_for_charts(page)
    assert chart_label_overlaps(page) == []
    screenshot("pipeline-calibration")
    page.goto(live_server.url_for("pipeline.calibration", quarter="someday"))
    expect(page.locator(".invalid-feedback")).to_contain_text("is not a quarter")
    page.goto(live_server.url_for("pipeline.deal", deal_id=open_deal))
    expect(page.locator("#deal-probability")).to_contain_text("40 %")
    page.locator("#deal-learned summary").click()
    expect(page.locator("#deal-learned")).to_contain_text("Why: from 56 closed deals")
    screenshot("pipeline-deal-learned")
    phone = new_page()
    phone.set_viewport_size({"width": 375, "height": 800})
    live_server.log_in(phone, manager)
    phone.goto(live_server.url_for("pipeline.calibration"))
    wait_for_charts(phone)
    assert sideways_overflow(phone) == 0
    screenshot("pipeline-calibration-phone", phone)
