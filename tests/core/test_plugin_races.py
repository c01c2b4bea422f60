"""Two people at once on the plugins' state changes: statements, tickets and campaigns.

Two real connections on PostgreSQL (marked postgres: skipped without
CLIENTELE_TEST_DATABASE_URL); the refusal of a stale row on any database.
"""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import update

from core.db import db
from core.models import User
from plugins.marketing import campaigns
from plugins.marketing.models import Campaign, Segment
from plugins.marketing.segments import Rule
from plugins.sales_commission import approval
from plugins.sales_commission.models import Statement
from plugins.service_desk.models import Ticket
from plugins.service_desk.tickets import (
    NewTicket,
    TicketError,
    change_state,
    claim,
    open_ticket,
    update_ticket,
)
from tests.core.concurrency import committed_app, two_at_once

PLUGINS = ["sales_commission", "service_desk", "marketing"]
TODAY = dt.date(2026, 12, 2)


def seed() -> dict[str, int]:
    """A manager, a salesperson with an approved October, two agents, a new ticket, a draft campaign."""
    manager = User(email="m@example.com", name="Mara Manager", role="manager")
    seller = User(email="s@example.com", name="Sam Seller", role="sales")
    agents = [User(email=f"a{n}@example.com", name=f"Agent {n}", role="support") for n in (1, 2)]
    db.session.add_all([manager, seller, *agents])
    db.session.flush()
    statement = approval.approve(seller, "2026-10", manager, TODAY)
    ticket = open_ticket(
        NewTicket(kind="inquiry", channel="phone", subject="Where is my tea?", contact_name="Ada"),
        None,
    )
    segment = Segment(name="Everyone", definition=Rule().to_json())
    campaign = Campaign(
        name="Winter", topic="offers", subject="Hello", body="Our winter tea.", segment=segment
    )
    db.session.add(campaign)
    db.session.commit()
    return {
        "manager": manager.id,
        "seller": seller.id,
        "statement": statement.id,
        "ticket": ticket.id,
        "campaign": campaign.id,
        "agent1": agents[0].id,
        "agent2": agents[1].id,
    }


@pytest.fixture
def company(tmp_path):
    with committed_app(tmp_path, "plugin_races", PLUGINS) as app:
        with app.app_context():
            if db.engine.dialect.name != "postgresql":
                pytest.skip(
                    "row locks between writers need PostgreSQL; set CLIENTELE_TEST_DATABASE_URL"
                )
            ids = seed()
        yield app, ids


def texts(outcomes):
    return [
        outcome if outcome == "ok" else f"{type(outcome).__name__}: {outcome}"
        for outcome in outcomes
    ]


@pytest.mark.postgres
def test_two_managers_marking_one_statement_paid(company):
    app, ids = company

    def pay(statement):
        approval.mark_paid(
            statement, TODAY, "payroll 12", db.session.get(User, ids["manager"]), TODAY
        )

    outcomes = two_at_once(app, lambda: db.session.get(Statement, ids["statement"]), pay)
    assert texts(outcomes) == [
        "ok",
        "ApprovalError: Someone else changed this statement a moment ago: it is paid now. "
        "Nothing changed.",
    ]


@pytest.mark.postgres
def test_two_managers_approving_one_statement(company):
    app, ids = company

    def approve(seller):
        approval.approve(seller, "2026-11", db.session.get(User, ids["manager"]), TODAY)

    outcomes = two_at_once(app, lambda: db.session.get(User, ids["seller"]), approve)
    assert texts(outcomes) == [
        "ok",
        "ApprovalError: The 2026-11 statement of Sam Seller is already approved.",
    ]


@pytest.mark.postgres
def test_two_agents_claiming_one_ticket(company):
    app, ids = company
    claimed = []

    def take(ticket):
        agent = db.session.get(User, ids["agent1" if not claimed else "agent2"])
        claimed.append(agent.id)
        claim(ticket, agent)

    outcomes = two_at_once(app, lambda: db.session.get(Ticket, ids["ticket"]), take)
    assert texts(outcomes) == [
        "ok",
        f"TicketError: Someone else changed ticket #{ids['ticket']} a moment ago (it is new "
        "now, assigned to Agent 1). Nothing changed.",
    ]
    with app.app_context():
        assert db.session.get(Ticket, ids["ticket"]).assignee_id == ids["agent1"]


@pytest.mark.postgres
def test_two_agents_opening_one_ticket(company):
    app, ids = company
    outcomes = two_at_once(
        app,
        lambda: db.session.get(Ticket, ids["ticket"]),
        lambda ticket: change_state(ticket, "open", None),
    )
    assert outcomes[0] == "ok"
    assert isinstance(outcomes[1], TicketError)
    assert "it is open now" in str(outcomes[1])


@pytest.mark.postgres
def test_two_marketers_sending_one_campaign_and_cancelling(company):
    app, ids = company

    def load():
        return db.session.get(Campaign, ids["campaign"])

    outcomes = two_at_once(
        app, load, lambda campaign: campaigns.schedule(campaign, dt.datetime(2027, 1, 1))
    )
    assert outcomes == ["ok", "ok"]  # scheduling again only moves the time: both may
    outcomes = two_at_once(app, load, campaigns.cancel)
    assert texts(outcomes) == [
        "ok",
        "CampaignError: Someone else changed the campaign a moment ago: it is cancelled now. "
        "Nothing changed.",
    ]


# Stale rows on any database (SQLite by default).


@pytest.fixture
def clientele_plugins():
    return PLUGINS


def underneath(model, row_id, **values):
    db.session.execute(
        update(model)
        .where(model.id == row_id)
        .values(**values)
        .execution_options(synchronize_session=False)
    )


def test_stale_rows_of_every_plugin_are_refused(app):
    ids = seed()
    statement = db.session.get(Statement, ids["statement"])
    underneath(Statement, statement.id, status="paid")
    with pytest.raises(approval.ApprovalError, match="it is paid now"):
        approval.mark_paid(statement, TODAY, "payroll 12", None, TODAY)

    ticket = db.session.get(Ticket, ids["ticket"])
    underneath(Ticket, ticket.id, assignee_id=ids["agent2"])
    agent = db.session.get(User, ids["agent1"])
    with pytest.raises(TicketError, match="assigned to Agent 2"):
        update_ticket(ticket, agent, assignee=agent)
    underneath(Ticket, ticket.id, state="open")
    with pytest.raises(TicketError, match="it is open now"):
        change_state(ticket, "waiting", None)

    campaign = db.session.get(Campaign, ids["campaign"])
    underneath(Campaign, campaign.id, status="sending")
    with pytest.raises(campaigns.CampaignError, match="it is sending now"):
        campaigns.schedule(campaign, dt.datetime(2027, 1, 1))
    underneath(Campaign, campaign.id, status="cancelled")
    with pytest.raises(campaigns.CampaignError, match="it is cancelled now"):
        campaigns.cancel(campaign)


def test_a_ticket_claimed_already_is_not_claimed_again(app):
    ids = seed()
    first, second = db.session.get(User, ids["agent1"]), db.session.get(User, ids["agent2"])
    ticket = db.session.get(Ticket, ids["ticket"])
    assert claim(ticket, first) == ["Assigned to Agent 1"]
    with pytest.raises(TicketError, match=f"Ticket #{ticket.id} is already assigned to Agent 1"):
        claim(ticket, second)
    assert ticket.assignee_id == first.id
