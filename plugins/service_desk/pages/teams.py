"""Teams: who works which queue, and whether a team keeps its internal notes to itself."""

from __future__ import annotations

from flask import flash, redirect, render_template, url_for
from sqlalchemy import delete, func, select
from werkzeug.wrappers import Response

from core.auth import permission_required
from core.db import db
from core.i18n import _
from core.models import User
from core.roles import role_label
from core.views.common import get_or_404
from plugins.service_desk.forms import TeamForm
from plugins.service_desk.models import OPEN_STATES, Team, TeamMember, Ticket


@permission_required("service_desk.teams")
def teams() -> str:
    """Every team with its members and open tickets."""
    rows = list(db.session.scalars(select(Team).order_by(Team.active.desc(), Team.name)))
    open_counts = dict(
        db.session.execute(
            select(Ticket.team_id, func.count())
            .where(Ticket.state.in_(OPEN_STATES))
            .group_by(Ticket.team_id)
        ).all()
    )
    return render_template(
        "service_desk/teams.html", title=_("Teams"), teams=rows, open_counts=open_counts
    )


def _team_form(team: Team | None) -> TeamForm:
    """The form with every active staff user as a possible member."""
    form = TeamForm(obj=team)
    users = db.session.scalars(select(User).where(User.active.is_(True)).order_by(User.name))
    form.member_ids.choices = [
        (user.id, f"{user.name} ({role_label(user.role)})") for user in users
    ]
    if team is not None and not form.is_submitted():
        form.member_ids.data = [member.id for member in team.members]
    return form


def _name_taken(form: TeamForm, team: Team | None) -> bool:
    """Team names are unique (case-insensitive); say so next to the field."""
    name = (form.name.data or "").strip()
    other = db.session.scalar(select(Team.id).where(func.lower(Team.name) == name.lower()))
    if other is not None and (team is None or other != team.id):
        form.name.errors = [*form.name.errors, _("Another team has this name.")]
        return True
    return False


def _save(form: TeamForm, team: Team | None) -> Team:
    """Write the form to a new or existing team and replace its members."""
    team = team or Team()
    team.name = (form.name.data or "").strip()
    team.description = (form.description.data or "").strip()
    team.restricted = bool(form.restricted.data)
    team.active = bool(form.active.data)
    db.session.add(team)
    db.session.flush()
    db.session.execute(delete(TeamMember).where(TeamMember.team_id == team.id))
    for user_id in set(form.member_ids.data or []):
        db.session.add(TeamMember(team_id=team.id, user_id=user_id))
    db.session.flush()
    db.session.expire(team, ["members"])
    return team


@permission_required("service_desk.teams")
def new_team() -> str | Response:
    """Create a team."""
    form = _team_form(None)
    if form.validate_on_submit() and not _name_taken(form, None):
        team = _save(form, None)
        db.session.commit()
        flash(_("Team %(name)s created.", name=team.name), "success")
        return redirect(url_for("service_desk.teams"))
    return render_template("service_desk/team_form.html", title=_("New team"), form=form, team=None)


@permission_required("service_desk.teams")
def edit_team(team_id: str) -> str | Response:
    """Edit a team and its members (teams are made inactive, never deleted: tickets keep them)."""
    team = get_or_404(Team, team_id)
    form = _team_form(team)
    if form.validate_on_submit() and not _name_taken(form, team):
        _save(form, team)
        db.session.commit()
        flash(_("Team %(name)s saved.", name=team.name), "success")
        return redirect(url_for("service_desk.teams"))
    return render_template(
        "service_desk/team_form.html",
        title=_("Team %(name)s", name=team.name),
        form=form,
        team=team,
    )
