"""The core in Simplified Chinese in a real browser: log in, customers, a customer, a new order.

The company speaks zh_CN (CNY, Asia/Shanghai), no plugins. One order for Wang Fang:

    2 × "Green tea 250 g" at 1,234.50 → net 2,469.00; cost 2 × 800.00 = 1,600.00;
    profit 869.00; margin 869.00 / 2,469.00 = 35.2 %
"""

from __future__ import annotations

from playwright.sync_api import expect

from core.models import Order

WIDE = {"width": 1366, "height": 900}
TEA = {"sku": "TEA-1", "name": "Green tea 250 g", "list_price": "1234.50", "unit_cost": "800.00"}


def test_a_chinese_office_logs_in_finds_a_customer_and_sells(live_server_factory, page, screenshot):
    server = live_server_factory(
        plugins=[], language="zh_CN", currency="CNY", timezone="Asia/Shanghai"
    )
    seller = server.create_user("sales", name="李娜", email="lina@example.com")
    server.create_customer(
        name="Wang Fang", company="上海茶叶有限公司", city="上海", owner_id=seller
    )
    server.create_product(**TEA)
    page.set_viewport_size(WIDE)

    page.goto(server.url + "/login")
    expect(page.locator("html")).to_have_attribute("lang", "zh-CN")
    expect(page.get_by_role("heading", name="登录")).to_be_visible()
    page.get_by_label("电子邮件").fill(seller.email)
    page.get_by_label("密码").fill("password")
    screenshot("zh-login")
    with page.expect_navigation():
        page.get_by_role("button", name="登录").click()
    expect(page.get_by_text("李娜 · 销售")).to_be_visible()
    expect(page.get_by_role("heading", name="李娜，你好")).to_be_visible()

    page.get_by_role("link", name="客户", exact=True).click()
    expect(page.get_by_role("heading", name="客户")).to_be_visible()
    expect(page.get_by_role("link", name="新建客户")).to_be_visible()
    expect(page.get_by_placeholder("姓名、公司、城市、邮箱或电话（任意格式）")).to_be_visible()
    screenshot("zh-customers")

    page.get_by_role("link", name="Wang Fang").click()
    expect(page.get_by_text("联系方式", exact=True)).to_be_visible()
    expect(page.get_by_text("暂无订单。").first).to_be_visible()
    screenshot("zh-customer")

    page.get_by_role("link", name="新建订单").click()
    expect(page.get_by_role("heading", name="为 Wang Fang 新建订单")).to_be_visible()
    page.get_by_label("产品 1").select_option(label="TEA-1 · Green tea 250 g (1,234.50)")
    page.get_by_label("数量 1").fill("2")
    screenshot("zh-order-form")
    page.get_by_role("button", name="保存并确认").click()
    page.get_by_text("订单 SO-000001 已保存为“已确认”。").wait_for()
    order = server.get(Order, 1)
    day = order.order_date
    expect(page.get_by_text(f"{day.year}年{day.month}月{day.day}日").first).to_be_visible()
    totals = page.locator("tfoot td.num").all_inner_texts()
    assert totals == ["2,469.00", "1,600.00", "869.00", "35.2%"]
    expect(page.get_by_text("合计（CNY）")).to_be_visible()
    screenshot("zh-order")

    # An empty order is refused in Chinese and nothing is saved.
    page.goto(server.url + f"/orders/new?customer={order.customer_id}")
    page.get_by_role("button", name="存为草稿").click()
    expect(page.get_by_text("订单未保存：订单至少需要一行。")).to_be_visible()
    with server.data() as session:
        assert session.query(Order).count() == 1
