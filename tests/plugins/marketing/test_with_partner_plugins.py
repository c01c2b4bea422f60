"""Marketing with the in-tree loyalty and service_desk plugins enabled: their criteria and exclusions."""

from __future__ import annotations

import pytest

pytest.importorskip("plugins.loyalty.preferences")
pytest.importorskip("plugins.service_desk.tickets")

from core.db import db  # noqa: E402
from plugins.loyalty.preferences import add_preference  # noqa: E402
from plugins.marketing import recommendations  # noqa: E402
from plugins.marketing.jobs import current_catalog  # noqa: E402
from plugins.marketing.segments import Condition, Rule, count_customers, customers_statement  # noqa: E402
from plugins.service_desk.tickets import NewTicket, open_ticket  # noqa: E402


@pytest.fixture
def clientele_plugins() -> list[str]:
    """Marketing with both plugins that implement its hooks."""
    return ["marketing", "loyalty", "service_desk"]


def picked(rule):
    return {
        customer.name
        for customer in db.session.scalars(customers_statement(rule, current_catalog()))
    }


def test_partner_criteria_are_offered_while_enabled(shop, make_app):
    criteria = current_catalog().criteria
    assert {"loyalty.tier", "loyalty.stage", "loyalty.preference"} <= set(criteria)
    assert "service_desk.open_complaint" in criteria
    assert criteria["loyalty.tier"].kind == "choice" and criteria["loyalty.tier"].choices
    make_app(plugins=["marketing"])  # the same database, the partners disabled
    assert not [key for key in current_catalog().criteria if not key.startswith("marketing.")]


def test_open_complaint_and_preference_criteria(shop):
    open_ticket(
        NewTicket(kind="complaint", channel="phone", subject="Late delivery", customer=shop.bob),
        shop.seller,
    )
    add_preference(shop.cem, shop.seller, "Spicy", "likes", "loves chili oil")
    db.session.commit()
    complaint = Rule(
        "all", (Condition("service_desk.open_complaint", ""), Condition("marketing.country", "DE"))
    )
    assert picked(complaint) == {"Bob Brown"}
    assert picked(Rule("all", (Condition("loyalty.preference", "chili"),))) == {"Cem Caliskan"}
    either = Rule(
        "any",
        (Condition("service_desk.open_complaint", ""), Condition("loyalty.preference", "chili")),
    )
    assert picked(either) == {"Bob Brown", "Cem Caliskan"}
    tiers = current_catalog().criteria["loyalty.tier"].choices
    everyone = sum(
        count_customers(Rule("all", (Condition("loyalty.tier", tier),)), current_catalog())
        for tier in tiers
    )
    untiered = count_customers(
        Rule("all", tuple(Condition("loyalty.tier", tier, True) for tier in tiers)),
        current_catalog(),
    )
    assert everyone + untiered == 4  # each customer has one tier or none; "not" is NULL-safe


def test_loyalty_avoidances_are_never_recommended(shop, client, login_as):
    # bob kept RICE; ada bought RICE and CHILI: co = 1, n(RICE) = 2, n(CHILI) = 2 (ada, cem) → 1 / 3.
    recommendations.refresh(50)
    found = recommendations.recommend_for(shop.bob.id, set(), 5)
    assert [(item.product.sku, round(item.score, 6)) for item in found] == [
        ("CHILI", round(1 / 3, 6))
    ]
    add_preference(shop.bob, shop.seller, "Spicy", "avoids", "no hot food")
    db.session.commit()
    excluded = recommendations.exclusions([shop.bob.id])
    assert excluded == {shop.bob.id: {"Spicy"}}
    assert recommendations.recommend_for(shop.bob.id, excluded[shop.bob.id], 5) == []
    login_as("manager")
    page = client.get(f"/customers/{shop.bob.id}")
    assert (
        b"Left out by preferences: Spicy" in page.data
        and b"Chili oil" not in page.data.split(b"Recommended products")[1][:2000]
    )
    # "Who should get CHILI": bob shares RICE with ada, a CHILI buyer, but avoids Spicy.
    audience = recommendations.audience(shop.chili, 500)
    assert shop.bob.id not in {customer.id for customer, _ in audience}
