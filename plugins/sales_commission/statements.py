"""Statements: per salesperson and month, the totals by tier and the lines that explain them.

Every figure is a sum of stored entries (in exact integer cents), so a statement always adds
up to its lines: ``commission`` is the sum of all amounts, ``adjustments`` the part of it
that concerns sales of other months (clawbacks of refunds after approval, late sales),
``lines`` the number of entries, and ``by_tier`` the amounts per tier.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from sqlalchemy import Select, case, func, or_, select

from core import dates
from core.db import db
from core.models import Order, Product, User
from core.money import format_quantity, from_cents
from core.sql import cents
from plugins.sales_commission.models import Entry, Statement
from plugins.sales_commission.rules import RuleSet

ZERO = Decimal("0.00")


@dataclass
class Summary:
    """One salesperson's statement for one month."""

    salesperson: User
    period: str
    approval: Statement | None = None
    lines: int = 0
    net: Decimal = ZERO
    profit: Decimal = ZERO
    commission: Decimal = ZERO
    adjustments: Decimal = ZERO
    by_tier: dict[str, Decimal] = field(default_factory=dict)

    @property
    def status(self) -> str:
        """draft, approved or paid."""
        return self.approval.status if self.approval is not None else "draft"

    def as_json(self) -> dict[str, Any]:
        """The fixed JSON shape of DESIGN.md section 6 (amounts as two-decimal strings)."""
        return {
            "salesperson": self.salesperson.email,
            "status": self.status,
            "lines": self.lines,
            "net": f"{self.net:.2f}",
            "profit": f"{self.profit:.2f}",
            "commission": f"{self.commission:.2f}",
            "adjustments": f"{self.adjustments:.2f}",
            "by_tier": {tier: f"{amount:.2f}" for tier, amount in self.by_tier.items()},
        }


def _totals(filters: Sequence[Any], group: Sequence[Any]) -> Select[Any]:
    """Counts and exact cent sums of entries, grouped."""
    adjustment = case((Entry.period != Entry.sale_period, cents(Entry.amount)), else_=0)
    return (
        select(
            *group,
            func.count().label("lines"),
            func.sum(cents(Entry.net)).label("net"),
            func.sum(cents(Entry.profit)).label("profit"),
            func.sum(cents(Entry.amount)).label("commission"),
            func.sum(adjustment).label("adjustments"),
        )
        .where(*filters)
        .group_by(*group)
    )


def tiers_in_force(rules: RuleSet | None, period: str) -> list[str]:
    """Names of the tiers of every version in force during the month, highest first."""
    if rules is None:
        return []
    start, end = dates.parse_period(period)
    names: list[str] = []
    for index, version in enumerate(rules.versions):
        following = rules.versions[index + 1] if index + 1 < len(rules.versions) else None
        if version.effective_from <= end and (
            following is None or following.effective_from > start
        ):
            names += [tier.name for tier in version.tiers if tier.name not in names]
    return names


def period_summaries(
    period: str,
    rules: RuleSet | None,
    salesperson_ids: Iterable[int] | None = None,
    with_sales_staff: bool = False,
) -> list[Summary]:
    """Statements of a month: everyone with entries or an approval (and, if asked, every
    active salesperson), or only the given salespeople. Sorted by name. Three queries."""
    filters: list[Any] = [Entry.period == period]
    chosen = list(salesperson_ids) if salesperson_ids is not None else None
    if chosen is not None:
        filters.append(Entry.salesperson_id.in_(chosen))
    rows = db.session.execute(_totals(filters, [Entry.salesperson_id, Entry.tier])).all()
    approvals_query = select(Statement).where(Statement.period == period)
    if chosen is not None:
        approvals_query = approvals_query.where(Statement.salesperson_id.in_(chosen))
    approvals = {row.salesperson_id: row for row in db.session.scalars(approvals_query)}
    wanted = {row.salesperson_id for row in rows} | set(approvals) | set(chosen or [])
    users_query = select(User).where(User.id.in_(wanted))
    if with_sales_staff and chosen is None:
        users_query = select(User).where(
            or_(User.id.in_(wanted), (User.role == "sales") & User.active.is_(True))
        )
    users = {user.id: user for user in db.session.scalars(users_query)}
    tier_names = tiers_in_force(rules, period)
    summaries = {
        user_id: Summary(
            user, period, approvals.get(user_id), by_tier=dict.fromkeys(tier_names, ZERO)
        )
        for user_id, user in users.items()
    }
    for row in rows:
        summary = summaries[row.salesperson_id]
        summary.lines += row.lines
        summary.net += from_cents(row.net)
        summary.profit += from_cents(row.profit)
        summary.commission += from_cents(row.commission)
        summary.adjustments += from_cents(row.adjustments)
        if row.tier is not None:
            summary.by_tier[row.tier] = summary.by_tier.get(row.tier, ZERO) + from_cents(
                row.commission
            )
    return sorted(
        summaries.values(),
        key=lambda summary: (summary.salesperson.name, summary.salesperson.email),
    )


def statement_document(period: str, currency: str, summaries: Sequence[Summary]) -> dict[str, Any]:
    """The JSON document of `clientele sales_commission statement --format json`."""
    return {
        "period": period,
        "currency": currency,
        "statements": [summary.as_json() for summary in summaries],
    }


def months_of(salesperson_id: int) -> Select[Any]:
    """One row per month of a salesperson's statements (entries or an approval), newest first."""
    totals = _totals([Entry.salesperson_id == salesperson_id], [Entry.period]).subquery()
    approvals = select(Statement.period).where(Statement.salesperson_id == salesperson_id)
    periods = select(totals.c.period).union(approvals).subquery()
    return (
        select(
            periods.c.period,
            func.coalesce(totals.c.lines, 0).label("lines"),
            totals.c.net,
            totals.c.profit,
            totals.c.commission,
            totals.c.adjustments,
            Statement.status,
            Statement.paid_on,
        )
        .select_from(periods)
        .outerjoin(totals, totals.c.period == periods.c.period)
        .outerjoin(
            Statement,
            (Statement.period == periods.c.period) & (Statement.salesperson_id == salesperson_id),
        )
        .order_by(periods.c.period.desc())
    )


def month_row(row: Any) -> dict[str, Any]:
    """A row of months_of with its cent sums as Decimals."""
    return {
        "period": row.period,
        "status": row.status or "draft",
        "lines": row.lines,
        "net": from_cents(row.net),
        "profit": from_cents(row.profit),
        "commission": from_cents(row.commission),
        "adjustments": from_cents(row.adjustments),
        "paid_on": row.paid_on,
    }


#: Sortable columns of a statement's lines.
LINE_SORTS = {
    "date": Entry.event_date,
    "order": Order.number,
    "amount": Entry.amount,
    "tier": Entry.tier,
    "kind": Entry.kind,
}


def statement_lines(salesperson_id: int, period: str) -> Select:
    """The entries of a statement with the order number, its salesperson and the product."""
    return (
        select(
            Entry,
            Order.number.label("order_number"),
            Order.salesperson_id.label("order_salesperson_id"),
            Product.sku,
            Product.name.label("product_name"),
        )
        .join(Order, Order.id == Entry.order_id)
        .join(Product, Product.id == Entry.product_id)
        .where(Entry.salesperson_id == salesperson_id, Entry.period == period)
    )


#: Columns of the CSV export of a statement, in order.
CSV_COLUMNS = (
    "date",
    "kind",
    "adjustment",
    "order",
    "line",
    "sku",
    "product",
    "quantity",
    "unit_price",
    "discount",
    "unit_cost",
    "line_net",
    "line_cost",
    "grading_revenue",
    "grading_profit",
    "margin",
    "tier",
    "rate",
    "base",
    "line_base",
    "line_commission",
    "share_percent",
    "net",
    "profit",
    "amount",
    "note",
)


def csv_row(row: Any) -> dict[str, Any]:
    """One statement line as a CSV row (see CSV_COLUMNS); amounts keep two decimals."""
    entry: Entry = row.Entry
    return {
        "date": entry.event_date,
        "kind": entry.kind,
        "adjustment": "yes" if entry.is_adjustment else "no",
        "order": row.order_number,
        "line": entry.line_position,
        "sku": row.sku,
        "product": row.product_name,
        "quantity": format_quantity(entry.quantity),
        "unit_price": entry.unit_price,
        "discount": f"{entry.discount:.4f}",
        "unit_cost": entry.unit_cost,
        "line_net": entry.line_net,
        "line_cost": entry.line_cost,
        "grading_revenue": entry.grading_revenue,
        "grading_profit": entry.grading_profit,
        "margin": "" if entry.margin is None else f"{entry.margin:.6f}",
        "tier": entry.tier or "",
        "rate": f"{entry.rate:.4f}",
        "base": entry.base_kind,
        "line_base": entry.line_base,
        "line_commission": entry.line_commission,
        "share_percent": entry.share,
        "net": entry.net,
        "profit": entry.profit,
        "amount": entry.amount,
        "note": entry.reason,
    }
