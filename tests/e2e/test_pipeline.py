"""Pipeline in a real browser: a salesperson drags a deal across the board, logs a follow-up, makes
the order from it and confirms it, and the deal is won; a manager reads the funnel; the board fits
a phone.

The book: Sam sells to Cara One; "Jam for Cara" is 3 × JAM at 10.00 = 30.00 and "Oil for Cara"
5 × OIL at 8.00 = 40.00, both opened in Prospecting (10 %).
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from tests.e2e.layout import sideways_overflow, wait_for_charts

pytestmark = pytest.mark.plugins("pipeline")


def _book(live_server):
    """Sam, his customer Cara One, and two deals in Prospecting; returns (sam, ids)."""
    from core.models import Customer, Product, User
    from plugins.pipeline import deals
    from plugins.pipeline import stages as stage_records

    sam = live_server.create_user("sales", name="Sam Seller", email="sam@example.com")
    cara = live_server.create_customer(name="Cara One", channel="web", owner_id=sam.id)
    jam = live_server.create_product(sku="JAM", name="Jam", list_price="10.00", unit_cost="6.00")
    oil = live_server.create_product(sku="OIL", name="Oil", list_price="8.00", unit_cost="3.00")
    with live_server.data() as session:
        seller = session.get(User, sam.id)
        customer = session.get(Customer, cara.id)
        jam_deal = deals.open_deal(
            deals.DealInput(
                title="Jam for Cara",
                owner=seller,
                customer=customer,
                lines=[deals.LineInput(session.get(Product, jam.id), Decimal("3"))],
            ),
            seller,
        )
        oil_deal = deals.open_deal(
            deals.DealInput(
                title="Oil for Cara",
                owner=seller,
                customer=customer,
                lines=[deals.LineInput(session.get(Product, oil.id), Decimal("5"))],
            ),
            seller,
        )
        ids = {stage.name: stage.id for stage in stage_records.all_stages()}
        ids.update(jam=jam_deal.id, oil=oil_deal.id)
    return sam, ids


def test_drag_follow_up_win_by_order_and_read_the_funnel(live_server, page, new_page, screenshot):
    from core.models import Order
    from plugins.pipeline.models import FollowUp, Opportunity, OpportunityOrder, StageMove

    sam, ids = _book(live_server)
    live_server.log_in(page, sam)
    page.goto(live_server.url_for("pipeline.board"))
    prospecting = page.locator(f'.pipeline-drop[data-stage-id="{ids["Prospecting"]}"]')
    engaging = page.locator(f'.pipeline-drop[data-stage-id="{ids["Engaging"]}"]')
    expect(prospecting).to_contain_text("Jam for Cara")
    expect(engaging).to_contain_text("No deals here.")
    screenshot("pipeline-board-before")

    # A real HTML5 drag of the card onto the Engaging column: board.js submits its move form.
    prospecting.locator(".pipeline-card", has_text="Jam for Cara").drag_to(engaging)
    expect(engaging.locator(".pipeline-card", has_text="Jam for Cara")).to_be_visible()
    expect(prospecting).not_to_contain_text("Jam for Cara")
    expect(prospecting).to_contain_text("Oil for Cara")
    screenshot("pipeline-board-after-drag")
    with live_server.data() as session:
        deal = session.get(Opportunity, ids["jam"])
        assert (deal.stage_id, deal.probability) == (ids["Engaging"], Decimal("0.4000"))
        moves = session.scalars(
            select(StageMove).where(StageMove.opportunity_id == ids["jam"]).order_by(StageMove.id)
        ).all()
        assert [(m.from_stage_id, m.to_stage_id, m.user_id) for m in moves] == [
            (None, ids["Prospecting"], sam.id),
            (ids["Prospecting"], ids["Engaging"], sam.id),
        ]

    # The deal page: log a follow-up; its next contact becomes the deal's next activity date.
    engaging.get_by_role("link", name="Jam for Cara").click()
    expect(page.locator("#deal-stage")).to_have_text("Engaging")
    expect(page.locator("#deal-history")).to_contain_text("Prospecting → Engaging")
    next_contact = dt.date.today() + dt.timedelta(days=3)
    follow_ups = page.locator("#follow-ups")
    follow_ups.get_by_label("Kind").select_option("visit")
    follow_ups.get_by_label("Outcome").fill("Wants three jars")
    follow_ups.get_by_label("Next contact").fill(next_contact.isoformat())
    follow_ups.get_by_label("Notes").fill("Tasted the jam at the shop; order by Friday.")
    follow_ups.get_by_role("button", name="Log follow-up").click()
    expect(page.locator("#follow-ups")).to_contain_text("Wants three jars")
    expect(page.locator("#follow-ups")).to_contain_text("Tasted the jam at the shop")
    screenshot("pipeline-deal-follow-up")
    with live_server.data() as session:
        entry = session.scalars(select(FollowUp).where(FollowUp.opportunity_id == ids["jam"])).one()
        assert (entry.kind, entry.outcome, entry.user_id) == ("visit", "Wants three jars", sam.id)
        assert entry.next_contact_on == next_contact
        assert session.get(Opportunity, ids["jam"]).next_activity_on == next_contact

    # Won means an order: make the draft from the deal, confirm it, and the deal is won.
    page.get_by_role("button", name="Make order").click()
    expect(page.get_by_text("confirm it to win the deal")).to_be_visible()
    with live_server.data() as session:
        link = session.scalars(
            select(OpportunityOrder).where(OpportunityOrder.opportunity_id == ids["jam"])
        ).one()
        order = session.get(Order, link.order_id)
        assert order.status == "draft"
        assert [(line.product.sku, line.quantity, line.unit_price) for line in order.lines] == [
            ("JAM", Decimal("3"), Decimal("10.00"))
        ]
        number = order.number
    screenshot("pipeline-draft-order")
    page.get_by_role("button", name="Confirm order").click()
    expect(page.locator("h1 .badge")).to_have_text("confirmed")
    with live_server.data() as session:
        deal = session.get(Opportunity, ids["jam"])
        assert (deal.stage_id, deal.closed_on) == (ids["Won"], dt.date.today())
        last = session.scalars(
            select(StageMove)
            .where(StageMove.opportunity_id == ids["jam"])
            .order_by(StageMove.id.desc())
        ).first()
        assert (last.from_stage_id, last.to_stage_id) == (ids["Engaging"], ids["Won"])
        assert last.note == f"Order {number} confirmed"
    page.goto(live_server.url_for("pipeline.deal", deal_id=ids["jam"]))
    expect(page.locator("#deal-stage")).to_have_text("Won")
    expect(page.locator("#deal-orders")).to_contain_text(f"{number} · confirmed")
    expect(page.locator("#deal-history")).to_contain_text(
        f"Engaging → Won · Order {number} confirmed"
    )
    screenshot("pipeline-deal-won")
    page.goto(live_server.url_for("pipeline.board"))
    expect(page.locator("#pipeline-board")).not_to_contain_text("Jam for Cara")  # off the board

    # The manager's funnel: Oil (40.00 at 10 % = 4.00) still in Prospecting; the won jam deal
    # passed through Prospecting and Engaging and counts in both, and in Won.
    manager = live_server.create_user("manager", name="Mia Manager")
    other = new_page()
    live_server.log_in(other, manager)
    other.goto(live_server.url_for("pipeline.board"))
    other.locator(".nav-tabs").get_by_role("link", name="Reports").click()
    rows = other.locator("#funnel tbody tr")
    expect(rows).to_have_count(4)

    def cells(index):
        row = rows.nth(index)
        return [row.locator("th").inner_text()] + row.locator("td").all_inner_texts()

    assert [cells(index) for index in range(4)] == [
        ["Prospecting", "1", "40.00", "4.00", "1", "0"],
        ["Engaging", "0", "0.00", "0.00", "1", "0"],
        ["Won", "0", "0.00", "0.00", "1", "0"],
        ["Lost", "0", "0.00", "0.00", "0", "0"],
    ]
    expect(other.locator("#winrate")).to_contain_text("sam@example.com")
    wait_for_charts(other)
    screenshot("pipeline-reports", other)


def test_the_board_fits_a_phone(live_server, page, screenshot):
    sam, _ = _book(live_server)
    live_server.log_in(page, sam)
    page.set_viewport_size({"width": 375, "height": 800})
    page.goto(live_server.url_for("pipeline.board"))
    expect(page.locator(".pipeline-card").first).to_be_visible()
    assert sideways_overflow(page) == 0
    screenshot("pipeline-board-375")


def test_an_admin_adds_a_stage_and_it_is_a_board_column(live_server, page, screenshot):
    from plugins.pipeline import stages as stage_records
    from plugins.pipeline.models import Opportunity

    sam, ids = _book(live_server)
    admin = live_server.create_user("admin", name="Ada Admin")
    live_server.log_in(page, admin)
    page.set_viewport_size({"width": 1366, "height": 900})
    page.goto(live_server.url_for("pipeline.board"))
    page.locator(".nav-tabs").get_by_role("link", name="Stages").click()
    names = page.locator("#pipeline-stages .stage-name")
    expect(names).to_have_text(["Prospecting", "Engaging", "Won", "Lost"])
    prospecting = page.locator(f'.pipeline-stage[data-stage-id="{ids["Prospecting"]}"]')
    expect(prospecting.locator(".stage-deals")).to_have_text("2 open deals")

    # Add "Proposal" at 60 %: it goes after the last open stage; then move it up one place.
    form = page.locator("#stage-add")
    form.get_by_label("Name").fill("Proposal")
    form.get_by_label("Default probability %").fill("60")
    form.get_by_role("button", name="Add stage").click()
    expect(page.get_by_role("alert")).to_contain_text("Stage Proposal added to the board.")
    expect(names).to_have_text(["Prospecting", "Engaging", "Proposal", "Won", "Lost"])
    page.locator(".pipeline-stage", has_text="Proposal").get_by_role("button", name="Up").click()
    expect(names).to_have_text(["Prospecting", "Proposal", "Engaging", "Won", "Lost"])

    # A stage holding deals cannot be stopped: the page says why and nothing changes.
    prospecting.get_by_role("button", name="Stop using").click()
    expect(page.get_by_role("alert")).to_contain_text(
        "Nothing changed: 2 open deals are in Prospecting: move them to another stage first."
    )
    expect(prospecting.locator(".stage-inactive")).to_have_count(0)
    screenshot("pipeline-stages-1366")
    page.set_viewport_size({"width": 375, "height": 800})
    page.reload()
    expect(names).to_have_count(5)
    assert sideways_overflow(page) == 0
    screenshot("pipeline-stages-375")

    # The board has the new column in its place; a card moved there takes its 60 %.
    page.set_viewport_size({"width": 1366, "height": 900})
    page.goto(live_server.url_for("pipeline.board"))
    with live_server.data() as session:
        proposal = stage_records.stage_by_name("Proposal").id
    expect(page.locator(".pipeline-column h2")).to_have_text(
        ["Prospecting", "Proposal", "Engaging"]
    )
    column = page.locator(f'.pipeline-drop[data-stage-id="{proposal}"]')
    expect(column).to_contain_text("No deals here.")
    expect(
        page.locator(f'.pipeline-column[data-stage-id="{proposal}"] .card-header')
    ).to_contain_text("60 %")
    card = page.locator(".pipeline-card", has_text="Jam for Cara")
    card.get_by_label("Move to stage").select_option(str(proposal))
    card.get_by_role("button", name="Move").click()
    expect(column.locator(".pipeline-card", has_text="Jam for Cara")).to_be_visible()
    with live_server.data() as session:
        deal = session.get(Opportunity, ids["jam"])
        assert (deal.stage_id, deal.probability) == (proposal, Decimal("0.6000"))
    screenshot("pipeline-board-with-new-stage")
