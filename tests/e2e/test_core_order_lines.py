"""The new-order form grows: "Add a line" gives a sixth row, and its line is saved."""

from __future__ import annotations

from decimal import Decimal

from sqlalchemy import select

from core.models import Order


def test_add_a_line_beyond_the_five_rows(live_server, page, screenshot):
    seller = live_server.create_user("sales")
    customer = live_server.create_customer(name="Ada")
    products = [
        live_server.create_product(
            sku=f"P{number}", name=f"Item {number}", list_price="2.00", unit_cost="1.00"
        )
        for number in range(1, 7)
    ]
    live_server.log_in(page, seller)
    page.goto(live_server.url_for("orders.create", customer=customer.id))
    page.get_by_role("button", name="Add a line").click()
    assert page.locator("#order-lines tr").count() == 6
    for number, product in enumerate(products, start=1):
        page.get_by_label(f"Product {number}", exact=True).select_option(
            label=f"{product.sku} · {product.name} (2.00)"
        )
        page.get_by_label(f"Quantity {number}", exact=True).fill(str(number))
    screenshot("core-order-form-six-lines")
    page.get_by_role("button", name="Save and confirm").click()
    page.get_by_text("saved as confirmed").wait_for()
    with live_server.data() as session:
        order = session.scalar(select(Order))
        # 1 + 2 + … + 6 = 21 units at 2.00 each.
        assert (len(order.lines), order.net_total) == (6, Decimal("42.00"))
