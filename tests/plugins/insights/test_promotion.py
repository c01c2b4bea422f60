"""Promotion: campaigns and channels by the profit they brought (the shop of conftest.py).

Marketing's attribution (30 days): "Spring" (cost 10.00) mailed ann and cat on 1 Feb 2026;
their orders from 1 Feb to 2 Mar are O3 (ann, net 13.00, profit 6.00) and O4 (cat, 33.76,
12.76): 2 buyers, net 46.76, profit 18.76, return (18.76 − 10.00) / 10.00 = 0.8760.
"Autumn" (cost 20.00) mailed ben on 15 Mar: O7 (net 5.00, profit 1.00), return −0.9500.
Channels in the first quarter: web (ann, cat) net 41.00 + 33.76 = 74.76, profit 31.76 of
38.76 = 0.8194; none (dan) 8.00 / 5.00, 0.1290; fair (ben) 10.00 / 2.00, 0.0516.
"""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal as D

import pytest

from core.db import db
from plugins.insights import reports
from plugins.marketing.models import Campaign, Recipient

Q1 = reports.period("2026-01", "2026-03")


@pytest.fixture
def campaigns(shop):
    spring = Campaign(
        name="Spring",
        topic="news",
        subject="S",
        body="B",
        segment_id=shop.web.id,
        status="sent",
        cost=D("10.00"),
    )
    autumn = Campaign(
        name="Autumn",
        topic="news",
        subject="S",
        body="B",
        segment_id=shop.web.id,
        status="sent",
        cost=D("20.00"),
    )
    db.session.add_all([spring, autumn])
    db.session.flush()
    for campaign, customer, day in [
        (spring, shop.ann, dt.date(2026, 2, 1)),
        (spring, shop.cat, dt.date(2026, 2, 1)),
        (autumn, shop.ben, dt.date(2026, 3, 15)),
    ]:
        db.session.add(
            Recipient(
                campaign_id=campaign.id, customer_id=customer.id, status="queued", received_on=day
            )
        )
    db.session.commit()


def test_campaigns_and_channels_with_their_return(campaigns):
    found = reports.promotion(Q1)
    assert [
        (r["name"], r["buyers"], r["net"], r["profit"], r["cost"], r["return_on_cost"])
        for r in found["campaigns"]
    ] == [
        ("Spring", 2, D("46.76"), D("18.76"), D("10.00"), D("0.8760")),
        ("Autumn", 1, D("5.00"), D("1.00"), D("20.00"), D("-0.9500")),
    ]
    assert [
        (r["name"], r["buyers"], r["net"], r["profit"], r["profit_share"])
        for r in found["channels"]
    ] == [
        ("web", 2, D("74.76"), D("31.76"), D("0.8194")),
        ("(none)", 1, D("8.00"), D("5.00"), D("0.1290")),
        ("fair", 1, D("10.00"), D("2.00"), D("0.0516")),
    ]


def test_a_campaign_that_mailed_nobody_in_the_period_is_left_out(campaigns):
    found = reports.promotion(reports.period("2026-03", "2026-03"))
    assert [row["name"] for row in found["campaigns"]] == ["Autumn"]


def test_the_command_and_the_page(campaigns, cli, client, login_as):
    result = cli.invoke(
        ["insights", "promotion", "--from", "2026-01", "--to", "2026-03", "--format", "json"]
    )
    assert result.exit_code == 0, result.output
    document = json.loads(result.output)
    assert document["campaigns"][0] == {
        "name": "Spring",
        "buyers": 2,
        "net": "46.76",
        "profit": "18.76",
        "cost": "10.00",
        "return_on_cost": "0.8760",
    }
    assert document["channels"][0] == {
        "name": "web",
        "buyers": 2,
        "net": "74.76",
        "profit": "31.76",
        "profit_share": "0.8194",
    }
    login_as("manager")
    page = client.get("/insights/promotion?from=2026-01&to=2026-03").get_data(as_text=True)
    assert "Spring" in page and "87.6 %" in page.replace("\u00a0", " ")
    lines = (
        client.get("/insights/promotion?from=2026-01&to=2026-03&export=csv")
        .get_data(as_text=True)
        .splitlines()
    )
    assert lines[0] == "kind,name,buyers,net,profit,cost,return_on_cost,profit_share"
    assert lines[1] == "campaign,Spring,2,46.76,18.76,10.00,0.8760,"
