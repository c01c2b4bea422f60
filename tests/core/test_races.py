"""Two clerks at once on real, committed transactions: numbers and state changes never double.

Run on SQLite, and on PostgreSQL when CLIENTELE_TEST_DATABASE_URL is set (the tests marked
postgres need its row locks and are skipped otherwise).
"""

from __future__ import annotations

import threading
from decimal import Decimal

import pytest
from sqlalchemy import select

from core import orders
from core.db import db
from core.models import Counter, Customer, Order, Product
from tests.core.concurrency import Worker, committed_app


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
