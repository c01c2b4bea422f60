"""Tiers: thresholds at the boundary, top-percent ranks with ties, the incremental path, history."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
import time_machine
from sqlalchemy import select

from core.db import db
from plugins.loyalty.models import CustomerValue, TierChange, TierCutoff
from plugins.loyalty.recompute import recompute_all
from plugins.loyalty.tiers import rank_position

NOON = dt.datetime(2026, 3, 31, 12, 0, tzinfo=dt.UTC)
DAY = dt.date(2026, 3, 1)


def tier_of(customer):
    """The customer's stored tier."""
    db.session.expire_all()
    return db.session.get(CustomerValue, customer.id).tier


@pytest.fixture
def clientele_settings():
    """Small thresholds that a few orders of 40.00 profit reach exactly."""
    return {
        "loyalty": {
            "tiers": [
                {"name": "Gold", "min_profit": Decimal("200.00")},
                {"name": "Silver", "min_profit": Decimal("120.00")},
                {"name": "Bronze", "min_profit": Decimal("0.01")},
            ]
        }
    }


def test_a_customer_exactly_at_a_threshold_gets_that_tier(
    make_customer, make_product, make_order, app
):
    # 100.00 − 60.00 = 40.00 per unit: 5 units = 200.00 = Gold exactly.
    product = make_product(list_price="100.00", unit_cost="60.00")
    at_gold, below_gold = make_customer(name="At"), make_customer(name="Below")
    with time_machine.travel(NOON, tick=False):
        make_order(customer=at_gold, lines=[(product, 5)], order_date=DAY)
        # 5 × 99.99 = 499.95 net − 300.00 = 199.95: one cent... five cents under Gold → Silver.
        make_order(customer=below_gold, lines=[(product, 5, "99.99")], order_date=DAY)
    assert tier_of(at_gold) == "Gold"
    assert tier_of(below_gold) == "Silver"


def test_one_cent_below_the_threshold_and_exactly_one_cent(
    make_customer, make_product, make_order, app
):
    # price 60.01, cost 60.00: profit 0.01 = Bronze exactly; price 60.00: profit 0 = no tier.
    product = make_product(list_price="60.01", unit_cost="60.00")
    bronze, nothing = make_customer(), make_customer()
    with time_machine.travel(NOON, tick=False):
        make_order(customer=bronze, lines=[(product, 1)], order_date=DAY)
        make_order(customer=nothing, lines=[(product, 1, "60.00")], order_date=DAY)
    assert tier_of(bronze) == "Bronze"
    assert tier_of(nothing) is None


def test_tier_history_names_the_order_and_the_nightly_job(make_customer, sell, app):
    customer = make_customer()
    with time_machine.travel(NOON, tick=False):
        first = sell(customer, DAY, 3)  # 120.00 → Silver
        second = sell(customer, DAY, 2)  # 200.00 → Gold
    # A year and a day later both orders have left the window: the nightly job drops the tier.
    with time_machine.travel(NOON + dt.timedelta(days=366), tick=False):
        recompute_all()
    moves = db.session.scalars(
        select(TierChange).where(TierChange.customer_id == customer.id).order_by(TierChange.id)
    ).all()
    assert [
        (move.from_tier, move.to_tier, move.profit_12m_cents, move.reason) for move in moves
    ] == [
        (None, "Silver", 12000, f"order {first.number} confirmed"),
        ("Silver", "Gold", 20000, f"order {second.number} confirmed"),
        ("Gold", None, 0, "nightly recompute"),
    ]
    assert tier_of(customer) is None


def test_cancelling_an_order_moves_the_customer_down(make_customer, sell, app):
    from core import orders

    customer = make_customer()
    with time_machine.travel(NOON, tick=False):
        sell(customer, DAY, 3)
        big = sell(customer, DAY, 2)
        orders.cancel(big)
        db.session.commit()
    assert tier_of(customer) == "Silver"
    last = db.session.scalars(
        select(TierChange)
        .where(TierChange.customer_id == customer.id)
        .order_by(TierChange.id.desc())
    ).first()
    assert (last.from_tier, last.to_tier, last.reason) == (
        "Gold",
        "Silver",
        f"order {big.number} cancelled",
    )


def test_rank_position_is_the_ceiling_in_exact_arithmetic():
    assert rank_position(10, Decimal("10")) == 1  # 10 × 10 % = 1
    assert rank_position(11, Decimal("10")) == 2  # 1.1 → 2
    assert rank_position(3, Decimal("50")) == 2  # 1.5 → 2
    assert rank_position(7, Decimal("2.5")) == 1  # 0.175 → 1
    assert rank_position(200, Decimal("2.5")) == 5


class TestTopPercent:
    """Tiers by rank: Gold = top 20 %, Silver = top 50 % of customers with a positive profit."""

    @pytest.fixture
    def clientele_settings(self):
        return {
            "loyalty": {
                "tiers": [
                    {"name": "Gold", "top_percent": Decimal("20")},
                    {"name": "Silver", "top_percent": 50},
                ]
            }
        }

    def test_ranks_ties_and_cutoffs(self, make_customer, sell, app):
        # Ten customers with 10, 9, …, 1 units (400.00 … 40.00) and one without orders.
        customers = [make_customer(name=f"C{units}") for units in range(10, 0, -1)]
        prospect = make_customer(name="Prospect")
        with time_machine.travel(NOON, tick=False):
            for units, customer in zip(range(10, 0, -1), customers, strict=True):
                sell(customer, DAY, units)
            # A tie with the second place: C9 and "Tie" both have 360.00.
            tie = make_customer(name="Tie")
            sell(tie, DAY, 9)
            recompute_all()
        # 11 ranked: Gold position ceil(11 × 0.2) = 3 → profit at rank 3 = 360.00 (C9 and Tie share
        # ranks 2–3); Silver position ceil(11 × 0.5) = 6 → rank 6 = C6's 240.00.
        cutoffs = {
            row.tier: (row.min_profit_cents, row.ranked_customers)
            for row in db.session.scalars(select(TierCutoff))
        }
        assert cutoffs == {"Gold": (36000, 11), "Silver": (24000, 11)}
        tiers = {customer.name: tier_of(customer) for customer in [*customers, tie, prospect]}
        assert tiers == {
            "C10": "Gold",
            "C9": "Gold",
            "Tie": "Gold",
            "C8": "Silver",
            "C7": "Silver",
            "C6": "Silver",
            "C5": None,
            "C4": None,
            "C3": None,
            "C2": None,
            "C1": None,
            "Prospect": None,
        }

    def test_incremental_path_compares_with_the_last_full_recompute(self, make_customer, sell, app):
        customers = {units: make_customer(name=f"C{units}") for units in range(10, 0, -1)}
        with time_machine.travel(NOON, tick=False):
            for units, customer in customers.items():
                sell(customer, DAY, units)
            recompute_all()
            # 10 ranked (400.00 … 40.00): Gold at rank ceil(10 × 0.2) = 2 → 360.00,
            # Silver at rank ceil(10 × 0.5) = 5 → 240.00.
            stored = {
                row.tier: row.min_profit_cents for row in db.session.scalars(select(TierCutoff))
            }
            assert stored == {"Gold": 36000, "Silver": 24000}
            assert tier_of(customers[6]) == "Silver"
            # C5 (200.00) buys 2 more units: 280.00 ≥ the stored Silver cutoff → Silver at once.
            sell(customers[5], DAY, 2)
            assert tier_of(customers[5]) == "Silver"
            # Nobody else is re-ranked on the incremental path, and the cutoffs stay.
            assert tier_of(customers[6]) == "Silver"
            stored = {
                row.tier: row.min_profit_cents for row in db.session.scalars(select(TierCutoff))
            }
            assert stored == {"Gold": 36000, "Silver": 24000}
            recompute_all()
        # Re-ranked: 400, 360, 320, 280, 280, 240 …: Silver at rank 5 → 280.00, so C6 (240.00)
        # leaves Silver at the full recompute while C5 stays.
        stored = {row.tier: row.min_profit_cents for row in db.session.scalars(select(TierCutoff))}
        assert stored == {"Gold": 36000, "Silver": 28000}
        assert tier_of(customers[6]) is None
        assert tier_of(customers[5]) == "Silver"
        newcomer = make_customer(name="Newcomer")
        with time_machine.travel(NOON, tick=False):
            sell(newcomer, DAY, 7)  # 280.00: exactly the stored Silver cutoff
        assert tier_of(newcomer) == "Silver"

    def test_without_a_full_recompute_the_incremental_path_gives_no_rank_tier(
        self, make_customer, sell, app
    ):
        customer = make_customer()
        with time_machine.travel(NOON, tick=False):
            sell(customer, DAY, 10)
        assert tier_of(customer) is None
        recompute_all()
        assert tier_of(customer) == "Gold"  # one ranked customer: rank 1 for both tiers

    def test_no_customer_with_profit_gives_no_cutoffs(self, make_customer, app):
        make_customer()
        recompute_all()
        assert db.session.scalars(select(TierCutoff)).all() == []
