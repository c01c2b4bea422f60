"""Bad input answered at the edge with a message or a 404, the same on SQLite and PostgreSQL."""

from __future__ import annotations

import inspect
from decimal import Decimal

import pytest
from sqlalchemy import func, select

from core import forms as core_forms
from core.forms import BaseForm
from core.importing import cells
from core.models import Customer, Order, OrderLine, Product
from core.validation import InputProblem, parse_decimal, parse_id

TOO_BIG_IDS = ["2147483648", "9223372036854775808", "99999999999999999999999"]


def count(db, model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def test_ids_from_urls_must_fit_an_integer_key():
    assert parse_id("2147483647") == 2**31 - 1
    assert parse_id("42") == 42
    for text in [*TOO_BIG_IDS, "0", "-1", "+5", "1.0", "١٢", "", "12\x00"]:
        assert parse_id(text) is None, text


@pytest.mark.parametrize("big", TOO_BIG_IDS)
def test_ids_past_int4_in_urls_and_filters_are_404(db, client, login_as, big):
    login_as("admin")
    for url in [
        f"/orders/{big}",
        f"/customers/{big}",
        f"/customers/{big}/edit",
        f"/products/{big}/edit",
        f"/orders/?customer={big}",
        f"/orders/?salesperson={big}",
        f"/customers/?owner={big}",
        f"/orders/new?customer={big}",
    ]:
        assert client.get(url).status_code == 404, url
    assert client.post(f"/orders/{big}/confirm").status_code == 404


def test_a_huge_page_number_is_a_404_and_a_large_one_an_empty_page(db, client, login_as):
    login_as("admin")
    assert client.get("/customers/?page=99999999999999999999").status_code == 404
    assert client.get("/orders/?page=2147483647").status_code == 200


def test_nul_bytes_in_searches_are_dropped(db, client, login_as, make_customer):
    login_as("admin")
    make_customer(name="Claudia Meyer")
    page = client.get("/customers/?q=Clau%00dia")
    assert page.status_code == 200
    assert b"Claudia Meyer" in page.data
    assert client.get("/orders/?status=dr%00aft&q=%00").status_code == 200
    assert client.get("/products/?q=%00").status_code == 200


def test_a_nul_byte_in_a_form_is_refused_with_a_message(db, client, login_as):
    login_as("admin")
    before = count(db, Customer)
    page = client.post("/customers/new", data={"name": "Eve\x00l", "notes": "a\x00b"})
    assert page.status_code == 200
    assert b"Remove the control characters (such as NUL) from this text." in page.data
    assert count(db, Customer) == before


@pytest.mark.parametrize(
    ("typed", "message"),
    [
        ("1e309", b"Enter a plain number such as 12.50."),
        ("Infinity", b"Enter a plain number such as 12.50."),
        ("NaN", b"Enter a plain number such as 12.50."),
        ("-1", b"Number must be at least 0."),
        ("0.001", b"Use at most two decimals."),
        ("1000000000000", b"The number is too large"),
    ],
)
def test_bad_decimals_in_a_product_are_refused(db, client, login_as, typed, message):
    login_as("admin")
    page = client.post(
        "/products/new",
        data={"sku": "X-1", "name": "X", "list_price": typed, "unit_cost": "1.00"},
    )
    assert page.status_code == 200
    assert message in page.data
    assert count(db, Product) == 0


def test_minus_zero_is_stored_as_zero(db, client, login_as):
    login_as("admin")
    client.post(
        "/products/new",
        data={"sku": "Z-1", "name": "Free", "list_price": "-0", "unit_cost": "-0.00"},
    )
    product = db.session.scalar(select(Product))
    assert (str(product.list_price), str(product.unit_cost)) == ("0.00", "0.00")


def test_a_currency_without_cents_refuses_cents(make_app, login_as):
    app = make_app(currency="JPY")
    with app.test_request_context(
        method="POST", data={"sku": "Y", "name": "Yen", "list_price": "12.50", "unit_cost": "3"}
    ):
        form = core_forms.ProductForm()
        assert not form.validate()
        assert form.list_price.errors == ["Use a whole number (no decimals)."]
        assert form.unit_cost.data == Decimal("3")


def test_an_order_line_too_large_for_its_columns_is_refused(
    db, client, login_as, make_customer, make_product
):
    login_as("admin")
    customer = make_customer()
    product = make_product(list_price="999999.00")
    fields = {"customer_id": str(customer.id), "order_date": "2026-01-05"}
    fields |= {"lines-0-product_id": str(product.id), "lines-0-quantity": "999999999"}
    page = client.post(f"/orders/new?customer={customer.id}", data=fields)
    assert b"Line 1: the line&#39;s total is too large to be stored." in page.data
    fields["lines-0-quantity"] = "1000000000"
    page = client.post(f"/orders/new?customer={customer.id}", data=fields)
    assert b"The number is too large" in page.data
    assert (count(db, Order), count(db, OrderLine)) == (0, 0)


def test_parse_decimal_reads_only_plain_numbers():
    limit = Decimal(10) ** 12
    assert parse_decimal(" 12.5 ", places=2, limit=limit) == Decimal("12.50")
    assert str(parse_decimal("-0", places=2, limit=limit)) == "0.00"
    assert parse_decimal("1,234.50", places=2, limit=limit, thousands=True) == Decimal("1234.50")
    for text in ["1e3", "inf", "-Infinity", "nan", "sNaN", "0x10", "1" * 61, "", "."]:
        with pytest.raises(InputProblem):
            parse_decimal(text, places=2, limit=limit)


def test_import_cells_refuse_nul_and_read_minus_zero_as_zero():
    with pytest.raises(cells.CellError, match="name contains a control character"):
        cells.Outcomes(cells.text, "name", 200)("Ada\x00")
    assert str(cells.money("-0", "unit_price")) == "0.00"
    with pytest.raises(cells.CellError, match="too large"):
        cells.money("1" * 40 + ".5", "unit_price")


def test_every_form_of_the_core_and_the_plugins_is_a_base_form():
    from flask_wtf import FlaskForm

    import plugins.loyalty.forms
    import plugins.marketing.forms
    import plugins.sales_commission.forms
    import plugins.service_desk.forms

    modules = [
        core_forms,
        plugins.loyalty.forms,
        plugins.marketing.forms,
        plugins.sales_commission.forms,
        plugins.service_desk.forms,
    ]
    flask_forms = [
        value
        for module in modules
        for _, value in inspect.getmembers(module, inspect.isclass)
        if issubclass(value, FlaskForm) and value.__module__ == module.__name__
    ]
    assert len(flask_forms) > 20
    assert [form.__name__ for form in flask_forms if not issubclass(form, BaseForm)] == []


def test_huge_numbers_in_segment_rules_are_refused_with_a_message():
    from plugins.marketing.segments import Criterion, typed_value
    from plugins.service_desk.segments import opened_ticket_within

    with pytest.raises(ValueError, match="'1e30' days is more than a hundred years"):
        opened_ticket_within("1e30")
    number = Criterion.__new__(Criterion)
    object.__setattr__(number, "kind", "number")
    with pytest.raises(ValueError, match="'1e309' is too large"):
        typed_value(number, "1e309")
