"""The reports against the shop of conftest.py, every figure worked out by hand there."""

from __future__ import annotations

from decimal import Decimal as D

import pytest
from sqlalchemy import select

from core.models import Customer
from plugins.insights import reports

Q1 = reports.period("2026-01", "2026-03")


def money(row):
    return (
        row["key"],
        row["net"],
        row["cost"],
        row["profit"],
        row["margin"],
        row["orders"],
        row["customers"],
    )


def test_performance_by_category_over_the_quarter(shop):
    rows = reports.performance("category", Q1)
    assert [money(row) for row in rows] == [
        # JAM: 20 + 9 − 9 (refund) + 25.76; margin 15.76 / 45.76 = 0.34440… → 0.3444
        ("Preserves", D("45.76"), D("30.00"), D("15.76"), D("0.3444"), 3, 3),
        # OIL: O1, O3, O4, O8 at 8.00; 20 / 32 = 0.625
        ("Oils", D("32.00"), D("12.00"), D("20.00"), D("0.6250"), 4, 3),
        # TEA: O2, O3, O7 (O0 is in December); 3 / 15 = 0.2
        ("Drinks", D("15.00"), D("12.00"), D("3.00"), D("0.2000"), 3, 2),
    ]


def test_a_refund_counts_in_the_month_it_is_made_and_is_not_an_order(shop):
    rows = {
        row["key"]: row
        for row in reports.performance("category", reports.period("2026-02", "2026-02"))
    }
    # February: O4's 25.76 / 18.00 minus O2's refunded jam 9.00 / 6.00; only O4 is an order.
    assert money(rows["Preserves"]) == (
        "Preserves",
        D("16.76"),
        D("12.00"),
        D("4.76"),
        D("0.2840"),
        1,
        1,
    )


def test_performance_per_month(shop):
    rows = [
        row
        for row in reports.performance("category", Q1, per_month=True)
        if row["key"] == "Preserves"
    ]
    assert [
        (row["month"], row["net"], row["profit"], row["margin"], row["orders"]) for row in rows
    ] == [
        ("2026-01", D("29.00"), D("11.00"), D("0.3793"), 2),  # 11 / 29 = 0.37931…
        ("2026-02", D("16.76"), D("4.76"), D("0.2840"), 1),  # 4.76 / 16.76 = 0.28401…
    ]


def test_performance_by_salesperson_keeps_orders_without_one_apart(shop):
    rows = {row["key"]: row for row in reports.performance("salesperson", Q1)}
    # Sam: O1 28.00/15.00, O3 13.00/7.00, O4 33.76/21.00
    assert money(rows["Sam Seller"]) == (
        "Sam Seller",
        D("74.76"),
        D("43.00"),
        D("31.76"),
        D("0.4248"),
        3,
        2,
    )
    assert rows["Sam Seller"]["id"] == shop.sam.id
    # Nobody: O2 14.00/10.00, its refund −9.00/−6.00, O7 5.00/4.00, O8 8.00/3.00
    assert money(rows[""]) == ("", D("18.00"), D("11.00"), D("7.00"), D("0.3889"), 3, 2)


@pytest.mark.parametrize(
    ("by", "expected"),
    [
        ("channel", {"web": D("74.76"), "fair": D("10.00"), "": D("8.00")}),
        (
            "city",
            {
                "Munich": D("41.00"),
                "Paris": D("33.76"),
                "Berlin": D("10.00"),
                "Frankfurt": D("8.00"),
            },
        ),
        (
            "region",
            {"Bavaria": D("41.00"), "IDF": D("33.76"), "Berlin": D("10.00"), "Hesse": D("8.00")},
        ),
        ("product", {"JAM": D("45.76"), "OIL": D("32.00"), "TEA": D("15.00")}),
    ],
)
def test_performance_by_every_dimension(shop, by, expected):
    assert {row["key"]: row["net"] for row in reports.performance(by, Q1)} == expected


def test_a_customer_in_two_segments_counts_in_each(shop):
    web = select(Customer.id).where(Customer.channel == "web")
    munich = select(Customer.id).where(Customer.city == "Munich")
    by_web = {
        row["key"]: (row["net"], row["orders"])
        for row in reports.performance("category", Q1, customers=web)
    }
    by_munich = {
        row["key"]: (row["net"], row["orders"])
        for row in reports.performance("category", Q1, customers=munich)
    }
    # Web is ann and cat; Munich is ann alone: ann's jam (20.00, O1) is in both.
    assert by_web == {
        "Preserves": (D("45.76"), 2),
        "Oils": (D("24.00"), 3),
        "Drinks": (D("5.00"), 1),
    }
    assert by_munich == {
        "Preserves": (D("20.00"), 1),
        "Oils": (D("16.00"), 2),
        "Drinks": (D("5.00"), 1),
    }


def test_the_orders_behind_a_bar(shop, app):
    from core.db import db

    rows = db.session.execute(reports.performance_orders("category", "Preserves", Q1)).all()
    # O4 (Feb), O2 (Jan: 9.00 sold, −9.00 refunded in the period = 0), O1 (Jan)
    assert [(row.number, row.net_cents) for row in rows] == [
        (shop.orders["O4"].number, 2576),
        (shop.orders["O2"].number, 0),
        (shop.orders["O1"].number, 2000),
    ]
    nobody = db.session.execute(reports.performance_orders("salesperson", "", Q1)).all()
    assert {row.number for row in nobody} == {
        shop.orders[name].number for name in ("O2", "O7", "O8")
    }
    with pytest.raises(reports.ReportError):
        reports.performance_orders("salesperson", "Sam", Q1)


def test_cohorts(shop):
    rows = reports.cohorts(Q1)
    # ann and ben first bought in January (dan in December: not a cohort of the period);
    # in February only ann buys again (ben's refund is no order), in March ben (O7).
    assert rows == [
        {"cohort": "2026-01", "size": 2, "active": [2, 1, 1]},
        {"cohort": "2026-02", "size": 1, "active": [1, 0]},
    ]
    munich = select(Customer.id).where(Customer.city == "Munich")
    assert reports.cohorts(Q1, munich) == [{"cohort": "2026-01", "size": 1, "active": [1, 1, 0]}]


def test_basket_by_category(shop):
    # Six counted orders in Q1: O1 {P, O}, O2 {P, D}, O3 {O, D}, O4 {P, O}, O7 {D}, O8 {O}.
    # With P: 3 orders, with O: 4, with D: 3.
    rows = reports.basket("category", 1, Q1)
    found = {
        (row["a"], row["b"]): (row["orders"], row["support"], row["confidence"], row["lift"])
        for row in rows
    }
    assert found == {
        ("Preserves", "Oils"): (2, D("0.3333"), D("0.6667"), D("1.0000")),  # (2/3) / (4/6)
        ("Oils", "Preserves"): (2, D("0.3333"), D("0.5000"), D("1.0000")),  # (2/4) / (3/6)
        ("Preserves", "Drinks"): (1, D("0.1667"), D("0.3333"), D("0.6667")),
        ("Drinks", "Preserves"): (1, D("0.1667"), D("0.3333"), D("0.6667")),
        ("Oils", "Drinks"): (1, D("0.1667"), D("0.2500"), D("0.5000")),
        ("Drinks", "Oils"): (1, D("0.1667"), D("0.3333"), D("0.5000")),
    }
    assert [(row["a"], row["b"]) for row in reports.basket("category", 2, Q1)] == [
        ("Oils", "Preserves"),
        ("Preserves", "Oils"),
    ]


def test_basket_by_product_uses_skus(shop):
    rows = reports.basket("product", 2, Q1)
    assert [(row["a"], row["b"], row["orders"]) for row in rows] == [
        ("JAM", "OIL", 2),
        ("OIL", "JAM", 2),
    ]


@pytest.mark.parametrize(
    ("first", "last", "message"),
    [("2026-13", "2026-03", "from"), ("2026-01", "March", "to"), ("2026-03", "2026-01", "before")],
)
def test_bad_periods_say_what_is_wrong(app, first, last, message):
    with pytest.raises(reports.ReportError, match=message):
        reports.period(first, last)


def test_bad_arguments_say_what_is_wrong(app):
    with pytest.raises(reports.ReportError, match="by must be one of"):
        reports.performance("colour", Q1)
    with pytest.raises(reports.ReportError, match="level"):
        reports.basket("shelf", 2, Q1)
    with pytest.raises(reports.ReportError, match="min-orders"):
        reports.basket("product", 0, Q1)
