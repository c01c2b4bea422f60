"""Prospecting with the pipeline on: leads (deals opened) by channel and won deals, per month.

The shop of conftest.py, and these deals (a deal's channel is the customer's unless given):

    L1 ann (web)        opened 2026-01-05, won 2026-01-20
    L2 prospect, fair   opened 2026-01-25, open
    L3 ben (fair)       opened 2026-02-02, lost 2026-02-10
    L4 cat (web)        opened 2025-12-20, won 2026-02-15      no lead in the quarter, a win
    L5 prospect, no channel   opened 2026-03-01, open
    L6 ann (web)        opened 2026-03-10, won 2026-04-02      a lead, its win after the quarter

Leads January–March: 2, 1, 2 (web 1, 0, 1; fair 1, 1, 0; none 0, 0, 1); won: 1, 1, 0 (web).
"""

from __future__ import annotations

import datetime as dt
import json

import pytest
from sqlalchemy import select

from core.db import db
from core.models import Customer
from plugins.insights import reports
from plugins.pipeline import deals
from plugins.pipeline import stages as stage_records


@pytest.fixture
def clientele_plugins() -> list[str]:
    return ["insights", "marketing", "pipeline"]


@pytest.fixture
def book(shop):
    won = stage_records.stage_of_kind("won")
    lost = stage_records.stage_of_kind("lost")
    price = stage_records.reason_named("Price", create=True)

    def deal(title, opened, customer=None, channel="", closed=None, stage=None, reason=None):
        made = deals.open_deal(
            deals.DealInput(
                title=title,
                owner=shop.sam,
                customer=customer,
                prospect_name="" if customer else "Pat Prospect",
                channel=channel,
            ),
            by=None,
            opened_on=opened,
        )
        if closed is not None:
            moment = dt.datetime.combine(closed, dt.time(12))
            deals.move(made, stage, None, lost_reason=reason, at=moment)
        return made

    day = dt.date
    deal("L1", day(2026, 1, 5), shop.ann, closed=day(2026, 1, 20), stage=won)
    deal("L2", day(2026, 1, 25), channel="fair")
    deal("L3", day(2026, 2, 2), shop.ben, closed=day(2026, 2, 10), stage=lost, reason=price)
    deal("L4", day(2025, 12, 20), shop.cat, closed=day(2026, 2, 15), stage=won)
    deal("L5", day(2026, 3, 1))
    deal("L6", day(2026, 3, 10), shop.ann, closed=day(2026, 4, 2), stage=won)
    db.session.commit()
    return shop


QUARTER = ("2026-01", "2026-03")


def test_leads_by_channel_and_won_deals_per_month(book):
    found = reports.prospecting(reports.period(*QUARTER))
    # The customers' figures do not change with the pipeline on.
    assert found["totals"] == [2, 1, 0]
    assert found["deals"] == [
        {
            "key": "leads",
            "label": "Leads",
            "totals": [2, 1, 2],
            "channels": {"": [0, 0, 1], "fair": [1, 1, 0], "web": [1, 0, 1]},
        },
        {"key": "won", "label": "Won deals", "totals": [1, 1, 0], "channels": {"web": [1, 1, 0]}},
    ]


def test_a_segment_keeps_its_customers_deals_only(book):
    web = select(Customer.id).where(Customer.channel == "web")
    found = reports.prospecting(reports.period(*QUARTER), web)
    # Web is ann and cat: L1 and L6 are their leads, L1 and L4 their wins; prospects are in no segment.
    leads, won = found["deals"]
    assert leads["totals"] == [1, 0, 1] and leads["channels"] == {"web": [1, 0, 1]}
    assert won["totals"] == [1, 1, 0]


def test_the_page_filtered_by_a_segment(book, client, login_as):
    login_as("manager")
    url = f"/insights/prospecting?from=2026-01&to=2026-03&segment=marketing:{book.web.id}"
    lines = client.get(url + "&export=csv").data.decode().splitlines()
    assert lines[0] == "month,new_customers,trend,channel:web,leads,leads:web,won,won:web,forecast"
    assert lines[1:4] == [
        "2026-01,1,1.2,1,1,1,1,1,",
        "2026-02,1,0.7,1,0,0,1,1,",
        "2026-03,0,0.2,0,1,1,0,0,",
    ]


def test_cli_json_and_csv(book, cli):
    result = cli.invoke(
        args=["insights", "prospecting", "--from", "2026-01", "--to", "2026-02", "--format", "json"]
    )
    assert result.exit_code == 0, result.output
    rows = json.loads(result.output)["rows"]
    assert rows[0]["leads"] == 2 and rows[0]["won"] == 1
    assert rows[0]["leads_channels"] == {"fair": 1, "web": 1}
    assert rows[1]["leads"] == 1 and rows[1]["won_channels"] == {"web": 1}
    result = cli.invoke(
        args=["insights", "prospecting", "--from", "2026-01", "--to", "2026-02", "--format", "csv"]
    )
    assert result.output.splitlines() == [
        "month,new_customers,trend,fair,web,leads,won",
        "2026-01,2,2.0,1,1,2,1",
        "2026-02,1,1.0,0,1,1,1",
    ]


def test_page_shows_leads_and_wins(book, client, login_as):
    login_as("manager")
    body = client.get("/insights/prospecting?from=2026-01&to=2026-03").data.decode()
    assert "Won deals" in body and "Leads by channel" in body and 'id="deals-leads"' in body
    csv_text = client.get("/insights/prospecting?from=2026-01&to=2026-03&export=csv").data.decode()
    assert csv_text.splitlines()[:4] == [
        "month,new_customers,trend,channel:fair,channel:web,leads,leads:,leads:fair,leads:web,"
        "won,won:web,forecast",
        "2026-01,2,2.0,1,1,2,0,1,1,1,1,",
        "2026-02,1,1.0,0,1,1,0,1,0,1,1,",
        "2026-03,0,0.0,0,0,2,1,0,1,0,0,",
    ]


class TestWithoutThePipeline:
    @pytest.fixture
    def clientele_plugins(self) -> list[str]:
        return ["insights", "marketing"]

    def test_no_deals_and_no_columns(self, shop, client, login_as, cli):
        assert reports.prospecting(reports.period(*QUARTER))["deals"] == []
        login_as("manager")
        body = client.get("/insights/prospecting?from=2026-01&to=2026-03").data.decode()
        assert "Won deals" not in body and "Leads" not in body
        result = cli.invoke(
            args=["insights", "prospecting", "--from", "2026-01", "--to", "2026-01"]
            + ["--format", "json"]
        )
        assert "leads" not in json.loads(result.output)["rows"][0]
