"""Criteria other plugins contribute through segment_criteria: present only while their plugin is there."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from core.db import db
from core.models import Customer
from core.plugins import hookimpl, plugin_system
from plugins.marketing.jobs import current_catalog
from plugins.marketing.models import Segment
from plugins.marketing.segments import (
    Condition,
    Rule,
    SegmentError,
    collect_criteria,
    compile_rule,
    customers_statement,
)

COMPLAINT = Rule("all", (Condition("desk.open_complaint", ""),))


class Desk:
    """A stand-in for service_desk: 'has an open complaint' = lives in Berlin, 'ticket kind is X'."""

    @hookimpl(optionalhook=True)
    def segment_criteria(self):
        return [
            {
                "key": "desk.open_complaint",
                "label": "Has an open complaint",
                "kind": "flag",
                "build": lambda value: Customer.id.in_(
                    select(Customer.id).where(Customer.city == "Berlin")
                ),
            },
            {
                "key": "desk.ticket_kind",
                "label": "Ticket kind",
                "kind": "choice",
                "choices": ["complaint", "question"],
                "build": lambda value: (
                    Customer.region == ("Berlin" if value == "complaint" else "-")
                ),
            },
        ]


class Misnamed:
    @hookimpl(optionalhook=True)
    def segment_criteria(self):
        return [
            {
                "key": "other.tier",
                "label": "Tier",
                "kind": "text",
                "build": lambda value: Customer.id > 0,
            }
        ]


class Broken:
    @hookimpl(optionalhook=True)
    def segment_criteria(self):
        raise RuntimeError("the tiers table is missing")


def names(shop, rule):
    ids = {
        customer.id for customer in db.session.scalars(customers_statement(rule, current_catalog()))
    }
    return {name for name in ("ada", "bob", "cem", "dora") if getattr(shop, name).id in ids}


def test_contributed_criteria_only_while_the_plugin_is_registered(shop, temp_plugin):
    assert "desk.open_complaint" not in current_catalog().criteria
    with pytest.raises(SegmentError, match="'desk' that offers it may be disabled"):
        compile_rule(COMPLAINT, current_catalog())
    temp_plugin(Desk(), name="desk")
    catalog = current_catalog()
    assert catalog.criteria["desk.open_complaint"].plugin == "desk"
    assert catalog.criteria["desk.ticket_kind"].choices == ("complaint", "question")
    assert names(shop, COMPLAINT) == {"bob"}
    negated = Rule("all", (Condition("desk.open_complaint", "", True),))
    assert names(shop, negated) == {"ada", "cem", "dora"}
    mixed = Rule(
        "all", (Condition("desk.ticket_kind", "complaint"), Condition("marketing.country", "DE"))
    )
    assert names(shop, mixed) == {"bob"}


def test_core_criteria_come_first_and_through_the_same_hook(shop, temp_plugin):
    temp_plugin(Desk(), name="desk")
    groups = [plugin for plugin, _ in current_catalog().by_plugin()]
    assert groups == ["marketing", "desk"]


def test_a_criterion_must_carry_its_plugin_prefix(app, temp_plugin):
    temp_plugin(Misnamed(), name="desk")
    catalog = collect_criteria(plugin_system().pm)
    assert "other.tier" not in catalog.criteria
    assert catalog.errors == [
        ("desk", "ValueError: criterion key 'other.tier' must start with 'desk.'")
    ]


def test_a_failing_plugin_leaves_the_other_criteria_working(shop, temp_plugin):
    temp_plugin(Broken(), name="broken")
    catalog = collect_criteria(plugin_system().pm, reraise=False)
    assert catalog.errors == [("broken", "RuntimeError: the tiers table is missing")]
    assert "marketing.country" in catalog.criteria
    with pytest.raises(RuntimeError):
        collect_criteria(plugin_system().pm, reraise=True)


def test_pages_explain_a_criterion_whose_plugin_is_gone(shop, client, login_as, temp_plugin):
    login_as("marketing")
    segment = Segment(name="Complainers", definition=COMPLAINT.to_json())
    db.session.add(segment)
    db.session.commit()
    # The plugin that offered the criterion is not there (disabled since the segment was saved).
    listing = client.get("/marketing/segments/")
    assert listing.status_code == 200 and b"cannot count" in listing.data
    detail = client.get(f"/marketing/segments/{segment.id}")
    assert detail.status_code == 200
    assert b"cannot be used right now" in detail.data and b"desk.open_complaint" in detail.data
    builder = client.get(f"/marketing/segments/{segment.id}/edit")
    assert builder.status_code == 200 and b"desk.open_complaint (not available)" in builder.data
    count = client.get("/marketing/segments/count", query_string={"rule": COMPLAINT.to_json()})
    assert count.status_code == 400 and "desk" in count.get_json()["problems"][0]
    export = client.get(f"/marketing/segments/{segment.id}/export.csv")
    assert export.status_code == 302
    # With the plugin back, the same segment works again.
    temp_plugin(Desk(), name="desk")
    detail = client.get(f"/marketing/segments/{segment.id}")
    assert b"1 customers" in detail.data and b"Bob Brown" in detail.data
