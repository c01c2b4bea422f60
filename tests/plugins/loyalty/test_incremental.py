"""The incremental path: a constant number of queries per order event, and the bulk import path."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import time_machine
from sqlalchemy import select

from core import orders
from core.db import db
from core.models import Order
from core.plugins import run_hook
from plugins.loyalty.models import CustomerValue, TierChange
from plugins.loyalty.recompute import recompute_customers

NOON = dt.datetime(2026, 3, 31, 12, 0, tzinfo=dt.UTC)


def confirm_and_count(count_queries, customer, product):
    """Confirm a new draft order of the customer; the SQL statements the confirmation ran."""
    draft = orders.create_order(
        customer, None, [orders.LineInput(product, Decimal("1"))], dt.date(2026, 3, 30)
    )
    db.session.flush()
    with count_queries() as statements:
        orders.confirm(draft)
    db.session.commit()
    return statements


def loyalty_statements(statements):
    """The statements that touch loyalty tables."""
    return [statement for statement in statements if "loyalty_" in statement]


def test_order_confirmation_takes_the_same_queries_whatever_the_history(
    make_customer, sell, product, count_queries, app
):
    newcomer, regular = make_customer(), make_customer()
    with time_machine.travel(NOON, tick=False):
        sell(newcomer, dt.date(2026, 1, 1))
        for month in range(1, 13):
            sell(regular, dt.date(2025, month, 5), 2)
            sell(regular, dt.date(2026, 1, 1) + dt.timedelta(days=month), 3)
        few = confirm_and_count(count_queries, newcomer, product)
        many = confirm_and_count(count_queries, regular, product)
    assert len(few) == len(many)
    assert len(loyalty_statements(few)) == len(loyalty_statements(many))
    # insert missing row, figures UPDATE … FROM, tier history + update, stage history + update.
    assert len(loyalty_statements(few)) == 6


def test_recompute_of_a_few_customers_is_a_fixed_number_of_statements(
    make_customer, sell, count_queries, app
):
    customers = [make_customer() for _ in range(5)]
    with time_machine.travel(NOON, tick=False):
        for customer in customers:
            sell(customer, dt.date(2026, 3, 1))
        ids = [customer.id for customer in customers]
        with count_queries() as one:
            recompute_customers(ids[:1], "test")
        with count_queries() as five:
            recompute_customers(ids, "test")
    assert len(one) == len(five) == 6


def test_orders_imported_counts_as_if_confirmed_and_is_idempotent(
    make_customer, sell, product, app
):
    customer = make_customer()
    with time_machine.travel(NOON, tick=False):
        # Orders written directly as confirmed (as an import does), then the hook, twice.
        imported = []
        for number, day in (("IMP-1", dt.date(2026, 2, 1)), ("IMP-2", dt.date(2026, 3, 1))):
            order = orders.create_order(
                customer, None, [orders.LineInput(product, Decimal("2"))], day, number=number
            )
            for line in order.lines:
                line.unit_cost, line.cost_amount = Decimal("60.00"), Decimal("120.00")
            order.status = "confirmed"
            imported.append(order.id)
        db.session.flush()
        run_hook("orders_imported", order_ids=imported)
        run_hook("orders_imported", order_ids=imported)
        db.session.commit()
    db.session.expire_all()
    value = db.session.get(CustomerValue, customer.id)
    # 2 orders × 2 units × 40.00 = 160.00
    assert (value.profit_12m, value.order_count, value.tier) == (Decimal("160.00"), 2, "Bronze")
    moves = db.session.scalars(
        select(TierChange).where(TierChange.customer_id == customer.id)
    ).all()
    assert [(move.from_tier, move.to_tier, move.reason) for move in moves] == [
        (None, "Bronze", "order import")
    ]
    # A later file replaces the lines of IMP-2 with a cheaper one: called again, replaced.
    with time_machine.travel(NOON, tick=False):
        second = db.session.scalar(select(Order).where(Order.number == "IMP-2"))
        second.lines[0].net_amount = Decimal("60.00")  # 2 × 30.00: profit −60.00
        db.session.flush()
        run_hook("orders_imported", order_ids=[second.id])
    db.session.expire_all()
    assert db.session.get(CustomerValue, customer.id).profit_12m == Decimal(
        "20.00"
    )  # 80.00 − 60.00


def test_refund_recomputes_with_its_own_reason(make_customer, sell, app):
    customer = make_customer()
    with time_machine.travel(NOON, tick=False):
        order = sell(customer, dt.date(2026, 3, 1), 13)  # 520.00 → Silver
        orders.refund(order, [order.lines[0]], on=dt.date(2026, 3, 20))
        db.session.commit()
    db.session.expire_all()
    assert db.session.get(CustomerValue, customer.id).tier is None
    last = db.session.scalars(
        select(TierChange)
        .where(TierChange.customer_id == customer.id)
        .order_by(TierChange.id.desc())
    ).first()
    assert (last.from_tier, last.to_tier, last.reason) == (
        "Silver",
        None,
        f"refund on order {order.number}",
    )


def test_many_imported_orders_are_done_in_chunks(make_customer, sell, app, monkeypatch):
    from plugins.loyalty import recompute

    monkeypatch.setattr(recompute, "ORDER_ID_CHUNK", 2)
    customers = [make_customer() for _ in range(3)]
    with time_machine.travel(NOON, tick=False):
        ids = [sell(customer, dt.date(2026, 3, 1)).id for customer in customers]
        db.session.execute(CustomerValue.__table__.delete())
        run_hook("orders_imported", order_ids=ids)
    assert {
        value.customer_id: value.profit_12m_cents
        for value in db.session.scalars(select(CustomerValue))
    } == {customer.id: 4000 for customer in customers}
