"""Lifecycle stages with a frozen clock: prospect → new → developing → at risk → churned → reactivated."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from sqlalchemy import select

from core.db import db
from plugins.loyalty.lifecycle import explain
from plugins.loyalty.models import CustomerValue, StageChange
from plugins.loyalty.recompute import recompute_all
from plugins.loyalty.settings import current


def at(day: dt.date):
    """Freeze the clock at noon UTC on a day."""
    return time_machine.travel(dt.datetime.combine(day, dt.time(12), tzinfo=dt.UTC), tick=False)


def value_of(customer):
    """The customer's snapshot, fresh."""
    db.session.expire_all()
    return db.session.get(CustomerValue, customer.id)


def stages_of(customer):
    """The recorded stage moves as (from, to, reason)."""
    statement = (
        select(StageChange).where(StageChange.customer_id == customer.id).order_by(StageChange.id)
    )
    return [(step.from_stage, step.to_stage, step.reason) for step in db.session.scalars(statement)]


def test_the_whole_lifecycle_with_the_default_rules(make_customer, sell, app):
    with at(dt.date(2026, 1, 1)):
        customer = make_customer()
    with at(dt.date(2026, 1, 10)):
        first = sell(customer, dt.date(2026, 1, 10))
    assert value_of(customer).stage == "new"
    assert value_of(customer).usual_interval_days == 90  # one order: the default interval
    with at(dt.date(2026, 2, 9)):
        second = sell(customer, dt.date(2026, 2, 9))
    value = value_of(customer)
    # Two orders 30 days apart: usual interval 30; gap 30 is not > 90 (default) × 2 → developing.
    assert (value.stage, value.usual_interval_days, value.last_gap_days) == ("developing", 30, 30)
    with at(dt.date(2026, 4, 10)):
        recompute_all()  # 60 days since the last order: 60 > 30 × 2 is false
    assert value_of(customer).stage == "developing"
    with at(dt.date(2026, 4, 11)):
        recompute_all()  # 61 > 60 → at risk
    assert value_of(customer).stage == "at_risk"
    with at(dt.date(2026, 6, 9)):
        recompute_all()  # 120 days: 120 > 30 × 4 is false, still at risk
    assert value_of(customer).stage == "at_risk"
    with at(dt.date(2026, 6, 10)):
        recompute_all()  # 121 > 120 → churned
    assert value_of(customer).stage == "churned"
    with at(dt.date(2026, 6, 15)):
        third = sell(customer, dt.date(2026, 6, 15))
    value = value_of(customer)
    # Gap 126 days (9 Feb → 15 Jun) > usual interval before it (30) × 2 → reactivated; the
    # usual interval is now (156 days / 2 gaps) = 78.
    assert (
        value.stage,
        value.last_gap_days,
        value.interval_before_last_days,
        value.usual_interval_days,
    ) == (
        "reactivated",
        126,
        30,
        78,
    )
    with at(dt.date(2026, 7, 15)):
        fourth = sell(customer, dt.date(2026, 7, 15))
    # Gap 30 ≤ 78 × 2: back to the count-based stage (4 orders → developing).
    assert value_of(customer).stage == "developing"
    assert stages_of(customer) == [
        (None, "prospect", "customer created"),
        ("prospect", "new", f"order {first.number} confirmed"),
        ("new", "developing", f"order {second.number} confirmed"),
        ("developing", "at_risk", "nightly recompute"),
        ("at_risk", "churned", "nightly recompute"),
        ("churned", "reactivated", f"order {third.number} confirmed"),
        ("reactivated", "developing", f"order {fourth.number} confirmed"),
    ]


def test_one_order_uses_the_default_interval(make_customer, sell, app):
    customer = make_customer()
    with at(dt.date(2026, 1, 1)):
        sell(customer, dt.date(2026, 1, 1))
    with at(dt.date(2026, 6, 30)):  # 180 days: 180 > 90 × 2 is false
        recompute_all()
    assert value_of(customer).stage == "new"
    with at(dt.date(2026, 7, 1)):  # 181 days
        recompute_all()
    assert value_of(customer).stage == "at_risk"
    with at(dt.date(2026, 12, 28)):  # 361 days > 90 × 4
        recompute_all()
    assert value_of(customer).stage == "churned"


def test_two_orders_on_one_day_use_the_minimum_interval(make_customer, sell, app):
    customer = make_customer()
    with at(dt.date(2026, 3, 1)):
        sell(customer, dt.date(2026, 3, 1))
        sell(customer, dt.date(2026, 3, 1))
    assert value_of(customer).usual_interval_days == 7  # average 0, at least 7
    with at(dt.date(2026, 3, 15)):  # 14 days: not > 14
        recompute_all()
    assert value_of(customer).stage == "developing"
    with at(dt.date(2026, 3, 16)):
        recompute_all()
    assert value_of(customer).stage == "at_risk"


def test_a_cancelled_only_customer_stays_a_prospect(make_customer, sell, app):
    from core import orders

    customer = make_customer()
    with at(dt.date(2026, 3, 1)):
        order = sell(customer, dt.date(2026, 3, 1))
        assert value_of(customer).stage == "new"
        orders.cancel(order)
        db.session.commit()
    assert value_of(customer).stage == "prospect"
    assert stages_of(customer)[-1][1:] == ("prospect", f"order {order.number} cancelled")


class TestConfiguredRules:
    """stable after 3 orders, at risk after 1.5 × the interval, churned after 3 ×."""

    @pytest.fixture
    def clientele_settings(self):
        return {
            "loyalty": {
                "lifecycle": {
                    "stable_after_orders": 3,
                    "at_risk_factor": "1.5",
                    "churned_factor": 3,
                }
            }
        }

    def test_stable_from_the_nth_order_and_fractional_factor_boundary(
        self, make_customer, sell, app
    ):
        customer = make_customer()
        for day in (dt.date(2026, 1, 1), dt.date(2026, 1, 11), dt.date(2026, 1, 21)):
            with at(day):
                sell(customer, day)
        value = value_of(customer)
        assert (value.order_count, value.stage, value.usual_interval_days) == (3, "stable", 10)
        # 10 × 1.5 = 15: day 15 after the last order is not at risk, day 16 is.
        with at(dt.date(2026, 2, 5)):
            recompute_all()
        assert value_of(customer).stage == "stable"
        with at(dt.date(2026, 2, 6)):
            recompute_all()
        assert value_of(customer).stage == "at_risk"
        with at(dt.date(2026, 2, 20)):  # 30 days: not > 30
            recompute_all()
        assert value_of(customer).stage == "at_risk"
        with at(dt.date(2026, 2, 21)):
            recompute_all()
        assert value_of(customer).stage == "churned"
        assert "at risk after 15 days" in explain(
            value_of(customer), dt.date(2026, 2, 21), current().lifecycle
        )


def test_explain_for_a_customer_without_orders(make_customer, app):
    customer = make_customer()
    assert explain(value_of(customer), dt.date(2026, 1, 1), current().lifecycle) == "No order yet."
