"""Figures built on the entries: product grades, profit per grade, the leaderboard, the customer
panel and the dashboard widgets. Each is one grouped query (amounts summed in exact cents)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import ROUND_FLOOR, Decimal
from typing import Any

from sqlalchemy import Select, and_, case, func, or_, select, true

from core.db import db
from core.models import Product, User
from core.money import from_cents
from core.search import lower_contains
from core.sql import cents
from plugins.sales_commission.desired import basis_points
from plugins.sales_commission.models import Entry, Statement
from plugins.sales_commission.rules import Tier, Version

ZERO = Decimal("0.00")


@dataclass(frozen=True)
class ProductGrade:
    """A product's list margin, its grade under the rules in force and how far a discount may go."""

    product: Product
    margin: Decimal | None
    tier: Tier | None
    #: The largest discount that keeps the grade (grading "line"), or that stays above cost.
    max_discount: Decimal | None


def grade_expression(version: Version) -> Any:
    """SQL: the tier name of each product's list margin under a version (None below every tier)."""
    price, cost = cents(Product.list_price), cents(Product.unit_cost)
    whens = [
        (
            and_(price > 0, (price - cost) * 10000 >= basis_points(tier.min_margin) * price),
            tier.name,
        )
        for tier in version.tiers
    ]
    return case(*whens, else_=None)


def margin_expression() -> Any:
    """SQL: a product's list margin, for sorting only (never for money)."""
    return (Product.list_price - Product.unit_cost) / func.nullif(Product.list_price, 0)


def product_grade(product: Product, version: Version) -> ProductGrade:
    """Grade one product (already loaded) with the version in force."""
    margin = product.list_margin
    tier = version.tier_for(margin)
    return ProductGrade(product, margin, tier, max_discount(product, version, tier))


def max_discount(product: Product, version: Version, tier: Tier | None) -> Decimal | None:
    """The largest discount fraction (rounded down to 0.1 %) that keeps the line in its grade.

    With grading "line" the margin after a discount d is (p(1 − d) − c) / (p(1 − d)); it stays
    at least m while d ≤ 1 − c / (p(1 − m)). With grading "product" a discount never changes
    the grade, but below cost (d > 1 − c / p) the line earns nothing.
    """
    price, cost = product.list_price, product.unit_cost
    if not price or tier is None:
        return None
    threshold = tier.min_margin if version.grade_by == "line" else Decimal("0")
    if threshold >= 1:
        return Decimal("0")
    limit = 1 - cost / (price * (1 - threshold))
    return max(Decimal("0"), limit.quantize(Decimal("0.001"), rounding=ROUND_FLOOR))


def _sums() -> list[Any]:
    """count, net, profit and commission of entries, in cents."""
    return [
        func.count().label("lines"),
        func.coalesce(func.sum(cents(Entry.net)), 0).label("net"),
        func.coalesce(func.sum(cents(Entry.profit)), 0).label("profit"),
        func.coalesce(func.sum(cents(Entry.amount)), 0).label("commission"),
    ]


@dataclass(frozen=True)
class Totals:
    """Summed figures of a group of entries."""

    key: Any
    lines: int
    net: Decimal
    profit: Decimal
    commission: Decimal

    @property
    def margin(self) -> Decimal | None:
        """profit / net of the group (never an average of line margins)."""
        return self.profit / self.net if self.net else None


def _totals(rows: Sequence[Any]) -> list[Totals]:
    """Totals from rows of (key, lines, net, profit, commission in cents)."""
    return [
        Totals(
            row[0],
            row.lines,
            from_cents(row.net),
            from_cents(row.profit),
            from_cents(row.commission),
        )
        for row in rows
    ]


def profit_by_tier(
    first_period: str, last_period: str, salesperson_id: int | None = None
) -> list[Totals]:
    """Net, profit and commission per tier over statement months (None = below every tier)."""
    statement = (
        select(Entry.tier, *_sums())
        .where(Entry.period.between(first_period, last_period))
        .group_by(Entry.tier)
    )
    if salesperson_id is not None:
        statement = statement.where(Entry.salesperson_id == salesperson_id)
    rows = db.session.execute(statement).all()
    return sorted(_totals(rows), key=lambda totals: -totals.commission)


def leaderboard(first_period: str, last_period: str) -> list[tuple[User, Totals]]:
    """Salespeople ranked by the profit they earned the company over the months, highest first."""
    sums = (
        select(Entry.salesperson_id, *_sums())
        .where(Entry.period.between(first_period, last_period))
        .group_by(Entry.salesperson_id)
        .subquery()
    )
    rows = db.session.execute(
        select(User, sums.c.lines, sums.c.net, sums.c.profit, sums.c.commission)
        .join(sums, sums.c.salesperson_id == User.id)
        .order_by(sums.c.profit.desc(), User.name)
    ).all()
    return [
        (
            row.User,
            Totals(
                row.User.id,
                row.lines,
                from_cents(row.net),
                from_cents(row.profit),
                from_cents(row.commission),
            ),
        )
        for row in rows
    ]


def customer_figures(customer_id: int, salesperson_id: int | None) -> dict[str, Decimal | int]:
    """Profit the customer brought and the commission on it, with the part on paid statements;
    one query. With a salesperson, only their own sales count (a salesperson never sees a
    colleague's figures, docs/permissions.md); without, every salesperson's."""
    mine = Entry.salesperson_id == salesperson_id if salesperson_id is not None else true()
    paid = Statement.status == "paid"
    row = db.session.execute(
        select(
            func.coalesce(func.sum(cents(Entry.net)), 0),
            func.coalesce(func.sum(cents(Entry.profit)), 0),
            func.coalesce(func.sum(cents(Entry.amount)), 0),
            func.coalesce(func.sum(case((paid, cents(Entry.amount)), else_=0)), 0),
        )
        .outerjoin(
            Statement,
            and_(
                Statement.salesperson_id == Entry.salesperson_id, Statement.period == Entry.period
            ),
        )
        .where(Entry.customer_id == customer_id, mine)
    ).one()
    net, profit, commission, paid_amount = (from_cents(value) for value in row)
    return {"net": net, "profit": profit, "commission": commission, "paid": paid_amount}


def month_figures(period: str, salesperson_id: int) -> dict[str, Any]:
    """A salesperson's month so far: totals, adjustments and commission per tier; one query."""
    adjustment = case((Entry.period != Entry.sale_period, cents(Entry.amount)), else_=0)
    rows = db.session.execute(
        select(Entry.tier, *_sums(), func.coalesce(func.sum(adjustment), 0).label("adjustments"))
        .where(Entry.period == period, Entry.salesperson_id == salesperson_id)
        .group_by(Entry.tier)
    ).all()
    tiers = _totals(rows)
    return {
        "lines": sum(totals.lines for totals in tiers),
        "net": sum((totals.net for totals in tiers), ZERO),
        "profit": sum((totals.profit for totals in tiers), ZERO),
        "commission": sum((totals.commission for totals in tiers), ZERO),
        "adjustments": sum((from_cents(row.adjustments) for row in rows), ZERO),
        "by_tier": [(totals.key, totals.commission) for totals in tiers if totals.key is not None],
    }


def products_statement(version: Version, query: str, category: str, grade: str) -> Select[Any]:
    """Active products filtered by text, category and grade (tier name, or "none")."""
    statement = select(Product).where(Product.active.is_(True))
    if query:
        statement = statement.where(
            or_(lower_contains(Product.name, query), lower_contains(Product.sku, query))
        )
    if category:
        statement = statement.where(Product.category == category)
    if grade == "none":
        statement = statement.where(grade_expression(version).is_(None))
    elif grade:
        statement = statement.where(grade_expression(version) == grade)
    return statement
