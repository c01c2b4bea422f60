"""Every marketing page makes the same number of queries whatever the amount of data."""

from __future__ import annotations

import datetime as dt

import pytest

from core.db import db
from plugins.marketing import hooks
from plugins.marketing.jobs import send_campaigns
from plugins.marketing.models import Campaign, Segment
from plugins.marketing.segments import Condition, Rule


@pytest.fixture
def grow(shop, make_customer, make_order):
    """Add n customers with an order each (and their campaign recipients when a campaign is sending)."""

    def more(number: int) -> None:
        for index in range(number):
            customer = make_customer(
                name=f"More {index}", country="DE", city="Bonn", channel="web", tags="vip"
            )
            make_order(
                customer, None, [(shop.rice, 1), (shop.chili, 2)], dt.date(2026, 1, 10 + index % 10)
            )
        db.session.commit()

    return more


def queries_of(client, count_queries, url):
    """(status, number of SQL statements) of one GET, with nothing cached in the session."""
    db.session.expire_all()
    with count_queries() as statements:
        status = client.get(url).status_code
    return status, len(statements)


def campaign_to_everyone():
    segment = Segment(
        name="All vip", definition=Rule("all", (Condition("marketing.tag", "vip"),)).to_json()
    )
    campaign = Campaign(name="C", topic="offers", subject="Hi", body="Hello", segment=segment,
                        status="scheduled", scheduled_at=dt.datetime(2020, 1, 1), cost=10)  # fmt: skip
    db.session.add(campaign)
    db.session.commit()
    return campaign


@pytest.mark.parametrize(
    "url",
    [
        "/marketing/attribution",
        "/marketing/attribution?period=2026-01",
        "/marketing/regions?level=city",
        "/marketing/campaigns/",
        "/marketing/products/",
        "/marketing/segments/new",
    ],
)
def test_report_pages(grow, client, login_as, count_queries, url):
    login_as("marketing")
    campaign_to_everyone()
    send_campaigns()
    before = queries_of(client, count_queries, url)
    grow(12)
    after = queries_of(client, count_queries, url)
    assert before[0] == 200 and before == after


def test_campaign_and_segment_pages(grow, client, login_as, count_queries):
    login_as("marketing")
    campaign = campaign_to_everyone()
    send_campaigns()
    urls = [f"/marketing/campaigns/{campaign.id}", f"/marketing/segments/{campaign.segment_id}",
            f"/marketing/regions?segment={campaign.segment_id}"]  # fmt: skip
    before = [queries_of(client, count_queries, url) for url in urls]
    grow(30)
    campaign.status, campaign.audience_size = "sending", None  # add the new customers as recipients
    db.session.commit()
    send_campaigns()
    after = [queries_of(client, count_queries, url) for url in urls]
    assert before == after and all(status == 200 for status, _ in after)


def test_product_audience_page(shop, grow, client, login_as, count_queries):
    login_as("marketing")
    url = f"/marketing/products/{shop.sweet.id}/audience"
    before = queries_of(client, count_queries, url)
    grow(20)
    after = queries_of(client, count_queries, url)
    assert before[0] == 200 and before == after


def test_customer_panels(shop, grow, count_queries, make_user):
    manager = make_user("manager")
    db.session.expire_all()
    with count_queries() as before:
        hooks.customer_panels(shop.ada, manager)
    grow(25)
    from plugins.marketing.recommendations import refresh

    refresh(50)
    db.session.expire_all()
    with count_queries() as after:
        panels = hooks.customer_panels(shop.ada, manager)
    assert [panel.title for panel in panels] == ["Marketing consent", "Recommended products"]
    assert len(before) == len(after) <= 7
