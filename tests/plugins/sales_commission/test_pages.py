"""Product grades, leaderboard, rules page, split page, customer panel and dashboard widgets."""

import datetime as dt
import re
from decimal import Decimal

from sqlalchemy import select

from core import dates
from plugins.sales_commission.models import Entry, RuleVersion, Split

D = Decimal


def row_of(page, marker):
    """The text of the table row carrying a data attribute."""
    match = re.search(rf"<tr[^>]*{re.escape(marker)}[^>]*>(.*?)</tr>", page, re.S)
    assert match, marker
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", match.group(1))).strip()


def test_product_grades_say_what_to_push(client, login_as, make_product):
    make_product("100.00", "50.00", sku="TRUF", name="Truffle oil")
    make_product("10.00", "7.00", sku="OLIV", name="Olive oil")
    make_product("20.00", "21.00", sku="SAFF", name="Saffron")
    login_as("sales")
    page = client.get("/sales_commission/products").get_data(as_text=True)
    # TRUF: margin 50 % → A 8 %; keeps A while 1 − 50 / (100 × 0.60) = 16.67 % → 16.6 % (rounded down).
    assert row_of(page, 'data-sku="TRUF"') == (
        "TRUF Truffle oil General 100.00 50.00 50.0 % A 8 % up to 16.6 %"
    )
    # OLIV: 30 % → B; keeps B up to 1 − 7 / (10 × 0.80) = 12.5 %.
    assert row_of(page, 'data-sku="OLIV"').endswith("30.0 % B 5 % up to 12.5 %")
    assert row_of(page, 'data-sku="SAFF"').endswith("-5.0 % none – –")
    # Highest margin first by default; the grade filter works in SQL.
    assert page.index("TRUF") < page.index("OLIV") < page.index("SAFF")
    only_b = client.get("/sales_commission/products?grade=B").get_data(as_text=True)
    assert "OLIV" in only_b and "TRUF" not in only_b
    none = client.get("/sales_commission/products?grade=none").get_data(as_text=True)
    assert "SAFF" in none and "OLIV" not in none
    assert "Profit per grade" not in page  # managers only


def test_managers_see_profit_per_grade(client, login_as, make_staff, make_product, make_order):
    seller = make_staff("sales")
    today = dates.today()
    make_order(
        salesperson=seller,
        lines=[(make_product("100.00", "50.00"), 1), (make_product("10.00", "7.00"), 2)],
        order_date=today,
    )
    login_as("manager")
    page = client.get("/sales_commission/products").get_data(as_text=True)
    table = page[page.index('id="profit-by-grade"') :]
    # A: net 100.00, profit 50.00, margin 50 %, commission 8.00; B: 20.00, 6.00, 30 %, 1.00.
    assert "A 1 100.00 50.00 50.0 % 8.00" in re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", table))
    assert "B 1 20.00 6.00 30.0 % 1.00" in re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", table))


def test_the_leaderboard_ranks_by_profit_not_revenue(
    client, login_as, make_staff, make_product, make_order
):
    volume = make_staff("sales", name="Vera Volume")
    margin = make_staff("sales", name="Max Margin")
    today = dates.today()
    # Vera sells 1,000.00 at 5 % margin (profit 50.00); Max sells 200.00 at 50 % (profit 100.00).
    make_order(salesperson=volume, lines=[(make_product("100.00", "95.00"), 10)], order_date=today)
    make_order(salesperson=margin, lines=[(make_product("100.00", "50.00"), 2)], order_date=today)
    login_as(volume)
    page = client.get("/sales_commission/leaderboard").get_data(as_text=True)
    text = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", page[page.index('id="leaderboard"') :]))
    # A salesperson sees everyone's profit but only their own commission (1,000.00 × 2 % = 20.00).
    assert "1 Max Margin 200.00 100.00 50.0 %" in text
    assert "2 Vera Volume you 1,000.00 50.00 5.0 % 20.00" in text


def test_settings_page_adds_a_version_and_reaccrues(
    client, login_as, db, make_staff, make_product, make_order
):
    seller = make_staff("sales")
    order_day = dates.today()
    make_order(
        salesperson=seller, lines=[(make_product("100.00", "50.00"), 1)], order_date=order_day
    )
    login_as("admin")
    assert client.get("/sales_commission/settings").status_code == 200
    form = {
        "effective_from": order_day.isoformat(),
        "base": "profit",
        "grade_by": "line",
        "note": "Reward profit",
        "tiers-0-name": "Gold",
        "tiers-0-min_margin": "0.45",
        "tiers-0-rate": "0.10",
        "tiers-1-name": "Rest",
        "tiers-1-min_margin": "0",
        "tiers-1-rate": "0.01",
    }
    response = client.post("/sales_commission/settings", data=form, follow_redirects=True)
    assert b"New rules in force" in response.data
    # Re-accrued: profit 50.00 × 10 % = 5.00 in tier Gold.
    (entry,) = db.session.scalars(select(Entry)).all()
    assert (entry.tier, entry.amount) == ("Gold", D("5.00"))
    assert (
        db.session.scalar(select(RuleVersion.note).where(RuleVersion.effective_from == order_day))
        == "Reward profit"
    )


def test_settings_page_shows_errors_next_to_the_fields(client, login_as, db):
    login_as("admin")
    form = {
        "effective_from": "2099-01-01",
        "base": "revenue",
        "grade_by": "line",
        "tiers-0-name": "A",
        "tiers-0-min_margin": "0.20",
        "tiers-0-rate": "0.08",
        "tiers-1-name": "B",
        "tiers-1-min_margin": "0.40",
        "tiers-1-rate": "0.05",
    }
    page = client.post("/sales_commission/settings", data=form).get_data(as_text=True)
    assert "tiers[1].min_margin: thresholds must be strictly descending" in page
    assert 'name="tiers-1-min_margin" type="text" value="0.40"' in page  # what was typed stays
    assert (
        db.session.scalar(
            select(RuleVersion).where(RuleVersion.effective_from == dt.date(2099, 1, 1))
        )
        is None
    )
    form.update({"tiers-1-min_margin": "0.10", "tiers-1-rate": "1.5"})
    page = client.post("/sales_commission/settings", data=form).get_data(as_text=True)
    assert "tiers[1].rate: rate is a fraction between 0 and 1 (0.08 = 8 %), got 1.5." in page
    form.update({"tiers-1-rate": "0.05", "base": "margin"})
    page = client.post("/sales_commission/settings", data=form).get_data(as_text=True)
    assert "Not a valid choice" in page


def test_only_admins_change_the_rules(client, login_as):
    login_as("manager")
    assert client.get("/sales_commission/settings").status_code == 403
    assert client.post("/sales_commission/settings", data={}).status_code == 403


def test_a_future_version_can_be_deleted(client, login_as, db):
    from plugins.sales_commission import rules
    from plugins.sales_commission.settings import current_rules

    current_rules()
    version = rules.add_version(
        dt.date(2099, 1, 1),
        "revenue",
        "line",
        [{"name": "X", "min_margin": D("0"), "rate": D("0.01")}],
        "",
        None,
    )
    db.session.commit()
    login_as("admin")
    response = client.post(f"/sales_commission/settings/{version.id}/delete", follow_redirects=True)
    assert b"is deleted" in response.data
    assert db.session.get(RuleVersion, version.id) is None
    first = current_rules().versions[0].id
    refused = client.post(f"/sales_commission/settings/{first}/delete", follow_redirects=True)
    assert b"The first version cannot be deleted" in refused.data


def test_a_manager_splits_an_order(client, login_as, db, make_staff, make_product, make_order):
    ann, ben = make_staff("sales", name="Ann"), make_staff("sales", name="Ben")
    order = make_order(
        salesperson=ann,
        lines=[(make_product("100.00", "50.00"), 1)],
        order_date=dt.date(2026, 3, 5),
    )
    login_as("manager")
    found = client.get(f"/sales_commission/split?number={order.number}")
    assert found.status_code == 302 and found.location.endswith(f"/orders/{order.id}/split")
    page = client.get(f"/sales_commission/orders/{order.id}/split")
    assert page.status_code == 200
    bad = client.post(
        f"/sales_commission/orders/{order.id}/split",
        data={
            "shares-0-salesperson_id": ann.id,
            "shares-0-percent": "70",
            "shares-1-salesperson_id": ben.id,
            "shares-1-percent": "20",
        },
    )
    assert b"they must add up to exactly 100 %" in bad.data
    assert db.session.scalars(select(Split)).all() == []
    good = client.post(
        f"/sales_commission/orders/{order.id}/split",
        data={
            "shares-0-salesperson_id": ann.id,
            "shares-0-percent": "70",
            "shares-1-salesperson_id": ben.id,
            "shares-1-percent": "30",
        },
        follow_redirects=True,
    )
    assert b"is now split" in good.data
    # 8.00: Ben round(2.40) = 2.40, Ann 5.60.
    amounts = {entry.salesperson_id: entry.amount for entry in db.session.scalars(select(Entry))}
    assert amounts == {ann.id: D("5.60"), ben.id: D("2.40")}
    login_as(ann)
    assert client.get(f"/sales_commission/orders/{order.id}/split").status_code == 403


def test_customer_panel_and_dashboard_widgets(
    client, login_as, make_staff, make_customer, make_product, make_order
):
    seller = make_staff("sales")
    other = make_staff("sales")
    customer = make_customer(name="Ada")
    today = dates.today()
    make_order(
        customer=customer,
        salesperson=seller,
        lines=[(make_product("100.00", "50.00"), 1)],
        order_date=today,
    )
    make_order(
        customer=customer,
        salesperson=other,
        lines=[(make_product("10.00", "7.00"), 1)],
        order_date=today,
    )
    login_as(seller)
    panel = client.get(f"/customers/{customer.id}").get_data(as_text=True)
    text = re.sub(
        r"\s+", " ", re.sub(r"<[^>]+>", " ", panel[panel.index("sales-commission-panel") :])
    )
    # A salesperson sees only their own sales (docs/permissions.md): profit 50.00, not the
    # colleague's 3.00; commission 8.00, nothing paid yet.
    assert "Profit brought 50.00 Your commission 8.00 Paid 0.00" in text
    assert "Your own sales to this customer only." in text
    dashboard = client.get("/").get_data(as_text=True)
    assert "Your commission this month" in dashboard
    login_as("manager")
    manager_view = client.get("/").get_data(as_text=True)
    assert "Commission by tier this month" in manager_view
    manager_panel = client.get(f"/customers/{customer.id}").get_data(as_text=True)
    text = re.sub(
        r"\s+",
        " ",
        re.sub(r"<[^>]+>", " ", manager_panel[manager_panel.index("sales-commission-panel") :]),
    )
    assert "Profit brought 53.00 Commission 8.50 Paid 0.00" in text


def test_report_pages_make_a_fixed_number_of_queries(
    client, login_as, db, count_queries, make_staff, make_customer, make_product, make_order
):
    manager = login_as("manager")
    customer = make_customer()
    today = dates.today()

    def queries(path):
        db.session.expire_all()  # as in a fresh request
        with count_queries() as statements:
            assert client.get(path).status_code == 200
        return len(statements)

    paths = [
        "/sales_commission/products",
        "/sales_commission/leaderboard",
        f"/customers/{customer.id}",
        "/",
    ]
    make_order(
        customer=customer,
        salesperson=make_staff("sales"),
        lines=[(make_product(), 1)],
        order_date=today,
    )
    queries(paths[0])  # warm-up: the rules are seeded and cached
    before = [queries(path) for path in paths]
    for number in range(8):
        seller = make_staff("sales")
        make_order(
            customer=customer,
            salesperson=seller,
            lines=[(make_product(str(10 + number), "5.00"), 2), (make_product("10.00", "9.50"), 1)],
            order_date=today,
        )
    assert [queries(path) for path in paths] == before
    assert manager.role == "manager"
