"""A plugin enabled again catches up by itself on the orders confirmed, cancelled or refunded
while it was disabled: sales_commission then pays commission on them as if it had been on."""

from __future__ import annotations

from decimal import Decimal

from sqlalchemy import select

from core import create_app, orders
from core.db import db
from core.migrate import upgrade
from core.models import Customer, Order, PluginState, Product, User

PLUGIN = "sales_commission"


def start(url, tmp_path, plugins, check=True):
    """A process starting with these plugins enabled (the start-up catch-up runs when check)."""
    return create_app(
        "/dev/null",
        database_url=url,
        plugins=plugins,
        testing=True,
        check_migrations=check,
        instance_path=str(tmp_path),
    )


def confirm_order(app, quantity="2"):
    """A clerk confirms an order of 2 × 10.00 (cost 4.00) for a new customer; returns its id."""
    with app.app_context():
        user = db.session.scalar(select(User)) or User(
            email="sam@example.com", name="Sam", role="sales"
        )
        product = db.session.scalar(select(Product)) or Product(
            sku="P1", name="Pasta", list_price=Decimal("10.00"), unit_cost=Decimal("4.00")
        )
        customer = Customer(name="Ada")
        db.session.add_all([user, product, customer])
        db.session.flush()
        order = orders.create_order(customer, user, [orders.LineInput(product, Decimal(quantity))])
        orders.confirm(order)
        db.session.commit()
        return order.id


def commission(app, order_id):
    from plugins.sales_commission.models import Entry

    with app.app_context():
        return list(
            db.session.execute(
                select(Entry.kind, Entry.amount)
                .where(Entry.order_id == order_id)
                .order_by(Entry.id)
            )
        )


def test_sales_commission_catches_up_on_orders_confirmed_while_it_was_off(tmp_path):
    url = f"sqlite:///{tmp_path / 'shop.sqlite3'}"
    upgrade(start(url, tmp_path, [PLUGIN], check=False))
    enabled = start(url, tmp_path, [PLUGIN])
    on_time = confirm_order(enabled)
    paid = commission(enabled, on_time)
    assert len(paid) == 1 and paid[0][0] == "sale" and paid[0][1] > 0

    disabled = start(url, tmp_path, [])
    with disabled.app_context():
        assert db.session.get(PluginState, PLUGIN).enabled is False
    missed = confirm_order(disabled)
    assert commission(disabled, missed) == []  # nobody listened

    again = start(url, tmp_path, [PLUGIN])
    assert commission(again, missed) == paid  # the same commission as the order confirmed on time
    assert commission(again, on_time) == paid  # and nothing twice
    with again.app_context():
        assert db.session.get(PluginState, PLUGIN).enabled is True

    # A further start has nothing left to catch up on.
    start(url, tmp_path, [PLUGIN])
    assert commission(again, missed) == paid
    for app in (enabled, disabled, again):
        with app.app_context():
            db.engine.dispose()


def test_an_order_cancelled_while_off_has_its_commission_reversed_on_return(tmp_path):
    url = f"sqlite:///{tmp_path / 'shop.sqlite3'}"
    upgrade(start(url, tmp_path, [PLUGIN], check=False))
    enabled = start(url, tmp_path, [PLUGIN])
    order_id = confirm_order(enabled)
    [(kind, amount)] = commission(enabled, order_id)
    assert kind == "sale" and amount > 0

    disabled = start(url, tmp_path, [])
    with disabled.app_context():
        orders.cancel(db.session.get(Order, order_id))
        db.session.commit()
    assert len(commission(disabled, order_id)) == 1  # nobody reversed it

    again = start(url, tmp_path, [PLUGIN])
    entries = commission(again, order_id)
    assert len(entries) == 2
    assert sum(entry_amount for _, entry_amount in entries) == 0  # sale and its reversal
    assert entries[1][1] == -amount
    for app in (enabled, disabled, again):
        with app.app_context():
            db.engine.dispose()
