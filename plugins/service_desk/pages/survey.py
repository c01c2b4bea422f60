"""The public satisfaction survey behind the signed link in the resolution mail (no login)."""

from __future__ import annotations

from flask import render_template

from core.db import db
from core.i18n import _
from plugins.service_desk.forms import SurveyForm
from plugins.service_desk.ratings import answer_survey
from plugins.service_desk.surveys import SurveyError, open_survey


def survey(token: str) -> tuple[str, int]:
    """Show the survey, or record the answer once; a forged, used or expired link records nothing."""
    try:
        found = open_survey(token)
    except SurveyError as error:
        db.session.rollback()
        return _problem(str(error), error.gone)
    form = SurveyForm()
    if form.validate_on_submit():
        try:
            answer_survey(token, int(form.rating.data or 0), form.comment.data or "")
            db.session.commit()
        except SurveyError as error:
            db.session.rollback()
            return _problem(str(error), error.gone)
        return render_template("service_desk/survey_thanks.html", title=_("Thank you")), 200
    return render_template(
        "service_desk/survey.html", title=_("How did we do?"), form=form, ticket=found.ticket
    ), 200


def _problem(message: str, gone: bool) -> tuple[str, int]:
    """The page for a link that cannot be used: 410 when used up or expired, 404 when invalid."""
    status = 410 if gone else 404
    return render_template(
        "service_desk/survey_problem.html", title=_("Survey"), message=message
    ), status
