"""Row-level rules: which customers and orders a user may see or change (docs/permissions.md).

Roles give permissions; these rules narrow them for the sales role, which works on its own
documents only (as Odoo's "own documents" sales users do).
"""

from __future__ import annotations

from typing import TypeVar

from sqlalchemy import Select, false, or_

from core.models import Customer, Order, OutboxMessage, User

#: Who reads the subjects of mail sent to customers, by the mail's category: support works
#: with order, ticket and survey mail, marketing with campaigns and greetings; managers and
#: admins read all. Anyone reads the mail they queued themselves (user_id).
MAIL_READERS = {
    "transactional": ("admin", "manager", "support"),
    "marketing": ("admin", "manager", "marketing"),
}


S = TypeVar("S", bound=Select)


def sees_costs(user: User) -> bool:
    """Support sees net amounts only: no unit cost, cost, profit or margin anywhere."""
    return user.role != "support"


def sees_orders(user: User) -> bool:
    """orders.view: marketing (and any role without it) sees no order, total or order event."""
    return user.can("orders.view")


def can_read_mail(user: User, category: str, queued_by_id: int | None = None) -> bool:
    """May the user read the subject of a customer's mail of this category (docs/permissions.md)?"""
    return user.role in MAIL_READERS.get(category, ("admin", "manager")) or (
        queued_by_id is not None and queued_by_id == user.id
    )


def readable_mail(statement: S, user: User) -> S:
    """Narrow an outbox query to the customer mail whose subject the user may read."""
    categories = [category for category, roles in MAIL_READERS.items() if user.role in roles]
    if user.role in ("admin", "manager"):
        return statement
    readable = OutboxMessage.category.in_(categories) if categories else false()
    return statement.where(or_(readable, OutboxMessage.user_id == user.id))


def sees_only_own_orders(user: User) -> bool:
    """Salespeople see and change only the orders they sold."""
    return user.role == "sales"


def visible_orders(statement: S, user: User) -> S:
    """Narrow an order query to what the user may see."""
    if sees_only_own_orders(user):
        return statement.where(Order.salesperson_id == user.id)
    return statement


def can_view_order(user: User, order: Order) -> bool:
    """orders.view, and for salespeople only their own orders."""
    if not user.can("orders.view"):
        return False
    return not sees_only_own_orders(user) or order.salesperson_id == user.id


def can_change_order(user: User, order: Order, permission: str) -> bool:
    """The permission (orders.confirm, orders.cancel, orders.refund), on an order the user may see."""
    return can_view_order(user, order) and user.can(permission)


def can_edit_customer(user: User, customer: Customer) -> bool:
    """customers.edit; salespeople edit only customers they own or that have no owner yet."""
    if not user.can("customers.edit"):
        return False
    if user.role == "sales":
        return customer.owner_id in (None, user.id)
    return True
