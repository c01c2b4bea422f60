"""Customer value for pages: a customer's profit by month and year, and lists of customers by value."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from sqlalchemy import Select, extract, func, select

from core import dates
from core.customers import text_matches
from core.db import db
from core.ledger import sales_movements
from core.models import Customer, User
from core.money import from_cents
from core.sql import cents
from plugins.loyalty import settings as loyalty_settings
from plugins.loyalty.access import visible_customers
from plugins.loyalty.models import STAGES, CustomerValue
from plugins.loyalty.tiers import tier_rank

NO_TIER = "-"
CHART_MONTHS = 12


@dataclass
class YearRow:
    """One calendar year of a customer's profit: twelve months and the total."""

    year: int
    months: list[Decimal]
    total: Decimal


@dataclass
class CustomerProfit:
    """A customer's profit by calendar month (the last months, for a chart) and year by year."""

    months: list[tuple[str, Decimal]]
    years: list[YearRow]


def profit_by_month(
    customer_id: int, months: int = CHART_MONTHS, today: dt.date | None = None
) -> CustomerProfit:
    """Profit (net − cost after refunds, in the month of each movement) per month and year, one query."""
    today = today or dates.today()
    movements = sales_movements()
    year, month = extract("year", movements.c.day), extract("month", movements.c.day)
    profit = func.sum(cents(movements.c.net - func.coalesce(movements.c.cost, 0)))
    statement = (
        select(year, month, profit)
        .where(movements.c.customer_id == customer_id)
        .group_by(year, month)
    )
    by_month = {
        (int(row[0]), int(row[1])): int(row[2] or 0) for row in db.session.execute(statement)
    }
    firsts = [dates.add_months(today.replace(day=1), -back) for back in range(months - 1, -1, -1)]
    recent = [
        (dates.period_of(day), from_cents(by_month.get((day.year, day.month), 0))) for day in firsts
    ]
    years = sorted({key[0] for key in by_month} | {today.year}, reverse=True)
    rows = []
    for number in years:
        amounts = [by_month.get((number, month_number), 0) for month_number in range(1, 13)]
        rows.append(
            YearRow(number, [from_cents(amount) for amount in amounts], from_cents(sum(amounts)))
        )
    return CustomerProfit(recent, rows)


def change(value: CustomerValue | None) -> tuple[Decimal, Decimal | None]:
    """(profit change against the previous 12 months, as a fraction of the previous or None when it was ≤ 0)."""
    if value is None:
        return Decimal("0.00"), None
    difference = value.profit_12m - value.profit_previous_12m
    if value.profit_previous_12m_cents <= 0:
        return difference, None
    return difference, difference / value.profit_previous_12m


@dataclass
class ValueFilters:
    """How the tiers page narrows its list."""

    tier: str = ""
    stage: str = ""
    query: str = ""


def sorts() -> dict[str, Any]:
    """Sortable columns of the tiers page."""
    rules = loyalty_settings.current().tiers
    return {
        "name": func.lower(Customer.name),
        "profit": CustomerValue.profit_12m_cents,
        "change": CustomerValue.profit_12m_cents - CustomerValue.profit_previous_12m_cents,
        "tier": tier_rank(CustomerValue.tier, rules),
        "stage": CustomerValue.stage,
        "orders": CustomerValue.order_count,
        "last_order": CustomerValue.last_order_on,
    }


def values_statement(filters: ValueFilters, user: User) -> Select[Any]:
    """The customers' snapshot rows the user may see, filtered (joined with Customer)."""
    statement = select(CustomerValue).join(Customer, Customer.id == CustomerValue.customer_id)
    if filters.tier == NO_TIER:
        statement = statement.where(CustomerValue.tier.is_(None))
    elif filters.tier:
        statement = statement.where(CustomerValue.tier == filters.tier)
    if filters.stage in STAGES:
        statement = statement.where(CustomerValue.stage == filters.stage)
    if filters.query.strip():
        statement = statement.where(text_matches(filters.query))
    return visible_customers(statement, user)


def tier_distribution(user: User) -> list[tuple[str, int, Decimal]]:
    """(tier, customers, trailing-12-month profit) for each configured tier and "no tier", one query."""
    statement = visible_customers(
        select(
            CustomerValue.tier,
            func.count(),
            func.coalesce(func.sum(CustomerValue.profit_12m_cents), 0),
        )
        .join(Customer, Customer.id == CustomerValue.customer_id)
        .group_by(CustomerValue.tier),
        user,
    )
    found = {row[0]: (int(row[1]), int(row[2])) for row in db.session.execute(statement)}
    rows = []
    for rule in loyalty_settings.current().tiers:
        count, profit = found.pop(rule.name, (0, 0))
        rows.append((rule.name, count, from_cents(profit)))
    count, profit = found.pop(None, (0, 0))
    rows.append((NO_TIER, count, from_cents(profit)))
    # Tiers no longer configured (renamed in the settings) until the next recompute.
    rows += [(str(name), count, from_cents(profit)) for name, (count, profit) in found.items()]
    return rows


def stage_distribution(user: User) -> list[tuple[str, int]]:
    """(stage, customers) for every stage in lifecycle order, one query."""
    statement = visible_customers(
        select(CustomerValue.stage, func.count())
        .join(Customer, Customer.id == CustomerValue.customer_id)
        .group_by(CustomerValue.stage),
        user,
    )
    found = {row[0]: int(row[1]) for row in db.session.execute(statement)}
    return [(stage, found.get(stage, 0)) for stage in STAGES]


def last_computed() -> dt.datetime | None:
    """When the snapshot was last written."""
    return db.session.scalar(select(func.max(CustomerValue.computed_at)))
