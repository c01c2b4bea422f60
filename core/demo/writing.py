"""Writing the demo plan through the core's own services, so every plugin's hooks run as in the app."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from flask import current_app
from sqlalchemy import select

from core import dates
from core import orders as order_service
from core.customers import create_customer
from core.db import db
from core.demo.material import GERMAN, Material
from core.demo.plan import Plan, PlannedOrder
from core.importing.base import NoProgress, Progress
from core.jobs import collect_jobs, company_schedule
from core.models import Customer, Order, Product, User
from core.money import round_money
from core.plugins import Job


@dataclass
class Written:
    """What the demo wrote, for the summary the command prints."""

    users: list[tuple[User, bool]] = field(default_factory=list)
    customers: int = 0
    products: int = 0
    orders: dict[str, int] = field(default_factory=dict)
    lines: int = 0


def write_users(password_hash: str, material: Material = GERMAN) -> list[tuple[User, bool]]:
    """The demo staff (salespeople first); (user, True) when it was created now, False when it existed."""
    users = []
    for person in material.salespeople + material.other_staff:
        user = db.session.scalar(select(User).where(User.email == person.email))
        created = user is None
        if user is None:
            user = User(email=person.email, name=person.name, role=person.role)
            user.language = material.staff_language
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


def raise_prices(products: list[Product], material: Material = GERMAN) -> None:
    """Suppliers raise prices of some categories: later confirmations snapshot the new costs."""
    rises = {category: (cost, price) for category, cost, price in material.price_rise}
    for product in products:
        if product.category in rises:
            cost, price = rises[product.category]
            product.unit_cost = round_money(product.unit_cost * (1 + cost))
            product.list_price = round_money(product.list_price * (1 + price))


@dataclass(order=True)
class _Event:
    """One thing that happens in the story: when, then a tie-break that keeps causes first."""

    at: dt.datetime
    rank: int
    sequence: int
    kind: str = field(compare=False)
    index: int = field(compare=False)


def _job_times(jobs: list[Job], start: dt.date, now: dt.datetime) -> list[_Event]:
    """The scheduled times (UTC) of jobs with a replay, from the story's start until now.

    Cron times are company time: the UTC minutes a job may fall on are found on a winter
    and a summer day, then checked day by day (so daylight saving time moves them).
    """
    zone = dates.company_timezone()
    events = []
    for index, job in enumerate(jobs):
        due = company_schedule(job.cron, zone)
        minutes = sorted(
            {
                (moment - dt.datetime.combine(sample, dt.time())).total_seconds() // 60
                for sample in (dt.date(start.year, 1, 15), dt.date(start.year, 7, 15))
                for moment in (
                    dt.datetime.combine(sample, dt.time()) + dt.timedelta(minutes=step)
                    for step in range(24 * 60)
                )
                if due(moment)
            }
        )
        day = start
        while day <= now.date():
            midnight = dt.datetime.combine(day, dt.time())
            for minute in minutes:
                at = midnight + dt.timedelta(minutes=minute)
                if at <= now and due(at):
                    events.append(_Event(at, 0, index, "job", index))
            day += dt.timedelta(days=1)
    return events


def _timeline(plan: Plan, now: dt.datetime, jobs: list[Job]) -> list[_Event]:
    """Every customer joining, every order event and every replayed job run, in story order.

    An order is created (and confirmed) at its hour on its date, never before its customer
    joined; a cancellation or refund happens at the same hour on its own day. Nothing
    happens after now.
    """
    events = _job_times(jobs, plan.start, now)
    sequence = iter(range(10**9))
    for index, customer in enumerate(plan.customers):
        events.append(_Event(min(customer.created_at, now), 0, next(sequence), "customer", index))
    for index, planned in enumerate(plan.orders):
        joined = plan.customers[planned.customer].created_at
        placed = max(dt.datetime.combine(planned.order_date, dt.time(planned.hour)), joined)
        placed = min(placed + dt.timedelta(minutes=1), now)
        events.append(_Event(placed, 1, next(sequence), "order", index))
        if planned.fate not in ("draft", "confirmed"):
            later = dt.datetime.combine(planned.event_date, dt.time(planned.hour))
            events.append(_Event(min(max(later, placed), now), 2, next(sequence), "fate", index))
    return sorted(events)


def write_story(
    plan: Plan, salespeople: list[User], products: list[Product], progress: Progress
) -> tuple[int, dict[str, int], int]:
    """Play the plan in story order through core.customers and core.orders, the clock at each event.

    Every hook (commission accrual and clawbacks, tier and stage changes, ...) runs at the
    moment the event happens in the story, so whatever it records carries the story's date.
    Only ids are kept between events, so the session does not grow with the story.
    Returns (customers written, orders by fate, order lines).
    """
    customers: dict[int, int] = {}
    orders: dict[int, int] = {}
    fates: dict[str, int] = {}
    lines = 0
    raised = False
    now = dates.utcnow() - dt.timedelta(minutes=1)
    jobs = [job for job in collect_jobs(current_app).values() if job.replay is not None]
    events = _timeline(plan, now, jobs)
    progress.phase("Writing demo orders", len(plan.orders))
    placed = 0
    for event in events:
        with dates.clock(event.at):
            if event.kind == "customer":
                item = plan.customers[event.index]
                customers[event.index] = create_customer(
                    owner_id=salespeople[item.owner].id, **item.fields
                ).id
            elif event.kind == "order":
                planned = plan.orders[event.index]
                if not raised and planned.order_date >= plan.price_rise_on:
                    raise_prices(products, plan.material)
                    raised = True
                customer = db.session.get(Customer, customers[planned.customer])
                orders[event.index] = _place(planned, customer, salespeople, products).id
                fates[planned.fate] = fates.get(planned.fate, 0) + 1
                lines += len(planned.lines)
                placed += 1
                if placed % 100 == 0:
                    progress.advance(100)
            elif event.kind == "job":
                replay = jobs[event.index].replay
                assert replay is not None
                replay()
            else:
                order = db.session.get(Order, orders[event.index])
                assert order is not None
                _play_fate(order, plan.orders[event.index])
            db.session.flush()
    progress.advance(len(plan.orders) % 100)
    for product in products:
        if product.sku in plan.material.discontinued:
            product.active = False
    db.session.flush()
    return len(customers), fates, lines


def _place(
    planned: PlannedOrder,
    customer: Customer | None,
    salespeople: list[User],
    products: list[Product],
) -> Order:
    """Create the planned order, and confirm it unless it stays a draft (for now)."""
    inputs = [
        order_service.LineInput(products[index], quantity, None, discount)
        for index, quantity, discount in planned.lines
    ]
    assert customer is not None  # created by an earlier event of the timeline
    order = order_service.create_order(
        customer,
        salespeople[planned.salesperson],
        inputs,
        planned.order_date,
        number=planned.number,
    )
    if planned.fate not in ("draft", "cancelled_draft"):
        order_service.confirm(order)
    return order


def _play_fate(order: Order, planned: PlannedOrder) -> None:
    """Cancel or refund the order as planned, through core.orders."""
    if planned.fate in ("cancelled_draft", "cancelled"):
        order_service.cancel(order)
    elif planned.fate == "refund_all":
        order_service.refund(order, None, on=planned.event_date)
    elif planned.fate == "refund_some":
        order_service.refund(order, [order.lines[-1]], on=planned.event_date)


def write_plan(plan: Plan, password_hash: str, progress: Progress | None = None) -> Written:
    """Write users, products, customers and orders of the plan; nothing is committed."""
    progress = progress or NoProgress()
    # The staff and the catalogue were there when the story starts.
    with dates.clock(dt.datetime.combine(plan.start - dt.timedelta(days=1), dt.time(9))):
        written = Written(users=write_users(password_hash, plan.material))
        products = write_catalogue(plan)
    salespeople = [user for user, _ in written.users[: len(plan.material.salespeople)]]
    written.customers, written.orders, written.lines = write_story(
        plan, salespeople, products, progress
    )
    written.products = len(products)
    return written
