"""The core's pages in Simplified Chinese: no string of the core's catalog left in English.

The company speaks zh_CN (no plugins, so that every English word left is the core's): each role
opens every page of the core it may open (the pages of tests/core/test_roles.py and the rest of
the core's GET pages: forms, profile, admin, import, merge, unsubscribe), with real ids.

    Rita Role (owned by Sally, sales), one confirmed order by Sally on 2026-12-02:
        1 × "Lid jar" at 1,234.50 (unit cost 1,000.00) → net 1,234.50, profit 234.50
    Rita Rolle: a second customer, to merge.
"""

from __future__ import annotations

import datetime as dt
import io
from pathlib import Path

import pytest

from core.db import db
from core.unsubscribe import unsubscribe_url
from tests.untranslated import english_left

CORE = Path(__file__).resolve().parents[2] / "core"
ROLES = ("admin", "manager", "sales", "support", "marketing")

#: The core's GET pages and the permission each needs (None: any signed-in user). The ones
#: test_roles.py checks per role (customers, orders, products, dashboard, data to check,
#: duplicates, import) and the others.
PAGES = [
    ("/", None),
    ("/profile", None),
    ("/customers/", "customers.view"),
    ("/customers/?q=nobody-at-all", "customers.view"),
    ("/customers/{customer}", "customers.view"),
    ("/customers/{customer}?timeline=all", "customers.view"),
    ("/customers/new", "customers.create"),
    ("/customers/{customer}/edit", "customers.edit"),
    ("/orders/", "orders.view"),
    ("/orders/?customer={customer}", "orders.view"),
    ("/orders/{order}", "orders.view"),
    ("/orders/{draft}", "orders.view"),
    ("/orders/new", "orders.create"),
    ("/orders/new?q=Rita", "orders.create"),
    ("/orders/new?q=nobody-at-all", "orders.create"),
    ("/orders/new?customer={customer}", "orders.create"),
    ("/products/", "products.view"),
    ("/products/?inactive=1", "products.view"),
    ("/products/new", "products.edit"),
    ("/products/{product}/edit", "products.edit"),
    ("/data/check", "customers.review"),
    ("/data/duplicates", "customers.review"),
    ("/data/merge?keep={customer}&merge={other_customer}", "customers.review"),
    ("/import/", "data.import"),
    ("{upload}", "data.import"),
    ("/admin/users/", "users.admin"),
    ("/admin/users/new", "users.admin"),
    ("/admin/users/{seller}/edit", "users.admin"),
    ("/admin/plugins", "plugins.admin"),
]


@pytest.fixture
def app(make_app):
    return make_app(plugins=[], language="zh_CN", currency="CNY", timezone="Asia/Shanghai")


@pytest.fixture
def shop(make_user, make_customer, make_product, make_order):
    seller = make_user("sales", name="Sally Seller")
    rita = make_customer(
        name="Rita Role", city="Berlin", phone="030 12", owner_id=seller.id, tags="vip"
    )
    rolle = make_customer(name="Rita Rolle", city="Berlin")
    jar = make_product(sku="LID-1", name="Lid jar", list_price="1234.50", unit_cost="1000.00")
    make_product(sku="OLD-1", name="Old jar", active=False)
    order = make_order(
        customer=rita, salesperson=seller, lines=[(jar, 1)], order_date=dt.date(2026, 12, 2)
    )
    draft = make_order(customer=rita, salesperson=seller, lines=[(jar, 2)], confirm=False)
    return {
        "seller": seller,
        "customer": rita.id,
        "other_customer": rolle.id,
        "order": order.id,
        "draft": draft.id,
        "product": jar.id,
    }


def sign_in(client, user):
    with client.session_transaction() as session:
        session["_user_id"] = user.get_id()
        session["_fresh"] = True


def upload(client):
    """An uploaded customer file waiting on its mapping page; its address."""
    response = client.post(
        "/import/",
        data={
            "kind": "customers",
            "file": (io.BytesIO("姓名,城市\nAda,Berlin\n".encode()), "k.csv"),
        },
        content_type="multipart/form-data",
    )
    assert response.status_code == 302, response.get_data(as_text=True)
    return response.location


@pytest.mark.parametrize("role", ROLES)
def test_every_core_page_a_role_may_open_is_in_chinese(role, client, make_user, shop):
    user = shop["seller"] if role == "sales" else make_user(role, name=f"{role.title()} User")
    sign_in(client, user)
    ids = {key: getattr(value, "id", value) for key, value in shop.items()}
    opened = []
    for path, permission in PAGES:
        if permission is not None and not user.can(permission):
            continue
        if path == "{upload}":
            path = upload(client)
        path = path.format(**ids)
        response = client.get(path)
        assert response.status_code == 200, (role, path)
        html = response.get_data(as_text=True)
        assert '<html lang="zh-CN">' in html, path
        left = english_left(html, CORE)
        if path == "/admin/plugins":  # the plugins' package names are names, not English
            left = [msgid for msgid in left if f'data-plugin="{msgid}"' not in html]
        assert left == [], (role, path)
        opened.append(path)
    assert "/" in opened and "/profile" in opened
    # Figures and words worked out from the shop, as a Chinese office writes them.
    if user.can("orders.view"):
        orders = client.get("/orders/").get_data(as_text=True)
        assert "2026年12月2日" in orders and "1,234.50" in orders and "已确认" in orders
        assert "草稿" in orders
    if user.can("customers.view"):
        customers = client.get("/customers/").get_data(as_text=True)
        assert "客户" in customers and "Rita Role" in customers


def test_the_order_page_in_chinese_names_the_seller_totals_and_status(client, make_user, shop):
    sign_in(client, make_user("manager"))
    page = client.get(f"/orders/{shop['order']}").get_data(as_text=True)
    assert "销售员 Sally Seller" in page
    assert "合计（CNY）" in page
    assert "1,234.50" in page and "234.50" in page  # net and profit
    assert "已确认" in page and "19.0%" in page  # margin 234.50 / 1234.50 = 19.0 %


def test_a_customer_form_error_is_in_chinese_and_nothing_is_saved(client, make_user, shop):
    sign_in(client, make_user("manager"))
    from core.models import Customer

    before = db.session.query(Customer).count()
    page = client.post("/customers/new", data={"name": "", "email": "not-an-address"})
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    assert english_left(html, CORE) == []
    assert "新建客户" in html
    assert "This field is required." not in html and "Invalid email address." not in html
    assert db.session.query(Customer).count() == before


def test_the_login_page_is_in_chinese_when_the_company_speaks_it(client):
    page = client.get("/login").get_data(as_text=True)
    assert '<html lang="zh-CN">' in page
    assert english_left(page, CORE) == []
    assert "登录" in page


def test_the_unsubscribe_page_is_in_the_companys_language(client, make_customer):
    ada = make_customer(name="Ada", email="ada@example.com")
    link = unsubscribe_url(ada.id).removeprefix("http://127.0.0.1:5000")
    page = client.get(link).get_data(as_text=True)
    assert english_left(page, CORE) == [] and "退订所有营销邮件" in page
    done = client.post(link, data={"action": "stop"}).get_data(as_text=True)
    assert english_left(done, CORE) == [] and "你已退订所有营销邮件" in done
    broken = client.get("/unsubscribe/not-a-token")
    assert broken.status_code == 400
    assert english_left(broken.get_data(as_text=True), CORE) == []


def test_error_pages_are_in_chinese(client, make_user):
    sign_in(client, make_user("marketing"))
    forbidden = client.get("/orders/")
    assert forbidden.status_code == 403
    assert "无权访问" in forbidden.get_data(as_text=True)
    missing = client.get("/customers/999999")
    assert missing.status_code == 404
    assert english_left(missing.get_data(as_text=True), CORE) == []
