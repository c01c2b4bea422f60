"""Choices for the service desk's select fields, and small helpers the page modules share."""

from __future__ import annotations

from flask import current_app
from sqlalchemy import select

from core.db import db
from core.i18n import _
from core.models import ROLES, User
from core.permissions import role_has_permission
from core.roles import role_label
from plugins.service_desk import settings as service_desk_settings
from plugins.service_desk.models import Team
from plugins.service_desk.settings import category_label


def none() -> tuple[str, str]:
    """The first choice of a select that may be left empty."""
    return ("", _("— none —"))


def active_teams() -> list[Team]:
    """Active teams by name."""
    return list(db.session.scalars(select(Team).where(Team.active.is_(True)).order_by(Team.name)))


def agents() -> list[User]:
    """Active users whose role may work on tickets, by name."""
    roles = [role for role in ROLES if role_has_permission(role, "service_desk.work")]
    return list(
        db.session.scalars(
            select(User).where(User.active.is_(True), User.role.in_(roles)).order_by(User.name)
        )
    )


def team_choices(teams: list[Team], current: Team | None = None) -> list[tuple[object, str]]:
    """(id, label) for a team select; the ticket's own team stays listed even when inactive."""
    listed = list(teams)
    if current is not None and current not in listed:
        listed.append(current)
    return [none()] + [
        (team.id, _("%(name)s (restricted)", name=team.name) if team.restricted else team.name)
        for team in listed
    ]


def agent_choices(users: list[User]) -> list[tuple[object, str]]:
    """(id, label) for an assignee select."""
    return [none()] + [(user.id, f"{user.name} ({role_label(user.role)})") for user in users]


def category_choices(current: str = "") -> list[tuple[str, str]]:
    """The configured categories; a ticket's old category stays listed after the config changed."""
    categories = list(service_desk_settings.current().categories)
    if current and current not in categories:
        categories.append(current)
    return [none()] + [(category, category_label(category)) for category in categories]


def instance_path() -> str:
    """The app's instance folder (attachments live under it)."""
    return str(current_app.instance_path)
