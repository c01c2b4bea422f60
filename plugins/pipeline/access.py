"""Row rules for deals: a salesperson sees and changes the deals they own; managers all of them.

Permissions (hooks.permissions): ``pipeline.deals`` (work on deals: sales, managers),
``pipeline.all`` (every deal, not only one's own: managers), ``pipeline.reports`` (funnel,
win rate, forecast: managers), ``pipeline.channels`` (deal counts by channel: marketing,
managers), ``pipeline.stages`` (edit the stages: admins). Support holds none of them.
"""

from __future__ import annotations

from typing import TypeVar

from sqlalchemy import Select

from core.models import Customer, User
from plugins.pipeline.models import Opportunity

S = TypeVar("S", bound=Select)


def sees_all(user: User) -> bool:
    """Managers and admins see every deal; salespeople only their own."""
    return user.can("pipeline.all")


def visible_deals(statement: S, user: User) -> S:
    """Narrow a query over Opportunity to the deals the user may see."""
    if sees_all(user):
        return statement
    return statement.where(Opportunity.owner_id == user.id)


def can_view_deal(user: User, deal: Opportunity) -> bool:
    """pipeline.deals, and for salespeople the deals they own and those in the pool (no owner)."""
    if not user.can("pipeline.deals"):
        return False
    return sees_all(user) or deal.owner_id in (None, user.id)


def can_edit_deal(user: User, deal: Opportunity) -> bool:
    """Managers change any deal; a salesperson the deals they own (a pool deal: claim it first)."""
    if not user.can("pipeline.deals"):
        return False
    return sees_all(user) or deal.owner_id == user.id


def can_follow_up_customer(user: User, customer: Customer) -> bool:
    """Log a follow-up with a customer: pipeline.deals, salespeople on customers they own."""
    if not user.can("pipeline.deals"):
        return False
    return sees_all(user) or customer.owner_id in (None, user.id)
