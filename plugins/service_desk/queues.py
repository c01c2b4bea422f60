"""Ticket queues (mine, my teams, unassigned, breached, all) with filters, sorting and bulk assignment."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from sqlalchemy import ColumnElement, Select, case, exists, func, or_, select

from core.db import db
from core.i18n import N_, _
from core.models import Customer, User, utcnow
from core.search import contains, lower_contains
from plugins.service_desk.access import can_work_ticket, team_ids_of, visible_tickets
from plugins.service_desk.models import OPEN_STATES, STATES, SlaFlag, Team, Ticket
from plugins.service_desk.tickets import TicketError, update_ticket

#: The queues' names are English msgids, translated where they are shown.
QUEUES = {
    "mine": N_("My tickets"),
    "team": N_("My teams"),
    "unassigned": N_("Unassigned"),
    "breached": N_("Breached"),
    "all": N_("All tickets"),
}
PRIORITY_RANK = case(
    {"urgent": 0, "high": 1, "normal": 2, "low": 3}, value=Ticket.priority, else_=4
)
SORTS = {
    "created": Ticket.created_at,
    "updated": Ticket.updated_at,
    "priority": PRIORITY_RANK,
    # Tickets without a running resolution clock sort after those with one.
    "due": func.coalesce(Ticket.resolution_due_at, dt.datetime(9999, 12, 31)),
    "state": Ticket.state,
}


@dataclass
class QueueFilters:
    """What a queue page is narrowed by (all optional)."""

    queue: str = "mine"
    state: str = ""
    kind: str = ""
    priority: str = ""
    category: str = ""
    team_id: int | None = None
    assignee_id: int | None = None
    customer_id: int | None = None
    text: str = ""


def breached_condition(now: dt.datetime) -> ColumnElement[bool]:
    """SQL: a flagged breach, or a running clock already past due (the check may not have run yet)."""
    flagged = exists().where(SlaFlag.ticket_id == Ticket.id, SlaFlag.level == "breach")
    running = Ticket.state.in_(("new", "open"))
    overdue_first = (Ticket.first_responded_at.is_(None)) & (Ticket.first_response_due_at <= now)
    overdue_resolution = Ticket.resolution_due_at <= now
    return or_(flagged, running & (overdue_first | overdue_resolution))


def queue_statement(filters: QueueFilters, user: User, now: dt.datetime | None = None) -> Select:
    """The tickets of one queue that the user may see, with the filters applied (not yet sorted)."""
    now = now or utcnow()
    statement = visible_tickets(select(Ticket), user)
    if filters.queue == "mine":
        statement = statement.where(Ticket.assignee_id == user.id)
    elif filters.queue == "team":
        statement = statement.where(Ticket.team_id.in_(team_ids_of(user) or {0}))
    elif filters.queue == "unassigned":
        statement = statement.where(Ticket.assignee_id.is_(None))
    elif filters.queue == "breached":
        statement = statement.where(breached_condition(now))
    if filters.state in STATES:
        statement = statement.where(Ticket.state == filters.state)
    elif filters.state == "" and filters.queue != "all":
        statement = statement.where(Ticket.state.in_(OPEN_STATES))
    for column, value in (
        (Ticket.kind, filters.kind),
        (Ticket.priority, filters.priority),
        (Ticket.category, filters.category),
    ):
        if value:
            statement = statement.where(column == value)
    if filters.team_id:
        statement = statement.where(Ticket.team_id == filters.team_id)
    if filters.assignee_id:
        statement = statement.where(Ticket.assignee_id == filters.assignee_id)
    if filters.customer_id:
        statement = statement.where(Ticket.customer_id == filters.customer_id)
    return _text_filter(statement, filters.text)


def _text_filter(statement: Select, text: str) -> Select:
    """ "#42" or "42" finds ticket 42; other text matches subject, customer or contact name."""
    text = text.strip()
    if not text:
        return statement
    if text.lstrip("#").isdigit():
        return statement.where(Ticket.id == int(text.lstrip("#")))
    customer_names = select(Customer.id).where(contains(Customer.search_text, text))
    return statement.where(
        or_(
            lower_contains(Ticket.subject, text),
            lower_contains(Ticket.contact_name, text),
            Ticket.customer_id.in_(customer_names),
        )
    )


def queue_counts(user: User, now: dt.datetime | None = None) -> dict[str, int]:
    """How many tickets each queue's tab lists for the user (one query).

    The same tickets the tab shows before any filter: open ones in every queue but "all",
    which lists tickets in every state (queue_statement with an empty state filter).
    """
    now = now or utcnow()
    member_of = team_ids_of(user) or {0}
    is_open = Ticket.state.in_(OPEN_STATES)
    statement = visible_tickets(
        select(
            func.count().filter(is_open, Ticket.assignee_id == user.id),
            func.count().filter(is_open, Ticket.team_id.in_(member_of)),
            func.count().filter(is_open, Ticket.assignee_id.is_(None)),
            func.count().filter(is_open, breached_condition(now)),
            func.count(),
        ).select_from(Ticket),
        user,
    )
    values = db.session.execute(statement).one()
    return dict(zip(QUEUES, values, strict=True))


def bulk_assign(
    ticket_ids: list[int],
    assignee: User | None,
    team: Team | None,
    by: User,
    unassign: bool = False,
) -> tuple[int, list[str]]:
    """Assign (or unassign) the chosen tickets the user may work on; returns (changed, problems).

    Each ticket changes in its own SAVEPOINT: one that cannot be assigned is reported and
    the others still change.
    """
    member_of = team_ids_of(by)
    statement = visible_tickets(select(Ticket).where(Ticket.id.in_(ticket_ids)), by)
    changed = 0
    problems: list[str] = []
    for ticket in db.session.scalars(statement.order_by(Ticket.id)).all():
        if not can_work_ticket(by, ticket, member_of):
            problems.append(
                _(
                    "#%(id)s: you cannot work on tickets of %(team)s.",
                    id=ticket.id,
                    team=ticket.team.name if ticket.team else _("this team"),
                )
            )
            continue
        changes: dict[str, Any] = {}
        if team is not None:
            changes["team"] = team
        if assignee is not None or unassign:
            changes["assignee"] = assignee
        try:
            if update_ticket(ticket, by, **changes):
                changed += 1
        except TicketError as error:
            problems.append(f"#{ticket.id}: {error}")
    return changed, problems
