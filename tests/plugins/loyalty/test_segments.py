"""What loyalty answers to marketing and service_desk: criteria, exclusions, SLA tiers; alone and together."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
import time_machine
from sqlalchemy import select

from core.db import db
from core.models import Customer
from plugins.loyalty import hooks
from plugins.loyalty.models import CustomerValue
from plugins.loyalty.preferences import add_preference

NOON = dt.datetime(2026, 3, 31, 12, 0, tzinfo=dt.UTC)


def matching(expression):
    """Names of the customers an expression over Customer selects."""
    return sorted(db.session.scalars(select(Customer.name).where(expression)))


@pytest.fixture
def people(make_customer, make_user, make_product, sell):
    """Gold Grete (avoids spicy, likes window seat), Bronze Bert, prospect Paula."""
    author = make_user("support")
    make_product(category="Spicy sauces", sku="HOT-1")
    grete, bert, paula = (
        make_customer(name="Grete"),
        make_customer(name="Bert"),
        make_customer(name="Paula"),
    )
    with time_machine.travel(NOON, tick=False):
        sell(grete, dt.date(2026, 3, 1), 60)  # 60 × 40.00 = 2,400.00 → Gold (≥ 2,000)
        sell(bert, dt.date(2026, 3, 1), 1)  # 40.00 → Bronze
    add_preference(grete, author, "spicy sauces", "avoids", "no spicy food")
    add_preference(grete, author, "Seating", "likes", "the window seat (100% sure)")
    add_preference(bert, author, "Wine", "likes", "dry Riesling")
    add_preference(bert, author, "Cheese", "avoids", "blue cheese (not a product category)")
    db.session.commit()
    return grete, bert, paula


def criteria():
    """The criteria by key."""
    return {criterion["key"]: criterion for criterion in hooks.segment_criteria()}


def test_criteria_are_offered_with_their_kinds(app):
    offered = criteria()
    assert set(offered) == {
        "loyalty.tier",
        "loyalty.stage",
        "loyalty.preference",
        "loyalty.profit_12m",
    }
    assert offered["loyalty.tier"]["choices"] == ["Platinum", "Gold", "Silver", "Bronze"]
    assert offered["loyalty.stage"]["choices"][0] == "Prospect"
    assert offered["loyalty.preference"]["kind"] == "text"
    assert offered["loyalty.profit_12m"]["kind"] == "number"


def test_criteria_build_set_based_sql(people, app):
    offered = criteria()
    assert matching(offered["loyalty.tier"]["build"]("Gold")) == ["Grete"]
    assert matching(~offered["loyalty.tier"]["build"]("Gold")) == ["Bert", "Paula"]
    assert matching(offered["loyalty.stage"]["build"]("Prospect")) == ["Paula"]
    assert matching(offered["loyalty.stage"]["build"]("new")) == ["Bert", "Grete"]
    assert matching(offered["loyalty.preference"]["build"]("Window")) == ["Grete"]
    assert matching(offered["loyalty.preference"]["build"]("wine")) == [
        "Bert"
    ]  # the category matches too
    # LIKE wildcards in the typed text are taken literally.
    assert matching(offered["loyalty.preference"]["build"]("100%")) == ["Grete"]
    assert matching(offered["loyalty.preference"]["build"]("_")) == []
    assert matching(offered["loyalty.profit_12m"]["build"](Decimal("2400.00"))) == ["Grete"]
    assert matching(offered["loyalty.profit_12m"]["build"](Decimal("2400.01"))) == []
    assert matching(offered["loyalty.profit_12m"]["build"](Decimal("40"))) == ["Bert", "Grete"]


def test_recommendation_exclusions_are_avoided_product_categories(people, app):
    grete, bert, paula = people
    answer = hooks.recommendation_exclusions(customer_ids=[grete.id, bert.id, paula.id])
    # "spicy sauces" matches the product category "Spicy sauces" and is answered as spelled on products.
    assert answer == {grete.id: {"Spicy sauces"}}
    assert hooks.recommendation_exclusions(customer_ids=[]) == {}


def test_sla_customer_tiers(people, app):
    grete, bert, paula = people
    assert hooks.sla_customer_tiers(customer_ids=[grete.id, bert.id, paula.id]) == {
        grete.id: "Gold",
        bert.id: "Bronze",
    }


class TestWithMarketingAndServiceDesk:
    """The same answers reach marketing's segment builder, its recommendations and service_desk's SLA choice."""

    @pytest.fixture
    def clientele_plugins(self):
        return ["marketing", "service_desk", "loyalty"]

    def test_segment_rules_use_loyalty_criteria(self, people, app):
        from plugins.marketing.segments import collect_criteria, count_customers, parse_rule

        catalog = collect_criteria(app.extensions["clientele"].pm, reraise=True)
        assert {"loyalty.tier", "loyalty.stage", "loyalty.preference"} <= set(catalog.criteria)
        rule = parse_rule(
            {
                "match": "all",
                "conditions": [
                    {"key": "loyalty.stage", "value": "New"},
                    {"key": "loyalty.tier", "value": "Gold", "negate": True},
                ],
            }
        )
        assert count_customers(rule, catalog) == 1  # Bert: new and not Gold

    def test_recommendations_leave_out_avoided_categories(self, people, app):
        from plugins.marketing.recommendations import exclusions

        grete, bert, _ = people
        assert exclusions([grete.id, bert.id]) == {grete.id: {"Spicy sauces"}, bert.id: set()}

    def test_service_desk_reads_the_tier(self, people, app):
        from plugins.service_desk.tickets import customer_tier

        grete, _, paula = people
        assert customer_tier(grete.id) == "Gold"
        assert customer_tier(paula.id) is None

    def test_loyalty_is_loaded_after_the_plugins_it_uses(self, app):
        assert app.extensions["clientele"].names[-1] == "loyalty"


def test_snapshot_rows_exist_for_everyone(people, app):
    assert db.session.query(CustomerValue).count() == 3
