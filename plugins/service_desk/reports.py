"""SLA and satisfaction reports, each one set-based query grouped by team, agent or category.

SLA report, for tickets opened in the period (company-local dates), per team:
- with_sla: tickets whose policy has at least one target;
- first_response_met / _breached, resolution_met / _breached: a target is breached when a
  breach was flagged for it; met when the clock stopped in time (first response given, or
  ticket resolved or closed, without a breach); tickets still running count in neither;
- breached: tickets with at least one breached target;
- breach_rate = breached / with_sla × 100, a percentage rounded half up to two places
  (None when no ticket had an SLA).

CSAT, for surveys of resolutions in the period: answered surveys, average rating, and
CSAT = answers rated 4 or 5 / answered × 100 (two places, half up); response rate =
answered / sent × 100.
"""

from __future__ import annotations

import datetime as dt
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from sqlalchemy import case, func, select

from core.db import db
from core.i18n import N_, _
from core.models import User
from core.money import percent
from plugins.service_desk.models import SlaFlag, Survey, Team, Ticket

NO_TEAM = N_("No team")
ALL_TEAMS = N_("All teams")
UNASSIGNED = N_("Unassigned")
NO_CATEGORY = N_("No category")
#: Names of rows that are not a team, agent or category of the data, shown translated.
GROUP_WORDS = frozenset({NO_TEAM, ALL_TEAMS, UNASSIGNED, NO_CATEGORY, N_("All tickets")})
CSAT_GROUPS = ("agent", "team", "category")


def group_label(name: object) -> str:
    """A row's group for the reader: "All teams", "No team" ... translated, names as they are."""
    from plugins.service_desk.settings import category_label

    return _(str(name)) if name in GROUP_WORDS else category_label(str(name))


def _breaches_per_ticket() -> Any:
    """Subquery: per ticket, 1/0 whether its first response and its resolution were breached."""

    def breached(target: str) -> Any:
        """1 when the ticket has a breach flag for this target, else 0."""
        return func.max(case((SlaFlag.target == target, 1), else_=0))

    return (
        select(
            SlaFlag.ticket_id.label("ticket_id"),
            breached("first_response").label("first_response"),
            breached("resolution").label("resolution"),
        )
        .where(SlaFlag.level == "breach")
        .group_by(SlaFlag.ticket_id)
        .subquery("breaches")
    )


def sla_report(start: dt.date, end: dt.date) -> list[dict[str, Any]]:
    """One row per team (and "No team"), plus a last row "All teams", for tickets opened in the period."""
    breaches = _breaches_per_ticket()
    first_breached = func.coalesce(breaches.c.first_response, 0)
    resolution_breached = func.coalesce(breaches.c.resolution, 0)
    has_first = Ticket.first_response_minutes.is_not(None)
    has_resolution = Ticket.resolution_minutes.is_not(None)
    finished = Ticket.state.in_(("resolved", "closed"))

    def total(condition: Any) -> Any:
        """How many tickets of the group meet the condition."""
        return func.sum(case((condition, 1), else_=0))

    statement = (
        select(
            Team.name,
            func.count(Ticket.id),
            total(has_first | has_resolution),
            total(has_first & Ticket.first_responded_at.is_not(None) & (first_breached == 0)),
            total(first_breached == 1),
            total(has_resolution & finished & (resolution_breached == 0)),
            total(resolution_breached == 1),
            total((first_breached == 1) | (resolution_breached == 1)),
        )
        .select_from(Ticket)
        .outerjoin(Team, Team.id == Ticket.team_id)
        .outerjoin(breaches, breaches.c.ticket_id == Ticket.id)
        .where(Ticket.opened_on >= start, Ticket.opened_on <= end)
        .group_by(Team.name)
    )
    columns = ("tickets", "with_sla", "first_response_met", "first_response_breached",
               "resolution_met", "resolution_breached", "breached")  # fmt: skip
    rows: list[dict[str, Any]] = []
    for name, *figures in db.session.execute(statement):
        rows.append({"team": name or NO_TEAM, **dict(zip(columns, map(int, figures), strict=True))})
    rows.sort(key=lambda row: (row["team"] == NO_TEAM, row["team"].lower()))
    if rows:
        rows.append({"team": ALL_TEAMS, **{key: sum(row[key] for row in rows) for key in columns}})
    for row in rows:
        row["breach_rate"] = percent(row["breached"], row["with_sla"])
    return rows


def csat_report(start: dt.date, end: dt.date, group_by: str) -> list[dict[str, Any]]:
    """Surveys sent and answered, average rating and CSAT % per agent, team or category."""
    if group_by not in CSAT_GROUPS:
        raise ValueError(f"group_by must be one of {', '.join(CSAT_GROUPS)}")
    if group_by == "agent":
        key: Any = User.name
    elif group_by == "team":
        key = Team.name
    else:
        key = Survey.category
    answered = Survey.answered_at.is_not(None)
    statement = (
        select(
            key,
            func.count(Survey.id),
            func.count(Survey.id).filter(answered),
            func.sum(Survey.rating).filter(answered),
            func.count(Survey.id).filter(Survey.rating >= 4),
        )
        .select_from(Survey)
        .outerjoin(User, User.id == Survey.agent_id)
        .outerjoin(Team, Team.id == Survey.team_id)
        .where(Survey.resolved_on >= start, Survey.resolved_on <= end)
        .group_by(key)
    )
    rows = []
    for name, sent, answered_count, rating_sum, satisfied in db.session.execute(statement):
        average = (
            (Decimal(int(rating_sum)) / answered_count).quantize(
                Decimal("0.01"), rounding=ROUND_HALF_UP
            )
            if answered_count
            else None
        )
        rows.append({
            group_by: name or {"agent": UNASSIGNED, "team": NO_TEAM, "category": NO_CATEGORY}[group_by],
            "sent": sent,
            "answered": answered_count,
            "response_rate": percent(answered_count, sent),
            "average_rating": average,
            "csat": percent(satisfied, answered_count),
        })  # fmt: skip
    return sorted(rows, key=lambda row: str(row[group_by]).lower())
