"""Loyalty tests run with only the loyalty plugin enabled, on SQLite or $CLIENTELE_TEST_DATABASE_URL."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest


@pytest.fixture
def clientele_plugins() -> list[str]:
    """Only loyalty."""
    return ["loyalty"]


@pytest.fixture
def product(make_product: Any) -> Any:
    """A product sold at 100.00 that costs 60.00 (40.00 profit per unit at list price)."""
    return make_product(list_price="100.00", unit_cost="60.00", category="Wine")


@pytest.fixture
def sell(make_order: Any, product: Any) -> Any:
    """sell(customer, on, quantity=1, price=None, discount=0): a confirmed order of the product."""

    def factory(
        customer: Any, on: dt.date, quantity: Any = 1, price: Any = None, discount: Any = "0"
    ) -> Any:
        return make_order(
            customer=customer, lines=[(product, quantity, price, discount)], order_date=on
        )

    return factory
