"""The plugin's business logic: record confirmations and count them (no Flask here)."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import func, insert, select

from clientele_example.models import Confirmation
from core.db import db
from core.models import Order


def record(order: Order) -> None:
    """Remember that the order was confirmed."""
    db.session.add(Confirmation(order_id=order.id, customer_id=order.customer_id))


def record_many(order_ids: Sequence[int]) -> None:
    """Remember many imported confirmed orders with one INSERT ... SELECT."""
    already = select(Confirmation.order_id)
    rows = select(Order.id, Order.customer_id).where(
        Order.id.in_(order_ids), Order.status == "confirmed", Order.id.not_in(already)
    )
    db.session.execute(insert(Confirmation).from_select(["order_id", "customer_id"], rows))


def count_for(customer_id: int) -> int:
    """How many confirmations the customer has."""
    return (
        db.session.scalar(select(func.count()).where(Confirmation.customer_id == customer_id)) or 0
    )


def top_customers(limit: int = 10) -> list[tuple[int, int]]:
    """(customer id, confirmations), most first."""
    statement = (
        select(Confirmation.customer_id, func.count())
        .group_by(Confirmation.customer_id)
        .order_by(func.count().desc())
        .limit(limit)
    )
    return [(row[0], row[1]) for row in db.session.execute(statement)]
