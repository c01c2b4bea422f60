"""Satisfaction surveys: one per resolution, answered once through a signed link that expires.

The link carries a token signed with the app's secret (core.tokens) for the purpose
"service_desk.survey"; it names the survey and a random nonce stored with it, so a token
cannot be made up, cannot be moved to another survey, and stops working once answered or
after survey_expiry_days. CSAT is the share of answers rated 4 or 5 (see reports.py).
"""

from __future__ import annotations

import datetime as dt
import secrets

from sqlalchemy import select

from core import dates
from core.db import db
from core.i18n import N_, _
from core.models import utcnow
from core.tokens import TokenError, sign, unsign
from plugins.service_desk import notifications
from plugins.service_desk import settings as service_desk_settings
from plugins.service_desk.history import record_event, said
from plugins.service_desk.models import Survey, Ticket

PURPOSE = "service_desk.survey"
LOW_RATINGS = (1, 2)
ANSWERED = N_("This survey has already been answered. Thank you!")


class SurveyError(Exception):
    """The survey link cannot be used; the message is shown on the public page.

    ``gone`` is True for a link that was good but is used up or expired (HTTP 410), False for
    one that never was (forged or altered, HTTP 404).
    """

    def __init__(self, message: str, gone: bool = False) -> None:
        super().__init__(message)
        self.gone = gone


def start_survey(ticket: Ticket, now: dt.datetime, notify: bool = True) -> Survey | None:
    """Create the survey for this resolution and mail its link; None when there is nobody to ask."""
    address = notifications.customer_address(ticket)
    if not address:
        return None

    survey = Survey(
        ticket_id=ticket.id,
        nonce=secrets.token_urlsafe(24),
        created_at=now,
        expires_at=now + dt.timedelta(days=service_desk_settings.current().survey_expiry_days),
        resolved_on=dates.company_day(now),
        agent_id=ticket.assignee_id,
        team_id=ticket.team_id,
        category=ticket.category,
    )
    db.session.add(survey)
    db.session.flush()
    if notify:
        notifications.send_survey(ticket, survey, survey_token(survey))
        sent = said(N_("Satisfaction survey sent to %(address)s"), address=address)
        record_event(ticket, "survey", sent, None, now)
    return survey


def survey_token(survey: Survey) -> str:
    """The signed token of a survey's link."""
    return sign(PURPOSE, {"survey": survey.id, "nonce": survey.nonce})


def open_survey(token: str, now: dt.datetime | None = None) -> Survey:
    """The unanswered, unexpired survey a token stands for; SurveyError with the reason otherwise."""
    now = now or utcnow()
    max_age = service_desk_settings.current().survey_expiry_days * 86400
    try:
        payload = unsign(PURPOSE, token, max_age_seconds=max_age)
    except TokenError as error:
        raise SurveyError(str(error), gone="expired" in str(error)) from None
    if not isinstance(payload, dict):
        raise SurveyError(_("This link is not valid."))
    survey = db.session.scalar(
        select(Survey).where(
            Survey.id == payload.get("survey"), Survey.nonce == payload.get("nonce")
        )
    )
    if survey is None:
        raise SurveyError(_("This link is not valid."))
    if survey.answered_at is not None:
        raise SurveyError(_(ANSWERED), gone=True)
    if survey.expires_at <= now:
        raise SurveyError(_("This link has expired."), gone=True)
    return survey
