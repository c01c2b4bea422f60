"""Opening and changing tickets: states, history, state log, SLA due times, atomic changes.

Calendar: Monday–Friday 09:00–17:00 Berlin (08:00–16:00 UTC in January). Policies (helpers):
normal 60 / 240 business minutes, high 45 / 180, Gold customers at normal 15 / 60; warnings
15 minutes before. 2026-01-05 is a Monday.
"""

from __future__ import annotations

import pytest
from sqlalchemy import func, select, update

from core.models import OutboxMessage
from core.plugins import hookimpl
from plugins.service_desk.models import StateLog, TicketEvent
from plugins.service_desk.tickets import TicketError, add_message, change_state, update_ticket

from .helpers import utc

MONDAY_9 = utc("2026-01-05 08:00")  # 09:00 in Berlin


def count(db, model, **where):
    """Rows of a model matching equality filters."""
    statement = select(func.count()).select_from(model)
    for name, value in where.items():
        statement = statement.where(getattr(model, name) == value)
    return db.session.scalar(statement)


def history(db, ticket):
    """The ticket's event summaries, oldest first."""
    return list(
        db.session.scalars(
            select(TicketEvent.summary)
            .where(TicketEvent.ticket_id == ticket.id)
            .order_by(TicketEvent.id)
        )
    )


def test_open_ticket_sets_policy_due_times_and_first_stay(db, make_ticket, make_user):
    agent = make_user("support")
    ticket = make_ticket(by=agent, now=MONDAY_9, priority="normal", category="Delivery")
    assert ticket.state == "new"
    assert ticket.sla_policy == "normal"
    # 60 / 240 business minutes from 09:00 local; warnings 15 minutes earlier.
    assert ticket.first_response_due_at == utc("2026-01-05 09:00")
    assert ticket.first_response_warn_at == utc("2026-01-05 08:45")
    assert ticket.resolution_due_at == utc("2026-01-05 12:00")
    assert ticket.resolution_warn_at == utc("2026-01-05 11:45")
    assert str(ticket.opened_on) == "2026-01-05"
    stays = db.session.execute(select(StateLog.state, StateLog.entered_at, StateLog.left_at)).all()
    assert stays == [("new", MONDAY_9, None)]
    assert history(db, ticket) == ["Opened (complaint, phone): Parcel arrived broken"]


def test_opened_on_is_the_company_day(make_ticket):
    # 23:30 UTC on Sunday is 00:30 on Monday in Berlin.
    ticket = make_ticket(now=utc("2026-01-04 23:30"))
    assert str(ticket.opened_on) == "2026-01-05"


def test_customer_tier_from_a_plugin_chooses_the_tier_policy(
    make_ticket, make_customer, temp_plugin
):
    gold = make_customer(name="Gold customer")

    class Tiers:
        @hookimpl
        def sla_customer_tiers(self, customer_ids):
            return {customer_id: "Gold" for customer_id in customer_ids if customer_id == gold.id}

    temp_plugin(Tiers(), name="tiers")
    ticket = make_ticket(customer=gold, now=MONDAY_9)
    assert ticket.sla_policy == "normal / Gold"
    assert ticket.first_response_due_at == utc("2026-01-05 08:15")
    assert ticket.resolution_due_at == utc("2026-01-05 09:00")
    other = make_ticket(now=MONDAY_9)
    assert other.sla_policy == "normal"


def test_no_policy_for_a_priority_means_no_due_times(make_ticket):
    ticket = make_ticket(now=MONDAY_9, priority="low")  # the test policies have no "low"
    assert ticket.sla_policy == ""
    assert ticket.first_response_due_at is None and ticket.resolution_due_at is None


def test_reply_is_the_first_response_opens_the_ticket_and_mails_the_customer(
    db, make_ticket, make_user, make_customer
):
    agent = make_user("support")
    customer = make_customer(email="ada@example.com")
    ticket = make_ticket(customer=customer, by=agent, now=MONDAY_9)
    add_message(ticket, "reply", "We are sending a new parcel.", agent, utc("2026-01-05 08:30"))
    db.session.commit()
    assert ticket.state == "open"
    assert ticket.first_responded_at == utc("2026-01-05 08:30")
    mail = db.session.scalars(select(OutboxMessage)).one()
    assert mail.to_address == "ada@example.com"
    assert mail.subject == f"[#{ticket.id}] Parcel arrived broken"
    assert "We are sending a new parcel." in mail.body
    assert mail.category == "transactional"
    stays = db.session.execute(
        select(StateLog.state, StateLog.entered_at, StateLog.left_at).order_by(StateLog.id)
    ).all()
    assert stays == [
        ("new", MONDAY_9, utc("2026-01-05 08:30")),
        ("open", utc("2026-01-05 08:30"), None),
    ]
    assert history(db, ticket)[1:] == [
        "Reply sent to the customer",
        "First response given",
        "State: New → Open",
    ]


def test_reply_needs_an_address(make_ticket, make_customer):
    ticket = make_ticket(customer=make_customer(email=""), now=MONDAY_9)
    with pytest.raises(TicketError, match="no e-mail address"):
        add_message(ticket, "reply", "Hello", None)


def test_note_keeps_its_text_out_of_the_history(db, make_ticket):
    ticket = make_ticket(now=MONDAY_9)
    add_message(
        ticket, "note", "Customer sounded angry; offer a voucher", None, utc("2026-01-05 08:10")
    )
    db.session.commit()
    assert ticket.state == "new"  # a note is not a response
    assert ticket.first_responded_at is None
    assert history(db, ticket)[-1] == "Internal note added"
    assert count(db, OutboxMessage) == 0


def test_waiting_then_customer_message_reopens_work(db, make_ticket):
    ticket = make_ticket(now=MONDAY_9)
    change_state(ticket, "open", None, utc("2026-01-05 08:10"))
    change_state(ticket, "waiting", None, utc("2026-01-05 09:00"))
    # Paused after 60 business minutes: the resolution due time is unknown until the customer answers.
    assert ticket.resolution_due_at is None
    add_message(ticket, "customer", "Here is the photo", None, utc("2026-01-06 09:00"))
    db.session.commit()
    assert ticket.state == "open"
    # 180 minutes left from Tuesday 09:00 UTC (10:00 local) → 12:00 UTC.
    assert ticket.resolution_due_at == utc("2026-01-06 12:00")


def test_transitions_follow_the_life_of_a_ticket(db, make_ticket):
    ticket = make_ticket(now=MONDAY_9)
    with pytest.raises(TicketError, match="cannot become closed"):
        change_state(ticket, "closed", None)
    change_state(ticket, "resolved", None, utc("2026-01-05 09:00"))
    assert ticket.resolved_at == utc("2026-01-05 09:00")
    assert ticket.first_responded_at == utc("2026-01-05 09:00")  # resolution answers too
    change_state(ticket, "closed", None, utc("2026-01-06 09:00"))
    change_state(ticket, "open", None, utc("2026-01-07 09:00"))
    db.session.commit()
    assert ticket.reopen_count == 1
    assert ticket.resolved_at is None and ticket.closed_at is None
    assert history(db, ticket)[-1] == "Reopened: Closed → Open"
    assert list(db.session.scalars(select(StateLog.state).order_by(StateLog.id))) == [
        "new",
        "resolved",
        "closed",
        "open",
    ]


def test_a_failure_inside_a_change_leaves_nothing_behind(
    db, make_ticket, make_customer, monkeypatch
):
    ticket = make_ticket(customer=make_customer(email="ada@example.com"), now=MONDAY_9)
    before = (count(db, StateLog), count(db, TicketEvent), count(db, OutboxMessage))

    def broken(*args, **kwargs):
        raise RuntimeError("mail server configuration broken")

    monkeypatch.setattr("plugins.service_desk.notifications.send_survey", broken)
    with pytest.raises(RuntimeError):
        change_state(ticket, "resolved", None, utc("2026-01-05 09:00"))
    db.session.commit()
    db.session.expire_all()
    assert ticket.state == "new"
    assert ticket.resolved_at is None
    assert (count(db, StateLog), count(db, TicketEvent), count(db, OutboxMessage)) == before


def test_a_change_from_a_stale_copy_is_refused(db, make_ticket):
    ticket = make_ticket(now=MONDAY_9)
    # Someone else changes the ticket meanwhile (another worker, another browser tab).
    db.session.execute(
        update(ticket.__class__)
        .where(ticket.__class__.id == ticket.id)
        .values(version=ticket.version + 1)
        .execution_options(synchronize_session=False)
    )
    with pytest.raises(TicketError, match="Someone else changed this ticket"):
        change_state(ticket, "open", None, utc("2026-01-05 08:30"))
    db.session.rollback()
    assert count(db, StateLog, ticket_id=ticket.id) == 1
    assert count(db, TicketEvent, ticket_id=ticket.id) == 1


def test_priority_change_chooses_the_new_policy(db, make_ticket):
    ticket = make_ticket(now=MONDAY_9)
    said = update_ticket(ticket, None, utc("2026-01-05 08:10"), priority="high")
    db.session.commit()
    assert said == ["Priority: normal → high"]
    assert ticket.sla_policy == "high"
    assert ticket.first_response_due_at == utc("2026-01-05 08:45")
    assert ticket.resolution_due_at == utc("2026-01-05 11:00")
    assert history(db, ticket)[-2:] == ["Priority: normal → high", "SLA policy: normal → high"]


def test_assignment_respects_restricted_teams(db, make_ticket, make_team, make_user):
    member, outsider = make_user("support"), make_user("support")
    escalations = make_team("Escalations", restricted=True, members=[member])
    ticket = make_ticket(now=MONDAY_9, team=escalations)
    with pytest.raises(TicketError, match="cannot work on tickets"):
        update_ticket(ticket, None, assignee=outsider)
    assert update_ticket(ticket, None, assignee=member) == [f"Assigned to {member.name}"]
    sales = make_user("sales")
    with pytest.raises(TicketError):
        update_ticket(ticket, None, assignee=sales)  # sales cannot work tickets at all


def test_new_contact_is_linked_to_a_customer_once(db, make_ticket, make_customer):
    ticket = make_ticket(
        customer=None, contact_phone="030 1234567", contact_name="Unknown caller", now=MONDAY_9
    )
    assert ticket.contact_label == "Unknown caller"
    customer = make_customer(name="Bea")
    assert update_ticket(ticket, None, customer=customer) == ["Linked to customer Bea"]
    with pytest.raises(TicketError, match="only be set once"):
        update_ticket(ticket, None, customer=make_customer())


def test_a_new_ticket_needs_a_caller_and_a_matching_order(make_ticket, make_customer, make_order):
    with pytest.raises(TicketError, match="new contact"):
        make_ticket(customer=None)
    order = make_order(customer=make_customer())
    with pytest.raises(TicketError, match="does not belong"):
        make_ticket(customer=make_customer(), order=order)
    with pytest.raises(TicketError, match="subject"):
        make_ticket(subject="  ")
