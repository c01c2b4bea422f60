"""Customer value figures with hand-worked numbers: discounts, refunds on their date, cancellations, windows."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import time_machine
from sqlalchemy import select

from core import orders
from core.db import db
from plugins.loyalty.figures import figures_statement, window_parameters
from plugins.loyalty.models import CustomerValue, StageChange, TierChange
from plugins.loyalty.recompute import recompute_all, recompute_customers
from plugins.loyalty.settings import current

AS_OF = dt.date(2026, 3, 31)
NOON = dt.datetime(2026, 3, 31, 12, 0, tzinfo=dt.UTC)


def value_of(customer):
    """The customer's snapshot row, fresh from the database."""
    db.session.expire_all()
    return db.session.get(CustomerValue, customer.id)


def test_profit_contribution_with_discount_refund_and_cancellation(make_customer, sell, app):
    customer = make_customer(name="Ada")
    with time_machine.travel(NOON, tick=False):
        # 3 × 100.00 × (1 − 0.10) = 270.00 net; 3 × 60.00 = 180.00 cost → 90.00 profit
        sell(customer, dt.date(2026, 1, 10), 3, "100.00", "0.10")
        # 2 × 95.50 = 191.00 net; 120.00 cost → 71.00 profit, refunded on 1 March → −71.00
        refunded = sell(customer, dt.date(2026, 2, 15), 2, "95.50")
        orders.refund(refunded, on=dt.date(2026, 3, 1))
        # A cancelled order counts nowhere.
        cancelled = sell(customer, dt.date(2026, 3, 5), 10)
        orders.cancel(cancelled)
        db.session.commit()
    value = value_of(customer)
    # 90.00 + 71.00 − 71.00 = 90.00; the refunded order still counts as an order placed.
    assert value.profit_12m == Decimal("90.00")
    assert value.profit_12m_cents == 9000
    assert value.order_count == 2
    assert value.orders_12m == 2
    assert value.first_order_on == dt.date(2026, 1, 10)
    assert value.last_order_on == dt.date(2026, 2, 15)
    assert value.as_of == AS_OF


def test_trailing_window_is_as_of_minus_365_exclusive_to_as_of_inclusive(make_customer, sell, app):
    customer = make_customer()
    with time_machine.travel(NOON, tick=False):
        sell(customer, dt.date(2025, 3, 31))  # as_of − 365: previous period (40.00)
        sell(customer, dt.date(2025, 4, 1), 2)  # as_of − 364: in the window (80.00)
        sell(customer, AS_OF, 3)  # as_of itself: in the window (120.00)
        sell(
            customer, dt.date(2024, 4, 1), 5
        )  # as_of − 729: first day of the previous period (200.00)
        sell(customer, dt.date(2024, 3, 31), 7)  # as_of − 730: counts in neither
    value = value_of(customer)
    assert value.profit_12m == Decimal("200.00")  # 80.00 + 120.00
    assert value.profit_previous_12m == Decimal("240.00")  # 40.00 + 200.00
    assert value.orders_12m == 2
    assert value.order_count == 5


def test_refund_counts_on_its_refund_date_not_the_order_date(make_customer, sell, app):
    customer = make_customer()
    with time_machine.travel(NOON, tick=False):
        # Sold in the previous period (+40.00 there), refunded inside the window (−40.00 here).
        order = sell(customer, dt.date(2025, 3, 1))
        orders.refund(order, on=dt.date(2025, 6, 1))
        sell(customer, dt.date(2026, 1, 5), 2)  # +80.00
        db.session.commit()
    value = value_of(customer)
    assert value.profit_12m == Decimal("40.00")  # 80.00 − 40.00
    assert value.profit_previous_12m == Decimal("40.00")


def test_half_cent_lines_are_summed_exactly(make_customer, make_product, make_order, app):
    # net = round(1.5 × 10.05 × (1 − 0.5)) = round(7.5375) = 7.54; cost = round(1.5 × 0.67) =
    # round(1.005) = 1.01 (half up); profit 6.53 per order, stored rounded and summed in cents.
    product = make_product(list_price="10.05", unit_cost="0.67")
    customer = make_customer()
    with time_machine.travel(NOON, tick=False):
        for _ in range(3):
            make_order(
                customer=customer, lines=[(product, "1.5", "10.05", "0.5")], order_date=AS_OF
            )
    assert value_of(customer).profit_12m == Decimal("19.59")  # 3 × 6.53


def test_full_recompute_matches_incremental_and_records_history_once(make_customer, sell, app):
    first, second = make_customer(name="First"), make_customer(name="Second")
    with time_machine.travel(NOON, tick=False):
        sell(first, dt.date(2026, 3, 1), 20)  # 20 × 40.00 = 800.00 → Silver (≥ 500)
        sell(second, dt.date(2026, 3, 1), 1)  # 40.00 → Bronze (≥ 0.01)
        incremental = {
            value.customer_id: (value.profit_12m_cents, value.tier, value.stage)
            for value in db.session.scalars(select(CustomerValue))
        }
        result = recompute_all()
        db.session.commit()
        again = recompute_all()
    full = {
        value.customer_id: (value.profit_12m_cents, value.tier, value.stage)
        for value in db.session.scalars(select(CustomerValue))
    }
    assert full == incremental
    assert incremental[first.id] == (80000, "Silver", "new")
    assert (result.tier_changes, result.stage_changes) == (0, 0)
    assert (again.tier_changes, again.stage_changes) == (0, 0)
    moves = db.session.scalars(select(TierChange).where(TierChange.customer_id == first.id)).all()
    assert [(move.from_tier, move.to_tier, move.reason) for move in moves] == [
        (None, "Silver", f"order {first_order_number(first)} confirmed")
    ]


def first_order_number(customer):
    """The number of the customer's first order."""
    from core.models import Order

    return db.session.scalar(
        select(Order.number).where(Order.customer_id == customer.id).order_by(Order.id)
    )


def test_customer_without_orders_is_a_prospect_from_creation(make_customer, app):
    customer = make_customer()
    value = value_of(customer)
    assert (value.stage, value.tier, value.profit_12m_cents, value.order_count) == (
        "prospect",
        None,
        0,
        0,
    )
    steps = db.session.scalars(
        select(StageChange).where(StageChange.customer_id == customer.id)
    ).all()
    assert [(step.from_stage, step.to_stage, step.reason) for step in steps] == [
        (None, "prospect", "customer created")
    ]


def test_customers_created_before_the_plugin_get_a_row_at_the_full_recompute(make_customer, app):
    customer = make_customer()
    db.session.delete(db.session.get(CustomerValue, customer.id))
    db.session.commit()
    recompute_all()
    assert value_of(customer).stage == "prospect"


def test_figures_statement_for_a_past_day_ignores_later_orders(make_customer, sell, app):
    customer = make_customer()
    with time_machine.travel(NOON, tick=False):
        sell(customer, dt.date(2026, 1, 1))
        sell(customer, dt.date(2026, 3, 1))
    parameters = {**window_parameters(dt.date(2026, 2, 1)), "scope_ids": [customer.id]}
    row = db.session.execute(
        figures_statement(current().lifecycle, restricted=True), parameters
    ).one()
    assert (row.order_count, row.profit_12m_cents, row.last_order_on) == (
        1,
        4000,
        dt.date(2026, 1, 1),
    )


def test_recompute_of_a_few_customers_leaves_the_others_alone(make_customer, sell, app):
    touched, untouched = make_customer(), make_customer()
    with time_machine.travel(NOON, tick=False):
        sell(touched, dt.date(2026, 3, 1))
        sell(untouched, dt.date(2026, 3, 1))
        before = value_of(untouched).computed_at
    with time_machine.travel(NOON + dt.timedelta(days=1), tick=False):
        recompute_customers([touched.id], "test")
    assert value_of(untouched).computed_at == before
    assert value_of(touched).as_of == dt.date(2026, 4, 1)
