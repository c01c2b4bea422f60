"""Persistence: buyers, returning buyers and lifecycle moves per month (the shop of conftest.py).

Counted orders of the first quarter of 2026: O1 ann 10 Jan, O2 ben 20 Jan, O3 ann 5 Feb,
O4 cat 10 Feb, O8 dan 20 Feb, O7 ben 20 Mar (O5 is a draft). First counted orders ever:
dan 15 Dec 2025 (O0), ann 10 Jan, ben 20 Jan, cat 10 Feb.

    January   buyers ann, ben            returning none             0 / 2 = 0.0000
    February  buyers ann, cat, dan       returning ann, dan         2 / 3 = 0.6667
    March     buyers ben                 returning ben              1 / 1 = 1.0000
Repeat rate: ann and ben have two orders in the quarter, cat and dan one: 2 / 4 = 0.5000.
"""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal as D

import pytest
from sqlalchemy import select

from core.db import db
from core.models import Customer
from plugins.insights import reports

Q1 = reports.period("2026-01", "2026-03")


def test_buyers_and_returning_buyers_per_month(shop):
    found = reports.persistence(Q1)
    assert found["moves"] == []
    assert [
        (r["month"], r["buyers"], r["returning"], r["returning_share"]) for r in found["rows"]
    ] == [
        ("2026-01", 2, 0, D("0.0000")),
        ("2026-02", 3, 2, D("0.6667")),
        ("2026-03", 1, 1, D("1.0000")),
    ]
    assert found["repeat_rate"] == D("0.5000")


def test_a_segment_limits_the_buyers(shop):
    web = select(Customer.id).where(Customer.channel == "web")  # ann and cat
    found = reports.persistence(Q1, web)
    assert [(r["month"], r["buyers"], r["returning"]) for r in found["rows"]] == [
        ("2026-01", 1, 0),
        ("2026-02", 2, 1),
        ("2026-03", 0, 0),
    ]
    assert found["rows"][2]["returning_share"] is None
    assert found["repeat_rate"] == D("0.5000")  # ann two orders, cat one


class TestWithLoyalty:
    @pytest.fixture
    def clientele_plugins(self):
        return ["insights", "marketing", "loyalty"]

    @pytest.fixture
    def app(self, make_app, clientele_plugins):
        return make_app(plugins=clientele_plugins, timezone="Europe/Berlin")

    def test_churned_and_reactivated_customers_per_company_month(self, shop, cli):
        from plugins.loyalty.models import StageChange

        utc = dt.datetime
        db.session.add_all(
            [
                StageChange(
                    customer_id=shop.ben.id,
                    from_stage="new",
                    to_stage="churned",
                    changed_at=utc(2026, 1, 15, 8),
                ),
                # 23:30 UTC on 31 January is 00:30 on 1 February in Berlin: a February move.
                StageChange(
                    customer_id=shop.dan.id,
                    from_stage="stable",
                    to_stage="churned",
                    changed_at=utc(2026, 1, 31, 23, 30),
                ),
                StageChange(
                    customer_id=shop.dan.id,
                    from_stage="at_risk",
                    to_stage="churned",
                    changed_at=utc(2026, 2, 27, 9),
                ),
                StageChange(
                    customer_id=shop.ben.id,
                    from_stage="churned",
                    to_stage="reactivated",
                    changed_at=utc(2026, 3, 20, 10),
                ),
                StageChange(
                    customer_id=shop.cat.id,
                    from_stage="new",
                    to_stage="churned",
                    changed_at=utc(2026, 4, 2, 10),
                ),
            ]
        )
        db.session.commit()
        found = reports.persistence(Q1)
        assert found["moves"] == [("churned", "Churned"), ("reactivated", "Reactivated")]
        # Dan moved into churned twice in February: one customer. Cat's move is in April.
        assert [(r["month"], r["churned"], r["reactivated"]) for r in found["rows"]] == [
            ("2026-01", 1, 0),
            ("2026-02", 1, 0),
            ("2026-03", 0, 1),
        ]
        result = cli.invoke(
            ["insights", "persistence", "--from", "2026-01", "--to", "2026-03", "--format", "json"]
        )
        assert result.exit_code == 0, result.output
        document = json.loads(result.output)
        assert document["repeat_rate"] == "0.5000"
        assert document["rows"][1] == {
            "month": "2026-02",
            "buyers": 3,
            "returning": 2,
            "returning_share": "0.6667",
            "churned": 1,
            "reactivated": 0,
        }


def test_the_page_and_its_export(shop, client, login_as):
    login_as("manager")
    page = client.get("/insights/persistence?from=2026-01&to=2026-03").get_data(as_text=True)
    assert "Returning" in page and "50.0 %" in page.replace("\u00a0", " ")  # the repeat rate
    lines = (
        client.get("/insights/persistence?from=2026-01&to=2026-03&export=csv")
        .get_data(as_text=True)
        .splitlines()
    )
    assert lines == [
        "month,buyers,returning,returning_share",
        "2026-01,2,0,0.0000",
        "2026-02,3,2,0.6667",
        "2026-03,1,1,1.0000",
    ]
