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
import re
import unicodedata
from dataclasses import dataclass, field
from decimal import Decimal

import phonenumbers

from core.dates import add_months
from core.demo import data
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
    """A demo customer; owner is an index into data.SALESPEOPLE."""

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
    products: list[PlannedProduct] = field(default_factory=list)
    customers: list[PlannedCustomer] = field(default_factory=list)
    orders: list[PlannedOrder] = field(default_factory=list)


def make_plan(seed: int, customers: int, orders: int, today: dt.date) -> Plan:
    """The whole demo company for this seed, ending today."""
    rng = random.Random(seed)
    start = add_months(today, -HISTORY_MONTHS)
    plan = Plan(start=start, price_rise_on=add_months(today, -9))
    plan.products = plan_products(rng)
    plan.customers = plan_customers(rng, customers, start, today)
    plan.orders = plan_orders(rng, plan, orders, today)
    return plan


def plan_products(rng: random.Random) -> list[PlannedProduct]:
    """The 60 products, each with a unit cost from its category's margin range."""
    products = []
    for category in data.CATEGORIES:
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


def ascii_slug(text: str, separator: str = "-") -> str:
    """ "Gasthaus Müller & Söhne" → "gasthaus-mueller-soehne" (for e-mail addresses)."""
    for umlaut, spelled in (("ä", "ae"), ("ö", "oe"), ("ü", "ue"), ("ß", "ss")):
        text = text.replace(umlaut, spelled).replace(umlaut.upper(), spelled.title())
    text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", separator, text.lower()).strip(separator)


def phone_number(rng: random.Random, country: str, city: str, mobile: bool) -> str:
    """A valid number of the city's area (or a mobile one), typed as people do it.

    Subscriber digits (not starting with 0 or 1) are drawn until phonenumbers calls the
    number valid; the country's example number is the fallback.
    """
    kind = (
        phonenumbers.PhoneNumberType.MOBILE if mobile else phonenumbers.PhoneNumberType.FIXED_LINE
    )
    example = phonenumbers.example_number_for_type(country, kind)
    assert example is not None
    prefix = rng.choice(data.MOBILE_PREFIXES[country]) if mobile else data.AREA_CODES[city]
    number = example
    for _ in range(40):
        length = rng.choice(data.NATIONAL_LENGTHS[country, mobile]) - len(prefix)
        subscriber = str(rng.randint(2, 9)) + "".join(
            str(rng.randrange(10)) for _ in range(length - 1)
        )
        candidate = phonenumbers.parse(f"+{example.country_code}{prefix}{subscriber}")
        if phonenumbers.is_valid_number(candidate):
            number = candidate
            break
    style = phonenumbers.PhoneNumberFormat.NATIONAL
    if rng.random() < 0.3:
        style = phonenumbers.PhoneNumberFormat.INTERNATIONAL
    return phonenumbers.format_number(number, style)


def plan_customers(
    rng: random.Random, count: int, start: dt.date, today: dt.date
) -> list[PlannedCustomer]:
    """count customers over the places, kinds and channels, with names, phones and birthdays."""
    places = rng.choices(data.PLACES, [place.weight for place in data.PLACES], k=count)
    kinds = rng.choices(data.KINDS, [kind[1] for kind in data.KINDS], k=count)
    channels = [channel for channel, _ in data.CHANNELS]
    channel_weights = [weight for _, weight in data.CHANNELS]
    used_emails: set[str] = set()
    customers = []
    for index, (place, kind) in enumerate(zip(places, kinds, strict=True), start=1):
        tag, _, frequency, _ = kind
        first = rng.choice(data.FIRST_NAMES[place.language])
        last = rng.choice(data.LAST_NAMES[place.language])
        city = rng.choice(place.cities)
        company = ""
        if tag != "private":
            pattern = rng.choice(data.COMPANY_NAMES[place.language][tag])
            company = pattern.format(first=first, last=last, city=city)
        email = _unique_email(rng, first, last, company, used_emails)
        tags = [tag] + [
            extra
            for extra, chance, kinds in _EXTRA_TAGS
            if rng.random() < chance and (not kinds or tag in kinds)
        ]
        customers.append(
            PlannedCustomer(
                fields={
                    "external_id": f"C-{index:05d}",
                    "name": f"{first} {last}",
                    "company": company,
                    "email": email,
                    "phone": phone_number(rng, place.country, city, mobile=tag == "private"),
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
    _tour_customer(customers, used_emails, start)
    return customers


#: The customer the README's tour opens (and finds by phone): the same in every demo.
TOUR_CUSTOMER = {
    "name": "Claudia Meyer",
    "company": "Feinkost Meyer",
    "email": "claudia.meyer@feinkost-meyer.example",
    "phone": "030 947248",
    "country": "DE",
    "region": "Berlin",
    "city": "Berlin",
    "marketing_opt_out": False,
}
#: The Austrian mobile number the README finds in its national form.
TOUR_AUSTRIAN_PHONE = "0676 6906781"


def _tour_customer(customers: list[PlannedCustomer], used: set[str], start: dt.date) -> None:
    """Make the README's customers: the busiest business in Berlin becomes Claudia Meyer, a
    customer of long standing, and the first Austrian customer has the README's mobile number."""
    berlin = [
        customer
        for customer in customers
        if customer.fields["city"] == "Berlin" and customer.kind != "private"
    ]
    if berlin and TOUR_CUSTOMER["email"] not in used:
        chosen = max(berlin, key=lambda customer: customer.weight)
        chosen.fields.update(TOUR_CUSTOMER, tags=",".join([chosen.kind, "vip"]))
        chosen.created_at = min(chosen.created_at, dt.datetime.combine(start, dt.time(9)))
        chosen.weight *= 2
    taken = {customer.fields["phone"] for customer in customers}
    austrian = [customer for customer in customers if customer.fields["country"] == "AT"]
    if austrian and TOUR_AUSTRIAN_PHONE not in taken:
        austrian[0].fields["phone"] = TOUR_AUSTRIAN_PHONE


#: Tags added at random: (tag, chance, only for these kinds of customer; empty = any).
_EXTRA_TAGS = (
    ("vip", 0.08, ()),
    ("organic", 0.15, ()),
    ("newsletter", 0.3, ()),
    ("wholesale", 0.25, ("hotel", "catering", "restaurant")),
)


def _unique_email(rng: random.Random, first: str, last: str, company: str, used: set[str]) -> str:
    """first.last@example.com for people, first@company.example for businesses; never twice."""
    person = ascii_slug(f"{first} {last}", ".")
    if company:
        base = f"{ascii_slug(first, '.')}@{ascii_slug(company)}.example"
    else:
        base = f"{person}@{rng.choice(('example.com', 'example.net', 'example.org'))}"
    email = base
    for number in itertools.count(2):
        if email not in used:
            break
        local, domain = base.split("@")
        email = f"{local}{number}@{domain}"
    used.add(email)
    return email


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
    weights = [data.SEASON[day.month - 1] * data.WEEKDAYS[day.weekday()] for day in days]
    dates = sorted(rng.choices(days, weights, k=count))
    # The story reaches today: the current month always has some sales, even on its first day.
    this_month = [day for day in days if day >= today.replace(day=1)]
    missing = min(count, CURRENT_MONTH_ORDERS) - sum(day >= this_month[0] for day in dates)
    if missing > 0:
        dates = sorted(dates[missing:] + rng.choices(this_month, k=missing))
    chooser = _CustomerChooser(plan.customers)
    picker = _ProductPicker(plan.products)
    orders = []
    sold_this_month = 0
    for number, order_date in enumerate(dates, start=1):
        customer_index = chooser.pick(rng, order_date)
        customer = plan.customers[customer_index]
        salesperson = customer.owner
        if rng.random() < 0.15:
            salesperson = rng.choice([index for index in range(6) if index != customer.owner])
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

    def __init__(self, products: list[PlannedProduct]) -> None:
        self.products = products
        self.weights: dict[tuple[str, int], list[float]] = {}

    def _weights(self, kind: str, salesperson: int) -> list[float]:
        """How likely each product is for this kind of customer and salesperson (cached)."""
        key = (kind, salesperson)
        if key not in self.weights:
            favourites = data.KIND_FAVOURITES[kind]
            habits = data.PROFILES[salesperson].favourites
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
        if kind == "hotel":
            count = min(8, count + 2)
        weights = list(self._weights(kind, salesperson))
        low, high = next(quantity for tag, _, _, quantity in data.KINDS if tag == kind)
        profile = data.PROFILES[salesperson]
        discount = Decimal("0")
        if rng.random() < profile.discount_chance:
            discount = Decimal(rng.choice(profile.discounts))
        lines = []
        for _ in range(count):
            index = rng.choices(range(len(weights)), weights)[0]
            weights[index] = 0.0
            quantity = Decimal(rng.randint(low, high))
            if " 1 kg" in self.products[index].name and rng.random() < 0.3:
                quantity += Decimal("0.5")
            lines.append((index, quantity, discount))
        return lines
