"""The demo company as a plan: pure generation from a seed, no database (the same seed, the same plan).

Customers spread over regions, channels and kinds of business; 60 products in eight
categories whose margins differ clearly; orders over the last 18 months with seasons,
favourite products per salesperson and kind of customer, discounts, drafts, cancellations
and refunds on later dates.
"""

from __future__ import annotations

import bisect
import datetime as dt
import itertools
import random
from dataclasses import dataclass, field
from decimal import Decimal

from core.dates import add_months
from core.demo.material import GERMAN, Material
from core.money import round_money

#: How far back the order history goes.
HISTORY_MONTHS = 18


@dataclass
class PlannedProduct:
    """A product of the demo catalogue."""

    sku: str
    name: str
    category: str
    list_price: Decimal
    unit_cost: Decimal


@dataclass
class PlannedCustomer:
    """A demo customer; owner is an index into the material's salespeople."""

    fields: dict[str, object]
    owner: int
    kind: str
    created_at: dt.datetime
    weight: float


@dataclass
class PlannedOrder:
    """A demo order; customer, salesperson and products are indexes into the plan's lists.

    fate is "confirmed", "draft", "cancelled_draft", "cancelled", "refund_some" or
    "refund_all"; event_date is the day of the cancellation or refund.
    """

    number: str
    customer: int
    salesperson: int
    order_date: dt.date
    lines: list[tuple[int, Decimal, Decimal]]
    fate: str
    event_date: dt.date
    hour: int


@dataclass
class Plan:
    """Everything the demo writes, in the order it is written."""

    start: dt.date
    price_rise_on: dt.date
    #: What the company is drawn from (its staff, price rises and discontinued products too).
    material: Material = field(default=GERMAN, compare=False, repr=False)
    products: list[PlannedProduct] = field(default_factory=list)
    customers: list[PlannedCustomer] = field(default_factory=list)
    orders: list[PlannedOrder] = field(default_factory=list)


def make_plan(
    seed: int, customers: int, orders: int, today: dt.date, material: Material = GERMAN
) -> Plan:
    """The whole demo company for this seed, ending today, drawn from material."""
    rng = random.Random(seed)
    start = add_months(today, -HISTORY_MONTHS)
    plan = Plan(start=start, price_rise_on=add_months(today, -9), material=material)
    plan.products = plan_products(rng, material)
    plan.customers = plan_customers(rng, customers, start, today, material)
    plan.orders = plan_orders(rng, plan, orders, today)
    return plan


def plan_products(rng: random.Random, material: Material = GERMAN) -> list[PlannedProduct]:
    """The products (60), each with a unit cost from its category's margin range."""
    products = []
    for category in material.categories:
        low, high = (Decimal(value) for value in category.margin)
        for number, (name, price) in enumerate(category.products, start=1):
            margin = low + (high - low) * Decimal(rng.randrange(101)) / 100
            list_price = Decimal(price)
            cost = round_money(list_price * (1 - margin))
            products.append(
                PlannedProduct(
                    f"{category.prefix}-{number:02d}", name, category.name, list_price, cost
                )
            )
    return products


def plan_customers(
    rng: random.Random, count: int, start: dt.date, today: dt.date, material: Material = GERMAN
) -> list[PlannedCustomer]:
    """count customers over the places, kinds and channels, with names, phones and birthdays."""
    places = rng.choices(material.places, [place.weight for place in material.places], k=count)
    kinds = rng.choices(material.kinds, [kind[1] for kind in material.kinds], k=count)
    channels = [channel for channel, _ in material.channels]
    channel_weights = [weight for _, weight in material.channels]
    used_emails: set[str] = set()
    used_companies: set[str] = set()
    customers = []
    for index, (place, kind) in enumerate(zip(places, kinds, strict=True), start=1):
        tag, _, frequency, _ = kind
        first = rng.choice(material.first_names[place.language])
        last = rng.choice(material.last_names[place.language])
        city = rng.choice(place.cities)
        company = ""
        if tag != material.private_kind:
            pattern = rng.choice(material.company_names[place.language][tag])
            company = material.company_name(rng, pattern, first, last, city, used_companies)
        email = material.email(rng, first, last, company, used_emails)
        tags = [tag] + [
            extra
            for extra, chance, kinds in material.extra_tags
            if rng.random() < chance and (not kinds or tag in kinds)
        ]
        customers.append(
            PlannedCustomer(
                fields={
                    "external_id": f"C-{index:05d}",
                    "name": material.person_name(first, last),
                    "company": company,
                    "email": email,
                    "phone": material.phone(rng, place, city, tag),
                    "country": place.country,
                    "region": place.region,
                    "city": city,
                    "channel": rng.choices(channels, channel_weights)[0],
                    "birthday": _birthday(rng, today),
                    "tags": ",".join(tags),
                    "marketing_opt_out": rng.random() < 0.06,
                },
                owner=place.salesperson,
                kind=tag,
                created_at=_created_at(rng, start, today),
                weight=frequency * rng.lognormvariate(0, 0.6),
            )
        )
    material.tour(customers, used_emails, start)
    return customers


def _birthday(rng: random.Random, today: dt.date) -> dt.date | None:
    """A birthday of someone aged 22 to 75 (none for 15 % of customers)."""
    if rng.random() < 0.15:
        return None
    return today - dt.timedelta(days=rng.randrange(22 * 365, 75 * 365))


def _created_at(rng: random.Random, start: dt.date, today: dt.date) -> dt.datetime:
    """Two thirds became customers before the history starts, the rest during it."""
    if rng.random() < 0.65:
        day = start - dt.timedelta(days=rng.randrange(1, 900))
    else:
        day = start + dt.timedelta(days=rng.randrange(max(1, (today - start).days - 7)))
    return dt.datetime(day.year, day.month, day.day, rng.randrange(8, 18), rng.randrange(60))


#: Orders the current month has at least (half of them confirmed), however early in it the demo runs.
CURRENT_MONTH_ORDERS = 6


def plan_orders(rng: random.Random, plan: Plan, count: int, today: dt.date) -> list[PlannedOrder]:
    """count orders between the start and today, in date order, numbered SO-000001 onwards."""
    days = [
        plan.start + dt.timedelta(days=offset) for offset in range((today - plan.start).days + 1)
    ]
    material = plan.material
    weights = [material.season[day.month - 1] * material.weekdays[day.weekday()] for day in days]
    dates = sorted(rng.choices(days, weights, k=count))
    # The story reaches today: the current month always has some sales, even on its first day.
    this_month = [day for day in days if day >= today.replace(day=1)]
    missing = min(count, CURRENT_MONTH_ORDERS) - sum(day >= this_month[0] for day in dates)
    if missing > 0:
        dates = sorted(dates[missing:] + rng.choices(this_month, k=missing))
    chooser = _CustomerChooser(plan.customers)
    picker = _ProductPicker(plan.products, material)
    orders = []
    sold_this_month = 0
    for number, order_date in enumerate(dates, start=1):
        customer_index = chooser.pick(rng, order_date)
        customer = plan.customers[customer_index]
        salesperson = customer.owner
        if rng.random() < 0.15:
            others = range(len(material.salespeople))
            salesperson = rng.choice([index for index in others if index != customer.owner])
        fate, event_date = _fate(rng, order_date, today)
        if order_date >= this_month[0] and sold_this_month < CURRENT_MONTH_ORDERS // 2:
            fate, event_date = "confirmed", order_date
        sold_this_month += order_date >= this_month[0] and fate == "confirmed"
        orders.append(
            PlannedOrder(
                number=f"SO-{number:06d}",
                customer=customer_index,
                salesperson=salesperson,
                order_date=order_date,
                lines=picker.lines(rng, customer.kind, salesperson),
                fate=fate,
                event_date=event_date,
                hour=rng.randrange(8, 18),
            )
        )
    return orders


def _fate(rng: random.Random, order_date: dt.date, today: dt.date) -> tuple[str, dt.date]:
    """What happens to an order: recent ones are often drafts; a few are cancelled or refunded."""
    age = (today - order_date).days
    chance = rng.random()
    if age <= 14 and chance < 0.35:
        return "draft", order_date
    later = min(today, order_date + dt.timedelta(days=rng.randrange(1, 7)))
    if chance < 0.02:
        return "cancelled_draft", later
    if chance < 0.045:
        return "cancelled", later
    if age >= 5 and chance < 0.075:
        refund_on = min(today, order_date + dt.timedelta(days=rng.randrange(2, 31)))
        return ("refund_all" if rng.random() < 0.3 else "refund_some"), refund_on
    return "confirmed", order_date


class _CustomerChooser:
    """Picks customers who existed on a date, busy ones (hotels, caterers) more often."""

    def __init__(self, customers: list[PlannedCustomer]) -> None:
        self.order = sorted(range(len(customers)), key=lambda index: customers[index].created_at)
        self.since = [customers[index].created_at.date() for index in self.order]
        self.cumulative = list(
            itertools.accumulate(customers[index].weight for index in self.order)
        )

    def pick(self, rng: random.Random, day: dt.date) -> int:
        """A customer index, drawn by weight among customers created on or before day."""
        existing = max(1, bisect.bisect_right(self.since, day))
        point = rng.random() * self.cumulative[existing - 1]
        return self.order[min(bisect.bisect_right(self.cumulative, point), existing - 1)]


class _ProductPicker:
    """Chooses an order's lines: products by the customer's kind and the salesperson's habits."""

    def __init__(self, products: list[PlannedProduct], material: Material) -> None:
        self.products = products
        self.material = material
        self.weights: dict[tuple[str, int], list[float]] = {}

    def _weights(self, kind: str, salesperson: int) -> list[float]:
        """How likely each product is for this kind of customer and salesperson (cached)."""
        key = (kind, salesperson)
        if key not in self.weights:
            favourites = self.material.kind_favourites[kind]
            habits = self.material.profiles[salesperson].favourites
            self.weights[key] = [
                favourites.get(product.category, 1.0) * habits.get(product.category, 1.0)
                for product in self.products
            ]
        return self.weights[key]

    def lines(
        self, rng: random.Random, kind: str, salesperson: int
    ) -> list[tuple[int, Decimal, Decimal]]:
        """(product index, quantity, discount) for 1 to 8 distinct products."""
        count = rng.choices(range(1, 9), (8, 16, 20, 18, 14, 10, 8, 6))[0]
        if kind in self.material.large_basket_kinds:
            count = min(8, count + 2)
        weights = list(self._weights(kind, salesperson))
        low, high = next(quantity for tag, _, _, quantity in self.material.kinds if tag == kind)
        profile = self.material.profiles[salesperson]
        discount = Decimal("0")
        if rng.random() < profile.discount_chance:
            discount = Decimal(rng.choice(profile.discounts))
        lines = []
        for _ in range(count):
            index = rng.choices(range(len(weights)), weights)[0]
            weights[index] = 0.0
            quantity = Decimal(rng.randint(low, high))
            if self.material.half_unit_marker in self.products[index].name and rng.random() < 0.3:
                quantity += Decimal("0.5")
            lines.append((index, quantity, discount))
        return lines
