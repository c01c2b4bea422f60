"""Statement pages: who sees what, approval and payment through the pages, CSV, query counts."""

import csv
import datetime as dt
import io
import re

import pytest

from plugins.sales_commission.approval import statement_of

from . import scenario


@pytest.fixture
def data(db, make_staff, make_product, make_order):
    return scenario.build(make_staff, make_product, make_order)


def url(period, user):
    return f"/sales_commission/statements/{period}/{user.id}"


def test_a_salesperson_sees_only_their_own_statements(client, login_as, data):
    login_as(data.ann)
    months = client.get("/sales_commission/")
    assert months.status_code == 200
    assert b"2026-03" in months.data and b"2026-04" in months.data
    own = client.get(url(scenario.MARCH, data.ann))
    assert own.status_code == 200
    assert b"26.21" in own.data
    # Another salesperson's statement, its export and a user id that is not a number: 404.
    assert client.get(url(scenario.MARCH, data.ben)).status_code == 404
    assert client.get(url(scenario.MARCH, data.ben) + "/export.csv").status_code == 404
    assert client.get("/sales_commission/statements/2026-03/abc").status_code == 404
    assert client.get("/sales_commission/statements/2026-13/1").status_code == 404
    # Managing is refused outright.
    assert client.post(url(scenario.APRIL, data.ann) + "/approve").status_code == 403
    assert client.post("/sales_commission/periods/2026-04/recompute").status_code == 403


def test_the_statement_links_each_line_to_its_order(client, login_as, data):
    login_as(data.ann)
    page = client.get(url(scenario.MARCH, data.ann)).get_data(as_text=True)
    o1 = data.orders["O1"]
    assert f'href="/orders/{o1.id}"' in page
    assert "sold below cost" in page
    # Ann's share of the split order O3 is on her statement, linked (she sold the order).
    assert f'href="/orders/{data.orders["O3"].id}"' in page


def test_a_split_partner_sees_the_order_number_without_a_link(client, login_as, data):
    login_as(data.ben)
    page = client.get(url(scenario.MARCH, data.ben)).get_data(as_text=True)
    o3 = data.orders["O3"]
    assert 'data-order="O3"' in page
    assert f'href="/orders/{o3.id}"' not in page  # the core would answer 403: Ann sold it
    assert f'href="/orders/{data.orders["O4"].id}"' in page


def test_statement_prints_quantities_as_typed(
    client, login_as, make_staff, make_product, make_order
):
    seller = make_staff("sales")
    product = make_product(list_price="10.00", unit_cost="5.00")
    make_order(
        salesperson=seller,
        lines=[(product, 10), (product, 20), (product, 100), (product, "0.5"), (product, "1.250")],
        order_date=dt.date(2026, 3, 5),
    )
    login_as(seller)
    page = client.get(url(scenario.MARCH, seller)).get_data(as_text=True)
    cells = re.findall(r'<td class="num">([^<]*)</td>', page)
    for quantity in ("10", "20", "100", "0.5", "1.25"):
        assert quantity in cells
    assert "E+" not in page
    csv_rows = list(
        csv.DictReader(
            io.StringIO(
                client.get(url(scenario.MARCH, seller) + "/export.csv").get_data(as_text=True)
            )
        )
    )
    assert [row["quantity"] for row in csv_rows] == ["10", "20", "100", "0.5", "1.25"]


def test_support_and_marketing_see_nothing(client, login_as, data):
    for role in ("support", "marketing"):
        login_as(role)
        assert client.get("/sales_commission/").status_code == 403
        assert client.get(url(scenario.MARCH, data.ann)).status_code == 403


def test_csv_export_has_one_row_per_line_adding_up_to_the_statement(client, login_as, data):
    login_as(data.ann)
    response = client.get(url(scenario.APRIL, data.ann) + "/export.csv")
    assert response.status_code == 200
    assert response.mimetype == "text/csv"
    rows = list(csv.DictReader(io.StringIO(response.get_data(as_text=True))))
    assert len(rows) == 4
    # −16.00 − 0.51 + 0.50 + 8.00 = −8.01
    assert sum(float(row["amount"]) * 100 for row in rows) == pytest.approx(-801)
    assert {row["adjustment"] for row in rows if row["order"] == "O6"} == {"yes"}


def test_a_manager_approves_and_pays_through_the_page(client, login_as, db, data):
    login_as(data.manager)
    overview = client.get("/sales_commission/?period=2026-04")
    assert overview.status_code == 200
    assert b"Ann Archer" in overview.data and b"Ben Baker" in overview.data
    response = client.post(url(scenario.APRIL, data.ann) + "/approve", follow_redirects=True)
    assert b"is approved" in response.data
    assert statement_of(data.ann.id, scenario.APRIL).status == "approved"
    # Payment: errors are shown next to the fields and nothing changes.
    bad = client.post(
        url(scenario.APRIL, data.ann) + "/pay", data={"paid_on": "2026-04-20", "reference": ""}
    )
    assert bad.status_code == 200
    text = bad.get_data(as_text=True)
    assert "cannot be dated before the month ended" in text
    assert "Enter the payment reference" in text
    assert statement_of(data.ann.id, scenario.APRIL).status == "approved"
    good = client.post(
        url(scenario.APRIL, data.ann) + "/pay",
        data={"paid_on": "2026-05-10", "reference": "Payroll 2026-05"},
        follow_redirects=True,
    )
    assert b"marked paid" in good.data
    row = statement_of(data.ann.id, scenario.APRIL)
    assert (row.status, str(row.paid_on), row.payment_reference) == (
        "paid",
        "2026-05-10",
        "Payroll 2026-05",
    )


def test_a_month_that_is_not_over_cannot_be_approved(
    client, login_as, data, make_order, make_product
):
    import datetime as dt

    from core import dates

    today = dates.today()
    make_order(salesperson=data.ann, lines=[(make_product(), 1)], order_date=today)
    login_as(data.manager)
    period = dates.period_of(today)
    response = client.post(url(period, data.ann) + "/approve", follow_redirects=True)
    assert b"is not over yet" in response.data
    assert statement_of(data.ann.id, period) is None
    assert dt.date.today() >= today.replace(day=1)


def test_approve_all_and_recompute_buttons(client, login_as, data):
    login_as(data.manager)
    recomputed = client.post("/sales_commission/periods/2026-04/recompute", follow_redirects=True)
    assert b"2026-04 was recomputed" in recomputed.data
    refused = client.post("/sales_commission/periods/2026-03/recompute", follow_redirects=True)
    assert b"approved statements never change" in refused.data
    approved = client.post("/sales_commission/periods/2026-04/approve", follow_redirects=True)
    assert b"2 statement(s) of 2026-04 approved" in approved.data


def test_statement_pages_make_a_fixed_number_of_queries(
    client, login_as, db, data, count_queries, make_order, make_product, make_staff
):
    login_as(data.manager)

    def queries(path):
        db.session.expire_all()  # as in a fresh request: nothing comes from the identity map
        with count_queries() as statements:
            assert client.get(path).status_code == 200
        return len(statements)

    statement, overview = url(scenario.APRIL, data.ann), "/sales_commission/?period=2026-04"
    queries(statement)  # warm-up: the rules are cached per app
    before = queries(statement), queries(overview)
    for number in range(12):
        seller = make_staff("sales") if number % 3 == 0 else data.ann
        make_order(
            salesperson=seller, lines=[(make_product(), 2)], order_date=scenario.day("04-20")
        )
    assert (queries(statement), queries(overview)) == before
    assert before[0] <= 8


def test_statement_csv_quotes_formulas_and_keeps_negative_amounts(db, client, login_as, data):
    from core.models import Product

    truffle = db.session.query(Product).filter_by(sku="TRUF").one()
    truffle.name = "=HYPERLINK(1)"
    db.session.commit()
    login_as(data.ann)
    text = client.get(url(scenario.APRIL, data.ann) + "/export.csv").get_data(as_text=True)
    rows = [row for row in csv.DictReader(io.StringIO(text)) if row["sku"] == "TRUF"]
    # The clawback of O1's TRUF line (−200.00 net, −16.00 commission) and O7 (+8.00).
    assert [(row["product"], row["line_net"], row["line_commission"]) for row in rows] == [
        ("'=HYPERLINK(1)", "-200.00", "-16.00"),
        ("'=HYPERLINK(1)", "100.00", "8.00"),
    ]
