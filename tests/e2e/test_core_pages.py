"""What each role sees on the core pages (docs/permissions.md), and the customer timeline's length."""

from __future__ import annotations

from playwright.sync_api import expect


def _sale(live_server):
    """A salesperson's confirmed order: 2 × 12.50 (cost 7.00) = net 25.00, cost 14.00."""
    seller = live_server.create_user("sales", name="Sam Seller")
    customer = live_server.create_customer(name="Ada", owner_id=seller.id)
    product = live_server.create_product(list_price="12.50", unit_cost="7.00", sku="JAM-1")
    order = live_server.create_order(customer, seller, [(product, 2)])
    return seller, customer, order


def test_support_sees_net_but_no_cost_or_profit(live_server, page, screenshot):
    _, customer, order = _sale(live_server)
    live_server.log_in(page, live_server.create_user("support"))

    page.goto(live_server.url_for("orders.detail", order_id=order.id))
    headers = page.locator("thead th").all_inner_texts()
    assert "Net" in headers
    assert not {"Unit cost", "Cost", "Profit", "Margin"} & set(headers)
    assert page.locator("tfoot td.num").all_inner_texts() == ["25.00"]
    expect(page.get_by_role("button", name="Refund ticked lines")).to_be_visible()
    screenshot("core-order-as-support")

    page.goto(live_server.url_for("customers.detail", customer_id=customer.id))
    assert page.locator(".figure-label").all_inner_texts() == ["Orders", "Net sales", "Refunded"]
    page.goto(live_server.url_for("products.index"))
    assert "Unit cost" not in page.locator("thead").inner_text()
    page.goto(live_server.url_for("dashboard.index"))
    assert "Profit" not in page.locator("main").inner_text()


def test_manager_sees_cost_and_profit(live_server, page):
    _, customer, order = _sale(live_server)
    live_server.log_in(page, live_server.create_user("manager"))
    page.goto(live_server.url_for("orders.detail", order_id=order.id))
    # Profit 25.00 − 14.00 = 11.00; margin 11 / 25 = 44.0 %.
    assert page.locator("tfoot td.num").all_inner_texts() == ["25.00", "14.00", "11.00", "44.0 %"]
    page.goto(live_server.url_for("customers.detail", customer_id=customer.id))
    assert "11.00" in page.locator(".figure-value").all_inner_texts()


def test_marketing_sees_customers_not_orders(live_server, page, screenshot):
    _, customer, order = _sale(live_server)
    live_server.log_in(page, live_server.create_user("marketing"))
    navigation = page.locator("nav .nav-link").all_inner_texts()
    assert navigation == ["Dashboard", "Customers", "Products"]
    assert page.goto(live_server.url_for("orders.index")).status == 403
    assert page.goto(live_server.url_for("orders.detail", order_id=order.id)).status == 403
    page.goto(live_server.url_for("customers.detail", customer_id=customer.id))
    assert page.get_by_role("link", name="New order").count() == 0
    assert page.get_by_role("link", name="Edit").count() == 0
    # No Orders card, no order entries on the timeline, no link that would answer 403.
    assert page.locator("#customer-orders").count() == 0
    assert page.locator(".figure-label").all_inner_texts() == []
    assert page.locator(".timeline [data-kind=order]").count() == 0
    assert page.locator("a[href*='/orders/']").count() == 0
    assert order.number not in page.locator("main").inner_text()
    screenshot("core-customer-as-marketing")
    page.goto(live_server.url_for("customers.index"))
    assert "Last order" not in page.locator("thead").inner_text()


def test_a_salesperson_sells_in_their_own_name(live_server, page):
    seller, customer, _ = _sale(live_server)
    live_server.create_user("sales", name="Other Seller")
    live_server.log_in(page, seller)
    page.goto(live_server.url_for("orders.create", customer=customer.id))
    options = page.get_by_label("Salesperson").locator("option").all_inner_texts()
    assert options == ["Sam Seller"]


def test_the_timeline_shows_the_latest_30_events(live_server, page, screenshot):
    manager = live_server.create_user("manager")
    customer = live_server.create_customer(name="Busy Bistro")
    product = live_server.create_product()
    for _ in range(32):
        live_server.create_order(customer, manager, [(product, 1)])
    live_server.log_in(page, manager)

    page.goto(live_server.url_for("customers.detail", customer_id=customer.id))
    assert page.locator("ul.timeline > li").count() == 30
    expect(page.get_by_text("The latest 30 of 32 in the last year are shown.")).to_be_visible()
    screenshot("core-customer-timeline")
    page.get_by_text("The latest 30 of 32").get_by_role("link", name="Show everything").click()
    assert page.locator("ul.timeline > li").count() == 32
    assert page.get_by_text("The latest 30").count() == 0


def test_a_refund_through_the_page_leaves_the_net_after_refunds(live_server, page, screenshot):
    seller = live_server.create_user("sales", name="Sam Seller")
    customer = live_server.create_customer(name="Ada", owner_id=seller.id)
    jam = live_server.create_product(list_price="12.50", unit_cost="7.00", sku="JAM-1")
    salt = live_server.create_product(list_price="4.00", unit_cost="1.00", sku="SALT-1")
    # 2 × 12.50 = 25.00 (cost 14.00) + 3 × 4.00 = 12.00 (cost 3.00): sold 37.00, cost 17.00.
    order = live_server.create_order(customer, seller, [(jam, 2), (salt, 3)])
    live_server.log_in(page, live_server.create_user("manager"))
    page.goto(live_server.url_for("orders.detail", order_id=order.id))
    page.get_by_label("Refund line 2").check()
    page.get_by_role("button", name="Refund ticked lines").click()
    page.get_by_text("Total after refunds").wait_for()
    sold, refunded, net = (
        page.locator(f'tfoot tr[data-total="{name}"] td.num').all_inner_texts()
        for name in ("sold", "refunded", "net")
    )
    assert sold == ["37.00", "17.00", "20.00", "54.1 %"]
    assert refunded == ["-12.00", "-3.00", "-9.00"]
    # Kept: the jam, 25.00 net, 14.00 cost, 11.00 profit, 44.0 %.
    assert net == ["25.00", "14.00", "11.00", "44.0 %"]
    screenshot("core-order-refunded")
    page.goto(live_server.url_for("orders.index"))
    cell = page.locator("tbody tr", has_text=order.number).locator("td.num").last
    assert cell.inner_text().split() == ["25.00", "12.00", "refunded"]
    screenshot("core-orders-refunded")
