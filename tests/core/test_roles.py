"""Every role sees what docs/permissions.md says, and nothing more: one table, core and all plugins.

The shop (every plugin enabled):

    Rita Role, owned by Sally Seller (sales), one confirmed order by Sally:
        10 × "Lid jar" at 10.00 (unit cost 6.10) → net 100.00, cost 61.00, profit 39.00, margin 39.0 %
    an open ticket "Lid broken on delivery" on Rita, opened by the manager
    a staff-recorded opt-out of offers mail ("Told us at the fair")
    mail to Rita: "Your invoice INV-7" (transactional), "Spring offers for Rita" (a campaign,
    marketing), "Quote from Sally" (transactional, queued by Sally) and a birthday greeting
    "Happy birthday, Rita" (loyalty, marketing mail)
    Otto Other is a second salesperson who neither owns Rita nor sold to her.
    a deal "More lids for Rita" owned by Sally, with a follow-up call "Asked about lid colours"

Each row: role, page, the status code, strings that must appear, strings that must not.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

import pytest
from sqlalchemy import select

from core import dates
from core.db import db
from core.outbox import queue_email
from plugins.loyalty.models import Greeting
from plugins.loyalty.recompute import recompute_customers
from plugins.marketing import consent
from plugins.pipeline import deals as pipeline_deals
from plugins.pipeline import followups as pipeline_followups
from plugins.service_desk.tickets import NewTicket, open_ticket

ALL_PLUGINS = ["sales_commission", "loyalty", "service_desk", "marketing", "insights", "pipeline"]
TOPICS = ["newsletter", "offers", "events"]


@pytest.fixture
def clientele_plugins():
    return ALL_PLUGINS


@dataclass
class Shop:
    users: dict[str, object]
    customer: object
    order: object
    product: object
    deal: object


@pytest.fixture
def shop(make_user, make_customer, make_product, make_order):
    users = {
        role: make_user(role, name=f"{role.title()} User")
        for role in ("admin", "manager", "support", "marketing")
    }
    users["seller"] = make_user("sales", name="Sally Seller")
    users["other"] = make_user("sales", name="Otto Other")
    customer = make_customer(
        name="Rita Role",
        email="rita@example.com",
        country="DE",
        phone="030 12",  # no such number: kept as typed, listed on the data-to-check page
        owner_id=users["seller"].id,
    )
    product = make_product(sku="LID-1", name="Lid jar", list_price="10.00", unit_cost="6.10")
    order = make_order(
        customer=customer, salesperson=users["seller"], lines=[(product, 10)], order_date=None
    )
    open_ticket(
        NewTicket("complaint", "phone", "Lid broken on delivery", customer=customer),
        by=users["manager"],
    )
    consent.record_consent(customer, "offers", False, "staff", TOPICS, note="Told us at the fair")
    recompute_customers([customer.id], "test")
    queue_email("rita@example.com", "Your invoice INV-7", "...", customer=customer)
    queue_email(
        "rita@example.com", "Spring offers for Rita", "...", customer=customer, category="marketing"
    )
    queue_email(
        "rita@example.com", "Quote from Sally", "...", customer=customer, user=users["seller"]
    )
    greeting = queue_email(
        "rita@example.com", "Happy birthday, Rita", "...", customer=customer, category="marketing"
    )
    db.session.add(
        Greeting(
            customer_id=customer.id,
            occasion="birthday",
            occasion_on=dates.today(),
            subject="Happy birthday, Rita",
            outbox_id=greeting.id,
        )
    )
    deal = pipeline_deals.open_deal(
        pipeline_deals.DealInput("More lids for Rita", users["seller"], customer=customer),
        users["seller"],
    )
    pipeline_followups.log_follow_up(
        "call", users["seller"], deal=deal, notes="Asked about lid colours"
    )
    db.session.commit()
    assert order.lines[0].net_amount == Decimal("100.00")
    return Shop(users, customer, order, product, deal)


ROLES = ("admin", "manager", "seller", "other", "support", "marketing")
EVERYONE = ROLES

# Marker strings (worked out by hand from the shop above).
NET = "100.00"
COST = "61.00"
PROFIT = "39.00"
UNIT_COST = "6.10"
ORDERS_CARD = 'id="customer-orders"'
TICKET_BADGE = "1 open ticket"
TICKET = "Lid broken on delivery"
CONSENT_NOTE = "Told us at the fair"
COMMISSION_PANEL = 'data-plugin="sales_commission"'
VALUE_PANEL = "Profit 12 months"
VALUE_PAGE = "Profit contribution"
INVOICE_MAIL = "E-mail: Your invoice INV-7"
CAMPAIGN_MAIL = "E-mail: Spring offers for Rita"
OWN_MAIL = "E-mail: Quote from Sally"
GREETING = "Birthday greeting"
GREETING_SUBJECT = "Happy birthday, Rita"
DEAL = "More lids for Rita"
FOLLOW_UP = "Asked about lid colours"
STAGES_TAB = 'href="/pipeline/stages"'


@dataclass(frozen=True)
class Row:
    roles: tuple[str, ...]
    page: str
    status: int = 200
    must: tuple[str, ...] = ()
    must_not: tuple[str, ...] = ()


TABLE = [
    # The customer page: panels, badges, order totals, timeline.
    Row(("admin", "manager", "seller"), "/customers/{customer}", 200,
        ("{number}", ORDERS_CARD, PROFIT, NET, TICKET_BADGE, TICKET, CONSENT_NOTE, COMMISSION_PANEL,
         VALUE_PANEL, "/orders/{order}")),
    Row(("other",), "/customers/{customer}", 200,
        ("Rita Role", ORDERS_CARD, "No orders yet.", CONSENT_NOTE),
        ("{number}", NET, PROFIT, TICKET_BADGE, TICKET, VALUE_PANEL, "/orders/{order}")),
    Row(("support",), "/customers/{customer}", 200,
        ("{number}", ORDERS_CARD, NET, TICKET_BADGE, TICKET, CONSENT_NOTE, "/orders/{order}"),
        (PROFIT, COST, "Profit", "Margin", COMMISSION_PANEL, VALUE_PANEL)),
    Row(("marketing",), "/customers/{customer}", 200,
        ("Rita Role", CONSENT_NOTE, "Marketing consent", VALUE_PANEL),
        ("{number}", ORDERS_CARD, "Net sales", "Refunded", TICKET_BADGE, TICKET, COMMISSION_PANEL,
         "/orders/", "/service_desk/tickets/")),
    # Subjects of mail sent to the customer (the timeline): managers read all, support the
    # transactional mail, marketing the marketing mail, anyone the mail they queued.
    Row(("admin", "manager"), "/customers/{customer}", 200,
        (INVOICE_MAIL, CAMPAIGN_MAIL, OWN_MAIL, GREETING_SUBJECT)),
    Row(("support",), "/customers/{customer}", 200, (INVOICE_MAIL, OWN_MAIL, GREETING),
        (CAMPAIGN_MAIL, GREETING_SUBJECT)),
    Row(("marketing",), "/customers/{customer}", 200, (CAMPAIGN_MAIL, GREETING_SUBJECT),
        (INVOICE_MAIL, OWN_MAIL)),
    Row(("seller",), "/customers/{customer}", 200, (OWN_MAIL, GREETING),
        (INVOICE_MAIL, CAMPAIGN_MAIL, GREETING_SUBJECT)),
    Row(("other",), "/customers/{customer}", 200, (GREETING,),
        (INVOICE_MAIL, CAMPAIGN_MAIL, OWN_MAIL, GREETING_SUBJECT, "Quote")),
    # The customers list: order counts only for those who see orders (sales: their own).
    Row(("admin", "manager", "seller", "support"), "/customers/", 200,
        ("Rita Role", "Last order", TICKET_BADGE)),
    Row(("other",), "/customers/", 200, ("Rita Role", "Last order"), (TICKET_BADGE,)),
    Row(("marketing",), "/customers/", 200, ("Rita Role",), ("Last order", TICKET_BADGE)),
    # Orders: support sees net amounts, never cost, profit or margin.
    Row(("admin", "manager", "seller"), "/orders/{order}", 200, (NET, COST, PROFIT, UNIT_COST)),
    Row(("support",), "/orders/{order}", 200, (NET, "{number}"), (COST, PROFIT, UNIT_COST, "Margin")),
    Row(("other", "marketing"), "/orders/{order}", 403),
    Row(("admin", "manager", "seller", "support"), "/orders/", 200, ("{number}",)),
    Row(("other",), "/orders/", 200, (), ("{number}",)),
    Row(("marketing",), "/orders/", 403),
    Row(("marketing",), "/orders/?customer={customer}", 403),
    # Products: support sees no unit cost or list margin.
    Row(("admin", "manager", "seller", "marketing"), "/products/", 200, ("Lid jar", UNIT_COST)),
    Row(("support",), "/products/", 200, ("Lid jar", "10.00"), (UNIT_COST, "List margin")),
    # Dashboard: figures by role.
    Row(("admin", "manager"), "/", 200, ("This month", "Profit", "Recent orders", "{number}")),
    Row(("seller",), "/", 200, ("Your sales", "Profit", "{number}", "Your commission this month")),
    Row(("other",), "/", 200, ("Your sales",), ("{number}",)),
    Row(("support",), "/", 200, ("This month", NET, "{number}"), ("Profit", "Commission")),
    Row(("marketing",), "/", 200, (), ("This month", "Recent orders", "{number}", "Profit",
                                     "Commission")),
    # Service desk: caller lookup, queue CSV; marketing sees no tickets.
    Row(("admin", "manager", "seller", "support"), "/service_desk/lookup?q=Rita", 200,
        ("{number}", NET, TICKET), (PROFIT, COST)),
    Row(("other",), "/service_desk/lookup?q=Rita", 200, ("Rita Role",), ("{number}", TICKET)),
    Row(("marketing",), "/service_desk/lookup?q=Rita", 403),
    Row(("admin", "manager", "seller", "support"), "/service_desk/queue.csv?queue=all", 200,
        (TICKET,)),
    Row(("other",), "/service_desk/queue.csv?queue=all", 200, (), (TICKET,)),
    Row(("marketing",), "/service_desk/queue.csv", 403),
    Row(("marketing",), "/service_desk/tickets/{ticket}", 403),
    # Loyalty: the value pages for manager, sales (own customers) and marketing.
    Row(("admin", "manager", "seller", "marketing"), "/loyalty/customers/{customer}", 200,
        (VALUE_PAGE, PROFIT)),
    Row(("other", "support"), "/loyalty/customers/{customer}", 403),
    Row(("support",), "/loyalty/", 403),
    # Commission: a statement and its CSV for its salesperson and managers only.
    Row(("admin", "manager", "seller"), "/sales_commission/statements/{period}/{seller}/export.csv",
        200, ("{number}",)),
    Row(("other",), "/sales_commission/statements/{period}/{seller}/export.csv", 404),
    # The leaderboard ranks everyone's profit (its guide); commission only one's own.
    Row(("admin", "manager"), "/sales_commission/leaderboard", 200, ("Sally Seller", PROFIT,
                                                                    "Commission")),
    Row(("seller",), "/sales_commission/leaderboard", 200, ("Sally Seller", PROFIT, ">you<")),
    Row(("support", "marketing"), "/sales_commission/leaderboard", 403),
    Row(("support", "marketing"), "/sales_commission/statements/{period}/{seller}/export.csv", 403),
    # Data to check: admins and managers; Rita's mistyped phone is listed with its reason.
    Row(("admin", "manager"), "/data/check", 200, ("Rita Role", "030 12", "(mistyped?)")),
    Row(("seller", "other", "support", "marketing"), "/data/check", 403),
    Row(("admin", "manager"), "/data/duplicates", 200, ("Possible duplicates",)),
    # The web import: admins and managers; only admins may import staff users.
    Row(("admin",), "/import/", 200, ('value="customers"', 'value="users"')),
    Row(("manager",), "/import/", 200, ('value="customers"',), ('value="users"',)),
    Row(("seller", "other", "support", "marketing"), "/import/", 403),
    Row(("seller", "other", "support", "marketing"), "/import/no-such-upload/progress", 403),
    Row(("admin", "manager"), "/import/no-such-upload/progress", 404),  # only one's own upload
    Row(("seller", "other", "support", "marketing"), "/data/duplicates", 403),
    Row(("admin", "manager"), "/data/merge?keep={customer}&merge={customer}", 302),
    Row(("seller", "other", "support", "marketing"), "/data/merge?keep={customer}&merge={customer}",
        403),
    # Marketing: segments (JSON count) for marketing and managers.
    Row(("admin", "manager", "marketing"), "/marketing/segments/count", 200, ('"count"',)),
    Row(("seller", "support"), "/marketing/segments/count", 403),
    # Insights: the reports and their exports for managers only.
    Row(("admin", "manager"), "/insights/", 200, ("Cohorts",)),
    Row(("admin", "manager"), "/insights/performance?by=product", 200, ("LID-1", NET, PROFIT)),
    Row(("admin", "manager"), "/insights/performance/orders?by=product&key=LID-1", 200,
        ("{number}", "Rita Role")),
    Row(("admin", "manager"), "/insights/performance?by=product&export=csv", 200,
        ("LID-1,100.00,61.00,39.00,0.3900,1,1",)),
    Row(("admin", "manager"), "/insights/cohorts", 200, ("Cohorts",)),
    Row(("admin", "manager"), "/insights/basket", 200, ("Bought together",)),
    Row(("admin", "manager"), "/insights/basket/next", 200, ("Bought next",)),
    Row(("seller", "other", "support", "marketing"), "/insights/basket/next?export=csv", 403),
    Row(("admin", "manager"), "/insights/prospecting", 200, ("New customers",)),
    Row(("seller", "other", "support", "marketing"), "/insights/prospecting?export=xlsx", 403),
    Row(("admin", "manager"), "/insights/profitability", 200, ("Rita Role", "Net contribution")),
    Row(("seller", "other", "support", "marketing"), "/insights/profitability", 403),
    Row(("seller", "other", "support", "marketing"), "/insights/profitability?export=csv", 403),
    Row(("admin", "manager"), "/insights/where?by=region", 200, ("Where the customers are",)),
    Row(("seller", "other", "support", "marketing"), "/insights/where?export=xlsx", 403),
    Row(("admin", "manager"), "/insights/persistence", 200, ("Returning",)),
    Row(("seller", "other", "support", "marketing"), "/insights/persistence?export=csv", 403),
    Row(("admin", "manager"), "/insights/promotion", 200, ("Acquisition channels",)),
    Row(("seller", "other", "support", "marketing"), "/insights/promotion?export=csv", 403),
    Row(("seller", "other", "support", "marketing"), "/insights/", 403),
    Row(("seller", "other", "support", "marketing"), "/insights/performance?by=product", 403),
    Row(("seller", "other", "support", "marketing"), "/insights/performance?export=xlsx", 403),
    Row(("seller", "other", "support", "marketing"),
        "/insights/performance/orders?by=product&key=LID-1", 403),
    Row(("seller", "other", "support", "marketing"), "/insights/cohorts", 403),
    Row(("seller", "other", "support", "marketing"), "/insights/basket?export=csv", 403),
    # pipeline: salespeople work on their own deals, managers on all; marketing reads counts by
    # channel; support nothing (not even the follow-ups on the customer page).
    Row(("admin", "manager", "seller"), "/pipeline/", 200, (DEAL,)),
    Row(("other",), "/pipeline/", 200, (), (DEAL,)),
    Row(("support", "marketing"), "/pipeline/", 403),
    Row(("admin", "manager", "seller"), "/pipeline/deals/", 200, (DEAL,)),
    Row(("other",), "/pipeline/deals/?owner={seller}", 200, (), (DEAL,)),
    Row(("support", "marketing"), "/pipeline/deals/", 403),
    Row(("admin", "manager", "seller"), "/pipeline/deals/{deal}", 200, (DEAL, FOLLOW_UP)),
    Row(("other", "support", "marketing"), "/pipeline/deals/{deal}", 403),
    Row(("admin", "manager", "seller"), "/pipeline/deals/{deal}/edit", 200, (DEAL,)),
    Row(("other", "support", "marketing"), "/pipeline/deals/{deal}/edit", 403),
    Row(("admin", "manager", "seller", "other"), "/pipeline/deals/new", 200),
    Row(("support", "marketing"), "/pipeline/deals/new", 403),
    Row(("admin", "manager", "seller", "other"), "/pipeline/forgotten", 200),
    Row(("support", "marketing"), "/pipeline/forgotten", 403),
    Row(("admin", "manager", "seller", "other"), "/pipeline/pool", 200, ("Pool",), (DEAL,)),
    Row(("support", "marketing"), "/pipeline/pool", 403),
    Row(("admin", "manager", "seller"), "/pipeline/customers/{customer}/follow-up", 200),
    Row(("other", "support", "marketing"), "/pipeline/customers/{customer}/follow-up", 403),
    Row(("admin", "manager"), "/pipeline/reports", 200, ("Funnel",)),
    Row(("seller", "other", "support", "marketing"), "/pipeline/reports", 403),
    Row(("admin", "manager"), "/pipeline/reports/calibration", 200, ("Calibration",)),
    Row(("seller", "other", "support", "marketing"), "/pipeline/reports/calibration", 403),
    Row(("admin", "manager", "marketing"), "/pipeline/channels", 200, ("Deals by channel",), (DEAL,)),
    Row(("seller", "other", "support"), "/pipeline/channels", 403),
    # Only admins edit the stages (pipeline.stages); the Stages tab shows for them alone.
    Row(("admin",), "/pipeline/stages", 200, ("Add an open stage", "Prospecting", "Engaging")),
    Row(("manager", "seller", "other", "support", "marketing"), "/pipeline/stages", 403),
    Row(("admin",), "/pipeline/", 200, (STAGES_TAB,)),
    Row(("manager", "seller", "other"), "/pipeline/", 200, (), (STAGES_TAB,)),
    Row(("admin", "manager", "seller"), "/customers/{customer}", 200, (FOLLOW_UP, DEAL)),
    Row(("support", "marketing"), "/customers/{customer}", 200, (), (FOLLOW_UP, DEAL)),
]  # fmt: skip


@pytest.mark.parametrize("role", ROLES)
def test_each_role_sees_what_the_guide_says(shop, client, login_as, role):
    from plugins.service_desk.models import Ticket

    ticket = db.session.query(Ticket).one()
    values = {
        "customer": shop.customer.id,
        "order": shop.order.id,
        "number": shop.order.number,
        "ticket": ticket.id,
        "period": dates.period_of(dates.today()),
        "seller": shop.users["seller"].id,
        "deal": shop.deal.id,
    }
    login_as(shop.users[role])
    rows = [row for row in TABLE if role in row.roles]
    assert rows, role
    for row in rows:
        url = row.page.format(**values)
        response = client.get(url)
        assert response.status_code == row.status, (role, url)
        text = response.get_data(as_text=True)
        for wanted in row.must:
            assert wanted.format(**values) in text, (role, url, "missing", wanted)
        for unwanted in row.must_not:
            assert unwanted.format(**values) not in text, (role, url, "shown", unwanted)


#: Every POST of the stages page, in an order an admin can run them all: Engaging (empty: the
#: deal is in Prospecting) is renamed, given 55 %, moved up and down, stopped and used again.
STAGE_POSTS = [
    ("/pipeline/stages/add", {"name": "Proposal", "probability_percent": "60"}),
    ("/pipeline/stages/{stage}/rename", {"name": "Talking"}),
    ("/pipeline/stages/{stage}/probability", {"probability_percent": "55"}),
    ("/pipeline/stages/{stage}/up", {}),
    ("/pipeline/stages/{stage}/down", {}),
    ("/pipeline/stages/{stage}/deactivate", {}),
    ("/pipeline/stages/{stage}/reactivate", {}),
]


def _stages():
    from plugins.pipeline.models import Stage

    db.session.expire_all()
    return [
        (s.id, s.name, s.position, s.probability, s.active)
        for s in db.session.scalars(select(Stage).order_by(Stage.id))
    ]


@pytest.mark.parametrize("role", ROLES)
def test_only_admins_change_the_stages(shop, client, login_as, role):
    from plugins.pipeline import stages as stage_records

    engaging = stage_records.stage_by_name("Engaging")
    before = _stages()
    login_as(shop.users[role])
    for url, data in STAGE_POSTS:
        response = client.post(url.format(stage=engaging.id), data=data)
        assert response.status_code == (302 if role == "admin" else 403), (role, url)
        if role == "admin":
            flashed = client.get("/pipeline/stages").get_data(as_text=True)
            assert "Nothing changed" not in flashed, url
    if role != "admin":
        assert _stages() == before
        return
    after = {
        name: (position, probability, active)
        for _id, name, position, probability, active in _stages()
    }
    assert after == {
        "Prospecting": (1, Decimal("0.1000"), True),
        "Talking": (2, Decimal("0.5500"), True),
        "Proposal": (3, Decimal("0.6000"), True),
        "Won": (4, Decimal("1.0000"), True),
        "Lost": (5, Decimal("0.0000"), True),
    }
