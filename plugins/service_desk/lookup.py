"""Caller lookup: who is calling, and everything the agent needs about them, in a fixed number of queries.

One query finds the matching customers (phone in any format, name or e-mail, through
core.customers.search_statement). With one match, one query each brings the recent orders
with their totals and the customer's tickets; with several, one query each brings open
tickets and last order per customer. None of these grows with the customer's history.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from sqlalchemy import case, func, select

from core.access import visible_orders
from core.customers import CustomerFilters, search_statement
from core.db import db
from core.ledger import counted_orders
from core.models import Customer, Order, OrderLine, User
from plugins.service_desk.access import visible_tickets
from plugins.service_desk.models import OPEN_STATES, Ticket

MAX_MATCHES = 10
RECENT_ORDERS = 10
RECENT_TICKETS = 10


@dataclass(frozen=True)
class OrderSummary:
    """An order as the lookup shows it: number, date, status, lines, net after refunds, refunded."""

    id: int
    number: str
    order_date: dt.date
    status: str
    lines: int
    net: Decimal
    refunded: Decimal


@dataclass(frozen=True)
class CallerFacts:
    """For a short list of matches: open tickets and the last order date per customer."""

    open_tickets: int
    last_order: dt.date | None


def find_callers(query: str) -> tuple[list[Customer], bool]:
    """(up to MAX_MATCHES customers matching the query, whether there are more) in one query."""
    if not query.strip():
        return [], False
    statement = search_statement(CustomerFilters(query=query)).order_by(
        func.lower(Customer.name), Customer.id
    )
    found: list[Customer] = list(db.session.scalars(statement.limit(MAX_MATCHES + 1)))
    return found[:MAX_MATCHES], len(found) > MAX_MATCHES


def recent_orders(customer_id: int, user: User) -> list[OrderSummary]:
    """The customer's latest orders the user may see, with line count and net after refunds (one query)."""
    refunded = case((OrderLine.refunded_on.is_not(None), OrderLine.net_amount), else_=0)
    statement = (
        select(
            Order.id,
            Order.number,
            Order.order_date,
            Order.status,
            func.count(OrderLine.id),
            func.coalesce(func.sum(OrderLine.net_amount), 0),
            func.coalesce(func.sum(refunded), 0),
        )
        .outerjoin(OrderLine, OrderLine.order_id == Order.id)
        .where(Order.customer_id == customer_id)
        .group_by(Order.id, Order.number, Order.order_date, Order.status)
        .order_by(Order.order_date.desc(), Order.id.desc())
        .limit(RECENT_ORDERS)
    )
    rows = db.session.execute(visible_orders(statement, user))
    summaries = []
    for row in rows:
        sold, back = (Decimal(str(value)).quantize(Decimal("0.01")) for value in row[5:7])
        summaries.append(OrderSummary(row[0], row[1], row[2], row[3], row[4], sold - back, back))
    return summaries


@dataclass(frozen=True)
class TicketSummary:
    """A ticket as the lookup and the customer panel list it."""

    id: int
    subject: str
    kind: str
    state: str
    priority: str
    created_at: dt.datetime
    assignee_name: str | None

    @property
    def is_open(self) -> bool:
        """True while the ticket still needs work."""
        return self.state in OPEN_STATES


def customer_tickets(customer_id: int, user: User) -> list[TicketSummary]:
    """The customer's open tickets first, then the latest others, that the user may see (one query).

    Plain rows, not ORM objects: a caller on the phone must not wait for object loading.
    """
    still_open = case((Ticket.state.in_(OPEN_STATES), 0), else_=1)
    statement = (
        select(
            Ticket.id,
            Ticket.subject,
            Ticket.kind,
            Ticket.state,
            Ticket.priority,
            Ticket.created_at,
            User.name,
        )
        .select_from(Ticket)
        .outerjoin(User, User.id == Ticket.assignee_id)
        .where(Ticket.customer_id == customer_id)
        .order_by(still_open, Ticket.created_at.desc(), Ticket.id.desc())
        .limit(RECENT_TICKETS)
    )
    return [TicketSummary(*row) for row in db.session.execute(visible_tickets(statement, user))]


def facts_for(customer_ids: list[int], user: User) -> dict[int, CallerFacts]:
    """Open tickets and last order date for a short list of customers (two queries)."""
    if not customer_ids:
        return {}
    tickets = visible_tickets(
        select(Ticket.customer_id, func.count(Ticket.id))
        .where(Ticket.customer_id.in_(customer_ids), Ticket.state.in_(OPEN_STATES))
        .group_by(Ticket.customer_id),
        user,
    )
    open_counts = {row[0]: row[1] for row in db.session.execute(tickets)}
    orders = visible_orders(
        select(Order.customer_id, func.max(Order.order_date))
        .where(Order.customer_id.in_(customer_ids), counted_orders())
        .group_by(Order.customer_id),
        user,
    )
    last_orders = {row[0]: row[1] for row in db.session.execute(orders)}
    return {
        customer_id: CallerFacts(open_counts.get(customer_id, 0), last_orders.get(customer_id))
        for customer_id in customer_ids
    }
