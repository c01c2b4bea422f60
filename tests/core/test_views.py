"""The core's pages: who may open what, search, forms that keep input, fixed query counts."""

import datetime as dt
import re
from decimal import Decimal

import pytest
from sqlalchemy import func, select

from core.models import Customer, Order, Product, User

ROLES = ("admin", "manager", "sales", "support", "marketing")


def test_every_page_needs_login(app, client, make_order):
    order = make_order()
    ids = {
        "customer_id": order.customer_id,
        "order_id": order.id,
        "product_id": order.lines[0].product_id,
        "user_id": 1,
        "token": "an-upload",
    }
    checked = 0
    for rule in app.url_map.iter_rules():
        if (
            rule.endpoint in ("static", "auth.login", "bootstrap.static", "public.unsubscribe")
            or "GET" not in rule.methods
        ):
            continue
        url = rule.build({name: ids[name] for name in rule.arguments}, append_unknown=False)[1]
        response = client.get(url)
        assert response.status_code == 302 and "/login" in response.location, url
        checked += 1
    assert checked >= 14


def test_login_logout_and_safe_redirects(client, make_user):
    make_user("sales", email="sam@example.com", password="s3cret-pass")
    assert (
        b"E-mail or password is wrong"
        in client.post("/login", data={"email": "sam@example.com", "password": "nope"}).data
    )
    response = client.post(
        "/login?next=//evil.example/x",
        data={"email": "SAM@example.com ", "password": "s3cret-pass", "next": "//evil.example/x"},
    )
    assert response.status_code == 302 and response.location == "/"
    assert client.get("/customers/").status_code == 200
    assert client.post("/logout").status_code == 302
    assert client.get("/customers/").status_code == 302


def test_disabled_users_cannot_log_in(client, make_user):
    make_user("sales", email="gone@example.com", password="s3cret-pass", active=False)
    page = client.post("/login", data={"email": "gone@example.com", "password": "s3cret-pass"})
    assert b"the account is disabled" in page.data


def test_csrf_is_enforced_when_on(app, client, make_user):
    app.config["WTF_CSRF_ENABLED"] = True
    make_user("sales", email="sam@example.com", password="s3cret-pass")
    refused = client.post("/login", data={"email": "sam@example.com", "password": "s3cret-pass"})
    assert refused.status_code == 400 and b"Form expired" in refused.data
    token = (
        re.search(rb'name="csrf_token" type="hidden" value="([^"]+)"', client.get("/login").data)
        .group(1)
        .decode()
    )
    accepted = client.post(
        "/login", data={"email": "sam@example.com", "password": "s3cret-pass", "csrf_token": token}
    )
    assert accepted.status_code == 302


EXPECTED = {
    # page: roles that get 200 (the others get 403)
    "/": ROLES,
    "/customers/": ROLES,
    "/customers/new": ("admin", "manager", "sales", "support"),
    "/customers/{customer}": ROLES,
    "/customers/{customer}/edit": (
        "admin",
        "manager",
        "support",
    ),  # sales: only own/unowned customers
    "/products/": ROLES,
    "/products/new": ("admin", "manager"),
    "/products/{product}/edit": ("admin", "manager"),
    "/orders/": ("admin", "manager", "sales", "support"),
    "/orders/{order}": ("admin", "manager", "support"),  # sales: only their own orders
    "/orders/new": ("admin", "manager", "sales"),
    "/admin/users/": ("admin",),
    "/admin/users/new": ("admin",),
    "/admin/plugins": ("admin",),
    "/data/check": ("admin", "manager"),
    "/data/duplicates": ("admin", "manager"),
    "/import/": ("admin", "manager"),
}


@pytest.mark.parametrize("role", ROLES)
def test_permission_matrix(client, login_as, make_user, make_customer, make_order, role):
    owner = make_user("sales")
    customer = make_customer(owner_id=owner.id)
    order = make_order(customer=customer, salesperson=owner)
    login_as(role)
    for page, allowed in EXPECTED.items():
        url = page.format(customer=customer.id, product=order.lines[0].product_id, order=order.id)
        assert client.get(url).status_code == (200 if role in allowed else 403), (role, url)


def test_salespeople_work_on_their_own_orders_and_customers(
    client, login_as, make_user, make_customer, make_order
):
    me = login_as("sales")
    colleague = make_user("sales")
    mine = make_order(customer=make_customer(owner_id=me.id), salesperson=me)
    theirs = make_order(customer=make_customer(owner_id=colleague.id), salesperson=colleague)
    unowned = make_customer()
    assert client.get(f"/orders/{mine.id}").status_code == 200
    assert client.get(f"/orders/{theirs.id}").status_code == 403
    assert client.post(f"/orders/{theirs.id}/cancel").status_code == 403
    listing = client.get("/orders/").data.decode()
    assert mine.number in listing and theirs.number not in listing
    assert client.get(f"/customers/{mine.customer_id}/edit").status_code == 200
    assert client.get(f"/customers/{unowned.id}/edit").status_code == 200
    assert client.get(f"/customers/{theirs.customer_id}/edit").status_code == 403
    # The colleague's customer page is readable, but shows none of the colleague's orders or figures.
    page = client.get(f"/customers/{theirs.customer_id}").data.decode()
    assert theirs.number not in page and "No orders yet." in page


def test_ids_that_do_not_exist_are_404(client, login_as):
    login_as("admin")
    for url in [
        "/customers/999999",
        "/customers/abc",
        "/customers/1.5/edit",
        "/orders/999999",
        "/orders/x",
        "/products/999/edit",
        "/admin/users/77/edit",
    ]:
        assert client.get(url).status_code == 404, url
    assert client.post("/orders/999999/confirm").status_code == 404


def test_customer_search_by_phone_in_any_format_name_email_and_filters(
    client, login_as, make_customer, make_user
):
    login_as("support")
    owner = make_user("sales", name="Olga Owner")
    make_customer(
        name="Ada Lovelace",
        phone="030 1234567",
        country="DE",
        email="ada@example.com",
        channel="fair",
        tags="VIP, wholesale",
        owner_id=owner.id,
    )
    make_customer(
        name="Bob Builder",
        phone="+44 20 7946 0958",
        country="GB",
        email="bob@example.com",
        channel="web",
    )

    def names(query):
        page = client.get("/customers/?" + query).data.decode()
        return sorted(set(re.findall(r'customers/\d+">([^<]+)</a>', page)))

    for typed in ["0049 30 123 4567", "+49 (30) 1234567", "030-1234567"]:
        assert names(f"q={typed}") == ["Ada Lovelace"], typed
    # National form is read in every country the company serves (Bob makes GB one of them).
    assert names("q=020 7946 0958") == ["Bob Builder"]
    assert names("q=%2B44 20 7946 0958") == ["Bob Builder"]
    assert names("q=lovel") == ["Ada Lovelace"]
    assert names("q=BOB@EXAMPLE") == ["Bob Builder"]
    assert names("country=gb") == ["Bob Builder"]
    assert names("channel=fair") == ["Ada Lovelace"]
    assert names("region=Nowhere") == []
    assert names("tag=vip") == ["Ada Lovelace"]
    assert names(f"owner={owner.id}") == ["Ada Lovelace"]
    assert names("q=nobody") == []


def test_customers_list_sorts_and_paginates(app, client, login_as, make_customer):
    app.config["CLIENTELE"]["page_size"] = 2
    login_as("manager")
    for name in ["Carla", "anna", "Bert"]:
        make_customer(name=name)
    first = client.get("/customers/?sort=name&dir=asc").data.decode()
    assert first.index(">anna<") < first.index(">Bert<") and ">Carla<" not in first
    assert "3 in all, page 1 of 2" in first
    second = client.get("/customers/?sort=name&dir=asc&page=2").data.decode()
    assert ">Carla<" in second
    descending = client.get("/customers/?sort=name&dir=desc").data.decode()
    assert descending.index(">Carla<") < descending.index(">Bert<")
    assert client.get("/customers/?sort=nonsense&dir=sideways&page=-3").status_code == 200
    assert client.get("/customers/?page=99").status_code == 200


def test_create_customer_keeps_input_and_says_what_is_wrong(db, client, login_as):
    login_as("sales")
    page = client.post(
        "/customers/new",
        data={
            "name": "",
            "email": "not-an-email",
            "phone": "call me",
            "country": "Germani",
            "city": "Berlin",
            "owner_id": "0",
        },
    )
    text = page.data.decode()
    assert page.status_code == 200
    assert "This field is required." in text
    assert "Invalid email address." in text
    assert "&#39;call me&#39; holds no phone number" in text
    assert "&#39;Germani&#39; is not a country" in text
    assert "did you mean Germany (DE)" in text
    assert 'value="Berlin"' in text  # what was typed is kept
    assert db.session.scalar(select(func.count()).select_from(Customer)) == 0


def test_create_and_edit_customer(db, client, login_as, make_customer):
    me = login_as("sales")
    response = client.post(
        "/customers/new",
        data={
            "name": "Ada",
            "email": "ADA@Example.com",
            "phone": "030 1234567",
            "country": "Deutschland",
            "tags": "VIP, vip, wholesale",
            "owner_id": str(me.id),
            "birthday": "1990-12-10",
        },
    )
    customer = db.session.scalar(select(Customer))
    assert response.status_code == 302 and response.location == f"/customers/{customer.id}"
    assert (
        customer.email,
        customer.country,
        customer.phone_normalized,
        customer.tags,
        customer.birthday,
    ) == (
        "ada@example.com",
        "DE",
        "+49301234567",
        "vip,wholesale",
        dt.date(1990, 12, 10),
    )
    make_customer(name="Other", external_id="EXT-1")
    taken = client.post(
        f"/customers/{customer.id}/edit",
        data={"name": "Ada", "external_id": "EXT-1", "owner_id": str(me.id)},
    )
    assert b"already has this external ID" in taken.data
    someone_else = client.post(
        f"/customers/{customer.id}/edit", data={"name": "Ada", "owner_id": str(me.id + 999)}
    )
    assert b"Not a valid choice" in someone_else.data
    client.post(
        f"/customers/{customer.id}/edit",
        data={"name": "Ada L.", "city": "Paris", "owner_id": str(me.id)},
    )
    db.session.refresh(customer)
    assert (customer.name, customer.city) == ("Ada L.", "Paris")


def test_new_order_confirm_refund_and_cancel_through_the_pages(
    db, client, login_as, make_customer, make_product
):
    me = login_as("manager")
    customer = make_customer(name="Ada")
    apple = make_product(name="Apple", list_price="10.10", unit_cost="6.00")
    pear = make_product(name="Pear", list_price="2.00", unit_cost="1.50")
    assert client.get("/orders/new?q=ada").status_code == 200
    form = {
        "customer_id": str(customer.id),
        "salesperson_id": str(me.id),
        "order_date": "2026-03-02",
        "lines-0-product_id": str(apple.id),
        "lines-0-quantity": "3",
        "lines-0-discount_percent": "15",
        "lines-1-product_id": str(pear.id),
        "lines-1-quantity": "2",
        "lines-1-unit_price": "1.95",
        "confirm_now": "1",
    }
    response = client.post(f"/orders/new?customer={customer.id}", data=form)
    order = db.session.scalar(select(Order))
    assert response.status_code == 302 and order.status == "confirmed"
    # 3 × 10.10 × 0.85 = 25.755 → 25.76; 2 × 1.95 = 3.90; total 29.66. Cost 18.00 + 3.00 = 21.00.
    assert (order.net_total, order.cost_total, order.profit_total) == (
        Decimal("29.66"),
        Decimal("21.00"),
        Decimal("8.66"),
    )
    page = client.get(f"/customers/{customer.id}").data.decode()
    assert order.number in page and "29.66" in page and "8.66" in page
    client.post(
        f"/orders/{order.id}/refund",
        data={"line": [str(order.lines[1].id)], "refund_date": "2026-03-05"},
    )
    db.session.refresh(order)
    assert order.lines[1].refunded_on == dt.date(2026, 3, 5) and order.status == "confirmed"
    refused = client.post(f"/orders/{order.id}/cancel", follow_redirects=True)
    assert b"has refunded lines" in refused.data
    nothing = client.post(
        f"/orders/{order.id}/refund", data={"refund_date": "2026-03-05"}, follow_redirects=True
    )
    assert b"Tick the lines to refund." in nothing.data


def test_order_page_prints_quantities_as_typed(client, login_as, make_order, make_product):
    login_as("manager")
    product = make_product(list_price="1.00", unit_cost="0.50")
    order = make_order(
        lines=[(product, 10), (product, 20), (product, 100), (product, "0.5"), (product, "1.250")]
    )
    page = client.get(f"/orders/{order.id}").data.decode()
    cells = re.findall(r'<td class="num[^"]*">([^<]*)</td>', page)
    for quantity in ("10", "20", "100", "0.5", "1.25"):
        assert quantity in cells
    assert "E+" not in page


def test_order_totals_are_net_after_refunds_and_say_what_was_refunded(
    db, client, login_as, make_order, make_product, make_customer
):
    from core import orders

    login_as("manager")
    ada = make_customer(name="Ada")
    apple = make_product(list_price="10.00", unit_cost="6.00")
    pear = make_product(list_price="5.00", unit_cost="2.00")
    # Sold 3 × 10.00 + 2 × 5.00 = 40.00, cost 18.00 + 4.00 = 22.00, profit 18.00.
    order = make_order(ada, lines=[(apple, 3), (pear, 2)], order_date=dt.date(2026, 3, 2))
    orders.refund(order, [order.lines[1]], dt.date(2026, 3, 9))  # the pears: 10.00, cost 4.00
    db.session.commit()
    page = client.get(f"/orders/{order.id}").data.decode()

    def row(name):
        match = re.search(rf'<tr[^>]*data-total="{name}"[^>]*>(.*?)</tr>', page, re.S)
        return re.findall(r'<td class="num[^"]*">([^<]*)</td>', match.group(1))

    assert row("sold") == ["40.00", "22.00", "18.00", "45.0 %"]
    assert row("refunded") == ["-10.00", "-4.00", "-6.00"]
    # After refunds: 30.00 net, 18.00 cost, 12.00 profit, margin 12 / 30 = 40.0 %.
    assert row("net") == ["30.00", "18.00", "12.00", "40.0 %"]
    assert "Total after refunds" in page
    listing = client.get("/orders/").data.decode()
    assert re.search(r"<span data-order-net>30.00</span>.*?10.00 refunded", listing, re.S)
    customer_page = client.get(f"/customers/{ada.id}?timeline=all").data.decode()
    assert re.search(r"<span data-order-net>30.00</span>.*?10.00 refunded", customer_page, re.S)
    assert "30.00 net after 10.00 refunded" in customer_page  # the order on the timeline
    assert "10.00 net refunded" in customer_page  # the refund on the timeline
    assert "40.00" not in listing


def test_order_without_refunds_has_one_total_row(client, login_as, make_order, make_product):
    login_as("manager")
    order = make_order(lines=[(make_product(list_price="10.00", unit_cost="6.00"), 2)])
    page = client.get(f"/orders/{order.id}").data.decode()
    assert 'data-total="refunded"' not in page and "refunded</small>" not in page
    assert re.search(r'data-total="net".*?Total \(EUR\).*?20.00', page, re.S)


def test_new_order_with_bad_lines_saves_nothing(db, client, login_as, make_customer, make_product):
    me = login_as("sales")
    customer, product = make_customer(), make_product()
    base = {
        "customer_id": str(customer.id),
        "salesperson_id": str(me.id),
        "order_date": "2026-03-02",
    }
    no_lines = client.post(f"/orders/new?customer={customer.id}", data=base)
    assert b"An order needs at least one line." in no_lines.data
    no_quantity = client.post(
        f"/orders/new?customer={customer.id}", data={**base, "lines-0-product_id": str(product.id)}
    )
    assert b"Line 1: enter a quantity." in no_quantity.data
    bad_discount = client.post(
        f"/orders/new?customer={customer.id}",
        data={
            **base,
            "lines-0-product_id": str(product.id),
            "lines-0-quantity": "1",
            "lines-0-discount_percent": "150",
        },
    )
    assert b"Number must be between 0 and 100." in bad_discount.data
    assert db.session.scalar(select(func.count()).select_from(Order)) == 0


def test_products_and_users_admin(db, client, login_as):
    login_as("admin")
    client.post(
        "/products/new",
        data={
            "sku": "A-1",
            "name": "Apple",
            "category": "Fruit",
            "list_price": "10.00",
            "unit_cost": "6.00",
            "active": "y",
        },
    )
    duplicate = client.post(
        "/products/new",
        data={"sku": "A-1", "name": "Again", "list_price": "1.00", "unit_cost": "0.50"},
    )
    assert b"Another product has this SKU." in duplicate.data
    cents = client.post(
        "/products/new",
        data={"sku": "B-1", "name": "B", "list_price": "1.001", "unit_cost": "0.50"},
    )
    assert b"Use at most two decimals." in cents.data
    assert db.session.scalar(select(func.count()).select_from(Product)) == 1
    assert b"40.0 %" in client.get("/products/").data  # (10 − 6) / 10
    client.post(
        "/admin/users/new",
        data={
            "email": "New@Example.com",
            "name": "New",
            "role": "support",
            "password": "long enough",
            "active": "y",
        },
    )
    user = db.session.scalar(select(User).where(User.email == "new@example.com"))
    assert user.role == "support" and user.check_password("long enough")
    no_password = client.post(
        "/admin/users/new", data={"email": "x@example.com", "name": "X", "role": "sales"}
    )
    assert b"A new user needs a password." in no_password.data


def test_admin_cannot_demote_themselves(client, login_as):
    me = login_as("admin")
    page = client.post(
        f"/admin/users/{me.id}/edit",
        data={"email": me.email, "name": me.name, "role": "sales", "active": "y"},
    )
    assert b"You cannot take away your own admin role" in page.data


def test_customers_list_makes_a_fixed_number_of_queries(
    client, login_as, make_customer, make_order, count_queries
):
    login_as("manager")
    make_order(customer=make_customer())
    with count_queries() as few:
        client.get("/customers/")
    for _ in range(30):
        make_order(customer=make_customer())
    with count_queries() as many:
        client.get("/customers/")
    assert len(few) == len(many), (len(few), len(many))


def test_customer_page_makes_a_fixed_number_of_queries(
    client, login_as, make_customer, make_order, make_product, count_queries
):
    login_as("manager")
    product = make_product()
    small, big = make_customer(), make_customer()
    make_order(customer=small, lines=[(product, 1)])
    for day in range(1, 26):
        make_order(
            customer=big,
            lines=[(product, 1), (make_product(), 2)],
            order_date=dt.date(2026, 1, day),
        )
    with count_queries() as one_order:
        client.get(f"/customers/{small.id}")
    with count_queries() as many_orders:
        client.get(f"/customers/{big.id}")
    assert len(one_order) == len(many_orders), (len(one_order), len(many_orders))


def test_pages_send_security_headers(client, login_as):
    login_as("sales")
    headers = client.get("/customers/").headers
    assert (
        headers["X-Frame-Options"],
        headers["X-Content-Type-Options"],
        headers["Referrer-Policy"],
    ) == ("DENY", "nosniff", "same-origin")


def test_a_plugin_with_several_links_gets_one_dropdown(client, login_as, temp_plugin):
    from core.plugins import NavItem, hookimpl

    class Tools:
        @hookimpl
        def nav_items(self, user):
            return [
                NavItem("Tool one", "orders.index", None, 300),
                NavItem("Tool two", "products.index", None, 301),
            ]

    temp_plugin(Tools(), name="extra_tools")
    login_as("manager")
    page = client.get("/").data.decode()
    menu = page[page.index(">Extra tools</a>") :]
    assert (
        'class="dropdown-item" href="/orders/">Tool one' in menu
        and 'href="/products/">Tool two' in menu
    )


def test_phone_numbers_are_tel_links_in_international_form(app, client, login_as, make_customer):
    from core.views.templating import phone_link

    with app.test_request_context():
        assert phone_link("+4930947248") == (
            '<a class="text-nowrap" href="tel:+4930947248">+49 30 947248</a>'
        )
        # A number typed but not stored normalised is read in the default region (DE).
        assert phone_link("", "030 947248") == phone_link("+4930947248")
        # Not a full number: still dialable as typed, escaped.
        assert phone_link("", "ext. 12<b>") == (
            '<a class="text-nowrap" href="tel:12">ext. 12&lt;b&gt;</a>'
        )
        assert phone_link("", "", "–") == "–"
    login_as("manager")
    ada = make_customer(name="Ada Phone", phone="030 947248")
    link = '<a class="text-nowrap" href="tel:+4930947248">+49 30 947248</a>'
    assert link in client.get(f"/customers/{ada.id}").get_data(as_text=True)
    assert link in client.get("/customers/?q=Ada+Phone").get_data(as_text=True)


def test_saving_commits_the_block_or_undoes_all_of_it_and_says_why(app, db):
    """The POST unit of work every page uses: all of the block or nothing, and the reason."""
    from flask import get_flashed_messages

    from core.plugins import PluginError
    from core.views.common import saving

    with app.test_request_context("/", method="POST"):
        with saving("Nothing changed", ValueError) as saved:
            db.session.add(Product(sku="KEPT", name="Kept", list_price=1, unit_cost=1))
        assert saved
        with saving("Nothing changed", ValueError) as refused:
            db.session.add(Product(sku="GONE", name="Gone", list_price=1, unit_cost=1))
            db.session.flush()
            raise ValueError("the price is not a number")
        assert not refused
        with saving("Nothing was saved") as vetoed:
            db.session.add(Product(sku="VETO", name="Veto", list_price=1, unit_cost=1))
            raise PluginError("loyalty", "the customer is archived.")
        assert not vetoed
        assert get_flashed_messages(with_categories=True) == [
            ("error", "Nothing changed: the price is not a number"),
            ("error", "Nothing was saved: Plugin 'loyalty': the customer is archived."),
        ]
        # Not an expected refusal: a bug, and it goes up.
        with pytest.raises(KeyError), saving("Nothing changed", ValueError):
            raise KeyError("sku")
    skus = db.session.scalars(select(Product.sku).order_by(Product.sku)).all()
    assert skus == ["KEPT"]
