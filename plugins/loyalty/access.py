"""Who sees which customers' loyalty figures and tasks (the row rules of docs/plugins/loyalty.md).

Salespeople work on their own customers, as in the core: they see the value, tiers and
matrix of the customers they own. Managers, marketing and admins see everyone.
"""

from __future__ import annotations

from typing import TypeVar

from sqlalchemy import Select

from core.models import Customer, User
from plugins.loyalty.models import Preference

S = TypeVar("S", bound=Select)


def sees_only_own_customers(user: User) -> bool:
    """Salespeople see loyalty figures of the customers they own only."""
    return user.role == "sales"


def visible_customers(statement: S, user: User) -> S:
    """Narrow a statement that involves Customer to the customers the user may see figures of."""
    if sees_only_own_customers(user):
        return statement.where(Customer.owner_id == user.id)
    return statement


def can_see_value(user: User, customer: Customer) -> bool:
    """loyalty.view, and for salespeople only their own customers."""
    if not user.can("loyalty.view"):
        return False
    return not sees_only_own_customers(user) or customer.owner_id == user.id


def can_write_notes(user: User) -> bool:
    """Anyone who talks to customers records preferences and interactions (whoever takes the call)."""
    return user.can("loyalty.notes")


def can_remove_preference(user: User, customer: Customer, preference: Preference) -> bool:
    """Who wrote it, the account owner, or someone who sees all tasks (managers)."""
    if not user.can("loyalty.notes"):
        return False
    return (
        preference.created_by_id == user.id
        or customer.owner_id == user.id
        or user.can("loyalty.tasks_all")
    )
