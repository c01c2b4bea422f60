"""Profitability: net contribution per customer with every cost plugin on, worked out by hand.

The shop of conftest.py, the first quarter of 2026, with sales_commission (the default tiers
of DESIGN.md: A from a 40 % margin at 8 %, B from 20 % at 5 %, C at 2 %, on revenue),
service_desk (cost_per_ticket 2.50) and marketing (a campaign of 10.00).

Gross profit (net − cost of counted sales and refunds dated in the quarter):
    ann  O1 (20 − 12) + (8 − 3) = 13.00, O3 (8 − 3) + (5 − 4) = 6.00      19.00
    ben  O2 (9 − 6) + (5 − 4) = 4.00, jam refunded in Feb −3.00, O7 1.00  2.00
    cat  O4 (25.76 − 18) + (8 − 3)                                       12.76
    dan  O8 (8 − 3); O0 is in December                                    5.00
    eve  no order                                                         0.00
Commission (Sam sells O1, O3, O4; each line rounded half up to the cent):
    ann  O1 jam 20.00 at margin 0.40 → A 1.60, oil 0.625 → A 0.64; O3 oil 0.64, tea 0.20 → B 0.25   3.13
    cat  O4 jam margin 7.76 / 25.76 = 0.3012 → B 1.288 → 1.29, oil 0.64                            1.93
Service (tickets opened on a company day of the quarter × 2.50): ben on 14 Feb (not the one of
    1 Apr), dan at 23:30 on 31 Mar Berlin time (21:30 UTC), eve at 00:30 on 1 Jan Berlin time
    (still 31 Dec in UTC): 2.50 each.
Campaigns: 10.00 over the three customers it reached (ann, cat, dan, by recipient id):
    3.34, 3.33, 3.33; the opted-out recipient (ben) and a campaign without cost add nothing.
Net contribution: ann 19.00 − 3.13 − 3.34 = 12.53; cat 12.76 − 1.93 − 3.33 = 7.50;
    ben 2.00 − 2.50 = −0.50; dan 5.00 − 2.50 − 3.33 = −0.83; eve −2.50. Total 16.20.
"""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal as D

import pytest

from core.db import db
from plugins.insights import reports
from plugins.marketing.models import Campaign, Recipient
from plugins.service_desk.tickets import NewTicket, open_ticket

Q1 = reports.period("2026-01", "2026-03")


@pytest.fixture
def clientele_plugins():
    return ["insights", "marketing", "sales_commission", "service_desk"]


@pytest.fixture
def clientele_settings():
    return {"service_desk": {"cost_per_ticket": D("2.50")}}


@pytest.fixture
def app(make_app, clientele_plugins, clientele_settings):
    """A company in Berlin: a ticket's day is its Berlin day."""
    return make_app(
        plugins=clientele_plugins, settings=clientele_settings, timezone="Europe/Berlin"
    )


@pytest.fixture
def costs(shop, make_customer):
    eve = make_customer(name="Eve Ebert", city="Munich")
    utc = dt.datetime
    for customer, opened in [
        (shop.ben, utc(2026, 2, 14, 9, 0)),
        (shop.ben, utc(2026, 4, 1, 9, 0)),
        (shop.dan, utc(2026, 3, 31, 21, 30)),
        (eve, utc(2025, 12, 31, 23, 30)),
    ]:
        open_ticket(
            NewTicket(kind="inquiry", channel="phone", subject="Q", customer=customer), None, opened
        )
    paid = Campaign(
        name="Spring",
        topic="news",
        subject="S",
        body="B",
        segment_id=shop.web.id,
        status="sent",
        cost=D("10.00"),
    )
    free = Campaign(
        name="Free",
        topic="news",
        subject="S",
        body="B",
        segment_id=shop.web.id,
        status="sent",
        cost=D("0.00"),
    )
    db.session.add_all([paid, free])
    db.session.flush()
    received = dt.date(2026, 2, 1)
    for customer, status in [
        (shop.ann, "queued"),
        (shop.cat, "queued"),
        (shop.ben, "opted_out"),
        (shop.dan, "queued"),
    ]:
        db.session.add(
            Recipient(
                campaign_id=paid.id, customer_id=customer.id, status=status, received_on=received
            )
        )
    db.session.add(
        Recipient(
            campaign_id=free.id, customer_id=shop.ben.id, status="queued", received_on=received
        )
    )
    db.session.commit()
    return eve


def figures(row):
    return (
        row["name"],
        row["gross_profit"],
        row["commission"],
        row["service"],
        row["campaigns"],
        row["net_contribution"],
    )


def test_net_contribution_subtracts_commission_service_and_campaign_costs(costs):
    found = reports.profitability(Q1)
    assert found["sources"] == [
        ("campaigns", "Campaigns"),
        ("commission", "Commission"),
        ("service", "Service"),
    ]
    assert [figures(row) for row in found["rows"]] == [
        ("Ann Arbor", D("19.00"), D("3.13"), D("0.00"), D("3.34"), D("12.53")),
        ("Cat Cole", D("12.76"), D("1.93"), D("0.00"), D("3.33"), D("7.50")),
        ("Ben Berg", D("2.00"), D("0.00"), D("2.50"), D("0.00"), D("-0.50")),
        ("Dan Dorn", D("5.00"), D("0.00"), D("2.50"), D("3.33"), D("-0.83")),
        ("Eve Ebert", D("0.00"), D("0.00"), D("2.50"), D("0.00"), D("-2.50")),
    ]
    assert found["total"] == D("16.20")


def test_pareto_says_what_the_best_customers_bring(costs):
    pareto = reports.profitability(Q1)["pareto"]
    # 5 customers: 1, 5, 10 and 20 % round up to the best one (12.53 / 16.20 = 0.77345… → 0.7735);
    # 50 % to three (12.53 + 7.50 − 0.50 = 19.53; 19.53 / 16.20 = 1.20555… → 1.2056).
    assert [(p["customers"], p["net_contribution"], p["profit_share"]) for p in pareto] == [
        (1, D("12.53"), D("0.7735")),
        (1, D("12.53"), D("0.7735")),
        (1, D("12.53"), D("0.7735")),
        (1, D("12.53"), D("0.7735")),
        (3, D("19.53"), D("1.2056")),
    ]


def test_a_segment_limits_the_customers(costs, shop):
    from plugins.marketing.bridges import insights_segments

    munich = next(item for item in insights_segments() if item["label"] == "Segment: Munich")
    rows = reports.profitability(Q1, munich["customers"]())["rows"]
    # Munich is ann and eve.
    assert [(row["name"], row["net_contribution"]) for row in rows] == [
        ("Ann Arbor", D("12.53")),
        ("Eve Ebert", D("-2.50")),
    ]


def test_without_cost_plugins_net_contribution_is_gross_profit(shop):
    found = reports.profitability(Q1, sources=[])
    assert found["sources"] == []
    assert [
        (row["name"], row["gross_profit"], row["net_contribution"]) for row in found["rows"]
    ] == [
        ("Ann Arbor", D("19.00"), D("19.00")),
        ("Cat Cole", D("12.76"), D("12.76")),
        ("Dan Dorn", D("5.00"), D("5.00")),
        ("Ben Berg", D("2.00"), D("2.00")),
    ]


def test_the_command_prints_the_rows_the_total_and_the_pareto_table(costs, cli):
    result = cli.invoke(
        ["insights", "profitability", "--from", "2026-01", "--to", "2026-03", "--format", "json"]
    )
    assert result.exit_code == 0, result.output
    document = json.loads(result.output)
    assert document["total"] == "16.20"
    assert document["rows"][0] == {
        "external_id": document["rows"][0]["external_id"],
        "name": "Ann Arbor",
        "gross_profit": "19.00",
        "campaigns": "3.34",
        "commission": "3.13",
        "service": "0.00",
        "net_contribution": "12.53",
    }
    assert document["pareto"][4] == {
        "customers_share": "0.5000",
        "customers": 3,
        "net_contribution": "19.53",
        "profit_share": "1.2056",
    }


def test_the_page_shows_the_table_and_exports_it(costs, client, login_as):
    login_as("manager")
    page = client.get("/insights/profitability?from=2026-01&to=2026-03")
    assert page.status_code == 200
    text = page.get_data(as_text=True)
    assert "Ann Arbor" in text and "12.53" in text and "Commission" in text
    exported = client.get("/insights/profitability?from=2026-01&to=2026-03&export=csv")
    lines = exported.get_data(as_text=True).splitlines()
    assert lines[0] == "external_id,name,gross_profit,campaigns,commission,service,net_contribution"
    assert lines[1].split(",")[1:] == ["Ann Arbor", "19.00", "3.34", "3.13", "0.00", "12.53"]
