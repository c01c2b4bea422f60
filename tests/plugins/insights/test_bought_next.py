"""What a category's buyers buy next: the first counted order of the period, then the next one.

The shop of conftest.py over the first quarter of 2026 (O0 is in December, O5 a draft):

    ann  O1 10 Jan {Preserves, Oils}      next O3  5 Feb {Oils, Drinks}
    ben  O2 20 Jan {Preserves, Drinks}    next O7 20 Mar {Drinks}   (O2's jam refunded: still bought)
    cat  O4 10 Feb {Preserves, Oils}      no next order
    dan  O8 20 Feb {Oils}                 no next order

Buyers: Preserves ann, ben, cat (3; came back: ann, ben = 2); Oils ann, cat, dan (3; ann = 1);
Drinks ben (1; 1). Pairs: Preserves → Drinks ann and ben (2 of 3 = 0.6667, of 2 = 1.0000);
Preserves → Oils ann (1/3, 1/2); Oils → Oils and Oils → Drinks ann (1/3, 1/1); Drinks →
Drinks ben (1/1, 1/1).
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


def pair(a, b, buyers, returned, customers, share, returned_share):
    return {
        "a": a,
        "b": b,
        "buyers": buyers,
        "returned": returned,
        "customers": customers,
        "share": D(share),
        "returned_share": D(returned_share),
    }


def test_categories_bought_next_worked_by_hand(shop):
    assert reports.bought_next("category", Q1) == [
        pair("Preserves", "Drinks", 3, 2, 2, "0.6667", "1.0000"),
        pair("Drinks", "Drinks", 1, 1, 1, "1.0000", "1.0000"),
        pair("Oils", "Drinks", 3, 1, 1, "0.3333", "1.0000"),
        pair("Oils", "Oils", 3, 1, 1, "0.3333", "1.0000"),
        pair("Preserves", "Oils", 3, 2, 1, "0.3333", "0.5000"),
    ]


def test_products_and_a_segment(shop):
    web = select(Customer.id).where(Customer.channel == "web")  # ann and cat
    # ann's next order holds OIL and TEA; cat has none: each of JAM and OIL has 2 buyers, 1 back.
    assert reports.bought_next("product", Q1, web) == [
        pair("JAM", "OIL", 2, 1, 1, "0.5000", "1.0000"),
        pair("JAM", "TEA", 2, 1, 1, "0.5000", "1.0000"),
        pair("OIL", "OIL", 2, 1, 1, "0.5000", "1.0000"),
        pair("OIL", "TEA", 2, 1, 1, "0.5000", "1.0000"),
    ]


def test_the_period_decides_which_order_is_first(shop):
    # From February: ann's first is O3 and ben's O7, with no next order; cat and dan none either.
    assert reports.bought_next("category", reports.period("2026-02", "2026-03")) == []


def test_two_orders_on_one_day_go_by_number(shop, make_customer, make_order):
    eve = make_customer(name="Eve")
    day = dt.date(2026, 3, 1)
    make_order(eve, None, [(shop.tea, 1)], day)
    make_order(eve, None, [(shop.jam, 1)], day)
    make_order(eve, None, [(shop.oil, 1)], dt.date(2026, 3, 5))  # her third order: not "next"
    rows = reports.bought_next("product", reports.period("2026-03", "2026-03"))
    # ben's only March order is O7: he has no next one. Eve: TEA first, JAM next.
    assert rows == [pair("TEA", "JAM", 2, 1, 1, "0.5000", "1.0000")]


def test_an_unknown_level_is_refused(shop):
    with pytest.raises(reports.ReportError, match="level must be product or category"):
        reports.bought_next("brand", Q1)


def test_cli_json_csv_and_bad_input(shop, cli):
    result = cli.invoke(
        args=["insights", "next", "--from", "2026-01", "--to", "2026-03", "--format", "json"]
    )
    assert result.exit_code == 0, result.output
    first = json.loads(result.output)["rows"][0]
    assert first == {
        "a": "Preserves",
        "b": "Drinks",
        "buyers": 3,
        "returned": 2,
        "customers": 2,
        "share": "0.6667",
        "returned_share": "1.0000",
    }
    result = cli.invoke(
        args=["insights", "next", "--level", "product", "--from", "2026-01", "--to", "2026-01"]
        + ["--format", "csv"]
    )
    # January alone: nobody orders twice, so no row.
    assert result.output.splitlines() == ["a,b,buyers,returned,customers,share,returned_share"]
    result = cli.invoke(args=["insights", "next", "--from", "2026-03", "--to", "2026-01"])
    assert result.exit_code == 2 and "before" in result.output
    # The basket contract is unchanged.
    result = cli.invoke(
        args=["insights", "basket", "--from", "2026-01", "--to", "2026-03", "--format", "json"]
    )
    assert set(json.loads(result.output)["rows"][0]) == {
        "a",
        "b",
        "orders",
        "support",
        "confidence",
        "lift",
    }


def test_page_link_export_and_permissions(shop, client, login_as):
    login_as("sales")
    assert client.get("/insights/basket/next").status_code == 403
    login_as("manager")
    assert "/insights/basket/next" in client.get("/insights/basket?from=2026-01").data.decode()
    body = client.get("/insights/basket/next?from=2026-01&to=2026-03").data.decode()
    assert 'id="bought-next"' in body and "Preserves → Drinks" in body and "66.7" in body
    csv_text = client.get(
        f"/insights/basket/next?from=2026-01&to=2026-03&segment=marketing:{shop.web.id}"
        "&level=category&export=csv"
    ).data.decode()
    assert csv_text.splitlines() == [
        "a,b,buyers,returned,customers,share,returned_share",
        "Oils,Drinks,2,1,1,0.5000,1.0000",
        "Oils,Oils,2,1,1,0.5000,1.0000",
        "Preserves,Drinks,2,1,1,0.5000,1.0000",
        "Preserves,Oils,2,1,1,0.5000,1.0000",
    ]
