"""Satisfaction surveys: sent on resolution, answered once, forged / reused / expired links record nothing."""

from __future__ import annotations

import datetime as dt
import re

import pytest
import time_machine
from sqlalchemy import func, select

from core.models import OutboxMessage
from core.tokens import sign
from plugins.service_desk.models import Survey, TicketEvent
from plugins.service_desk.ratings import answer_survey
from plugins.service_desk.surveys import SurveyError, survey_token
from plugins.service_desk.tickets import change_state

from .helpers import utc

RESOLVED = utc("2026-01-05 10:00")


def frozen(instant):
    """Freeze every clock at a naive UTC instant."""
    return time_machine.travel(instant.replace(tzinfo=dt.UTC), tick=False)


@pytest.fixture
def resolved(db, make_ticket, make_customer, make_user, make_team):
    """A ticket of customer ada@example.com handled by an agent of Front desk, resolved at RESOLVED."""
    agent = make_user("support", email="agent@example.com", name="Agent Smith")
    team = make_team("Front desk", members=[agent])
    customer = make_customer(name="Ada", email="ada@example.com")
    ticket = make_ticket(
        customer=customer,
        assignee=agent,
        team=team,
        category="Delivery",
        now=utc("2026-01-05 08:00"),
    )
    with frozen(RESOLVED):
        change_state(ticket, "resolved", agent, RESOLVED)
        db.session.commit()
    return ticket


def link_token(db):
    """The token in the survey mail's link."""
    mail = db.session.scalars(
        select(OutboxMessage).where(OutboxMessage.subject.like("How did we do%"))
    ).one()
    return re.search(r"/service_desk/survey/(\S+)", mail.body).group(1)


def answers(db):
    """(rating, comment) of every answered survey."""
    return [
        tuple(row)
        for row in db.session.execute(
            select(Survey.rating, Survey.comment).where(Survey.answered_at.is_not(None))
        )
    ]


def test_resolution_sends_one_survey_with_a_snapshot_of_who_handled_it(db, resolved):
    survey = db.session.scalars(select(Survey)).one()
    assert (survey.agent_id, survey.team_id, survey.category) == (
        resolved.assignee_id,
        resolved.team_id,
        "Delivery",
    )
    assert survey.expires_at == RESOLVED + dt.timedelta(days=14)
    # The agent also hears that the first response (due 09:00) was missed; the customer gets the survey.
    mail = db.session.scalars(
        select(OutboxMessage).where(OutboxMessage.to_address == "ada@example.com")
    ).one()
    assert mail.category == "transactional"
    assert "http://127.0.0.1:5000/service_desk/survey/" in mail.body


def test_answer_once(db, resolved):
    token = link_token(db)
    with frozen(RESOLVED + dt.timedelta(hours=2)):
        answer_survey(token, 5, "  Quick and friendly  ")
        db.session.commit()
        with pytest.raises(SurveyError, match="already been answered") as reused:
            answer_survey(token, 1, "changed my mind")
    db.session.rollback()
    assert reused.value.gone
    assert answers(db) == [(5, "Quick and friendly")]
    ratings = db.session.scalars(
        select(TicketEvent.summary).where(TicketEvent.kind == "rating")
    ).all()
    assert ratings == ["Customer rated 5/5: Quick and friendly"]


@pytest.mark.parametrize(
    "make_bad",
    [
        lambda token, survey: token[:-2] + ("AA" if not token.endswith("AA") else "BB"),  # altered
        lambda token, survey: "not-a-token",
        lambda token, survey: sign(
            "marketing.unsubscribe", {"survey": survey.id, "nonce": survey.nonce}
        ),
        lambda token, survey: sign(
            "service_desk.survey", {"survey": survey.id, "nonce": "guessed"}
        ),
        lambda token, survey: sign("service_desk.survey", ["not", "a", "dict"]),
    ],
    ids=["altered", "garbage", "other-purpose", "wrong-nonce", "wrong-shape"],
)
def test_forged_links_record_nothing(db, resolved, make_bad):
    survey = db.session.scalars(select(Survey)).one()
    with frozen(RESOLVED + dt.timedelta(hours=1)):  # tokens are signed and read at this instant
        bad = make_bad(link_token(db), survey)
        with pytest.raises(SurveyError, match="not valid") as problem:
            answer_survey(bad, 1, "forged")
    assert not problem.value.gone
    assert answers(db) == []


def test_expired_link_records_nothing(db, resolved):
    token = link_token(db)
    with (
        frozen(RESOLVED + dt.timedelta(days=14, seconds=1)),
        pytest.raises(SurveyError, match="expired") as problem,
    ):
        answer_survey(token, 4, "late")
    assert problem.value.gone
    assert answers(db) == []
    with frozen(RESOLVED + dt.timedelta(days=13, hours=23)):
        answer_survey(token, 4, "just in time")
    assert answers(db) == [(4, "just in time")]


def test_rating_must_be_one_to_five(db, resolved):
    with pytest.raises(SurveyError, match="1 to 5"):
        answer_survey(link_token(db), 6, "")
    assert answers(db) == []


def test_low_rating_tells_the_handler(db, resolved):
    with frozen(RESOLVED + dt.timedelta(hours=1)):
        answer_survey(link_token(db), 2, "Had to call twice")
        db.session.commit()
    mail = db.session.scalars(
        select(OutboxMessage).where(OutboxMessage.subject.like("%rated%"))
    ).one()
    assert mail.to_address == "agent@example.com"
    assert mail.subject == f"[#{resolved.id}] rated 2/5"
    assert "Had to call twice" in mail.body
    assert resolved.state == "resolved"


def test_no_address_no_survey(db, make_ticket, make_customer):
    ticket = make_ticket(customer=make_customer(email=""), now=utc("2026-01-05 08:00"))
    change_state(ticket, "resolved", None, RESOLVED)
    assert db.session.scalar(select(func.count()).select_from(Survey)) == 0


def test_public_page_records_a_rating_once(db, client, resolved):
    token = link_token(db)
    with frozen(RESOLVED + dt.timedelta(hours=1)):
        page = client.get(f"/service_desk/survey/{token}")
        assert page.status_code == 200
        assert b"How did we do?" in page.data
        missing = client.post(f"/service_desk/survey/{token}", data={"comment": "no rating"})
        assert b"Choose a rating from 1 to 5." in missing.data
        assert answers(db) == []
        done = client.post(f"/service_desk/survey/{token}", data={"rating": "4", "comment": "Good"})
        assert done.status_code == 200 and b"Thank you" in done.data
        again = client.post(f"/service_desk/survey/{token}", data={"rating": "1"})
        assert again.status_code == 410 and b"already been answered" in again.data
        forged = client.get(f"/service_desk/survey/{token}x")
        assert forged.status_code == 404 and b"not valid" in forged.data
    assert answers(db) == [(4, "Good")]
    with frozen(RESOLVED + dt.timedelta(days=30)):
        assert (
            client.get(
                f"/service_desk/survey/{survey_token(db.session.scalars(select(Survey)).one())}"
            ).status_code
            == 410
        )
