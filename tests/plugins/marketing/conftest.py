"""Fixtures of the marketing plugin's tests: the plugin enabled, and a small hand-made shop.

The shop (all orders confirmed unless said otherwise; net = qty × price × (1 − discount)):

    customer  country region  city    channel   tags          owner   created     email
    ada       DE      Bavaria Munich  web       vip,wholesale sales   2025-01-10  yes
    bob       DE      Berlin  Berlin  fair      -             -       2025-06-01  yes
    cem       FR      IDF     Paris   web       vip           sales   2025-09-15  none
    dora      FR      ARA     Lyon    referral  -             -       2026-01-05  yes

    products: SWEET "Sweet and sour sauce" (Sweet-sour, 10.00 / cost 6.00),
              CHILI "Chili oil" (Spicy, 8.00 / 3.00), RICE "Rice" (Staples, 5.00 / 4.00)

    ada  2025-02-01  2 SWEET @10 (net 20, cost 12) + 1 RICE @5 (5, 4)
    ada  2025-11-20  1 CHILI @8 (8, 3)
    bob  2025-07-01  1 SWEET @10 −10% (9.00, 6), refunded on 2025-07-05
    bob  2025-08-01  3 RICE @5 (15, 12)
    cem  2026-01-15  10 CHILI @8 (80, 30)
    cem  a draft with 1 SWEET (counts nowhere)

So ada: 2 orders, net 33, profit 14, last order 2025-11-20; bob: 2 orders, net 9 − 9 + 15 = 15,
profit 3, last order 2025-08-01, SWEET refunded (not "bought"); cem: 1 order, net 80, profit 50;
dora: no orders.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

import pytest

from core import orders
from core.db import db
from core.models import Customer, Product, User


@pytest.fixture
def clientele_plugins() -> list[str]:
    """Only marketing (plus the core)."""
    return ["marketing"]


@dataclass
class Shop:
    """The hand-made data set, by name."""

    ada: Customer
    bob: Customer
    cem: Customer
    dora: Customer
    sweet: Product
    chili: Product
    rice: Product
    seller: User

    def ids(self, *names: str) -> set[int]:
        """Customer ids of the named customers."""
        return {getattr(self, name).id for name in names}


def _created(customer: Customer, day: str) -> None:
    """Set the creation time (the service keeps it to itself)."""
    customer.created_at = dt.datetime.fromisoformat(day + "T12:00:00")


@pytest.fixture
def shop(make_user: Any, make_customer: Any, make_product: Any, make_order: Any) -> Shop:
    """The shop described in this module's docstring."""
    seller = make_user("sales", email="seller@example.com", name="Sam Seller")
    ada = make_customer(
        name="Ada Lovelace",
        country="DE",
        region="Bavaria",
        city="Munich",
        channel="web",
        tags="vip,wholesale",
        owner_id=seller.id,
        email="ada@example.com",
    )
    bob = make_customer(
        name="Bob Brown",
        country="DE",
        region="Berlin",
        city="Berlin",
        channel="fair",
        email="bob@example.com",
    )
    cem = make_customer(
        name="Cem Caliskan",
        country="FR",
        region="IDF",
        city="Paris",
        channel="web",
        tags="vip",
        owner_id=seller.id,
        email="",
    )
    dora = make_customer(name="Dora Diaz", country="FR", region="ARA", city="Lyon",
                         channel="referral", email="dora@example.com")  # fmt: skip
    for customer, day in (
        (ada, "2025-01-10"),
        (bob, "2025-06-01"),
        (cem, "2025-09-15"),
        (dora, "2026-01-05"),
    ):
        _created(customer, day)
    sweet = make_product(
        sku="SWEET",
        name="Sweet and sour sauce",
        category="Sweet-sour",
        list_price="10.00",
        unit_cost="6.00",
    )
    chili = make_product(
        sku="CHILI", name="Chili oil", category="Spicy", list_price="8.00", unit_cost="3.00"
    )
    rice = make_product(
        sku="RICE", name="Rice", category="Staples", list_price="5.00", unit_cost="4.00"
    )
    make_order(ada, seller, [(sweet, 2, "10.00"), (rice, 1, "5.00")], dt.date(2025, 2, 1))
    make_order(ada, seller, [(chili, 1, "8.00")], dt.date(2025, 11, 20))
    refunded = make_order(bob, seller, [(sweet, 1, "10.00", "0.10")], dt.date(2025, 7, 1))
    orders.refund(refunded, on=dt.date(2025, 7, 5))
    make_order(bob, None, [(rice, 3, "5.00")], dt.date(2025, 8, 1))
    make_order(cem, None, [(chili, 10, "8.00")], dt.date(2026, 1, 15))
    make_order(cem, None, [(sweet, 1, "10.00")], dt.date(2026, 2, 1), confirm=False)  # fmt: skip
    db.session.commit()
    return Shop(ada, bob, cem, dora, sweet, chili, rice, seller)
