"""The contract CLI (JSON shapes), the pages (filters, segments, drill-down, exports) and query counts."""

from __future__ import annotations

import io
import json

from openpyxl import load_workbook

from core.db import db

PERIOD = ["--from", "2026-01", "--to", "2026-03"]


def run(cli, *arguments):
    result = cli.invoke(args=["insights", *arguments])
    assert result.exit_code == 0, result.output
    return result.output


def test_performance_json(shop, cli):
    document = json.loads(run(cli, "performance", "--by", "category", *PERIOD, "--format", "json"))
    assert document["rows"][0] == {
        "key": "Preserves", "net": "45.76", "cost": "30.00", "profit": "15.76",
        "margin": "0.3444", "orders": 3, "customers": 3,
    }  # fmt: skip


def test_performance_per_month_json(shop, cli):
    document = json.loads(
        run(cli, "performance", "--by", "product", "--per", "month", *PERIOD, "--format", "json")
    )
    jam = [row for row in document["rows"] if row["key"] == "JAM"]
    assert jam == [
        {"key": "JAM", "month": "2026-01", "net": "29.00", "cost": "18.00", "profit": "11.00",
         "margin": "0.3793", "orders": 2, "customers": 2},
        {"key": "JAM", "month": "2026-02", "net": "16.76", "cost": "12.00", "profit": "4.76",
         "margin": "0.2840", "orders": 1, "customers": 1},
    ]  # fmt: skip


def test_cohorts_json_and_csv(shop, cli):
    document = json.loads(run(cli, "cohorts", *PERIOD, "--format", "json"))
    assert document == {
        "rows": [
            {"cohort": "2026-01", "size": 2, "active": [2, 1, 1]},
            {"cohort": "2026-02", "size": 1, "active": [1, 0]},
        ]
    }
    assert run(cli, "cohorts", *PERIOD, "--format", "csv").splitlines() == [
        "cohort,size,m0,m1,m2",
        "2026-01,2,2,1,1",
        "2026-02,1,1,0,",
    ]


def test_basket_json(shop, cli):
    document = json.loads(
        run(cli, "basket", "--level", "category", "--min-orders", "2", *PERIOD, "--format", "json")
    )
    assert document["rows"] == [
        {"a": "Oils", "b": "Preserves", "orders": 2, "support": "0.3333", "confidence": "0.5000", "lift": "1.0000"},
        {"a": "Preserves", "b": "Oils", "orders": 2, "support": "0.3333", "confidence": "0.6667", "lift": "1.0000"},
    ]  # fmt: skip


def test_bad_input_is_refused_with_a_message(shop, cli):
    result = cli.invoke(
        args=["insights", "performance", "--by", "category", "--from", "2026-03", "--to", "2026-01"]
    )
    assert result.exit_code == 2 and "before from" in result.output
    result = cli.invoke(args=["insights", "basket", "--min-orders", "0", *PERIOD])
    assert result.exit_code == 2 and "min-orders must be 1 or more" in result.output
    result = cli.invoke(args=["insights", "performance", "--by", "colour", *PERIOD])
    assert result.exit_code == 2


def test_performance_page_with_a_segment_and_a_drill_down(shop, client, login_as):
    login_as("manager")
    page = client.get(
        f"/insights/performance?by=category&from=2026-01&to=2026-03&segment=marketing:{shop.munich.id}"
    )
    body = page.data.decode()
    assert page.status_code == 200
    assert "Segment: Munich" in body and "Segment: Web" in body
    assert "20.00" in body and "45.76" not in body  # ann's jam only
    assert "data-chart" in body and "/insights/performance/orders?" in body
    orders = client.get(
        f"/insights/performance/orders?by=category&key=Preserves&from=2026-01&to=2026-03&segment=marketing:{shop.munich.id}"
    )
    text = orders.data.decode()
    assert orders.status_code == 200
    assert shop.orders["O1"].number in text and shop.orders["O4"].number not in text


def test_pages_say_what_is_wrong_with_the_filters(shop, client, login_as):
    login_as("manager")
    body = client.get("/insights/performance?from=2026-05&to=2026-01").data.decode()
    assert "The period cannot be used" in body and "is before from" in body
    body = client.get("/insights/cohorts?segment=marketing:999999").data.decode()
    assert "There is no such segment" in body
    body = client.get("/insights/basket?min_orders=none").data.decode()
    assert "Write a whole number of orders" in body and 'value="none"' in body
    assert client.get("/insights/basket?export=pdf").status_code == 404
    assert client.get("/insights/performance/orders?by=colour&key=x").status_code == 404


def test_exports(shop, client, login_as):
    login_as("manager")
    csv_text = client.get(
        "/insights/performance?by=category&from=2026-01&to=2026-03&export=csv"
    ).data.decode()
    assert csv_text.splitlines()[:2] == [
        "key,net,cost,profit,margin,orders,customers",
        "Preserves,45.76,30.00,15.76,0.3444,3,3",
    ]
    response = client.get(
        "/insights/basket?level=category&min_orders=2&from=2026-01&to=2026-03&export=xlsx"
    )
    assert response.mimetype.endswith("spreadsheetml.sheet")
    sheet = load_workbook(io.BytesIO(response.data)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0] == ("a", "b", "orders", "support", "confidence", "lift")
    assert rows[1][:3] == ("Oils", "Preserves", 2) and float(rows[1][4]) == 0.5
    cohorts = client.get("/insights/cohorts?from=2026-01&to=2026-03&export=csv").data.decode()
    assert cohorts.splitlines() == ["cohort,size,m0,m1,m2", "2026-01,2,2,1,1", "2026-02,1,1,0,"]


def test_tables_sort_and_paginate(shop, client, login_as, app):
    app.extensions["clientele"].settings["insights"]["page_size"] = 2
    login_as("manager")
    body = client.get(
        "/insights/performance?by=category&from=2026-01&to=2026-03&sort=key&dir=asc"
    ).data.decode()
    table = body.split('id="performance"')[1]
    assert table.index(">Drinks<") < table.index(">Oils<") and ">Preserves<" not in table
    assert "page 1 of 2" in body


def queries(client, count_queries, url):
    db.session.expire_all()
    with count_queries() as statements:
        assert client.get(url).status_code == 200
    return len(statements)


def test_query_counts_do_not_grow_with_the_data(
    shop, client, login_as, count_queries, make_customer, make_order
):
    login_as("manager")
    segment = f"&segment=marketing:{shop.web.id}"
    urls = [
        "/insights/performance?by=city&from=2026-01&to=2026-03" + segment,
        "/insights/performance/orders?by=city&key=Munich&from=2026-01&to=2026-03" + segment,
        "/insights/cohorts?from=2026-01&to=2026-03" + segment,
        "/insights/basket?level=product&min_orders=1&from=2026-01&to=2026-03" + segment,
        "/insights/basket/next?level=category&from=2026-01&to=2026-03" + segment,
        "/insights/prospecting?from=2026-01&to=2026-03" + segment,
    ]
    before = [queries(client, count_queries, url) for url in urls]
    import datetime as dt

    for number in range(6):
        customer = make_customer(name=f"More {number}", city="Munich", channel="web")
        make_order(
            customer, shop.sam, [(shop.jam, 1), (shop.tea, 2)], dt.date(2026, 1 + number % 3, 5)
        )
    after = [queries(client, count_queries, url) for url in urls]
    assert after == before


def test_the_cohort_chart_title_shows_one_percent_sign(shop, client, login_as):
    login_as("manager")
    body = client.get("/insights/cohorts?from=2026-01&to=2026-03").data.decode()
    assert "first order (%)" in body and "%%" not in body
