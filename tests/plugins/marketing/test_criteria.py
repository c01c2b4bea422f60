"""Each core criterion against the hand-made shop of conftest.py, alone, negated and combined."""

from __future__ import annotations

import pytest

from core.db import db
from plugins.marketing.jobs import current_catalog
from plugins.marketing.segments import (
    Condition,
    Rule,
    SegmentError,
    compile_rule,
    count_customers,
    count_many,
    customers_statement,
    rule_from_json,
)


def picked(shop, *conditions, match="all"):
    """Names of the shop's customers the rule picks."""
    rule = Rule(match, tuple(Condition(*condition) for condition in conditions))
    ids = {
        customer.id for customer in db.session.scalars(customers_statement(rule, current_catalog()))
    }
    return {name for name in ("ada", "bob", "cem", "dora") if getattr(shop, name).id in ids}


@pytest.mark.parametrize(
    ("key", "value", "expected"),
    [
        ("marketing.country", "DE", {"ada", "bob"}),
        ("marketing.region", "IDF", {"cem"}),
        ("marketing.city", " munich ", {"ada"}),
        ("marketing.channel", "web", {"ada", "cem"}),
        ("marketing.tag", "VIP", {"ada", "cem"}),
        ("marketing.tag", "wholesale", {"ada"}),
        ("marketing.tag", "whole", set()),  # a tag matches whole, never a part of another tag
        # Created at 12:00 UTC; the test company's time zone is UTC.
        ("marketing.created_after", "2025-09-15", {"cem", "dora"}),
        ("marketing.created_before", "2025-09-15", {"ada", "bob"}),
        ("marketing.owner", "seller@example.com", {"ada", "cem"}),
        ("marketing.has_email", "", {"ada", "bob", "dora"}),
        # bob's SWEET was refunded and cem's SWEET order is a draft: only ada bought Sweet-sour.
        ("marketing.bought_category", "Sweet-sour", {"ada"}),
        ("marketing.bought_category", "Staples", {"ada", "bob"}),
        ("marketing.bought_category", "Spicy", {"ada", "cem"}),
        ("marketing.bought_product", "SWEET", {"ada"}),
        ("marketing.bought_product", "RICE", {"ada", "bob"}),
        # bob's refunded order still counts as placed: 2 orders.
        ("marketing.orders_at_least", "2", {"ada", "bob"}),
        ("marketing.orders_at_least", "1", {"ada", "bob", "cem"}),
        ("marketing.orders_at_least", "0", {"ada", "bob", "cem", "dora"}),
        # Net after refunds: ada 20 + 5 + 8 = 33; bob 9 − 9 + 15 = 15; cem 80; dora 0.
        ("marketing.spent_at_least", "33", {"ada", "cem"}),
        ("marketing.spent_at_least", "33.01", {"cem"}),
        ("marketing.spent_at_least", "15", {"ada", "bob", "cem"}),
        ("marketing.spent_at_least", "0", {"ada", "bob", "cem", "dora"}),
        ("marketing.spent_at_least", "-5", {"ada", "bob", "cem", "dora"}),
        # Profit: ada 33 − (12 + 4 + 3) = 14; bob 15 − 12 = 3 (the refund took back 9 and 6); cem 50.
        ("marketing.profit_at_least", "14", {"ada", "cem"}),
        ("marketing.profit_at_least", "14.01", {"cem"}),
        ("marketing.profit_at_least", "3", {"ada", "bob", "cem"}),
        ("marketing.profit_at_least", "50.01", set()),
        ("marketing.last_order_after", "2025-11-20", {"ada", "cem"}),
        ("marketing.last_order_after", "2025-11-21", {"cem"}),
        ("marketing.last_order_before", "2025-11-20", {"bob"}),
        ("marketing.last_order_before", "2026-01-16", {"ada", "bob", "cem"}),
    ],
)
def test_each_criterion(shop, key, value, expected):
    assert picked(shop, (key, value)) == expected


@pytest.mark.parametrize(
    ("key", "value", "expected"),
    [
        ("marketing.country", "DE", {"cem", "dora"}),
        # Unowned customers are "not owned by the seller" (negation is NULL-safe).
        ("marketing.owner", "seller@example.com", {"bob", "dora"}),
        ("marketing.has_email", "", {"cem"}),
        ("marketing.orders_at_least", "1", {"dora"}),
        ("marketing.spent_at_least", "15", {"dora"}),
        ("marketing.bought_category", "Spicy", {"bob", "dora"}),
        # Never ordered: dora is "not lapsed before 2025-11-20" too.
        ("marketing.last_order_before", "2025-11-20", {"ada", "cem", "dora"}),
    ],
)
def test_negated_criterion(shop, key, value, expected):
    assert picked(shop, (key, value, True)) == expected


def test_all_and_any(shop):
    assert picked(shop, ("marketing.country", "DE"), ("marketing.tag", "vip")) == {"ada"}
    assert picked(
        shop, ("marketing.country", "FR"), ("marketing.spent_at_least", "30"), match="any"
    ) == {
        "ada",
        "cem",
        "dora",
    }
    assert picked(shop, ("marketing.channel", "web"), ("marketing.has_email", "", True)) == {"cem"}
    assert picked(shop) == {"ada", "bob", "cem", "dora"}  # no condition: everyone


def test_asking_for_criteria_reads_no_choices_until_listed(shop, count_queries):
    with count_queries() as statements:
        catalog = current_catalog()
    assert statements == []
    with count_queries() as statements:
        assert "DE" in catalog.criteria["marketing.country"].choices  # one indexed lookup
        assert "XX" not in catalog.criteria["marketing.country"].choices
    assert len(statements) == 2
    with count_queries() as statements:
        assert list(catalog.criteria["marketing.country"].choices) == ["DE", "FR"]
        assert "XX" not in catalog.criteria["marketing.country"].choices  # listed once, kept
    assert len(statements) == 1


def test_a_segment_is_one_statement(shop, count_queries):
    catalog = current_catalog()
    rule = Rule(
        "any",
        (
            Condition("marketing.country", "DE"),
            Condition("marketing.bought_category", "Spicy"),
            Condition("marketing.profit_at_least", "10", True),
            Condition("marketing.last_order_before", "2026-01-01"),
        ),
    )
    with count_queries() as statements:
        count = count_customers(rule, catalog)
    # DE: ada, bob; Spicy: ada, cem; profit < 10: bob, dora; lapsed before 2026: ada, bob.
    assert count == 4
    # One indexed lookup per "choice" value checked (country, category), then one COUNT.
    assert len(statements) == 3
    assert all("LIMIT" in statement for statement in statements[:2])
    assert statements[2].startswith("SELECT count(*)")


def test_count_many_counts_several_segments_in_one_statement(shop, count_queries):
    catalog = current_catalog()
    rules = [
        (1, Rule("all", (Condition("marketing.country", "DE"),))),
        (2, Rule("all", (Condition("marketing.tag", "vip"), Condition("marketing.has_email", "")))),
        (3, Rule("all", (Condition("loyalty.tier", "Gold"),))),
    ]
    with count_queries() as statements:
        counts = count_many(rules, catalog)
    assert counts[1] == 2 and counts[2] == 1
    assert "loyalty.tier" in counts[3]
    assert len(statements) == 2  # the lookup of "DE" among the countries, then all counts at once


@pytest.mark.parametrize(
    ("key", "value", "message"),
    [
        ("marketing.country", "XX", "not one of the values on offer"),
        ("marketing.spent_at_least", "lots", "'lots' is not a number"),
        ("marketing.orders_at_least", "2.5", "whole number"),
        ("marketing.created_after", "31/12/2025", "YYYY-MM-DD"),
        ("marketing.bought_product", "NOPE", "no product with SKU 'NOPE'"),
        ("marketing.city", "  ", "enter a value"),
        ("loyalty.tier", "Gold", "'loyalty' that offers it may be disabled"),
    ],
)
def test_bad_conditions_are_reported(shop, key, value, message):
    rule = Rule("all", (Condition("marketing.country", "DE"), Condition(key, value)))
    with pytest.raises(SegmentError) as caught:
        compile_rule(rule, current_catalog())
    assert len(caught.value.problems) == 1
    assert caught.value.problems[0].startswith("Condition 2")
    assert message in caught.value.problems[0]


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("not json", "not valid JSON"),
        ('["a"]', "must be an object"),
        ('{"match": "some"}', "'all' or 'any'"),
        ('{"conditions": {"key": "x"}}', "must be a list"),
        ('{"conditions": [{"value": 1}]}', "Condition 1 must be an object with a 'key'"),
        ('{"conditions": [{"key": "marketing.city", "value": [1]}]}', "text, a number or true"),
    ],
)
def test_malformed_rules(text, message, app):
    with pytest.raises(SegmentError) as caught:
        rule_from_json(text)
    assert message in str(caught.value)


def test_rule_round_trip():
    rule = Rule(
        "any", (Condition("marketing.tag", "vip", True), Condition("marketing.country", "DE"))
    )
    assert rule_from_json(rule.to_json()) == rule


def test_choices_are_computed_from_the_data(shop):
    criteria = current_catalog().criteria
    assert list(criteria["marketing.country"].choices) == ["DE", "FR"]
    assert list(criteria["marketing.bought_category"].choices) == ["Spicy", "Staples", "Sweet-sour"]
    assert "seller@example.com" in criteria["marketing.owner"].choices
    assert all(key.startswith("marketing.") for key in criteria)
