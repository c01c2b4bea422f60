"""Attribution by channel and by campaign, and the regional breakdown, with figures worked out by hand.

The shop of conftest.py, per customer (net / cost after refunds, all time):
    ada (web)       2025-02-01 25 / 16, 2025-11-20 8 / 3      → net 33, profit 14
    bob (fair)      2025-07-01 9 / 6 refunded 2025-07-05, 2025-08-01 15 / 12 → net 15, profit 3
    cem (web)       2026-01-15 80 / 30                        → net 80, profit 50
    dora (referral) no orders
"""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal

import pytest

from core.db import db
from plugins.marketing import attribution, regions
from plugins.marketing.jobs import current_catalog
from plugins.marketing.models import Campaign, Recipient, Segment
from plugins.marketing.segments import Condition, Rule, compile_rule

D = Decimal


def by_channel(rows):
    return {row.channel: row for row in rows}


def test_channels_all_time(shop):
    rows = by_channel(attribution.channel_figures(None, None))
    web, fair, referral = rows["web"], rows["fair"], rows["referral"]
    assert (web.customers, web.new_customers, web.buyers, web.net, web.profit) == (
        2,
        2,
        2,
        D("113.00"),
        D("64.00"),
    )
    assert (fair.customers, fair.new_customers, fair.buyers, fair.net, fair.profit) == (
        1,
        1,
        1,
        D("15.00"),
        D("3.00"),
    )
    assert (referral.customers, referral.buyers, referral.net, referral.profit) == (
        1,
        0,
        D("0.00"),
        D("0.00"),
    )
    # Total profit 64 + 3 = 67.
    assert web.profit_share == D(64) / D(67) and fair.profit_share == D(3) / D(67)
    assert web.profit_per_buyer == D("32.00") and referral.profit_per_buyer is None
    assert [row.channel for row in attribution.channel_figures(None, None)] == [
        "web",
        "fair",
        "referral",
    ]


def test_channels_in_a_month_with_a_refund(shop):
    # July 2025: bob's sale of 9 / 6 on the 1st and its refund on the 5th cancel out.
    rows = by_channel(attribution.channel_figures(dt.date(2025, 7, 1), dt.date(2025, 7, 31)))
    fair = rows["fair"]
    assert (fair.buyers, fair.new_customers, fair.net, fair.profit) == (1, 1, D("0.00"), D("0.00"))
    assert fair.profit_share is None  # no profit at all in the month
    assert (rows["web"].buyers, rows["web"].net) == (0, D("0.00"))


def test_channel_without_name_is_grouped(shop, make_customer, make_order):
    walk_in = make_customer(name="Walk-in", channel="")
    make_order(walk_in, None, [(shop.rice, 2, "5.00")], dt.date(2026, 1, 20))
    rows = by_channel(attribution.channel_figures(dt.date(2026, 1, 1), dt.date(2026, 1, 31)))
    # 2 × 5 = 10 net, 2 × 4 = 8 cost.
    assert (rows["(none)"].buyers, rows["(none)"].net, rows["(none)"].profit) == (
        1,
        D("10.00"),
        D("2.00"),
    )


@pytest.fixture
def mailed(shop):
    """Campaign A (cost 40) mailed ada and bob on 2025-11-01, cem and dora on 2026-01-01;
    campaign B (cost 0) mailed bob on 2025-06-25, and skipped dora (opted out)."""
    segment = Segment(name="All", definition=Rule().to_json())
    first = Campaign(
        name="A",
        topic="offers",
        subject="s",
        body="b",
        segment=segment,
        status="sent",
        cost=D("40.00"),
    )
    second = Campaign(
        name="B", topic="offers", subject="s", body="b", segment=segment, status="sent"
    )
    db.session.add_all([first, second])
    db.session.flush()
    rows = [
        (first, shop.ada, "2025-11-01"), (first, shop.bob, "2025-11-01"),
        (first, shop.cem, "2026-01-01"), (first, shop.dora, "2026-01-01"),
        (second, shop.bob, "2025-06-25"),
    ]  # fmt: skip
    for campaign, customer, day in rows:
        db.session.add(Recipient(campaign_id=campaign.id, customer_id=customer.id, status="queued",
                                 received_on=dt.date.fromisoformat(day)))  # fmt: skip
    db.session.add(Recipient(campaign_id=second.id, customer_id=shop.dora.id, status="opted_out"))
    db.session.commit()
    return first, second


def test_campaign_attribution_with_a_30_day_window(mailed):
    first, second = mailed
    rows = {row.name: row for row in attribution.campaign_figures(30)}
    a = rows["A"]
    # ada: 2025-11-20 is in [11-01, 12-01): 8 / 3. cem: 2026-01-15 in [01-01, 01-31): 80 / 30, his first order.
    assert (a.recipients, a.buyers, a.orders, a.acquired) == (4, 2, 2, 1)
    assert (a.net, a.profit, a.cost) == (D("88.00"), D("55.00"), D("40.00"))
    assert a.cost_per_acquired == D("40.00")  # 40 / 1
    assert a.return_on_cost == D("0.375")  # (55 − 40) / 40
    b = rows["B"]
    # bob's 2025-07-01 order is in [06-25, 07-25): sold 9 / 6, refunded 9 / 6; his first order.
    assert (b.recipients, b.buyers, b.orders, b.acquired) == (1, 1, 1, 1)
    assert (b.net, b.profit) == (D("0.00"), D("0.00"))
    assert b.cost_per_acquired == D("0.00") and b.return_on_cost is None  # it cost nothing


def test_the_window_boundary(mailed):
    # 15 days: cem's order on 01-15 is 14 days after 01-01, inside; ada's on 11-20 is 19 days after, outside.
    a = {row.name: row for row in attribution.campaign_figures(15)}["A"]
    assert (a.buyers, a.net, a.profit, a.acquired) == (1, D("80.00"), D("50.00"), 1)
    assert a.return_on_cost == D("0.25")  # (50 − 40) / 40
    # 14 days: 01-15 is not before 01-01 + 14 = 01-15 any more.
    a = {row.name: row for row in attribution.campaign_figures(14)}["A"]
    assert (a.buyers, a.net, a.profit, a.acquired) == (0, D("0.00"), D("0.00"), 0)
    assert a.cost_per_acquired is None and a.return_on_cost == D("-1")  # (0 − 40) / 40


def test_campaigns_of_a_period(mailed):
    rows = attribution.campaign_figures(30, dt.date(2025, 6, 1), dt.date(2025, 6, 30))
    assert [row.name for row in rows] == ["B"]
    rows = attribution.campaign_figures(30, dt.date(2026, 1, 1), dt.date(2026, 1, 31))
    assert [row.name for row in rows] == ["A"]


def test_attribution_cli_json(mailed, cli):
    result = cli.invoke(["marketing", "attribution", "--period", "2026-01", "--format", "json"])
    assert result.exit_code == 0, result.output
    document = json.loads(result.output)
    assert (
        document["period"] == "2026-01"
        and document["currency"] == "EUR"
        and document["attribution_days"] == 30
    )
    web = next(row for row in document["channels"] if row["channel"] == "web")
    assert web == {
        "channel": "web", "customers": 2, "new_customers": 1, "buyers": 1, "net": "80.00",
        "profit": "50.00", "profit_share_percent": "100.00", "profit_per_buyer": "50.00",
    }  # fmt: skip
    result = cli.invoke(["marketing", "attribution", "--by", "campaign", "--format", "json"])
    campaigns = {row["name"]: row for row in json.loads(result.output)["campaigns"]}
    assert campaigns["A"]["return_on_cost_percent"] == "37.50"
    assert (
        campaigns["A"]["cost_per_acquired"] == "40.00"
        and campaigns["B"]["return_on_cost_percent"] is None
    )


def test_attribution_cli_table_and_csv(mailed, cli):
    table = cli.invoke(["marketing", "attribution"])
    assert table.exit_code == 0 and table.output.splitlines()[0].split()[:3] == [
        "channel",
        "customers",
        "new_customers",
    ]
    csv_text = cli.invoke(
        ["marketing", "attribution", "--by", "campaign", "--format", "csv"]
    ).output
    assert csv_text.splitlines()[0].startswith("campaign_id,name,topic,status,recipients")
    bad = cli.invoke(["marketing", "attribution", "--period", "2026-13"])
    assert bad.exit_code == 2 and "is not a period" in bad.output


def test_attribution_page(mailed, client, login_as):
    login_as("marketing")
    page = client.get("/marketing/attribution?period=2026-01")
    assert page.status_code == 200
    # cem's 80.00 in January, and campaign A (mailed in January too) with its return of 37.5 %.
    assert b"data-chart" in page.data and b"80.00" in page.data and b"37.5 %" in page.data
    june = client.get("/marketing/attribution?period=2025-06")
    assert b"37.5 %" not in june.data and b">B</a>" in june.data  # only campaign B mailed in June
    bad = client.get("/marketing/attribution?period=soon")
    assert bad.status_code == 200 and b"is not a period" in bad.data
    login_as("sales")
    assert client.get("/marketing/attribution").status_code == 403


def test_regional_breakdown_of_a_segment(shop):
    vip = compile_rule(Rule("all", (Condition("marketing.tag", "vip"),)), current_catalog())
    result = regions.breakdown(vip, "region")
    # vip = ada (DE, Bavaria: profit 14) and cem (FR, IDF: profit 50); most profit first.
    assert [(place.label, place.customers, place.profit) for place in result.places] == [
        ("FR · IDF", 1, D("50.00")),
        ("DE · Bavaria", 1, D("14.00")),
    ]
    assert (result.customers, result.profit) == (2, D("64.00"))
    assert result.profit_share(result.places[0]) == D("50.00") / D("64.00")  # 0.78125
    assert result.customer_share(result.places[1]) == D("0.5")


def test_segment_share_of_a_place(shop):
    shop.bob.region, shop.bob.city = "Bavaria", "Munich"  # bob moves next to ada
    db.session.commit()
    vip = compile_rule(Rule("all", (Condition("marketing.tag", "vip"),)), current_catalog())
    munich = regions.breakdown(vip, "city").places[1]
    # Munich sells 33 (ada, vip) + 15 (bob) = 48; the vip share is 33 / 48 = 0.6875.
    assert (munich.label, munich.customers, munich.all_customers) == ("DE · Bavaria · Munich", 1, 2)
    assert munich.share_of_place_sales == D("0.6875")


def test_regions_page(shop, client, login_as):
    segment = Segment(
        name="VIP", definition=Rule("all", (Condition("marketing.tag", "vip"),)).to_json()
    )
    db.session.add(segment)
    db.session.commit()
    login_as("manager")
    page = client.get(f"/marketing/regions?segment={segment.id}&level=city")
    assert (
        page.status_code == 200
        and b"FR \xc2\xb7 IDF \xc2\xb7 Paris" in page.data
        and b"data-chart" in page.data
    )
    assert b"78.1 %" in page.data  # 50 / 64
    assert client.get("/marketing/regions?level=planet&period=2026-99").status_code == 200
