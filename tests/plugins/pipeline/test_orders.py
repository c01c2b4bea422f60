"""Won means an order: a draft from the deal's products; confirmed wins, all cancelled loses."""

from __future__ import annotations

from decimal import Decimal

import pytest

from core import dates, orders
from plugins.pipeline import deals, won
from plugins.pipeline import stages as stage_records
from plugins.pipeline.deals import DealError, DealInput, LineInput


@pytest.fixture
def deal(book, db):
    made = deals.open_deal(
        DealInput(
            "Jam and oil",
            book.sam,
            customer=book.c1,
            lines=[
                LineInput(book.jam, Decimal("3"), Decimal("9.50")),
                LineInput(book.oil, Decimal("2")),
            ],
        ),
        book.sam,
    )
    deals.move(made, stage_records.stage_by_name("Engaging"), book.sam)
    return made


def test_make_order_copies_the_products_into_a_linked_draft(deal, book, db):
    order = won.make_order(deal, book.sam)
    assert order.status == "draft"
    assert order.customer_id == book.c1.id and order.salesperson_id == book.sam.id
    assert [
        (line.product.sku, line.quantity, line.unit_price, line.net_amount) for line in order.lines
    ] == [
        ("JAM", Decimal("3.000"), Decimal("9.50"), Decimal("28.50")),
        ("OIL", Decimal("2.000"), Decimal("8.00"), Decimal("16.00")),
    ]
    assert [o.id for o in won.orders_of(deal.id)] == [order.id]
    assert deal.stage.name == "Engaging"  # a draft wins nothing yet


def test_confirming_the_order_wins_the_deal_in_the_same_transaction(deal, book, db):
    order = won.make_order(deal, book.sam)
    orders.confirm(order)
    assert deal.stage.kind == "won"
    assert deal.closed_on == dates.today()
    last = deals.history(deal.id)[-1]
    assert (last.from_stage.name, last.to_stage.name, last.note) == (
        "Engaging",
        "Won",
        f"Order {order.number} confirmed",
    )


def test_the_deal_is_lost_only_when_all_its_orders_are_cancelled(deal, book, db):
    first = won.make_order(deal, book.sam)
    second = won.make_order(deal, book.sam)
    orders.confirm(first)
    orders.cancel(first)
    assert deal.stage.kind == "won"  # the second order still stands
    orders.cancel(second)
    assert deal.stage.kind == "lost"
    assert deal.lost_reason.name == "Order cancelled"
    assert deal.lost_from_stage.name == "Engaging"


def test_an_order_needs_a_customer_and_products(book, db):
    prospect = deals.open_deal(DealInput("Maybe", book.sam, prospect_name="Pat"), book.sam)
    with pytest.raises(DealError, match="customer first"):
        won.make_order(prospect, book.sam)
    bare = deals.open_deal(DealInput("Bare", book.sam, customer=book.c1), book.sam)
    with pytest.raises(DealError, match="products"):
        won.make_order(bare, book.sam)
    assert won.orders_of(bare.id) == []


def test_orders_of_other_deals_do_not_move_this_one(deal, book, make_order, db):
    make_order(book.c1, book.sam, [(book.jam, 1)])  # an order not made from the deal
    assert deal.stage.name == "Engaging"
