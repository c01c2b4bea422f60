"""Item-to-item recommendations and "who should get this product", with Jaccard scores worked by hand.

Purchases (one confirmed order each):
    u1: A, B      u2: A, B, C      u3: A, C      u4: B, D      u5: D      me: A
so n(A) = 4 (u1 u2 u3 me), n(B) = 3 (u1 u2 u4), n(C) = 2 (u2 u3), n(D) = 2 (u4 u5), and
    sim(A, B) = co 2 / (4 + 3 − 2) = 0.4       sim(A, C) = 2 / (4 + 2 − 2) = 0.5
    sim(B, C) = 1 / (3 + 2 − 1) = 0.25         sim(A, D) = 0 (nobody bought both)
"""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select

from core import orders
from core.db import db
from core.models import Customer
from core.plugins import hookimpl
from plugins.marketing import recommendations
from plugins.marketing.jobs import current_catalog
from plugins.marketing.models import Segment
from plugins.marketing.segments import Condition, Rule, count_customers, customers_statement


@pytest.fixture
def basket(make_customer, make_product, make_order, make_user):
    """The purchases of the module docstring; returns (customers by name, products by letter, seller)."""
    seller = make_user("sales", email="rep@example.com")
    products = {
        letter: make_product(sku=f"P-{letter}", name=f"Product {letter}", category=category)
        for letter, category in (("A", "Rice"), ("B", "Sweet-sour"), ("C", "Spicy"), ("D", "Tea"))
    }
    bought = {"u1": "AB", "u2": "ABC", "u3": "AC", "u4": "BD", "u5": "D", "me": "A"}
    people = {}
    for name, letters in bought.items():
        owner = seller.id if name == "me" else None
        people[name] = make_customer(name=name, email=f"{name}@example.com", owner_id=owner)
        make_order(
            people[name], None, [(products[letter], 1) for letter in letters], dt.date(2026, 1, 5)
        )
    recommendations.refresh(50)  # what the nightly job does
    return people, products, seller


class AvoidsSpicy:
    """A stand-in for loyalty: the named customers avoid the Spicy category."""

    def __init__(self, customer_ids):
        self.customer_ids = set(customer_ids)

    @hookimpl(optionalhook=True)
    def recommendation_exclusions(self, customer_ids):
        return {
            customer_id: {"Spicy"}
            for customer_id in customer_ids
            if customer_id in self.customer_ids
        }


def test_recommendations_for_a_customer(basket):
    people, products, _ = basket
    found = recommendations.recommend_for(people["me"].id, set(), 5)
    assert [(item.product.sku, round(item.score, 6), item.customers) for item in found] == [
        ("P-C", 0.5, 2),  # u2 and u3 bought A and C
        ("P-B", 0.4, 2),  # u1 and u2 bought A and B
    ]
    # u2 has A, B and C; D was bought with B once (u4): sim(B, D) = 1 / (3 + 2 − 1) = 0.25.
    found = recommendations.recommend_for(people["u2"].id, set(), 5)
    assert [(item.product.sku, round(item.score, 6)) for item in found] == [("P-D", 0.25)]


def test_a_score_sums_over_the_products_bought(basket):
    people, products, _ = basket
    # u1 (A, B) → C: sim(A, C) + sim(B, C) = 0.5 + 0.25 = 0.75; D: sim(B, D) = 1 / (3 + 2 − 1) = 0.25.
    found = recommendations.recommend_for(people["u1"].id, set(), 5)
    assert [(item.product.sku, round(item.score, 6)) for item in found] == [
        ("P-C", 0.75),
        ("P-D", 0.25),
    ]


def test_exclusions_inactive_and_returned_products(basket):
    people, products, _ = basket
    found = recommendations.recommend_for(people["me"].id, {"Spicy"}, 5)
    assert [item.product.sku for item in found] == ["P-B"]
    products["C"].active = False
    db.session.commit()
    assert [
        item.product.sku for item in recommendations.recommend_for(people["me"].id, set(), 5)
    ] == ["P-B"]
    products["C"].active = True
    # me buys B and returns it: B is never recommended again.
    order = orders.create_order(
        people["me"], None, [orders.LineInput(products["B"], 1)], dt.date(2026, 2, 1)
    )
    orders.confirm(order)
    orders.refund(order, on=dt.date(2026, 2, 3))
    db.session.commit()
    assert [
        item.product.sku for item in recommendations.recommend_for(people["me"].id, set(), 5)
    ] == ["P-C"]


def test_one_statement_whatever_the_history(basket, count_queries, make_customer, make_order):
    people, products, _ = basket
    me = people["me"].id
    with count_queries() as statements:
        recommendations.recommend_for(me, set(), 5)
    assert len(statements) == 1
    for number in range(30):
        other = make_customer(name=f"more {number}")
        make_order(
            other,
            None,
            [(products["A"], 1), (products["B" if number % 2 else "D"], 2)],
            dt.date(2026, 1, 9),
        )
    recommendations.refresh(50)
    with count_queries() as statements:
        found = recommendations.recommend_for(me, set(), 5)
    assert len(statements) == 1
    assert found[0].product.sku == "P-B"  # now bought with A by 17 more customers


def test_exclusions_hook_is_merged(basket, temp_plugin):
    people, _, _ = basket
    assert recommendations.exclusions([people["me"].id]) == {people["me"].id: set()}
    temp_plugin(AvoidsSpicy([people["me"].id]), name="prefs")
    assert recommendations.exclusions([people["me"].id, people["u1"].id]) == {
        people["me"].id: {"Spicy"},
        people["u1"].id: set(),
    }


def test_audience_of_a_product(basket):
    people, products, _ = basket
    # Never had C: u1 (A, B) 0.5 + 0.25 = 0.75; me (A) 0.5; u4 (B, D) 0.25; u5 (D) shares nothing with C's buyers.
    audience = recommendations.audience(products["C"], 500)
    assert [(customer.name, round(score, 6)) for customer, score in audience] == [
        ("u1", 0.75), ("me", 0.5), ("u4", 0.25),
    ]  # fmt: skip
    assert [customer.name for customer, _ in recommendations.audience(products["C"], 2)] == [
        "u1",
        "me",
    ]


def test_audience_leaves_out_customers_who_avoid_the_category(basket, temp_plugin):
    people, products, _ = basket
    temp_plugin(AvoidsSpicy([people["u1"].id]), name="prefs")
    assert [customer.name for customer, _ in recommendations.audience(products["C"], 500)] == [
        "me",
        "u4",
    ]
    rule = Rule("all", (Condition("marketing.likely_buyer", "P-C"),))
    picked = {
        customer.name
        for customer in db.session.scalars(customers_statement(rule, current_catalog()))
    }
    assert picked == {"me", "u4"}


def test_likely_buyer_segment_matches_the_audience(basket):
    people, products, _ = basket
    rule = Rule("all", (Condition("marketing.likely_buyer", "P-C"),))
    picked = {
        customer.name
        for customer in db.session.scalars(customers_statement(rule, current_catalog()))
    }
    assert picked == {"u1", "me", "u4"}
    assert (
        count_customers(
            Rule("all", (Condition("marketing.likely_buyer", "P-C", True),)), current_catalog()
        )
        == 3
    )


def test_panel_for_owner_marketing_and_not_for_other_salespeople(
    basket, client, login_as, make_user
):
    people, products, seller = basket
    me = people["me"]
    login_as(seller)
    page = client.get(f"/customers/{me.id}")
    assert b"Recommended products" in page.data and b"Product C" in page.data
    login_as("sales")
    assert b"Recommended products" not in client.get(f"/customers/{me.id}").data
    login_as("support")
    assert b"Recommended products" not in client.get(f"/customers/{me.id}").data
    login_as("marketing")
    assert b"Recommended products" in client.get(f"/customers/{me.id}").data


def test_panel_shows_what_preferences_left_out(basket, client, login_as, temp_plugin):
    people, _, _ = basket
    temp_plugin(AvoidsSpicy([people["me"].id]), name="prefs")
    login_as("manager")
    page = client.get(f"/customers/{people['me'].id}")
    assert b"Product C" not in page.data and b"Left out by preferences: Spicy" in page.data


def test_product_audience_page_and_save_as_segment(basket, client, login_as):
    people, products, _ = basket
    login_as("marketing")
    search = client.get("/marketing/products/?q=product c")
    assert search.status_code == 200 and b"P-C" in search.data and b"P-A" not in search.data
    page = client.get(f"/marketing/products/{products['C'].id}/audience")
    assert page.status_code == 200 and b"u1" in page.data and b"0.750" in page.data
    saved = client.post(
        f"/marketing/products/{products['C'].id}/audience", data={"name": "Spicy prospects"}
    )
    assert saved.status_code == 302
    segment = db.session.scalar(select(Segment).where(Segment.name == "Spicy prospects"))
    detail = client.get(f"/marketing/segments/{segment.id}")
    assert b"3 customers" in detail.data
    again = client.post(
        f"/marketing/products/{products['C'].id}/audience", data={"name": "Spicy prospects"}
    )
    assert b"Another segment has this name" in again.data
    assert client.get("/marketing/products/999/audience").status_code == 404
    login_as("sales")
    assert client.get(f"/marketing/products/{products['C'].id}/audience").status_code == 403


def test_unknown_sku_is_a_clear_problem(basket):
    from plugins.marketing.segments import SegmentError, compile_rule

    with pytest.raises(SegmentError, match="no product with SKU 'P-Z'"):
        compile_rule(Rule("all", (Condition("marketing.likely_buyer", "P-Z"),)), current_catalog())
    assert db.session.scalar(select(Customer.id).limit(1)) is not None


def test_the_snapshot_keeps_the_most_similar_products_and_is_rebuilt(basket, db):
    from plugins.marketing.models import ProductSimilarity

    people, products, _ = basket
    rows = db.session.execute(
        select(
            ProductSimilarity.product_id, ProductSimilarity.similar_id, ProductSimilarity.together
        )
        .where(ProductSimilarity.product_id == products["A"].id)
        .order_by(ProductSimilarity.similarity.desc())
    ).all()
    # A's neighbours: C (0.5, co 2), B (0.4, co 2); D was never bought with A.
    assert [(row[1], row[2]) for row in rows] == [(products["C"].id, 2), (products["B"].id, 2)]
    # 2 + 3 + 2 + 2 + 1 + 1 = 11 customer-products; one neighbour kept for each of the 4 products.
    assert recommendations.refresh(1) == (11, 4)
    best = db.session.scalars(
        select(ProductSimilarity.similar_id).where(ProductSimilarity.product_id == products["A"].id)
    ).all()
    assert best == [products["C"].id]
    # With only C kept for A, "me" (who bought A) is offered C alone.
    assert [
        item.product.sku for item in recommendations.recommend_for(people["me"].id, set(), 5)
    ] == ["P-C"]


def test_before_the_first_refresh_the_panel_says_so(app, shop, client, login_as, cli):
    login_as("manager")
    page = client.get(f"/customers/{shop.bob.id}")
    assert b"the first run has not happened yet" in page.data
    result = cli.invoke(["marketing", "refresh-recommendations"])
    assert result.exit_code == 0 and "customer-product pairs" in result.output
    page = client.get(f"/customers/{shop.bob.id}")
    assert b"Chili oil" in page.data and b"Bought-together figures as of" in page.data
    from core.jobs import collect_jobs

    assert "marketing.refresh_recommendations" in collect_jobs(app)
