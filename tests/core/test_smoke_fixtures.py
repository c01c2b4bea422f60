"""The testing fixtures themselves: rollback per test, factories, login."""

from decimal import Decimal

from sqlalchemy import func, select

from core.models import Customer


def test_factories_and_rollback_first(db, make_order):
    order = make_order(lines=None)
    assert order.status == "confirmed"
    assert db.session.scalar(select(func.count()).select_from(Customer)) == 1


def test_rollback_second(db):
    assert db.session.scalar(select(func.count()).select_from(Customer)) == 0


def test_login_as_shows_dashboard(client, login_as, make_order, make_product):
    user = login_as("manager")
    make_order(salesperson=user, lines=[(make_product(list_price="10.10"), 3, None, "0.15")])
    page = client.get("/")
    assert page.status_code == 200
    assert b"25.76" in page.data
    assert Decimal("25.76") == Decimal("25.76")
