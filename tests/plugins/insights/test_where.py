"""Where: customers, profit and the best customers by city or region (the shop of conftest.py).

First quarter of 2026, by city (gross profit as in test_profitability.py):
    Munich     ann  net 28.00 + 13.00 = 41.00   profit 19.00   19.00 / 38.76 = 0.49019… → 0.4902
    Paris      cat  net 25.76 + 8.00 = 33.76    profit 12.76   12.76 / 38.76 = 0.32920… → 0.3292
    Frankfurt  dan  net 8.00                    profit 5.00     5.00 / 38.76 = 0.12899… → 0.1290
    Berlin     ben  net 14.00 − 9.00 + 5.00     profit 2.00     2.00 / 38.76 = 0.05159… → 0.0516
"""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal as D

import pytest
from sqlalchemy import select

from core.models import Customer
from plugins.insights import reports

Q1 = reports.period("2026-01", "2026-03")


def places(found):
    return [
        (row["key"], row["buyers"], row["net"], row["profit"], row["profit_share"])
        for row in found["rows"]
    ]


def test_buyers_net_and_profit_by_city(shop):
    found = reports.where("city", Q1)
    assert found["best_label"] is None
    assert places(found) == [
        ("Munich", 1, D("41.00"), D("19.00"), D("0.4902")),
        ("Paris", 1, D("33.76"), D("12.76"), D("0.3292")),
        ("Frankfurt", 1, D("8.00"), D("5.00"), D("0.1290")),
        ("Berlin", 1, D("10.00"), D("2.00"), D("0.0516")),
    ]


def test_the_best_customers_are_counted_where_they_live(shop, make_customer):
    eve = make_customer(name="Eve Ebert", city="Munich")  # best, but no order in the quarter
    best = {
        "label": "Hand-picked",
        "customers": select(Customer.id).where(Customer.id.in_([shop.ann.id, shop.cat.id, eve.id])),
    }
    found = reports.where("city", Q1, best=best)
    assert found["best_total"] == 3
    # Munich 2 of 3 = 0.6667, Paris 1 of 3 = 0.3333: both at least the 30 % that is marked.
    assert [(row["key"], row["best"], row["best_share"]) for row in found["rows"]] == [
        ("Munich", 2, D("0.6667")),
        ("Paris", 1, D("0.3333")),
        ("Frankfurt", 0, D("0.0000")),
        ("Berlin", 0, D("0.0000")),
    ]


def test_a_segment_and_the_region(shop):
    rows = reports.where("region", Q1, select(Customer.id).where(Customer.channel == "web"))["rows"]
    assert [(row["key"], row["profit"], row["profit_share"]) for row in rows] == [
        # web customers: ann (Bavaria) 19.00 and cat (IDF) 12.76 of 31.76
        ("Bavaria", D("19.00"), D("0.5982")),
        ("IDF", D("12.76"), D("0.4018")),
    ]


def test_a_bad_place_is_refused():
    with pytest.raises(reports.ReportError, match="by must be one of region, city"):
        reports.where("street", Q1)


class TestWithLoyalty:
    @pytest.fixture
    def clientele_plugins(self):
        return ["insights", "marketing", "loyalty"]

    @pytest.fixture
    def clientele_settings(self):
        return {
            "loyalty": {
                "tiers": [
                    {"name": "Gold", "min_profit": D("15")},
                    {"name": "Silver", "min_profit": D("5")},
                ]
            }
        }

    def test_loyaltys_highest_tier_is_the_best_group(self, shop, cli):
        from plugins.loyalty.recompute import recompute_all

        # Profit of the 12 months to 1 April 2026: ann 19.00 (Gold), dan 1.00 + 5.00 and cat
        # 12.76 (Silver), ben 2.00 (no tier).
        recompute_all("test", as_of=dt.date(2026, 4, 1))
        from core.db import db

        db.session.commit()
        result = cli.invoke(
            [
                "insights",
                "where",
                "--by",
                "city",
                "--from",
                "2026-01",
                "--to",
                "2026-03",
                "--format",
                "json",
            ]
        )
        assert result.exit_code == 0, result.output
        document = json.loads(result.output)
        assert document["best"] == "Tier Gold"
        assert document["rows"][0] == {
            "key": "Munich",
            "buyers": 1,
            "net": "41.00",
            "profit": "19.00",
            "profit_share": "0.4902",
            "best": 1,
            "best_share": "1.0000",
        }
        assert [row["best"] for row in document["rows"][1:]] == [0, 0, 0]


def test_the_page_and_its_export(shop, client, login_as):
    login_as("manager")
    page = client.get("/insights/where?by=city&from=2026-01&to=2026-03").get_data(as_text=True)
    assert "Munich" in page and "19.00" in page and "49.0 %" in page.replace("\u00a0", " ")
    lines = (
        client.get("/insights/where?by=city&from=2026-01&to=2026-03&export=csv")
        .get_data(as_text=True)
        .splitlines()
    )
    assert lines[0] == "key,buyers,net,profit,profit_share"
    assert lines[1] == "Munich,1,41.00,19.00,0.4902"
