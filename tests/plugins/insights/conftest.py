"""Fixtures of the insights tests: the plugin (with marketing, for segments) and a hand-made shop.

Products: JAM (category Preserves, 10.00, cost 6.00), OIL (Oils, 8.00 / 3.00),
TEA (Drinks, 5.00 / 4.00). Customers: ann (web, Bavaria, Munich), ben (fair, Berlin,
Berlin), cat (web, IDF, Paris), dan (no channel, Hesse, Frankfurt). Sam sells.

    O0 dan 2025-12-15        1 TEA                        net 5.00   cost 4.00
    O1 ann 2026-01-10 Sam    2 JAM, 1 OIL                 20.00/12.00 + 8.00/3.00
    O2 ben 2026-01-20        1 JAM −10 %, 1 TEA           9.00/6.00 + 5.00/4.00
                             the JAM line refunded on 2026-02-03 (−9.00/−6.00 in February)
    O3 ann 2026-02-05 Sam    1 OIL, 1 TEA                 8.00/3.00 + 5.00/4.00
    O4 cat 2026-02-10 Sam    3 JAM at 10.10 −15 %, 1 OIL  25.76/18.00 (25.755 half up) + 8.00/3.00
    O5 ben 2026-03-02        1 JAM, a draft: counts nowhere
    O7 ben 2026-03-20        1 TEA                        5.00/4.00
    O8 dan 2026-02-20        1 OIL                        8.00/3.00

Segments (marketing): "Web" (channel web: ann, cat) and "Munich" (city Munich: ann), so ann
is in two segments.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import pytest

from core import orders
from core.db import db
from core.models import Customer, Order, Product, User
from plugins.marketing.models import Segment
from plugins.marketing.segments import Condition, Rule


@pytest.fixture
def clientele_plugins() -> list[str]:
    return ["insights", "marketing"]


@dataclass
class Shop:
    ann: Customer
    ben: Customer
    cat: Customer
    dan: Customer
    jam: Product
    oil: Product
    tea: Product
    sam: User
    orders: dict[str, Order]
    web: Segment
    munich: Segment


@pytest.fixture
def shop(make_user: Any, make_customer: Any, make_product: Any, make_order: Any) -> Shop:
    sam = make_user("sales", name="Sam Seller")
    ann = make_customer(name="Ann Arbor", region="Bavaria", city="Munich", channel="web")
    ben = make_customer(name="Ben Berg", region="Berlin", city="Berlin", channel="fair")
    cat = make_customer(name="Cat Cole", region="IDF", city="Paris", channel="web")
    dan = make_customer(name="Dan Dorn", region="Hesse", city="Frankfurt", channel="")
    jam = make_product(
        sku="JAM", name="Jam", category="Preserves", list_price="10.00", unit_cost="6.00"
    )
    oil = make_product(sku="OIL", name="Oil", category="Oils", list_price="8.00", unit_cost="3.00")
    tea = make_product(
        sku="TEA", name="Tea", category="Drinks", list_price="5.00", unit_cost="4.00"
    )
    day = dt.date
    made = {
        "O0": make_order(dan, None, [(tea, 1)], day(2025, 12, 15)),
        "O1": make_order(ann, sam, [(jam, 2), (oil, 1)], day(2026, 1, 10)),
        "O2": make_order(ben, None, [(jam, 1, None, "0.10"), (tea, 1)], day(2026, 1, 20)),
        "O3": make_order(ann, sam, [(oil, 1), (tea, 1)], day(2026, 2, 5)),
        "O4": make_order(cat, sam, [(jam, 3, "10.10", "0.15"), (oil, 1)], day(2026, 2, 10)),
        "O5": make_order(ben, None, [(jam, 1)], day(2026, 3, 2), confirm=False),
        "O7": make_order(ben, None, [(tea, 1)], day(2026, 3, 20)),
        "O8": make_order(dan, None, [(oil, 1)], day(2026, 2, 20)),
    }
    assert made["O4"].lines[0].net_amount == Decimal("25.76")
    orders.refund(made["O2"], [made["O2"].lines[0]], on=day(2026, 2, 3))
    web = Segment(
        name="Web", definition=Rule("all", (Condition("marketing.channel", "web"),)).to_json()
    )
    munich = Segment(
        name="Munich", definition=Rule("all", (Condition("marketing.city", "Munich"),)).to_json()
    )
    db.session.add_all([web, munich])
    db.session.commit()
    return Shop(ann, ben, cat, dan, jam, oil, tea, sam, made, web, munich)
