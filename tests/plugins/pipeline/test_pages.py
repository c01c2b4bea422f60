"""The pages: board (fixed query count, plain move form), deal page, forms, follow-ups, rights."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path

import pytest

from core import dates
from core.db import db as database
from plugins.pipeline import deals, followups, won
from plugins.pipeline import stages as stage_records
from plugins.pipeline.deals import DealInput, LineInput
from plugins.pipeline.models import FollowUp, Opportunity


@pytest.fixture
def sams_deal(book, db):
    deal = deals.open_deal(
        DealInput(
            "Jam for Cara",
            book.sam,
            customer=book.c1,
            lines=[LineInput(book.jam, Decimal("4"))],
            next_activity="Call back",
            next_activity_on=dates.today() - dt.timedelta(days=1),
        ),
        book.sam,
    )
    db.session.commit()
    return deal


@pytest.fixture
def sues_deal(book, db):
    deal = deals.open_deal(DealInput("Oil for Carl", book.sue, customer=book.c2), book.sue)
    db.session.commit()
    return deal


def text(response):
    return response.get_data(as_text=True)


def test_board_shows_own_deals_with_overdue_cards(client, login_as, book, sams_deal, sues_deal):
    login_as(book.sam)
    page = text(client.get("/pipeline/"))
    assert "Jam for Cara" in page and "Oil for Carl" not in page
    assert "border-danger" in page  # next activity was yesterday
    assert "board.js" in page and "<script>" not in page
    login_as(book.manager)
    page = text(client.get("/pipeline/"))
    assert "Jam for Cara" in page and "Oil for Carl" in page


def test_board_query_count_does_not_grow_with_deals(client, login_as, book, db, count_queries):
    login_as(book.manager)
    client.get("/pipeline/")

    def queries():
        with count_queries() as statements:
            assert client.get("/pipeline/").status_code == 200
        return len(statements)

    for number in range(3):
        deals.open_deal(DealInput(f"Deal {number}", book.sam, customer=book.c1), book.sam)
    db.session.commit()
    few = queries()
    for number in range(30):
        deal = deals.open_deal(DealInput(f"More {number}", book.sue, customer=book.c2), book.sue)
        if number % 2:
            deals.move(deal, stage_records.stage_by_name("Engaging"), book.sue)
    db.session.commit()
    assert queries() == few


def test_board_columns_are_paginated(client, login_as, book, db):
    for number in range(25):
        deals.open_deal(DealInput(f"Lead {number:02d}", book.sam, customer=book.c1), book.sam)
    db.session.commit()
    login_as(book.sam)
    first = text(client.get("/pipeline/"))
    assert "Lead 24" in first and "Lead 04" not in first  # 20 a column, newest first
    prospecting = stage_records.stage_by_name("Prospecting")
    second = text(client.get(f"/pipeline/?page_{prospecting.id}=2"))
    assert "Lead 04" in second and "Lead 05" not in second


def test_moving_a_card_with_the_plain_form(client, login_as, book, sams_deal):
    login_as(book.sam)
    engaging = stage_records.stage_by_name("Engaging")
    response = client.post(
        f"/pipeline/deals/{sams_deal.id}/move", data={"stage_id": engaging.id, "next": "/pipeline/"}
    )
    assert response.status_code == 302 and response.headers["Location"].endswith("/pipeline/")
    database.session.refresh(sams_deal)
    assert sams_deal.stage.name == "Engaging"
    assert [m.to_stage.name for m in deals.history(sams_deal.id)] == ["Prospecting", "Engaging"]
    # to Lost only with a reason: the board sends the user to the deal page
    lost = stage_records.stage_of_kind("lost")
    response = client.post(f"/pipeline/deals/{sams_deal.id}/move", data={"stage_id": lost.id})
    assert response.headers["Location"].endswith(f"/pipeline/deals/{sams_deal.id}#lost")
    database.session.refresh(sams_deal)
    assert sams_deal.stage.name == "Engaging"
    # an outside "next" is not followed
    response = client.post(
        f"/pipeline/deals/{sams_deal.id}/move",
        data={"stage_id": engaging.id, "next": "https://evil.example/"},
    )
    assert response.headers["Location"].endswith("/pipeline/")


def test_drag_and_drop_script_is_a_static_file():
    script = Path(__file__).resolve().parents[3] / "plugins/pipeline/static/board.js"
    assert "form.submit()" in script.read_text()


def test_deal_page_shows_history_products_and_makes_an_order(client, login_as, book, sams_deal):
    login_as(book.sam)
    page = text(client.get(f"/pipeline/deals/{sams_deal.id}"))
    assert "JAM · Jam" in page and "Prospecting" in page and "Make order" in page
    response = client.post(f"/pipeline/deals/{sams_deal.id}/order")
    assert response.status_code == 302
    [order] = won.orders_of(sams_deal.id)
    assert order.status == "draft" and order.lines[0].net_amount == Decimal("40.00")
    assert response.headers["Location"].endswith(f"/orders/{order.id}")
    client.post(f"/orders/{order.id}/confirm")
    database.session.refresh(sams_deal)
    assert sams_deal.stage.kind == "won"


def test_lose_with_a_reason_and_reopen(client, login_as, book, sams_deal):
    login_as(book.sam)
    price = stage_records.reason_named("Price")
    client.post(f"/pipeline/deals/{sams_deal.id}/lose", data={"reason_id": price.id})
    database.session.refresh(sams_deal)
    assert sams_deal.stage.kind == "lost" and sams_deal.lost_reason.name == "Price"
    assert "Price" in text(client.get(f"/pipeline/deals/{sams_deal.id}"))
    client.post(
        f"/pipeline/deals/{sams_deal.id}/move",
        data={"stage_id": stage_records.stage_by_name("Engaging").id},
    )
    database.session.refresh(sams_deal)
    assert sams_deal.stage.name == "Engaging" and sams_deal.lost_reason is None
    assert len(deals.history(sams_deal.id)) == 3


def test_new_deal_form_keeps_input_and_shows_errors(client, login_as, book, db):
    login_as(book.sam)
    assert client.get("/pipeline/deals/new").status_code == 200
    response = client.post(
        "/pipeline/deals/new",
        data={
            "title": "Spring jam",
            "customer": "nobody@example.com",
            "owner_id": book.sam.id,
            "amount": "12.345",
            "lines-0-product_id": book.jam.id,
            "lines-0-quantity": "2",
        },
    )
    assert response.status_code == 400
    page = text(response)
    assert 'value="Spring jam"' in page
    assert "Use at most two decimals." in page
    assert db.session.query(Opportunity).count() == 0
    response = client.post(
        "/pipeline/deals/new",
        data={
            "title": "Spring jam",
            "customer": "C1",
            "owner_id": book.sam.id,
            "probability_percent": "35",
            "lines-0-product_id": book.jam.id,
            "lines-0-quantity": "2",
            "lines-0-unit_price": "9.50",
        },
    )
    assert response.status_code == 302
    deal = db.session.query(Opportunity).one()
    assert deal.customer_id == book.c1.id and deal.amount == Decimal("19.00")
    assert deal.probability == Decimal("0.3500") and deal.probability_manual


def test_prospect_is_made_a_customer_in_one_step(client, login_as, book, db):
    deal = deals.open_deal(
        DealInput(
            "Fair lead",
            book.sam,
            prospect_name="Cara One",
            prospect_email="pat@example.com",
            channel="fair",
        ),
        book.sam,
    )
    db.session.commit()
    login_as(book.sam)
    page = text(client.get(f"/pipeline/deals/{deal.id}"))
    assert "may already be a customer" in page and "Cara One" in page  # same name as C1
    client.post(f"/pipeline/deals/{deal.id}/convert")
    database.session.refresh(deal)
    assert deal.customer is not None and deal.customer.email == "pat@example.com"
    assert deal.customer.channel == "fair" and deal.customer.owner_id == book.sam.id


def test_follow_ups_on_deal_and_customer_show_on_the_customer_page(
    client, login_as, book, sams_deal
):
    login_as(book.sam)
    response = client.post(
        f"/pipeline/deals/{sams_deal.id}/follow-up",
        data={"kind": "call", "outcome": "Wants samples", "notes": "Call Friday"},
    )
    assert response.status_code == 302
    response = client.post(
        f"/pipeline/customers/{book.c1.id}/follow-up", data={"kind": "visit", "notes": "Shop visit"}
    )
    assert response.status_code == 302
    page = text(client.get(f"/customers/{book.c1.id}"))
    assert "Before you call" in page and "Wants samples" in page and "Shop visit" in page
    assert "Follow-up: visit" in page  # the timeline entry
    bad = client.post(
        f"/pipeline/customers/{book.c1.id}/follow-up",
        data={"kind": "call", "next_contact_on": "2000-01-01"},
    )
    assert bad.status_code == 400 and "before the follow-up" in text(bad)
    assert database.session.query(FollowUp).count() == 2


def test_forgotten_lists_deals_and_customers_without_follow_up(client, login_as, book, db):
    with dates.clock(dt.datetime(2026, 1, 1, 12)):
        old = deals.open_deal(DealInput("Old deal", book.sam, customer=book.c1), book.sam)
        fresh = deals.open_deal(DealInput("Followed", book.sam, customer=book.c1), book.sam)
    followups.log_follow_up("call", book.sam, deal=fresh)
    db.session.commit()
    login_as(book.sam)
    page = text(client.get("/pipeline/forgotten?days=14"))
    assert old.title in page and "Followed" not in page


def test_salesperson_cannot_reach_another_salespersons_deal_by_its_id(
    client, login_as, book, sues_deal
):
    login_as(book.sam)
    engaging = stage_records.stage_by_name("Engaging")
    assert client.get(f"/pipeline/deals/{sues_deal.id}").status_code == 403
    assert client.get(f"/pipeline/deals/{sues_deal.id}/edit").status_code == 403
    assert (
        client.post(
            f"/pipeline/deals/{sues_deal.id}/move", data={"stage_id": engaging.id}
        ).status_code
        == 403
    )
    assert (
        client.post(f"/pipeline/deals/{sues_deal.id}/follow-up", data={"kind": "call"}).status_code
        == 403
    )
    assert client.post(f"/pipeline/deals/{sues_deal.id}/order").status_code == 403
    assert (
        client.post(
            f"/pipeline/customers/{book.c2.id}/follow-up", data={"kind": "call"}
        ).status_code
        == 403
    )
    assert client.get(f"/pipeline/deals/?owner={book.sue.id}").status_code == 200
    assert "Oil for Carl" not in text(client.get(f"/pipeline/deals/?owner={book.sue.id}"))
    database.session.refresh(sues_deal)
    assert sues_deal.stage.name == "Prospecting"
    assert client.get("/pipeline/deals/999999").status_code == 404
    assert client.get("/pipeline/reports").status_code == 403


@pytest.mark.parametrize(
    ("role", "board", "reports", "channels"),
    [
        ("manager", 200, 200, 200),
        ("sales", 200, 403, 403),
        ("marketing", 403, 403, 200),
        ("support", 403, 403, 403),
    ],
)
def test_role_rights(client, login_as, imported, role, board, reports, channels):
    login_as(role)
    assert client.get("/pipeline/").status_code == board
    assert client.get("/pipeline/reports").status_code == reports
    assert client.get("/pipeline/channels").status_code == channels


def test_reports_page_shows_the_funnel_and_win_rate(client, login_as, imported):
    login_as(imported.manager)
    page = text(client.get("/pipeline/reports?by=owner"))
    assert "sam@example.com" in page and "350.50" in page and "400.00" in page
    assert "data-chart" in page
    page = text(client.get("/pipeline/reports?by=owner&from=nonsense"))
    assert "is not a date" in page
    channels = text(client.get("/pipeline/channels"))
    assert "fair" in channels and "350.50" not in channels


def test_support_sees_no_follow_ups_on_the_customer_page(client, login_as, book, sams_deal, db):
    followups.log_follow_up("call", book.sam, deal=sams_deal, notes="Secret pricing talk")
    db.session.commit()
    login_as("support")
    page = text(client.get(f"/customers/{book.c1.id}"))
    assert "Secret pricing talk" not in page
