"""Fixtures of the pipeline tests: the plugin enabled, and a hand-made book of deals.

The stages are the config example (Prospecting 0.10, Engaging 0.40, Won, Lost). Sam and Sue
sell; C1 came from the web, C2 from a fair; JAM lists at 10.00 and OIL at 8.00.

DEALS_CSV (imported):

    D1  C1 Sam JAM  Won          opened 2026-01-05 closed 2026-01-15  100.00   10 days
    D2  C1 Sam OIL  Won          opened 2026-01-10 closed 2026-02-12  250.50   33 days
    D3  C2 Sam JAM  Lost (Price) opened 2026-01-20 closed 2026-02-01   80.00
    D4  C2 Sue OIL  Won          opened 2026-02-01 closed 2026-02-21   40.25   20 days
    D5  prospect, Sue, Prospecting, no amount
    D6  C2 Sam JAM  Engaging     opened 2026-02-10                   1000.00
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pytest

from core.models import Customer, Product, User

DEALS_CSV = """external_id,title,customer_external_id,owner_email,product_sku,stage,opened_on,closed_on,amount,lost_reason
D1,Jam for C1,C1,sam@example.com,JAM,Won,2026-01-05,2026-01-15,100.00,
D2,Oil for C1,C1,sam@example.com,OIL,Won,2026-01-10,2026-02-12,250.50,
D3,Jam for C2,C2,sam@example.com,JAM,Lost,2026-01-20,2026-02-01,80.00,Price
D4,Oil for C2,C2,sue@example.com,OIL,Won,2026-02-01,2026-02-21,40.25,
D5,Prospect at the fair,,sue@example.com,,Prospecting,,,,
D6,Big jam order,C2,sam@example.com,JAM,Engaging,2026-02-10,,1000.00,
"""


@pytest.fixture
def clientele_plugins() -> list[str]:
    return ["pipeline"]


@dataclass
class Book:
    sam: User
    sue: User
    manager: User
    c1: Customer
    c2: Customer
    jam: Product
    oil: Product


@pytest.fixture
def book(make_user: Any, make_customer: Any, make_product: Any) -> Book:
    sam = make_user("sales", email="sam@example.com", name="Sam Seller")
    sue = make_user("sales", email="sue@example.com", name="Sue Seller")
    manager = make_user("manager", email="mia@example.com", name="Mia Manager")
    c1 = make_customer(name="Cara One", external_id="C1", channel="web", owner_id=sam.id)
    c2 = make_customer(name="Carl Two", external_id="C2", channel="fair", owner_id=sue.id)
    jam = make_product(sku="JAM", name="Jam", list_price="10.00", unit_cost="6.00")
    oil = make_product(sku="OIL", name="Oil", list_price="8.00", unit_cost="3.00")
    return Book(sam, sue, manager, c1, c2, jam, oil)


@pytest.fixture
def imported(book: Book, cli: Any, tmp_path: Any) -> Book:
    path = tmp_path / "deals.csv"
    path.write_text(DEALS_CSV, encoding="utf-8")
    result = cli.invoke(["pipeline", "import", str(path)])
    assert result.exit_code == 0, result.output
    return book
