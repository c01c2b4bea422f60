"""Won means an order: a draft order made from a deal, and the deal following its orders.

A deal is won when an order made from it (or linked to it) is confirmed, and lost with the
reason "Order cancelled" when every one of its orders is cancelled, as Tryton's
sale_opportunity does; both happen inside the order's own transaction (the order hooks), so
the deal and its orders never disagree.
"""

from __future__ import annotations

from sqlalchemy import select

from core import orders as core_orders
from core.db import db
from core.models import Order, User
from plugins.pipeline import deals
from plugins.pipeline import stages as stage_records
from plugins.pipeline.deals import DealError
from plugins.pipeline.models import Opportunity, OpportunityOrder
from plugins.pipeline.settings import ORDER_CANCELLED


def orders_of(deal_id: int) -> list[Order]:
    """The orders made from or linked to the deal, oldest first."""
    return list(
        db.session.scalars(
            select(Order)
            .join(OpportunityOrder, OpportunityOrder.order_id == Order.id)
            .where(OpportunityOrder.opportunity_id == deal_id)
            .order_by(Order.id)
        )
    )


def make_order(deal: Opportunity, by: User | None) -> Order:
    """A draft order for the deal's customer with the deal's products, linked to the deal."""
    if deal.customer is None:
        raise DealError("Make the prospect a customer first: an order needs a customer.")
    if not deal.lines:
        raise DealError("Add the products to the deal first: an order needs at least one line.")
    if deal.stage.kind == "lost":
        raise DealError("The deal is lost; reopen it before making an order.")
    lines = [
        core_orders.LineInput(line.product, line.quantity, line.unit_price) for line in deal.lines
    ]
    try:
        order = core_orders.create_order(
            deal.customer, deal.owner or by, lines, notes=f"From deal: {deal.title}"
        )
    except core_orders.OrderError as error:
        raise DealError(str(error)) from None
    db.session.add(OpportunityOrder(opportunity_id=deal.id, order_id=order.id))
    db.session.flush()
    return order


def link_order(deal: Opportunity, order: Order) -> None:
    """Link an existing order of the deal's customer to the deal."""
    if deal.customer_id is None or order.customer_id != deal.customer_id:
        raise DealError("Only an order of the deal's customer can be linked to it.")
    taken = db.session.scalar(
        select(OpportunityOrder.opportunity_id).where(OpportunityOrder.order_id == order.id)
    )
    if taken is not None:
        raise DealError(f"Order {order.number} already belongs to a deal.")
    db.session.add(OpportunityOrder(opportunity_id=deal.id, order_id=order.id))
    db.session.flush()
    if order.status == "confirmed":
        order_confirmed(order)


def _deals_of(order: Order) -> list[Opportunity]:
    return list(
        db.session.scalars(
            select(Opportunity)
            .join(OpportunityOrder, OpportunityOrder.opportunity_id == Opportunity.id)
            .where(OpportunityOrder.order_id == order.id)
        )
    )


def order_confirmed(order: Order) -> None:
    """The order_confirmed hook: its deal is won (unless it already is)."""
    for deal in _deals_of(order):
        if deal.stage.kind != "won":
            deals.move(
                deal,
                stage_records.stage_of_kind("won"),
                None,
                note=f"Order {order.number} confirmed",
            )


def order_cancelled(order: Order) -> None:
    """The order_cancelled hook: a deal whose orders are now all cancelled is lost."""
    for deal in _deals_of(order):
        statuses = {other.id: other.status for other in orders_of(deal.id) if other.id != order.id}
        if any(status != "cancelled" for status in statuses.values()):
            continue
        if deal.stage.kind == "lost":
            continue
        reason = stage_records.reason_named(ORDER_CANCELLED, create=True)
        deals.move(
            deal,
            stage_records.stage_of_kind("lost"),
            None,
            lost_reason=reason,
            note=f"Order {order.number} cancelled",
        )


def orders_imported(order_ids: list[int]) -> None:
    """The bulk path: deals linked to imported confirmed orders are won, as if confirmed one by one."""
    if not order_ids:
        return
    for start in range(0, len(order_ids), 500):
        chunk = order_ids[start : start + 500]
        confirmed = db.session.scalars(
            select(Order)
            .join(OpportunityOrder, OpportunityOrder.order_id == Order.id)
            .where(Order.id.in_(chunk), Order.status == "confirmed")
        )
        for order in confirmed:
            order_confirmed(order)
