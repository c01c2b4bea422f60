"""Row-level rules: which customers and orders a user may see or change (docs/permissions.md).

Roles give permissions; these rules narrow them for the sales role, which works on its own
documents only (as Odoo's "own documents" sales users do).
"""

from __future__ import annotations

from typing import TypeVar

from sqlalchemy import Select

from core.models import Customer, Order, User


def sees_costs(user: User) -> bool:
    """Support sees net amounts only: no unit cost, cost, profit or margin anywhere."""
    return user.role != "support"


def sees_orders(user: User) -> bool:
    """orders.view: marketing (and any role without it) sees no order, total or order event."""
    return user.can("orders.view")


def sees_only_own_orders(user: User) -> bool:
    """Salespeople see and change only the orders they sold."""
    return user.role == "sales"


S = TypeVar("S", bound=Select)


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
