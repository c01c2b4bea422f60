"""Who may see what in marketing beyond the role permissions: salespeople see recommendations of their own customers."""

from __future__ import annotations

from sqlalchemy import select

from core.db import db
from core.models import Customer, Order, User


def is_own_customer(user: User, customer: Customer) -> bool:
    """The user owns the customer or sold them an order."""
    if customer.owner_id == user.id:
        return True
    sold = select(Order.id).where(Order.customer_id == customer.id, Order.salesperson_id == user.id)
    return db.session.scalar(sold.limit(1)) is not None


def sees_recommendations(user: User, customer: Customer) -> bool:
    """marketing.recommendations, and for salespeople only on their own customers."""
    if not user.can("marketing.recommendations"):
        return False
    return user.role != "sales" or is_own_customer(user, customer)
