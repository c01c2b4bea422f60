"""The entries the rules call for, as one set-based SELECT over order lines (no Python per row).

For every line of an order that was confirmed (confirmed, refunded, or cancelled after it was
confirmed) and every salesperson's share of that order it yields a sale entry, and a reversal
(refund or cancellation) when the line was refunded or the order cancelled. accrual.py
compares these rows with the stored entries and writes only the differences.

All arithmetic is done on exact integer cents and basis points, so SQLite (which stores
Numeric as floating point) and PostgreSQL give the same figures:

    net, cost          the line's stored (already rounded) net and cost, in cents
    margin             grading_profit / grading_revenue, compared exactly as
                       grading_profit × 10000 ≥ min_margin_bp × grading_revenue
    base               net (base "revenue") or net − cost (base "profit")
    line commission    0 when the line sold below cost (net < cost) or no tier applies;
                       else round_half_up(base × rate) = (base_cents × rate_bp + 5000) // 10000
    shares             every salesperson after the first gets round_half_up(x × percent / 100)
                       of each figure x (net, cost, commission); the first gets x minus the
                       others' parts, so the shares always add up to the line's figures.
"""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal
from typing import Any

from sqlalchemy import (
    CTE,
    BigInteger,
    and_,
    case,
    cast,
    func,
    literal,
    literal_column,
    null,
    or_,
    select,
    union_all,
)
from sqlalchemy.orm import aliased
from sqlalchemy.sql import ColumnElement, Subquery

from core.ledger import counted_orders
from core.models import Order, OrderLine
from core.sql import CENT, amount_of_cents, cents, divide_half_up, month_of
from plugins.sales_commission.models import Cancellation, LineGrade, Split, Statement
from plugins.sales_commission.rules import RuleSet, Version

#: Orders whose lines earn commission (a cancelled one only when it had been confirmed).
BASIS_POINT: ColumnElement[Any] = literal_column("0.0001")
#: Margins further below zero than this are not stored (they would not fit; they earn nothing).
LOWEST_STORED_MARGIN = -999


def basis_points(value: Decimal) -> int:
    """0.0825 → 825 (checked settings have at most four decimals)."""
    return int(value * 10000)


def _version_of(order_date: Any, rules: RuleSet) -> ColumnElement[Any]:
    """The id of the version in force on the order date (latest effective date not after it)."""
    newest_first = list(reversed(rules.versions))
    if len(newest_first) == 1:
        return literal(newest_first[0].id)
    whens = [(order_date >= version.effective_from, version.id) for version in newest_first[:-1]]
    return case(*whens, else_=newest_first[-1].id)


def _per_version(
    version_id: Any, rules: RuleSet, value: Any, otherwise: Any = None
) -> ColumnElement[Any]:
    """CASE version_id WHEN v THEN value(v) ...: one value per version."""
    whens = [(version_id == version.id, value(version)) for version in rules.versions]
    return case(*whens, else_=otherwise)


def _tier_of(version: Version, revenue: Any, profit: Any) -> ColumnElement[Any]:
    """The id of the first tier of the version whose threshold the exact margin reaches."""
    if not version.tiers:
        return null()
    whens = [
        (and_(revenue > 0, profit * 10000 >= basis_points(tier.min_margin) * revenue), tier.id)
        for tier in version.tiers
    ]
    return case(*whens, else_=None)


def _tier_value(rules: RuleSet, tier_id: Any, value: Any, otherwise: Any) -> ColumnElement[Any]:
    """CASE tier_id WHEN t THEN value(t) ...: a tier's name or rate from its id."""
    whens = [
        (tier_id == tier.id, value(tier)) for version in rules.versions for tier in version.tiers
    ]
    return case(*whens, else_=otherwise) if whens else literal(otherwise)


def _counted_lines(rules: RuleSet, order_ids: Any) -> Subquery:
    """Each counted line of the scope's orders with its version, cents and the margin's figures."""
    version_id = _version_of(Order.order_date, rules)
    by_product = [version.id for version in rules.versions if version.grade_by == "product"]
    net = cents(OrderLine.net_amount)
    cost = cents(func.coalesce(OrderLine.cost_amount, 0))
    list_price = cents(LineGrade.list_price)
    list_cost = cents(LineGrade.product_cost)
    statement = (
        select(
            OrderLine.id.label("line_id"),
            OrderLine.order_id,
            OrderLine.position,
            OrderLine.product_id,
            OrderLine.quantity,
            OrderLine.unit_price,
            OrderLine.discount,
            func.coalesce(OrderLine.unit_cost, 0).label("unit_cost"),
            OrderLine.refunded_on,
            Order.customer_id,
            Order.salesperson_id.label("order_salesperson_id"),
            Order.order_date,
            Cancellation.cancelled_on,
            month_of(Order.order_date).label("sale_period"),
            month_of(func.coalesce(OrderLine.refunded_on, Cancellation.cancelled_on)).label(
                "reversal_period"
            ),
            net.label("net_c"),
            cost.label("cost_c"),
            version_id.label("version_id"),
            (
                case((version_id.in_(by_product), list_price), else_=net) if by_product else net
            ).label("grade_revenue_c"),
            (
                case((version_id.in_(by_product), list_price - list_cost), else_=net - cost)
                if by_product
                else net - cost
            ).label("grade_profit_c"),
        )
        .join(Order, Order.id == OrderLine.order_id)
        .outerjoin(Cancellation, Cancellation.order_id == Order.id)
        .where(
            Order.id.in_(order_ids),
            or_(counted_orders(), Cancellation.order_id.is_not(None)),
        )
    )
    if by_product:
        # The list price snapshot is read only while some version grades by product.
        statement = statement.join(LineGrade, LineGrade.order_line_id == OrderLine.id)
    return statement.subquery("lines")


def graded_lines(rules: RuleSet, order_ids: Any) -> CTE:
    """Each counted line of the scope's orders with its version, cents, margin figures and tier."""
    lines = _counted_lines(rules, order_ids)
    tier_id = _per_version(
        lines.c.version_id,
        rules,
        lambda version: _tier_of(version, lines.c.grade_revenue_c, lines.c.grade_profit_c),
    )
    return select(lines, tier_id.label("tier_id")).cte("graded").prefix_with("MATERIALIZED")


def priced_lines(rules: RuleSet, order_ids: Any) -> CTE:
    """graded_lines plus the tier's name and rate, the base and the whole line's commission."""
    graded = graded_lines(rules, order_ids)
    profit_versions = [version.id for version in rules.versions if version.base == "profit"]
    rate_bp = _tier_value(rules, graded.c.tier_id, lambda tier: basis_points(tier.rate), 0)
    profit = graded.c.net_c - graded.c.cost_c
    base = (
        case((graded.c.version_id.in_(profit_versions), profit), else_=graded.c.net_c)
        if profit_versions
        else graded.c.net_c
    )
    commission = case(
        (or_(profit < 0, graded.c.tier_id.is_(None)), 0),
        else_=divide_half_up(base * rate_bp, 10000),
    )
    reason = case(
        (profit < 0, "sold below cost"),
        (graded.c.grade_revenue_c <= 0, "no revenue to grade"),
        (graded.c.tier_id.is_(None), "margin below every tier"),
        else_="",
    )
    return (
        select(
            graded,
            _tier_value(rules, graded.c.tier_id, lambda tier: tier.name, None).label("tier"),
            rate_bp.label("rate_bp"),
            base.label("base_c"),
            commission.label("commission_c"),
            reason.label("reason"),
        )
        .cte("priced")
        .prefix_with("MATERIALIZED")
    )


def shared_lines(rules: RuleSet, order_ids: Any) -> Subquery:
    """priced_lines once per salesperson share, with that salesperson's part of each figure.

    An order without split rows is shared 100 % to its salesperson. With a split, every
    salesperson after the first gets round_half_up(figure × percent / 100) and the first the
    figure minus the others' parts (a correlated sum over the order's other split rows, so
    orders without a split cost nothing extra).
    """
    priced = priced_lines(rules, order_ids)
    other = aliased(Split)
    percent = cast(func.round(Split.percent * 100), BigInteger)
    other_percent = cast(func.round(other.percent * 100), BigInteger)
    parts = {}
    for name, column in (
        ("net", priced.c.net_c),
        ("cost", priced.c.cost_c),
        ("commission", priced.c.commission_c),
    ):
        others = (
            # Cast back: PostgreSQL sums bigints as numeric, which every later step would carry.
            select(
                cast(
                    func.coalesce(func.sum(divide_half_up(column * other_percent, 10000)), 0),
                    BigInteger,
                )
            )
            .where(other.order_id == priced.c.order_id, other.position != 1)
            .scalar_subquery()
        )
        parts[f"part_{name}_c"] = case(
            (Split.order_id.is_(None), column),
            (Split.position == 1, column - others),
            else_=divide_half_up(column * percent, 10000),
        )
    salesperson = func.coalesce(Split.salesperson_id, priced.c.order_salesperson_id)
    return (
        select(
            priced,
            salesperson.label("salesperson_id"),
            func.coalesce(percent, 10000).label("percent"),
            *(expression.label(name) for name, expression in parts.items()),
        )
        .select_from(priced)
        .outerjoin(Split, Split.order_id == priced.c.order_id)
        .where(salesperson.is_not(None))
        .subquery("shared")
    )


def desired_entries(rules: RuleSet, order_ids: Any) -> Subquery:
    """The entries the scope's orders call for, with the columns of Entry plus *_c cents for matching.

    Each shared line appears once as a sale (sign +1) and, when it was refunded or its order
    cancelled, once more as a reversal (sign −1); each lands in its event's month, or in the
    month its salesperson's approved statement carries to.
    """
    line = shared_lines(rules, order_ids)
    signs = union_all(select(literal(1).label("sign")), select(literal(-1).label("sign"))).subquery(
        "signs"
    )
    sign = signs.c.sign
    reversed_on = func.coalesce(line.c.refunded_on, line.c.cancelled_on)
    event_period = case((sign == 1, line.c.sale_period), else_=line.c.reversal_period)
    landing = Statement.__table__.alias("landing")
    columns = [
        line.c.salesperson_id,
        func.coalesce(landing.c.carry_to, event_period).label("period"),
        line.c.sale_period,
        case(
            (sign == 1, "sale"), (line.c.refunded_on.is_not(None), "refund"), else_="cancellation"
        ).label("kind"),
        case((sign == 1, line.c.order_date), else_=reversed_on).label("event_date"),
        *_line_columns(line, rules),
        *_signed_columns(line, sign),
    ]
    return (
        select(*columns)
        .select_from(line)
        .join(signs, or_(sign == 1, reversed_on.is_not(None)))
        .outerjoin(
            landing,
            and_(
                landing.c.salesperson_id == line.c.salesperson_id,
                landing.c.period == event_period,
            ),
        )
        .subquery("desired")
    )


def _line_columns(line: Subquery, rules: RuleSet) -> list[Any]:
    """What explains the line: order, product, price, the margin's figures, version and tier."""
    margin = case(
        (
            and_(
                line.c.grade_revenue_c > 0,
                line.c.grade_profit_c >= LOWEST_STORED_MARGIN * line.c.grade_revenue_c,
            ),
            line.c.grade_profit_c * literal_column("1.0") / line.c.grade_revenue_c,
        ),
        else_=None,
    )
    return [
        line.c.order_id,
        line.c.line_id.label("order_line_id"),
        line.c.position.label("line_position"),
        line.c.customer_id,
        line.c.product_id,
        line.c.quantity,
        line.c.unit_price,
        line.c.discount,
        line.c.unit_cost,
        amount_of_cents(line.c.grade_revenue_c).label("grading_revenue"),
        amount_of_cents(line.c.grade_profit_c).label("grading_profit"),
        margin.label("margin"),
        line.c.version_id.label("rule_version_id"),
        _per_version(line.c.version_id, rules, lambda version: version.base).label("base_kind"),
        _per_version(line.c.version_id, rules, lambda version: version.grade_by).label("grade_by"),
        line.c.tier,
        (line.c.rate_bp * BASIS_POINT).label("rate"),
        (line.c.percent * CENT).label("share"),
        line.c.reason,
        line.c.percent.label("share_hundredths"),
    ]


def _signed_columns(line: Subquery, sign: Any) -> list[Any]:
    """The amounts with the entry's sign, as money and as exact cents (for matching)."""
    signed = {
        name: sign * line.c[column]
        for name, column in (
            ("line_net", "net_c"),
            ("line_cost", "cost_c"),
            ("line_base", "base_c"),
            ("line_commission", "commission_c"),
            ("net", "part_net_c"),
            ("cost", "part_cost_c"),
            ("amount", "part_commission_c"),
        )
    }
    signed["profit"] = signed["net"] - signed["cost"]
    money = [amount_of_cents(value).label(name) for name, value in signed.items()]
    exact = [
        signed[name].label(f"{name}_c") for name in ("net", "cost", "amount", "line_commission")
    ]
    return money + exact


#: Entry columns written from desired_entries (all but id, corrects_id and created_at).
ENTRY_COLUMNS: Sequence[str] = (
    "salesperson_id",
    "period",
    "sale_period",
    "kind",
    "event_date",
    "order_id",
    "order_line_id",
    "line_position",
    "customer_id",
    "product_id",
    "quantity",
    "unit_price",
    "discount",
    "unit_cost",
    "line_net",
    "line_cost",
    "grading_revenue",
    "grading_profit",
    "margin",
    "rule_version_id",
    "base_kind",
    "grade_by",
    "tier",
    "rate",
    "line_base",
    "line_commission",
    "share",
    "net",
    "cost",
    "profit",
    "amount",
    "reason",
)
