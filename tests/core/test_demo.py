"""`clientele demo`: a believable company, the same for the same seed, plus each plugin's demo data."""

import hashlib
import random
from decimal import Decimal

import phonenumbers
from sqlalchemy import func, select

from core import dates
from core.demo import DEMO_PASSWORD, DemoOptions, fill_database, make_plan
from core.demo.plan import HISTORY_MONTHS
from core.models import Customer, Order, OrderLine, Product, User
from core.plugins import hookimpl


def digest(db):
    """A fingerprint of every customer, order and line (ids left out)."""
    rows = [
        db.session.execute(
            select(
                Customer.external_id, Customer.name, Customer.company, Customer.email, Customer.phone,
                Customer.country, Customer.region, Customer.city, Customer.channel, Customer.birthday,
                Customer.tags, Customer.created_at,
            ).order_by(Customer.external_id)
        ).all(),
        db.session.execute(
            select(Order.number, Customer.external_id, User.email, Order.order_date, Order.status)
            .join(Customer, Customer.id == Order.customer_id)
            .join(User, User.id == Order.salesperson_id)
            .order_by(Order.number)
        ).all(),
        db.session.execute(
            select(
                Order.number, OrderLine.position, Product.sku, OrderLine.quantity, OrderLine.unit_price,
                OrderLine.discount, OrderLine.unit_cost, OrderLine.net_amount, OrderLine.refunded_on,
            )
            .join(Order, Order.id == OrderLine.order_id)
            .join(Product, Product.id == OrderLine.product_id)
            .order_by(Order.number, OrderLine.position)
        ).all(),
    ]  # fmt: skip
    return hashlib.sha256(repr(rows).encode()).hexdigest()


def fill_and_digest(db, seed):
    """Fill the database for a seed inside a savepoint, take the digest, then undo it."""
    savepoint = db.session.begin_nested()
    fill_database(DemoOptions(customers=40, orders=90, seed=seed), dates.today())
    fingerprint = digest(db)
    savepoint.rollback()
    return fingerprint


def count(db, model):
    return db.session.scalar(select(func.count()).select_from(model))


def test_demo_makes_a_believable_company(cli, db):
    result = cli.invoke(["demo"])
    assert result.exit_code == 0, result.output
    assert "Demo company created (seed 7): 300 customers, 60 products, 1000 orders" in result.output
    assert f"anna.becker@acme.example         sales      {DEMO_PASSWORD}" in result.output
    staff = db.session.scalars(select(User)).all()
    assert sorted(user.role for user in staff) == ["manager", "marketing"] + ["sales"] * 6 + [
        "support"
    ]
    assert all(user.check_password(DEMO_PASSWORD) for user in staff)
    # Customers over several countries, regions, cities and channels, with valid phones.
    customers = db.session.scalars(select(Customer)).all()
    assert len(customers) == 300
    assert {customer.country for customer in customers} == {"DE", "AT", "CH", "FR", "NL"}
    assert len({customer.region for customer in customers}) >= 15
    assert len({customer.channel for customer in customers}) == 7
    for customer in customers:
        number = phonenumbers.parse(customer.phone_normalized)
        assert phonenumbers.is_valid_number(number), customer.phone
        assert phonenumbers.region_code_for_number(number) == customer.country
        assert customer.owner is not None and customer.owner.role == "sales"
    assert sum(customer.birthday is not None for customer in customers) > 200
    # 60 products in 8 categories whose list margins differ clearly.
    products = db.session.scalars(select(Product)).all()
    margins = {}
    for product in products:
        margins.setdefault(product.category, []).append(product.list_margin)
    assert len(products) == 60 and len(margins) == 8
    average = {category: sum(values) / len(values) for category, values in margins.items()}
    assert min(average.values()) < Decimal("0.20") and max(average.values()) > Decimal("0.45")
    # 18 months of orders by the six salespeople, some drafts, cancellations and later refunds.
    today = dates.today()
    first, last = db.session.execute(
        select(func.min(Order.order_date), func.max(Order.order_date))
    ).one()
    assert dates.add_months(today, -HISTORY_MONTHS) <= first and last <= today
    statuses = dict(
        db.session.execute(select(Order.status, func.count()).group_by(Order.status)).all()
    )
    assert statuses["confirmed"] > 800 and statuses["draft"] > 0 and statuses["cancelled"] > 15
    assert count(db, OrderLine) > 3000
    refunds = db.session.execute(
        select(OrderLine.refunded_on, Order.order_date)
        .join(Order)
        .where(OrderLine.refunded_on.is_not(None))
    ).all()
    assert len(refunds) > 5 and all(
        order_date <= refunded_on <= today for refunded_on, order_date in refunds
    )
    sellers = db.session.scalar(select(func.count(func.distinct(Order.salesperson_id))))
    assert sellers == 6
    assert (
        db.session.scalar(
            select(func.count()).where(Order.status == "confirmed", Order.confirmed_at.is_(None))
        )
        == 0
    )


def test_the_same_seed_gives_the_same_company_and_another_seed_another(db):
    first, again, other = fill_and_digest(db, 7), fill_and_digest(db, 7), fill_and_digest(db, 8)
    assert first == again
    assert first != other
    assert count(db, Customer) == 0


def test_the_plan_is_pure_generation(app):
    today = dates.today()
    assert make_plan(3, 20, 30, today) == make_plan(3, 20, 30, today)
    assert make_plan(3, 20, 30, today) != make_plan(4, 20, 30, today)


def test_if_empty_leaves_a_database_with_customers_alone(cli, db, make_customer):
    make_customer(name="Real Customer")
    result = cli.invoke(["demo", "--if-empty"])
    assert result.exit_code == 0
    assert "The database has 1 customer(s) already; no demo data was added." in result.output
    refused = cli.invoke(["demo", "--customers", "10", "--orders", "10"])
    assert refused.exit_code == 1
    assert "clientele demo only fills an empty database (scripts use --if-empty)" in refused.output
    assert count(db, Customer) == 1 and count(db, Order) == 0


class DemoSeeder:
    """A plugin whose seed_demo sees the core's demo data and records how it was called."""

    def __init__(self, db):
        self.db = db
        self.calls = []

    @hookimpl
    def seed_demo(self, session, rng):
        customers = session.scalar(select(func.count()).select_from(Customer))
        self.calls.append((session is self.db.session, isinstance(rng, random.Random), customers))


class BrokenSeeder:
    @hookimpl
    def seed_demo(self, session, rng):
        raise RuntimeError("no demo data today")


def test_each_plugins_seed_demo_runs_after_the_core_data(cli, db, temp_plugin):
    seeder = temp_plugin(DemoSeeder(db), name="seeder")
    result = cli.invoke(["demo", "--customers", "12", "--orders", "20", "--seed", "3"])
    assert result.exit_code == 0, result.output
    assert seeder.calls == [(True, True, 12)]


def test_a_failing_plugin_seed_demo_saves_nothing(cli, db, temp_plugin):
    temp_plugin(BrokenSeeder(), name="broken")
    result = cli.invoke(["demo", "--customers", "12", "--orders", "20"])
    assert result.exit_code == 1
    assert (
        "No demo data was added: Plugin 'broken': seed_demo failed: RuntimeError: no demo data today"
        in result.output
    )
    assert "Traceback" not in result.output
    assert count(db, Customer) == 0 and count(db, Order) == 0 and count(db, User) == 0


def test_small_demo_with_other_sizes(cli, db):
    result = cli.invoke(["demo", "--customers", "25", "--orders", "40", "--seed", "11"])
    assert result.exit_code == 0, result.output
    assert (count(db, Customer), count(db, Order), count(db, Product)) == (25, 40, 60)


def test_demo_without_orders_and_bad_sizes(cli, db):
    assert cli.invoke(["demo", "--customers", "1", "--orders", "0"]).exit_code == 0
    assert (count(db, Customer), count(db, Order)) == (1, 0)
    bad = cli.invoke(["demo", "--customers", "0"])
    assert bad.exit_code == 2 and "Invalid value for '--customers'" in bad.output
