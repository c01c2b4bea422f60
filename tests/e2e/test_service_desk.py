"""The service desk in a real browser: caller lookup, a complaint on the last order, resolution, survey."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from core.models import OutboxMessage
from plugins.service_desk.models import Survey, Ticket
from tests.e2e.layout import chart_label_overlaps, chart_labels

pytestmark = pytest.mark.plugins("service_desk")


def test_complaint_from_a_phone_call_to_a_rating(live_server, page, new_page, screenshot):
    agent = live_server.create_user("support", name="Sue Support")
    ada = live_server.create_customer(
        name="Ada Lovelace", phone="+49 30 1234567", email="ada@example.com", city="Berlin"
    )
    jam = live_server.create_product(
        sku="JAM-1", name="Apricot jam", list_price="4.50", unit_cost="2.00"
    )
    live_server.create_order(
        ada, None, [(jam, 2)], order_date=dt.date.today() - dt.timedelta(days=20)
    )
    last = live_server.create_order(
        ada, None, [(jam, 6)], order_date=dt.date.today() - dt.timedelta(days=2)
    )
    live_server.log_in(page, agent)

    # The caller's number comes in another format than the one on file.
    page.get_by_role("button", name="Service desk").click()  # the plugin's menu
    page.get_by_role("link", name="Caller lookup").click()
    page.get_by_label("Phone, name or e-mail").fill("030 / 123 45 67")
    page.get_by_role("button", name="Look up").click()
    caller = page.locator("#caller")
    caller.wait_for()
    expect(caller.get_by_text("Ada Lovelace")).to_be_visible()
    expect(page.get_by_text(last.number)).to_be_visible()
    expect(page.get_by_text("27.00")).to_be_visible()  # 6 × 4.50
    screenshot("service_desk-lookup")

    # The orders are newest first: the first "Complaint" button is the last order's.
    page.get_by_role("link", name="Complaint").first.click()
    assert page.get_by_label("Order").input_value() == str(last.id)
    assert page.get_by_label("Type").input_value() == "complaint"
    page.get_by_label("Category").select_option("Damaged goods")
    page.get_by_label("Subject").fill("Two jars arrived broken")
    page.get_by_label("What the customer says").fill(
        "The parcel was crushed; two of six jars broke."
    )
    screenshot("service_desk-new-ticket")
    page.get_by_role("button", name="Open ticket").click()
    page.get_by_text("opened.").wait_for()
    expect(page.get_by_role("heading", name=re.compile("Two jars arrived broken"))).to_be_visible()
    expect(page.locator("#customer").get_by_text(last.number)).to_be_visible()

    page.get_by_label("Message", exact=True).fill("We are sending two new jars today.")
    page.get_by_role("button", name="Send").click()
    page.get_by_text("Reply sent.").wait_for()
    page.get_by_role("button", name="Resolve").click()
    page.get_by_text("is now resolved").wait_for()
    expect(page.locator("[data-state=resolved]").first).to_be_visible()
    screenshot("service_desk-ticket-resolved")

    with live_server.data() as session:
        ticket = session.scalars(select(Ticket)).one()
        assert (ticket.kind, ticket.order_id, ticket.state) == ("complaint", last.id, "resolved")
        mail = session.scalars(
            select(OutboxMessage).where(OutboxMessage.subject.like("How did we do%"))
        ).one()
        assert mail.to_address == "ada@example.com"
        path = re.search(r"/service_desk/survey/\S+", mail.body).group(0)

    # The customer opens the link from the mail: no login.
    customer_page = new_page()
    customer_page.goto(live_server.url + path)
    customer_page.get_by_label("4 – good").check()
    customer_page.get_by_label("Anything you want to tell us?").fill("Quick, thank you.")
    screenshot("service_desk-survey", customer_page)
    customer_page.get_by_role("button", name="Send my rating").click()
    customer_page.get_by_text("Your rating has been recorded.").wait_for()
    customer_page.goto(live_server.url + path)
    expect(customer_page.get_by_text("already been answered")).to_be_visible()
    screenshot("service_desk-survey-used", customer_page)

    with live_server.data() as session:
        survey = session.scalars(select(Survey)).one()
        assert (survey.rating, survey.comment, survey.agent_id) == (
            4,
            "Quick, thank you.",
            agent.id,
        )

    page.reload()
    expect(page.get_by_text("Customer rated 4/5: Quick, thank you.")).to_be_visible()


def test_queues_reports_and_teams_with_a_history(live_server, page, screenshot):
    """A manager's pages on believable data (the plugin's demo data on a small shop)."""
    import random

    from plugins.service_desk.demo import seed

    manager = live_server.create_user("manager", name="Mona Manager")
    live_server.create_user("support", name="Sue Support")
    live_server.create_user("support", name="Sid Support")
    jam = live_server.create_product(
        sku="JAM-1", name="Apricot jam", list_price="4.50", unit_cost="2.00"
    )
    customers = [live_server.create_customer(name=f"Customer {number:02d}") for number in range(40)]
    for number, customer in enumerate(customers):
        live_server.create_order(
            customer,
            None,
            [(jam, 1 + number % 4)],
            order_date=dt.date.today() - dt.timedelta(days=number * 9),
        )
    with live_server.data() as session:
        seed(session, random.Random(5))
    live_server.log_in(page, manager)
    assert chart_label_overlaps(page) == []  # the breach rate per team widget
    screenshot("service_desk-dashboard")
    page.goto(live_server.url_for("service_desk.index", queue="all"))
    assert page.locator("#bulk-assign tbody tr").count() > 0
    first_row = page.locator("#bulk-assign tbody tr").first
    first_row.locator("input[name=ticket_ids]").check()
    other = "Sid Support" if "Sue Support" in first_row.inner_text() else "Sue Support"
    page.get_by_label("Assign to").select_option(label=f"{other} (support)")
    screenshot("service_desk-queue")
    page.get_by_role("button", name="Assign ticked tickets").click()
    page.get_by_text("1 ticket changed.").wait_for()
    page.goto(
        live_server.url_for("service_desk.process_report")
        + "?from="
        + (dt.date.today() - dt.timedelta(days=540)).isoformat()
    )
    expect(page.locator("#longest-step .chart")).to_be_visible()
    screenshot("service_desk-process")
    page.goto(live_server.url_for("service_desk.sla_report"))
    assert "Front desk" in chart_labels(page)  # each team with its breach rate
    assert chart_label_overlaps(page) == []
    screenshot("service_desk-sla-report")
    page.goto(
        live_server.url_for("service_desk.satisfaction_report")
        + "?by=team&from="
        + (dt.date.today() - dt.timedelta(days=540)).isoformat()
    )
    screenshot("service_desk-csat")
    page.goto(live_server.url_for("service_desk.teams"))
    expect(page.get_by_text("members only")).to_be_visible()
    screenshot("service_desk-teams")
    page.get_by_role("link", name="Escalations").click()
    expect(page.get_by_label("Restricted", exact=False)).to_be_checked()
    screenshot("service_desk-team-form")
    page.goto(live_server.url_for("service_desk.lookup", q="customer 1"))
    assert page.locator("#matches .list-group-item").count() == 10
    screenshot("service_desk-lookup-matches")
    page.goto(live_server.url_for("service_desk.lookup", q="0171 9999999"))
    page.get_by_role("link", name="Ticket for a new contact").click()
    assert page.get_by_label("Contact phone").input_value() == "0171 9999999"
    screenshot("service_desk-new-contact")
    with live_server.data() as session:
        ticket = session.scalars(
            select(Ticket).where(Ticket.customer_id.is_not(None)).order_by(Ticket.id)
        ).first()
        customer_id = ticket.customer_id
    page.goto(live_server.url_for("customers.detail", customer_id=customer_id))
    expect(page.locator("[data-plugin=service_desk]")).to_be_visible()
    screenshot("service_desk-customer-panel")


def test_a_chinese_agent_reads_a_ticket_in_chinese(live_server, page, screenshot):
    """Support staff who chose 简体中文 read the ticket, its clocks and its history in Chinese."""
    from core.models import Customer, User
    from plugins.service_desk.tickets import NewTicket, add_message, open_ticket

    agent = live_server.create_user("support", name="王芳", language="zh_CN")
    customer = live_server.create_customer(
        name="张伟", phone="+86 138 0013 8000", email="zhang@example.cn", city="上海"
    )
    with live_server.data() as session:
        by = session.get(User, agent.id)
        ticket = open_ticket(
            NewTicket(
                kind="complaint",
                channel="phone",
                subject="两罐果酱破损",
                description="包裹被压坏，六罐中有两罐破了。",
                customer=session.get(Customer, customer.id),
                category="Damaged goods",
                assignee=by,
            ),
            by,
        )
        add_message(ticket, "reply", "我们今天给您补寄两罐新的。", by)
        add_message(ticket, "note", "已联系快递公司索赔。", by)
        ticket_id = ticket.id
    live_server.log_in(page, agent)
    page.goto(live_server.url_for("service_desk.ticket", ticket_id=ticket_id))
    expect(page.get_by_role("heading", name=re.compile("两罐果酱破损"))).to_be_visible()
    expect(page.locator("#sla").get_by_text("首次响应")).to_be_visible()
    expect(page.locator("#conversation").get_by_text("内部备注").first).to_be_visible()
    expect(page.locator("#history").get_by_text("已回复客户")).to_be_visible()
    expect(page.get_by_role("button", name="标记为已解决")).to_be_visible()
    expect(page.locator("html")).to_have_attribute("lang", "zh-CN")
    screenshot("service_desk-ticket-zh_CN")
