"""Two clerks at once on real, committed transactions: numbers and state changes never double.

Run on SQLite, and on PostgreSQL when CLIENTELE_TEST_DATABASE_URL is set (the tests marked
postgres need its row locks and are skipped otherwise).
"""

from __future__ import annotations

import threading
from decimal import Decimal

import pytest
from sqlalchemy import select, update

from core import orders
from core.db import db
from core.models import Counter, Customer, Order, OrderLine, Product
from tests.core.concurrency import HookLog, Worker, committed_app, two_at_once


@pytest.fixture
def shop(tmp_path):
    """A committed app with one customer and one product."""
    with committed_app(tmp_path, "races") as app:
        with app.app_context():
            db.session.add_all(
                [
                    Customer(name="Claudia Meyer"),
                    Product(
                        sku="TEA", name="Tea", list_price=Decimal("4.00"), unit_cost=Decimal("1.00")
                    ),
                ]
            )
            db.session.commit()
        yield app


def new_order() -> Order:
    customer = db.session.scalar(select(Customer))
    product = db.session.scalar(select(Product))
    return orders.create_order(customer, None, [orders.LineInput(product, Decimal("1"))])


def needs_postgresql(app) -> None:
    with app.app_context():
        if db.engine.dialect.name != "postgresql":
            pytest.skip(
                "row locks between writers need PostgreSQL; set CLIENTELE_TEST_DATABASE_URL"
            )


@pytest.mark.postgres
def test_an_order_created_while_another_is_uncommitted_gets_the_next_number(shop):
    needs_postgresql(shop)
    first_created = threading.Event()
    second_started = threading.Event()

    def first() -> str:
        order = new_order()
        first_created.set()
        second_started.wait(10)
        threading.Event().wait(0.3)  # the second is now waiting for the counter row
        db.session.commit()
        return order.number

    def second() -> str:
        first_created.wait(10)
        second_started.set()
        order = new_order()
        db.session.commit()
        return order.number

    workers = [Worker(shop, first), Worker(shop, second)]
    for worker in workers:
        worker.start()
    numbers = [worker.finish() for worker in workers]
    assert numbers == ["SO-000001", "SO-000002"]


@pytest.mark.postgres
def test_twenty_orders_created_at_once_take_twenty_numbers(shop):
    needs_postgresql(shop)
    start = threading.Barrier(20)

    def create() -> str:
        start.wait(10)
        order = new_order()
        db.session.commit()
        return order.number

    workers = [Worker(shop, create) for _ in range(20)]
    for worker in workers:
        worker.start()
    numbers = sorted(worker.finish() for worker in workers)
    assert numbers == [f"SO-{number:06d}" for number in range(1, 21)]
    with shop.app_context():
        assert db.session.get(Counter, "order_number").value == 20


def test_numbers_taken_by_imported_orders_are_skipped(shop):
    with shop.app_context():
        imported = new_order()
        imported.number = "SO-000002"
        db.session.commit()  # took 1 from the counter, then was renumbered as an import would
        assert new_order().number == "SO-000003"
        assert new_order().number == "SO-000004"
        db.session.commit()


def test_the_migration_starts_the_counter_where_the_old_numbering_stood(shop):
    from core.migrate import downgrade, upgrade

    with shop.app_context():
        for _ in range(3):
            new_order()
        db.session.commit()
        db.session.remove()
    downgrade(shop, "c1d2e3f4a5b6")  # before the counter: numbers came from the highest id
    upgrade(shop)
    with shop.app_context():
        assert db.session.get(Counter, "order_number").value == 3
        assert new_order().number == "SO-000004"
        db.session.rollback()


def draft_in(app) -> int:
    """A committed draft order of two lines; returns its id."""
    with app.app_context():
        product = db.session.scalar(select(Product))
        customer = db.session.scalar(select(Customer))
        lines = [orders.LineInput(product, Decimal("1")), orders.LineInput(product, Decimal("2"))]
        order = orders.create_order(customer, None, lines)
        db.session.commit()
        return order.id


def confirmed_in(app) -> int:
    order_id = draft_in(app)
    with app.app_context():
        orders.confirm(db.session.get(Order, order_id))
        db.session.commit()
    return order_id


def outcome_texts(outcomes) -> list[str]:
    return [outcome if outcome == "ok" else str(outcome) for outcome in outcomes]


@pytest.mark.postgres
@pytest.mark.parametrize(
    ("prepare", "action", "hook", "final"),
    [
        (draft_in, orders.confirm, "order_confirmed", "confirmed"),
        (confirmed_in, orders.cancel, "order_cancelled", "cancelled"),
        (confirmed_in, orders.refund, "order_refunded", "refunded"),
    ],
)
def test_two_clerks_at_once_exactly_one_succeeds_and_hooks_run_once(
    shop, prepare, action, hook, final
):
    needs_postgresql(shop)
    order_id = prepare(shop)
    log = HookLog().register(shop)
    outcomes = two_at_once(shop, lambda: db.session.get(Order, order_id), action)
    assert outcomes[0] == "ok"
    assert isinstance(outcomes[1], orders.OrderError)
    assert "was changed a moment ago by someone else" in str(outcomes[1]) or (
        "refunded a moment ago by someone else" in str(outcomes[1])
    )
    assert [call[0] for call in log.calls] == [hook]
    with shop.app_context():
        assert db.session.get(Order, order_id).status == final


@pytest.mark.postgres
def test_a_refund_and_a_cancel_at_once_leave_one_of_them(shop):
    needs_postgresql(shop)
    order_id = confirmed_in(shop)
    other_id = confirmed_in(shop)
    log = HookLog().register(shop)

    def refund_first_line(order):
        orders.refund(order, [order.lines[0]])

    first, second = two_at_once(shop, lambda: db.session.get(Order, order_id), refund_first_line)
    assert (first, str(second)) == (
        "ok",
        "Some of these lines of SO-000001 were refunded a moment ago by someone else; "
        "nothing was refunded.",
    )
    done = []

    def refund_then_cancel(order):
        if not done:
            done.append(orders.refund(order))
        else:
            orders.cancel(order)

    first, second = two_at_once(shop, lambda: db.session.get(Order, other_id), refund_then_cancel)
    assert first == "ok"
    assert str(second) == (
        "Order SO-000002 was changed a moment ago by someone else: it is refunded now. "
        "Nothing changed."
    )
    with shop.app_context():
        assert db.session.get(Order, other_id).status == "refunded"
    assert [call[0] for call in log.calls] == ["order_refunded", "order_refunded"]


# The same refusals on any database: the row in memory is stale (another clerk's change is
# committed underneath it), as the loser of a race sees it.


def change_underneath(model, row_id, **values) -> None:
    """Write to the database without telling the loaded object (it keeps its stale state)."""
    db.session.execute(
        update(model)
        .where(model.id == row_id)
        .values(**values)
        .execution_options(synchronize_session=False)
    )


@pytest.fixture
def recorded(app):
    return HookLog().register(app)


@pytest.mark.parametrize(
    ("confirm_first", "underneath", "action"),
    [
        (False, {"status": "confirmed"}, orders.confirm),
        (False, {"status": "cancelled"}, orders.confirm),
        (True, {"status": "cancelled"}, orders.cancel),
        (True, {"status": "refunded"}, orders.refund),
        (True, {"status": "cancelled"}, orders.refund),
    ],
)
def test_a_stale_order_is_refused_with_a_message_and_no_hook(
    db, make_order, recorded, confirm_first, underneath, action
):
    order = make_order(confirm=confirm_first)
    calls_before = list(recorded.calls)
    change_underneath(Order, order.id, **underneath)
    with pytest.raises(orders.OrderError) as refused:
        action(order)
    assert str(refused.value) == (
        f"Order {order.number} was changed a moment ago by someone else: it is "
        f"{underneath['status']} now. Nothing changed."
    )
    assert recorded.calls == calls_before
    assert db.session.get(Order, order.id).status == underneath["status"]


def test_lines_refunded_underneath_are_not_refunded_twice(db, make_order, make_product, recorded):
    product = make_product()
    order = make_order(lines=[(product, 1), (product, 2)])
    change_underneath(OrderLine, order.lines[0].id, refunded_on=order.order_date)
    with pytest.raises(orders.OrderError, match="were refunded a moment ago by someone else"):
        orders.refund(order, [order.lines[0]])
    assert [call[0] for call in recorded.calls] == ["order_confirmed"]
    with pytest.raises(orders.OrderError, match="refunded in part a moment ago"):
        orders.cancel(order)
    assert [call[0] for call in recorded.calls] == ["order_confirmed"]
