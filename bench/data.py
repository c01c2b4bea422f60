"""The seeded data set the benchmarks run on: staff, customers, products, orders and their lines.

Everything is drawn from one `random.Random(seed)`, with days counted back from `end_date`
(the day the set was generated), so one seed gives the same shape every time. Rows are
written in bulk through the `core.models` tables (executemany on SQLite, COPY on
PostgreSQL); `net_amount` and `cost_amount` come from `core.money.line_net` / `line_cost`,
so the stored figures are exactly what `core.orders` would have stored.
"""

from __future__ import annotations

import datetime as dt
import math
import random
import time
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from decimal import Decimal
from typing import Any

from sqlalchemy import Table, text
from sqlalchemy.engine import Connection

from bench import catalog
from bench.data_orders import write_orders
from core.models import Customer, Order, OrderLine, Product, User, customer_search_text
from core.money import round_money

#: Bump when the generator changes what it writes: cached data sets of other versions are rebuilt.
GENERATOR_VERSION = 1
#: Share of customers who never ordered (leads, prospects).
CUSTOMERS_WITHOUT_ORDERS = 0.3


@dataclass(frozen=True)
class Scale:
    """How big the data set is."""

    name: str
    customers: int
    order_lines: int
    products: int
    salespeople: int
    months: int = 18


SCALES = {
    "full": Scale("full", customers=100_000, order_lines=1_000_000, products=2_000, salespeople=20),
    "small": Scale("small", customers=10_000, order_lines=100_000, products=500, salespeople=20),
}


@dataclass
class Dataset:
    """What the generator wrote, kept next to the cached data set."""

    scale: str
    seed: int
    start_date: dt.date
    end_date: dt.date
    users: int = 0
    customers: int = 0
    products: int = 0
    orders: int = 0
    order_lines: int = 0
    #: The customer with the most orders: what the customer page benchmark opens.
    busiest_customer_id: int = 0
    generator_version: int = GENERATOR_VERSION
    seconds: float = 0.0
    statuses: dict[str, int] = field(default_factory=dict)

    def to_json(self) -> dict[str, Any]:
        """A JSON-ready dict (dates as ISO strings)."""
        data = asdict(self)
        data["start_date"] = self.start_date.isoformat()
        data["end_date"] = self.end_date.isoformat()
        return data

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Dataset:
        """The inverse of to_json."""
        values = dict(data)
        values["start_date"] = dt.date.fromisoformat(values["start_date"])
        values["end_date"] = dt.date.fromisoformat(values["end_date"])
        return cls(**values)


class Writer:
    """Bulk inserts into core tables: executemany through SQLAlchemy on SQLite, COPY on PostgreSQL."""

    def __init__(self, connection: Connection) -> None:
        self.connection = connection
        self.postgresql = connection.dialect.name == "postgresql"

    def write(self, table: Table, columns: Sequence[str], rows: Sequence[tuple[Any, ...]]) -> None:
        """Insert rows (tuples in `columns` order) into table."""
        if not rows:
            return
        if self.postgresql:
            quoted = ", ".join(f'"{column}"' for column in columns)
            raw: Any = self.connection.connection.driver_connection
            statement = f'COPY "{table.name}" ({quoted}) FROM STDIN'
            with raw.cursor() as cursor, cursor.copy(statement) as copy:
                for row in rows:
                    copy.write_row(row)
            return
        self.connection.execute(
            table.insert(), [dict(zip(columns, row, strict=True)) for row in rows]
        )

    def reset_sequences(self, tables: Sequence[Table]) -> None:
        """After inserts with explicit ids, move PostgreSQL's id sequences past the highest id."""
        if not self.postgresql:
            return
        for table in tables:
            self.connection.execute(
                text(
                    f"SELECT setval(pg_get_serial_sequence('\"{table.name}\"', 'id'), "
                    f'(SELECT coalesce(max(id), 1) FROM "{table.name}"))'
                )
            )


def generate(connection: Connection, scale: Scale, seed: int, end_date: dt.date) -> Dataset:
    """Write the whole data set into an empty, migrated core schema; returns what was written."""
    started = time.perf_counter()
    rng = random.Random(seed)
    start_date = catalog.add_months(end_date, -scale.months) + dt.timedelta(days=1)
    dataset = Dataset(scale.name, seed, start_date, end_date)
    writer = Writer(connection)
    salespeople = _write_users(writer, scale, dataset)
    products = _write_products(writer, rng, scale, dataset)
    weights = _customer_weights(rng, scale.customers)
    customers = _write_customers(writer, rng, weights, salespeople, dataset)
    write_orders(writer, rng, scale, customers, weights, products, salespeople, dataset)
    writer.reset_sequences(
        [User.__table__, Product.__table__, Customer.__table__, Order.__table__]
        + [OrderLine.__table__]
    )
    dataset.seconds = round(time.perf_counter() - started, 1)
    return dataset


def _write_users(writer: Writer, scale: Scale, dataset: Dataset) -> list[int]:
    """An admin, managers, the salespeople, support and marketing staff; returns salespeople ids."""
    created = dt.datetime.combine(dataset.start_date, dt.time(8)) - dt.timedelta(days=365)
    people = [("admin", "admin@bench.example", "Ada Admin")]
    people += [("manager", f"manager{n}@bench.example", f"Manager {n}") for n in (1, 2)]
    people += [
        ("sales", f"sales{n:02d}@bench.example", f"Sales {n:02d}")
        for n in range(1, scale.salespeople + 1)
    ]
    people += [("support", f"support{n}@bench.example", f"Support {n}") for n in (1, 2)]
    people += [("marketing", "marketing@bench.example", "Mark Eting")]
    rows = [
        (number, email, name, role, "", True, created)
        for number, (role, email, name) in enumerate(people, start=1)
    ]
    columns = ("id", "email", "name", "role", "password_hash", "active", "created_at")
    writer.write(User.__table__, columns, rows)
    dataset.users = len(rows)
    return [row[0] for row in rows if row[3] == "sales"]


@dataclass(frozen=True)
class ProductFacts:
    """What order lines need to know about a product."""

    id: int
    list_price: Decimal
    unit_cost: Decimal
    by_weight: bool
    active: bool


def _write_products(
    writer: Writer, rng: random.Random, scale: Scale, dataset: Dataset
) -> list[ProductFacts]:
    """Products in categories with different margins and price ranges (a few sold at a loss)."""
    rows = []
    facts = []
    created = dt.datetime.combine(dataset.start_date, dt.time(7)) - dt.timedelta(days=200)
    for number in range(1, scale.products + 1):
        category = rng.choice(catalog.CATEGORIES)
        low, high = category.price_range
        price = round_money(Decimal(str(math.exp(rng.uniform(math.log(low), math.log(high))))))
        margin = min(0.85, max(0.02, rng.gauss(category.margin, 0.06)))
        if rng.random() < 0.02:
            margin = -rng.uniform(0.02, 0.15)  # loss leaders
        cost = round_money(price * (1 - Decimal(str(round(margin, 4)))))
        active = rng.random() >= 0.03
        name = f"{rng.choice(category.adjectives)} {rng.choice(category.nouns)} {number}"
        rows.append((number, f"P-{number:05d}", name, category.name, price, cost, active, created))
        facts.append(ProductFacts(number, price, cost, category.by_weight, active))
    columns = ("id", "sku", "name", "category", "list_price", "unit_cost", "active", "created_at")
    writer.write(Product.__table__, columns, rows)
    dataset.products = len(rows)
    return facts


@dataclass(frozen=True)
class CustomerFacts:
    """What orders need to know about a customer."""

    id: int
    owner_id: int | None
    wholesale: bool


def _write_customers(
    writer: Writer,
    rng: random.Random,
    weights: list[float],
    salespeople: list[int],
    dataset: Dataset,
) -> list[CustomerFacts]:
    """Customers with valid phones in several formats, regions, channels, owners and tags.

    Customers who order were created before the first order day; prospects at any time.
    """
    columns = (
        "id",
        "external_id",
        "name",
        "company",
        "email",
        "phone",
        "phone_normalized",
        "country",
        "region",
        "city",
        "channel",
        "birthday",
        "owner_id",
        "tags",
        "marketing_opt_out",
        "notes",
        "created_at",
        "updated_at",
        "search_text",
    )
    region_owners = catalog.region_owners(rng, salespeople)
    facts: list[CustomerFacts] = []
    rows: list[tuple[Any, ...]] = []
    for number, weight in enumerate(weights, start=1):
        first_day = dataset.start_date if weight > 0 else dataset.end_date
        person = catalog.person(rng, number, dataset.end_date, first_day)
        owner = region_owners[person.region] if rng.random() < 0.9 else None
        if owner is not None and rng.random() < 0.15:
            owner = rng.choice(salespeople)
        wholesale = "wholesale" in person.tags
        rows.append(
            (
                number,
                f"C{number:07d}",
                person.name,
                person.company,
                person.email,
                person.phone,
                person.phone_normalized,
                person.country,
                person.region,
                person.city,
                person.channel,
                person.birthday,
                owner,
                person.tags,
                rng.random() < 0.06,
                "",
                person.created_at,
                person.created_at,
                customer_search_text(
                    name=person.name, company=person.company, email=person.email, city=person.city
                ),
            )
        )
        facts.append(CustomerFacts(number, owner, wholesale))
        if len(rows) >= 10_000:
            writer.write(Customer.__table__, columns, rows)
            rows = []
    writer.write(Customer.__table__, columns, rows)
    dataset.customers = len(weights)
    return facts


def _customer_weights(rng: random.Random, count: int) -> list[float]:
    """How often each customer orders: none for prospects, a long tail for the rest."""
    weights = []
    for _ in range(count):
        if rng.random() < CUSTOMERS_WITHOUT_ORDERS:
            weights.append(0.0)
        else:
            weights.append(min(rng.paretovariate(1.15), 3000.0))
    return weights
