"""The service desk's hooks: badges, customer panel and timeline, dashboard, jobs, demo, segments, tiers."""

from __future__ import annotations

import datetime as dt
import random
from decimal import Decimal

import pytest
from sqlalchemy import func, select

from core.db import db
from core.jobs import collect_jobs, run_job
from core.models import Customer
from core.views.common import badge_results
from plugins.service_desk import hooks
from plugins.service_desk.models import SlaFlag, Survey, Team, Ticket
from plugins.service_desk.segments import has_open_complaint, opened_ticket_within
from plugins.service_desk.tickets import add_message, change_state

from .helpers import POLICIES, utc


def test_badges_for_a_page_of_customers_in_one_query(make_customer, make_ticket, count_queries):
    ada, bea, cid = make_customer(name="Ada"), make_customer(name="Bea"), make_customer(name="Cid")
    make_ticket(customer=ada, kind="complaint")
    make_ticket(customer=ada, kind="inquiry")
    done = make_ticket(customer=bea, kind="complaint")
    change_state(done, "resolved", None)
    db.session.commit()
    page = [ada, bea, cid]
    for customer in page:
        db.session.refresh(customer)  # loaded, as a list page has them
    with count_queries() as statements:
        badges = hooks.customer_badges(page, None)  # no user: every ticket counts
    assert len(statements) == 1
    assert [(badge.label, badge.kind) for badge in badges[ada.id]] == [
        ("2 open tickets", "info"),
        ("Open complaint", "danger"),
    ]
    assert bea.id not in badges and cid.id not in badges
    assert badge_results([ada])[ada.id][0][0] == "service_desk"


def test_customer_page_shows_the_panel_and_the_timeline(
    client, login_as, make_customer, make_ticket
):
    agent = login_as("support")
    ada = make_customer(name="Ada", email="ada@example.com")
    ticket = make_ticket(customer=ada, subject="Late parcel")
    add_message(ticket, "note", "NOTE-TEXT-NEVER-ON-TIMELINE", agent)
    add_message(ticket, "reply", "We are on it", agent)
    db.session.commit()
    page = client.get(f"/customers/{ada.id}?timeline=all").data.decode()
    assert 'data-plugin="service_desk"' in page and "Late parcel" in page
    assert f"Ticket #{ticket.id}: Opened (complaint, phone): Late parcel" in page
    assert f"Ticket #{ticket.id}: Internal note added" in page
    assert f"Ticket #{ticket.id}: Reply sent to the customer" in page
    assert "NOTE-TEXT-NEVER-ON-TIMELINE" not in page
    assert f"/service_desk/tickets/new?customer={ada.id}" in page


def test_timeline_since_and_for_other_roles(app, make_customer, make_ticket, login_as, client):
    ada = make_customer()
    make_ticket(customer=ada, now=utc("2026-01-05 08:00"))
    with app.test_request_context():
        assert len(hooks.customer_timeline(ada, None, None)) == 1
        assert hooks.customer_timeline(ada, dt.datetime(2026, 2, 1), None) == []
    login_as("marketing")
    page = client.get(f"/customers/{ada.id}?timeline=all").data.decode()
    assert "Parcel arrived broken" not in page


def test_dashboard_widgets(client, login_as, make_ticket, make_team, make_user):
    agent = login_as("support")
    make_ticket(assignee=agent, subject="Mine to do")
    page = client.get("/").data.decode()
    assert "My open tickets" in page and "Mine to do" in page
    assert "SLA breach rate per team" not in page
    manager = make_user("manager")
    team = make_team("Front desk")
    make_ticket(team=team, now=utc("2026-01-05 08:00"))
    login_as(manager)
    page = client.get("/").data.decode()
    assert "SLA breach rate per team, last 30 days" in page


def test_scheduled_jobs_run_through_the_core(app, make_ticket, make_user):
    agent = make_user("support")
    make_ticket(assignee=agent, now=utc("2026-01-05 08:00"))
    jobs = collect_jobs(app)
    assert jobs["service_desk.sla_check"].cron == "*/5 * * * *"
    assert "service_desk.auto_close" in jobs
    result = run_job(app, jobs["service_desk.sla_check"])
    assert result.status == "ok", result.error
    assert (
        db.session.scalar(
            select(func.count()).select_from(SlaFlag).where(SlaFlag.level == "breach")
        )
        == 2
    )


def test_sla_check_command(cli, make_ticket):
    make_ticket(now=utc("2026-01-05 08:00"))
    result = cli.invoke(["service_desk", "sla-check"])
    assert result.exit_code == 0, result.output
    assert "0 warning(s) sent, 2 breach(es) flagged, 0 ticket(s) closed." in result.output


def test_segment_criteria_build_set_based_sql(make_customer, make_ticket):
    ada, bea, cid = make_customer(name="Ada"), make_customer(name="Bea"), make_customer(name="Cid")
    make_ticket(customer=ada, kind="complaint", now=utc("2026-01-05 08:00"))
    old = make_ticket(customer=bea, kind="complaint", now=utc("2025-06-01 08:00"))
    change_state(old, "resolved", None, utc("2025-06-02 08:00"))
    make_ticket(customer=cid, kind="inquiry", now=utc("2026-01-04 08:00"))
    db.session.commit()

    def names(condition):
        return sorted(db.session.scalars(select(Customer.name).where(condition)))

    assert names(has_open_complaint(True)) == ["Ada"]
    assert names(~has_open_complaint(True)) == ["Bea", "Cid"]
    now = utc("2026-01-06 08:00")
    assert names(opened_ticket_within(Decimal("3"), now)) == ["Ada", "Cid"]  # 4 and 5 January
    assert names(opened_ticket_within(Decimal("1"), now)) == ["Ada"]
    with pytest.raises(ValueError, match="whole number"):
        opened_ticket_within(Decimal("1.5"))
    keys = [criterion["key"] for criterion in hooks.segment_criteria()]
    assert keys == ["service_desk.open_complaint", "service_desk.ticket_within_days"]


def test_segment_criteria_with_marketing_enabled(make_app, make_customer, make_ticket):
    from plugins.marketing.segments import Condition, Rule, collect_criteria, count_customers

    app = make_app(
        plugins=["marketing", "service_desk"], settings={"service_desk": {"sla_policies": POLICIES}}
    )
    ada, bea = make_customer(name="Ada"), make_customer(name="Bea")
    make_ticket(customer=ada, kind="complaint")
    make_ticket(customer=bea, kind="inquiry")
    catalog = collect_criteria(app.extensions["clientele"].pm, reraise=True)
    assert catalog.criteria["service_desk.open_complaint"].plugin == "service_desk"
    rule = Rule("all", (Condition("service_desk.open_complaint", True),))
    assert count_customers(rule, catalog) == 1
    rule = Rule("all", (Condition("service_desk.ticket_within_days", "7"),))
    assert count_customers(rule, catalog) == 2


def test_loyalty_tier_chooses_the_gold_policy(
    make_app, make_customer, make_product, make_order, make_ticket
):
    app = make_app(
        plugins=["service_desk", "loyalty"], settings={"service_desk": {"sla_policies": POLICIES}}
    )
    names = app.extensions["clientele"].names
    assert names.index("service_desk") < names.index("loyalty")
    gold = make_customer(name="Gold buyer")
    # Profit 3000.00 in the last 12 months: Gold (2000) but not Platinum (5000) by loyalty's defaults.
    make_order(customer=gold, lines=[(make_product(list_price="5000.00", unit_cost="2000.00"), 1)])
    ticket = make_ticket(customer=gold)
    if ticket.sla_policy != "normal / Gold":
        from plugins.loyalty.segments import current_tiers

        pytest.fail(f"loyalty answered {current_tiers([gold.id])}; policy {ticket.sla_policy}")


def test_demo_data(db, make_user, make_customer, make_product, make_order):
    for role in ("support", "support", "manager"):
        make_user(role)
    customers = [make_customer(email=f"demo{number}@example.com") for number in range(20)]
    for customer in customers[5:]:  # customers of long standing; the first five joined today
        customer.created_at -= dt.timedelta(days=600)
    db.session.commit()
    product = make_product()
    for customer in customers[:10]:
        make_order(
            customer=customer,
            lines=[(product, 1)],
            order_date=dt.date.today() - dt.timedelta(days=30),
        )
    hooks.seed_demo(db.session, random.Random(7))
    db.session.commit()
    assert db.session.scalar(select(func.count()).select_from(Team)) == 3
    tickets = db.session.scalar(select(func.count()).select_from(Ticket))
    assert 8 <= tickets <= 40
    states = set(db.session.scalars(select(Ticket.state)))
    assert "closed" in states
    # The story holds: no ticket before its customer joined, no complaint about a later order.
    for ticket in db.session.scalars(select(Ticket)):
        assert ticket.created_at >= ticket.customer.created_at
        assert ticket.order is None or ticket.order.order_date <= ticket.created_at.date()
    assert db.session.scalar(select(func.count()).select_from(Survey)) > 0
    from core.models import OutboxMessage

    assert (
        db.session.scalar(select(func.count()).select_from(OutboxMessage)) == 0
    )  # no mail for the past
