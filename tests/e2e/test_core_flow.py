"""The core in a real browser: sell to a new customer, CSRF, logout, row rules, form errors."""

from __future__ import annotations

from playwright.sync_api import expect
from sqlalchemy import func, select

from core.models import Customer, Order

# Product prices used below; the figures in the tests are worked out from them by hand.
OIL = {"sku": "OIL-1", "name": "Olive oil 1 l", "list_price": "10.10", "unit_cost": "6.00"}
SALT = {"sku": "SALT-1", "name": "Sea salt", "list_price": "4.99", "unit_cost": "2.50"}


def _count(live_server, model) -> int:
    """How many rows of a model the database holds now."""
    with live_server.data() as session:
        return session.scalar(select(func.count()).select_from(model))


def test_sell_to_a_new_customer(live_server, page, screenshot):
    seller = live_server.create_user("sales", name="Sam Seller")
    live_server.create_product(**OIL)
    live_server.create_product(**SALT)
    live_server.log_in(page, seller)
    expect(page.get_by_text("Sam Seller · sales")).to_be_visible()

    page.get_by_role("link", name="Customers").click()
    page.get_by_role("link", name="New customer").click()
    page.get_by_label("Name", exact=True).fill("Ada Lovelace")
    page.get_by_label("Company").fill("Analytical Engines Ltd")
    page.get_by_label("E-mail").fill("Ada@Example.com")
    page.get_by_label("Phone").fill("030 1234567")
    page.get_by_label("Country").fill("de")
    page.get_by_label("City").fill("Berlin")
    screenshot("core-customer-form")
    page.get_by_role("button", name="Save").click()
    page.get_by_text("Customer Ada Lovelace created.").wait_for()
    expect(page.get_by_role("heading", name="Ada Lovelace")).to_be_visible()
    # Typed values are normalised: lowercase e-mail, E.164 phone shown internationally.
    expect(page.get_by_text("ada@example.com")).to_be_visible()
    expect(page.get_by_text("+49 30 1234567")).to_be_visible()
    expect(page.get_by_text("No orders yet.")).to_be_visible()

    page.get_by_role("link", name="New order").click()
    page.get_by_label("Product 1").select_option(label="OIL-1 · Olive oil 1 l (10.10)")
    page.get_by_label("Quantity 1").fill("3")
    page.get_by_label("Discount 1").fill("15")
    page.get_by_label("Product 2").select_option(label="SALT-1 · Sea salt (4.99)")
    page.get_by_label("Quantity 2").fill("2")
    screenshot("core-order-form")
    page.get_by_role("button", name="Save and confirm").click()
    page.get_by_text("Order SO-000001 saved as confirmed.").wait_for()
    screenshot("core-order-detail")
    # Line 1: 3 × 10.10 × (1 − 0.15) = 25.755 → 25.76 (half up); cost 3 × 6.00 = 18.00.
    # Line 2: 2 × 4.99 = 9.98; cost 2 × 2.50 = 5.00.
    # Order: net 35.74, cost 23.00, profit 12.74, margin 12.74 / 35.74 = 35.6 %.
    totals = page.locator("tfoot td.num").all_inner_texts()
    assert totals == ["35.74", "23.00", "12.74", "35.6 %"]
    assert page.locator("tbody tr").nth(0).locator("td.num").nth(3).inner_text() == "25.76"

    page.get_by_role("link", name="Ada Lovelace").click()
    # all_inner_texts() does not wait: wait for the customer page before reading its figures.
    page.locator(".figure-label").first.wait_for()
    figures = dict(
        zip(
            page.locator(".figure-label").all_inner_texts(),
            page.locator(".figure-value").all_inner_texts(),
            strict=True,
        )
    )
    assert figures == {"Orders": "1", "Net sales": "35.74", "Profit": "12.74", "Refunded": "0.00"}
    row = page.locator("table tbody tr").filter(has_text="SO-000001")
    assert row.locator("td").all_inner_texts() == [
        "SO-000001",
        live_server.get(Order, 1).order_date.isoformat(),
        "confirmed",
        "Sam Seller",
        "35.74",
    ]
    screenshot("core-customer-page")

    order = live_server.get(Order, 1)
    assert (order.status, order.salesperson_id) == ("confirmed", seller.id)


def test_a_post_without_the_csrf_token_is_refused(live_server, page):
    seller = live_server.create_user("sales")
    customer = live_server.create_customer(name="Grace Hopper", owner_id=seller.id)
    product = live_server.create_product(**OIL)
    draft = live_server.create_order(customer, seller, [(product, 1)], confirm=False)
    live_server.log_in(page, seller)

    # The logged-in browser's cookies go along; only the token is missing or forged.
    missing = page.request.post(live_server.url + "/customers/new", form={"name": "Mallory"})
    assert missing.status == 400
    assert "Form expired" in missing.text()
    assert "The CSRF token is missing." in missing.text()
    forged = page.request.post(
        live_server.url + f"/orders/{draft.id}/confirm", form={"csrf_token": "forged"}
    )
    assert forged.status == 400
    assert "The CSRF token is invalid." in forged.text()
    logout = page.request.post(live_server.url + "/logout")
    assert logout.status == 400

    assert _count(live_server, Customer) == 1
    assert live_server.get(Order, draft.id).status == "draft"
    page.goto(live_server.url + "/customers/")
    expect(page.get_by_role("button", name="Log out")).to_be_visible()


def test_log_out(live_server, page):
    manager = live_server.create_user("manager", name="Mia Manager")
    live_server.log_in(page, manager)
    page.get_by_role("button", name="Log out").click()
    page.get_by_text("You are logged out.").wait_for()
    assert page.url == live_server.url + "/login"

    page.goto(live_server.url + "/customers/")
    assert page.url.startswith(live_server.url + "/login?next=")
    expect(page.get_by_text("Please log in to see this page.")).to_be_visible()
    assert page.get_by_role("button", name="Log out").count() == 0


def test_wrong_password_is_refused(live_server, page):
    manager = live_server.create_user("manager", password="right-password")
    page.goto(live_server.url + "/login")
    page.get_by_label("E-mail").fill(manager.email)
    page.get_by_label("Password").fill("wrong-password")
    page.get_by_role("button", name="Log in").click()
    page.get_by_text("E-mail or password is wrong, or the account is disabled.").wait_for()
    assert page.get_by_label("E-mail").input_value() == manager.email
    page.goto(live_server.url + "/customers/")
    assert "/login" in page.url


def test_a_salesperson_cannot_open_another_salespersons_order(live_server, page, screenshot):
    alice = live_server.create_user("sales", name="Alice")
    bob = live_server.create_user("sales", name="Bob")
    customer = live_server.create_customer(name="Bob's Bistro", owner_id=bob.id)
    product = live_server.create_product(**OIL)
    order = live_server.create_order(customer, bob, [(product, 2)])
    live_server.log_in(page, alice)

    response = page.goto(live_server.url + f"/orders/{order.id}")
    assert response.status == 403
    expect(page.get_by_role("heading", name="403 · Not allowed")).to_be_visible()
    assert "SO-000001" not in page.content()
    screenshot("core-403")
    assert page.goto(live_server.url + f"/customers/{customer.id}/edit").status == 403
    assert page.goto(live_server.url + "/orders/9999").status == 404

    # Bob's order is not in Alice's list, nor on the customer page (row rule: own orders only).
    page.goto(live_server.url + "/orders/")
    assert page.get_by_text("SO-000001").count() == 0
    page.goto(live_server.url + f"/customers/{customer.id}")
    expect(page.get_by_text("No orders yet.")).to_be_visible()
    assert page.get_by_role("link", name="Edit").count() == 0


def test_bad_input_is_shown_next_to_the_field_and_kept(live_server, page, screenshot):
    manager = live_server.create_user("manager")
    live_server.log_in(page, manager)
    page.goto(live_server.url + "/customers/new")
    page.get_by_label("Company").fill("Nameless Ltd")
    page.get_by_label("E-mail").fill("not-an-email")
    page.get_by_label("Phone").fill("call me")  # no digit: not a number to keep and check
    page.get_by_label("Country").fill("Germani")  # mistyped: the closest names are offered
    page.get_by_role("button", name="Save").click()
    page.locator(".invalid-feedback").first.wait_for()
    screenshot("core-customer-form-errors")

    def error_next_to(label: str) -> str:
        """The error text in the same form group as the labelled input."""
        group = page.locator("div.mb-3").filter(has=page.get_by_label(label, exact=True))
        assert "is-invalid" in group.get_by_label(label, exact=True).get_attribute("class")
        return group.locator(".invalid-feedback").inner_text()

    assert error_next_to("Name") == "This field is required."
    assert error_next_to("E-mail") == "Invalid email address."
    assert "'call me' holds no phone number" in error_next_to("Phone")
    assert error_next_to("Country") == (
        "'Germani' is not a country (write its name or ISO code, e.g. DE or Germany); "
        "did you mean Germany (DE) or Romania (RO) or Greenland (GL)?"
    )
    assert page.get_by_label("Country").input_value() == "Germani"
    assert page.get_by_label("Company").input_value() == "Nameless Ltd"
    assert page.get_by_label("E-mail").input_value() == "not-an-email"
    assert page.get_by_label("Phone").input_value() == "call me"
    assert page.get_by_label("City").get_attribute("class") == "form-control"
    assert _count(live_server, Customer) == 0

    # Corrected, the same form saves.
    page.get_by_label("Name", exact=True).fill("Nameless Ltd")
    page.get_by_label("E-mail").fill("orders@nameless.example")
    page.get_by_label("Phone").fill("+44 20 7946 0958")
    page.get_by_label("Country").fill("GB")
    page.get_by_role("button", name="Save").click()
    page.get_by_text("Customer Nameless Ltd created.").wait_for()
    assert _count(live_server, Customer) == 1


def test_a_bad_order_line_keeps_what_was_typed(live_server, page):
    seller = live_server.create_user("sales")
    customer = live_server.create_customer(name="Ada", owner_id=seller.id)
    live_server.create_product(**OIL)
    live_server.log_in(page, seller)
    page.goto(live_server.url + f"/orders/new?customer={customer.id}")
    page.get_by_label("Product 1").select_option(label="OIL-1 · Olive oil 1 l (10.10)")
    page.get_by_label("Quantity 1").fill("2")
    page.get_by_label("Discount 1").fill("150")
    page.get_by_role("button", name="Save and confirm").click()
    cell = page.get_by_label("Discount 1").locator("xpath=..")
    assert cell.locator(".invalid-feedback").inner_text() == "Number must be between 0 and 100."
    assert page.get_by_label("Discount 1").input_value() == "150"
    assert page.get_by_label("Quantity 1").input_value() == "2"
    assert page.get_by_label("Product 1").input_value() != "0"
    assert _count(live_server, Order) == 0
