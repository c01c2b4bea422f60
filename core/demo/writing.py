"""Writing the demo plan through the core's own services, so every plugin's hooks run as in the app."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from sqlalchemy import bindparam, select, update

from core import orders as order_service
from core.customers import create_customer
from core.db import db
from core.demo import data
from core.demo.plan import Plan, PlannedOrder
from core.importing.base import NoProgress, Progress
from core.models import Customer, Order, Product, User
from core.money import round_money


@dataclass
class Written:
    """What the demo wrote, for the summary the command prints."""

    users: list[tuple[User, bool]] = field(default_factory=list)
    customers: int = 0
    products: int = 0
    orders: dict[str, int] = field(default_factory=dict)
    lines: int = 0


def write_users(password_hash: str) -> list[tuple[User, bool]]:
    """The demo staff (salespeople first); (user, True) when it was created now, False when it existed."""
    users = []
    for person in data.SALESPEOPLE + data.OTHER_STAFF:
        user = db.session.scalar(select(User).where(User.email == person.email))
        created = user is None
        if user is None:
            user = User(email=person.email, name=person.name, role=person.role)
            user.password_hash = password_hash
            db.session.add(user)
        users.append((user, created))
    db.session.flush()
    return users


def write_catalogue(plan: Plan) -> list[Product]:
    """The plan's products, all active to begin with."""
    products = [
        Product(
            sku=item.sku,
            name=item.name,
            category=item.category,
            list_price=item.list_price,
            unit_cost=item.unit_cost,
            active=True,
        )
        for item in plan.products
    ]
    db.session.add_all(products)
    db.session.flush()
    return products


def write_customers(plan: Plan, salespeople: list[User]) -> list[Customer]:
    """The plan's customers through core.customers (customer_created runs), dated when they joined."""
    customers = []
    for item in plan.customers:
        customer = create_customer(owner_id=salespeople[item.owner].id, **item.fields)
        customer.created_at = item.created_at
        customer.updated_at = item.created_at
        customers.append(customer)
    db.session.flush()
    return customers


def raise_prices(products: list[Product]) -> None:
    """Suppliers raise prices of some categories: later confirmations snapshot the new costs."""
    rises = {category: (cost, price) for category, cost, price in data.PRICE_RISE}
    for product in products:
        if product.category in rises:
            cost, price = rises[product.category]
            product.unit_cost = round_money(product.unit_cost * (1 + cost))
            product.list_price = round_money(product.list_price * (1 + price))


def write_orders(
    plan: Plan,
    customers: list[Customer],
    salespeople: list[User],
    products: list[Product],
    progress: Progress,
) -> tuple[dict[str, int], int]:
    """Create, confirm, cancel and refund the plan's orders in date order through core.orders."""
    fates: dict[str, int] = {}
    lines = 0
    raised = False
    moments: list[dict[str, object]] = []
    progress.phase("Writing demo orders", len(plan.orders))
    for count, planned in enumerate(plan.orders, start=1):
        if not raised and planned.order_date >= plan.price_rise_on:
            raise_prices(products)
            raised = True
        inputs = [
            order_service.LineInput(products[index], quantity, None, discount)
            for index, quantity, discount in planned.lines
        ]
        order = order_service.create_order(
            customers[planned.customer],
            salespeople[planned.salesperson],
            inputs,
            planned.order_date,
            number=planned.number,
        )
        _play_fate(order, planned)
        moments.append(_moments(order, planned))
        fates[planned.fate] = fates.get(planned.fate, 0) + 1
        lines += len(inputs)
        if count % 100 == 0:
            progress.advance(100)
    progress.advance(len(plan.orders) % 100)
    for product in products:
        if product.sku in data.DISCONTINUED:
            product.active = False
    db.session.flush()
    _date_history(moments)
    return fates, lines


def _moments(order: Order, planned: PlannedOrder) -> dict[str, object]:
    """When the order was confirmed and cancelled in the story (not when the demo ran)."""
    at = dt.datetime.combine(planned.order_date, dt.time(planned.hour))
    event_at = dt.datetime.combine(planned.event_date, dt.time(planned.hour))
    return {
        "order_id": order.id,
        "confirmed_at": at if order.confirmed_at else None,
        "cancelled_at": event_at if order.cancelled_at else None,
    }


def _date_history(moments: list[dict[str, object]]) -> None:
    """Set confirmed_at and cancelled_at of every demo order in one executemany (not one UPDATE each)."""
    if not moments:
        return
    table = Order.__table__
    statement = update(table).where(table.c.id == bindparam("order_id"))
    db.session.execute(statement, moments)
    db.session.expire_all()


def _play_fate(order: Order, planned: PlannedOrder) -> None:
    """Confirm, cancel or refund the order as planned, through core.orders."""
    if planned.fate == "draft":
        return
    if planned.fate == "cancelled_draft":
        order_service.cancel(order)
        return
    order_service.confirm(order)
    if planned.fate == "cancelled":
        order_service.cancel(order)
    elif planned.fate == "refund_all":
        order_service.refund(order, None, on=planned.event_date)
    elif planned.fate == "refund_some":
        order_service.refund(order, [order.lines[-1]], on=planned.event_date)


def write_plan(plan: Plan, password_hash: str, progress: Progress | None = None) -> Written:
    """Write users, products, customers and orders of the plan; nothing is committed."""
    progress = progress or NoProgress()
    written = Written(users=write_users(password_hash))
    salespeople = [user for user, _ in written.users[: len(data.SALESPEOPLE)]]
    products = write_catalogue(plan)
    customers = write_customers(plan, salespeople)
    written.orders, written.lines = write_orders(plan, customers, salespeople, products, progress)
    written.customers, written.products = len(customers), len(products)
    return written
