"""A customer's answer to a satisfaction survey: the rating, its event, and the follow-up of a low one.

Apart from surveys.py (which starts a survey when a ticket is resolved, and so is used by the
state machine in tickets.py) because a low rating may reopen the ticket through that state
machine: surveys → tickets → surveys would otherwise be an import cycle.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import update

from core.db import db
from core.i18n import N_, _
from core.models import utcnow
from plugins.service_desk import notifications
from plugins.service_desk import settings as service_desk_settings
from plugins.service_desk.history import record_event, said
from plugins.service_desk.models import Survey, Ticket
from plugins.service_desk.surveys import ANSWERED, LOW_RATINGS, SurveyError, open_survey
from plugins.service_desk.tickets import change_state
from plugins.service_desk.tracking import alert_recipients


def answer_survey(token: str, rating: int, comment: str, now: dt.datetime | None = None) -> Survey:
    """Record the rating (1–5) and comment once; a second answer, even at the same instant, fails."""
    now = now or utcnow()
    if rating not in (1, 2, 3, 4, 5):
        raise SurveyError(_("Choose a rating from 1 to 5."))
    survey = open_survey(token, now)
    with db.session.begin_nested():
        # The conditional UPDATE makes "answer once" hold even for two answers sent together.
        result = db.session.execute(
            update(Survey)
            .where(Survey.id == survey.id, Survey.answered_at.is_(None))
            .values(answered_at=now, rating=rating, comment=comment.strip()[:2000])
            .execution_options(synchronize_session=False)
        )
        if result.rowcount != 1:  # type: ignore[attr-defined]
            raise SurveyError(_(ANSWERED), gone=True)
        db.session.refresh(survey)
        ticket = survey.ticket
        if survey.comment:
            rated = said(
                N_("Customer rated %(rating)s/5: %(comment)s"),
                rating=rating,
                comment=survey.comment,
            )
        else:
            rated = said(N_("Customer rated %(rating)s/5"), rating=rating)
        record_event(ticket, "rating", rated, None, now)
        if rating in LOW_RATINGS:
            _follow_up(ticket, survey, now)
    return survey


def _follow_up(ticket: Ticket, survey: Survey, now: dt.datetime) -> None:
    """A low rating tells the handlers, or reopens the ticket, as low_rating_follow_up says."""

    action = service_desk_settings.current().low_rating_follow_up
    if action == "none":
        return
    notifications.send_low_rating(ticket, survey, alert_recipients(ticket))
    if action == "reopen" and ticket.state in ("resolved", "closed"):
        note = said(N_("rated %(rating)s/5"), rating=survey.rating)
        change_state(ticket, "open", None, now=now, notify=False, note=note)
