"""Row rules for tickets: who sees a ticket, who reads its internal notes, who may work on it.

- Support and managers see every ticket; salespeople see the tickets of customers they own
  and the tickets they opened themselves (as they see only their own orders in the core).
- A restricted team keeps its internal notes (and the files added with them) to its members
  and to holders of ``service_desk.all_teams`` (managers, admins). Others who may see the
  ticket still see its subject, state and public conversation — what the customer sees —
  so whoever answers the phone can tell the customer where things stand; they cannot
  change the ticket or add to it.
"""

from __future__ import annotations

from typing import TypeVar

from sqlalchemy import Select, or_, select

from core.db import db
from core.models import Customer, User
from plugins.service_desk.models import Team, TeamMember, Ticket

S = TypeVar("S", bound=Select)


def sees_only_own_customers(user: User) -> bool:
    """Salespeople see only the tickets of their own customers (and those they opened)."""
    return user.role == "sales"


def visible_tickets(statement: S, user: User) -> S:
    """Narrow a ticket query to the tickets the user may see."""
    if not sees_only_own_customers(user):
        return statement
    own_customers = select(Customer.id).where(Customer.owner_id == user.id)
    return statement.where(
        or_(Ticket.customer_id.in_(own_customers), Ticket.created_by_id == user.id)
    )


def can_view_ticket(user: User, ticket: Ticket) -> bool:
    """service_desk.view, narrowed for salespeople to their customers' tickets and their own."""
    if not user.can("service_desk.view"):
        return False
    if not sees_only_own_customers(user):
        return True
    owner = ticket.customer.owner_id if ticket.customer is not None else None
    return owner == user.id or ticket.created_by_id == user.id


def team_ids_of(user: User) -> set[int]:
    """Ids of the teams the user belongs to (one query)."""
    return set(db.session.scalars(select(TeamMember.team_id).where(TeamMember.user_id == user.id)))


def is_inside_team(user: User, team: Team | None, member_of: set[int]) -> bool:
    """True unless the team is restricted and the user is neither a member nor sees all teams."""
    if team is None or not team.restricted:
        return True
    return team.id in member_of or user.can("service_desk.all_teams")


def can_read_internal(user: User, ticket: Ticket, member_of: set[int]) -> bool:
    """May the user read the ticket's internal notes and internal attachments?"""
    return can_view_ticket(user, ticket) and is_inside_team(user, ticket.team, member_of)


def can_work_ticket(user: User, ticket: Ticket, member_of: set[int]) -> bool:
    """May the user reply, add notes, change the state or assign the ticket?"""
    return (
        user.can("service_desk.work")
        and can_view_ticket(user, ticket)
        and is_inside_team(user, ticket.team, member_of)
    )


def can_be_assigned(user: User, team: Team | None) -> bool:
    """An assignee must be active, hold service_desk.work, and be a member of a restricted team."""
    if not user.active or not user.can("service_desk.work"):
        return False
    if team is None or not team.restricted:
        return True
    return user.id in {member.id for member in team.members} or user.can("service_desk.all_teams")
