"""The order service: drafts, confirmation with the cost snapshot, cancellation, refunds; and the ledger."""

import datetime as dt
from decimal import Decimal as D

import pytest
from sqlalchemy import func, select

from core import orders
from core.ledger import sales_movements, totals_after_refunds
from core.models import Order
from core.orders import LineInput, OrderError


def test_draft_then_confirm_takes_the_cost_snapshot(db, make_customer, make_product):
    product = make_product(list_price="10.10", unit_cost="6.01")
    order = orders.create_order(
        make_customer(), None, [LineInput(product, D("3"), None, D("0.15"))], dt.date(2026, 3, 1)
    )
    line = order.lines[0]
    assert (order.status, line.unit_price, line.net_amount, line.unit_cost, line.cost_amount) == (
        "draft",
        D("10.10"),
        D("25.76"),
        None,
        None,
    )
    orders.confirm(order)
    db.session.commit()
    assert order.status == "confirmed" and order.confirmed_at is not None
    assert (line.unit_cost, line.cost_amount) == (D("6.01"), D("18.03"))  # 3 × 6.01


def test_later_cost_changes_never_rewrite_confirmed_orders(db, make_order, make_product):
    product = make_product(unit_cost="4.00")
    order = make_order(lines=[(product, 2)])
    product.unit_cost = D("9.00")
    db.session.commit()
    db.session.expire_all()
    assert db.session.get(Order, order.id).lines[0].cost_amount == D("8.00")


@pytest.mark.parametrize(
    ("line", "message"),
    [
        ({"quantity": D("0")}, "Line 1: quantity must be more than 0."),
        ({"quantity": D("1"), "unit_price": D("-1")}, "Line 1: the price cannot be negative."),
        (
            {"quantity": D("1"), "discount": D("1.5")},
            "Line 1: the discount is a fraction between 0 and 1",
        ),
    ],
)
def test_bad_lines_are_refused_and_nothing_is_written(
    db, make_customer, make_product, line, message
):
    customer, product = make_customer(), make_product()
    with pytest.raises(OrderError, match=message):
        orders.create_order(customer, None, [LineInput(product, **line)])
    db.session.rollback()
    assert db.session.scalar(select(func.count()).select_from(Order)) == 0


def test_other_refusals(db, make_customer, make_product, make_order):
    with pytest.raises(OrderError, match="at least one line"):
        orders.create_order(make_customer(), None, [])
    retired = make_product(active=False)
    with pytest.raises(OrderError, match="is no longer sold"):
        orders.create_order(make_customer(), None, [LineInput(retired, D(1))])
    order = make_order(number="SO-TAKEN")
    with pytest.raises(OrderError, match="SO-TAKEN is already taken"):
        orders.create_order(
            make_customer(), None, [LineInput(make_product(), D(1))], number="SO-TAKEN"
        )
    with pytest.raises(OrderError, match="only a draft can be confirmed"):
        orders.confirm(order)


def test_cancel_and_refund_rules(db, make_order, make_product):
    order = make_order(
        lines=[(make_product(), 1), (make_product(), 1)], order_date=dt.date(2026, 1, 5)
    )
    with pytest.raises(OrderError, match="cannot be dated before the order"):
        orders.refund(order, None, on=dt.date(2026, 1, 4))
    orders.refund(order, [order.lines[0]], on=dt.date(2026, 2, 1))
    with pytest.raises(OrderError, match="was already refunded on 2026-02-01"):
        orders.refund(order, [order.lines[0]])
    with pytest.raises(OrderError, match="has refunded lines"):
        orders.cancel(order)
    other = make_order()
    with pytest.raises(OrderError, match="does not belong to order"):
        orders.refund(order, [other.lines[0]])
    orders.cancel(other)
    with pytest.raises(OrderError, match="only a confirmed order can be refunded"):
        orders.refund(other)
    with pytest.raises(OrderError, match="it cannot be cancelled"):
        orders.cancel(other)


def test_sales_movements_follow_the_money_rules(db, make_order, make_product, make_customer):
    # January: two confirmed orders (net 100 + 50, cost 60 + 20), one cancelled (never counts), one draft.
    # February: the 50-order is refunded → −50 net / −20 cost in February.
    product_a = make_product(list_price="100.00", unit_cost="60.00")
    product_b = make_product(list_price="50.00", unit_cost="20.00")
    customer = make_customer()
    make_order(customer=customer, lines=[(product_a, 1)], order_date=dt.date(2026, 1, 10))
    refunded = make_order(
        customer=customer, lines=[(product_b, 1)], order_date=dt.date(2026, 1, 20)
    )
    cancelled = make_order(
        customer=customer, lines=[(product_a, 3)], order_date=dt.date(2026, 1, 21)
    )
    orders.cancel(cancelled)
    make_order(
        customer=customer, lines=[(product_a, 5)], order_date=dt.date(2026, 1, 22), confirm=False
    )
    orders.refund(refunded, None, on=dt.date(2026, 2, 3))
    db.session.commit()

    def totals(start, end):
        movements = sales_movements(start, end)
        return tuple(
            db.session.execute(select(func.sum(movements.c.net), func.sum(movements.c.cost))).one()
        )

    assert totals(dt.date(2026, 1, 1), dt.date(2026, 1, 31)) == (D("150.00"), D("80.00"))
    assert totals(dt.date(2026, 2, 1), dt.date(2026, 2, 28)) == (D("-50.00"), D("-20.00"))
    assert totals(None, None) == (D("100.00"), D("60.00"))
    # The customer page's one-pass totals: 2 counted orders, net and cost after the refund,
    # and the 50.00 refunded.
    customer_totals = totals_after_refunds(Order.customer_id == customer.id)
    assert tuple(db.session.execute(customer_totals).one()) == (
        2,
        D("100.00"),
        D("60.00"),
        D("50.00"),
    )


def test_money_columns_store_the_same_rounded_value_on_every_database(db, make_product):
    # 6.005 is 6.00499… as a float: without rounding before storing, SQLite would keep 6.00.
    product = make_product(unit_cost="6.005")
    db.session.expire_all()
    assert product.unit_cost == D("6.01")
