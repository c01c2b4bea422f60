"""The reports as plain functions: one set-based query each, on SQLite and PostgreSQL.

Money follows docs/money.md through core.ledger.sales_movements (the one copy of the rule):
a confirmed or refunded order counts on its order date, a refunded line counts again,
negatively, on its refund date. Sums are taken in exact integer cents (core.sql.sum_cents)
and divided in Python on Decimals; fractions (margin, support, confidence, lift) are rounded
half up to four places.

``customers`` everywhere is an optional Select of customer ids (a segment) the figures are
limited to; None means every customer.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import ROUND_CEILING, ROUND_HALF_UP, Decimal
from typing import Any

from sqlalchemy import (
    Select,
    and_,
    case,
    distinct,
    func,
    literal,
    literal_column,
    select,
    union_all,
)
from sqlalchemy.orm import aliased

from core.dates import add_months, company_midnight, parse_period
from core.db import db
from core.i18n import _
from core.ledger import counted_orders, sales_movements
from core.models import Customer, Order, OrderLine, Product, User
from core.money import from_cents, margin
from core.plugins import hook
from core.sql import month_of, sum_cents

#: What performance can be grouped by, and the text of each group's key.
DIMENSIONS = ("category", "channel", "region", "city", "salesperson", "product")
LEVELS = ("product", "category")
FOUR_PLACES = Decimal("0.0001")


class ReportError(ValueError):
    """A report cannot be made from these arguments; the message says why."""


def fraction(value: Decimal | None) -> Decimal | None:
    """A fraction rounded half up to four places (0.33335 → 0.3334); None stays None."""
    return None if value is None else value.quantize(FOUR_PLACES, rounding=ROUND_HALF_UP)


@dataclass(frozen=True)
class Period:
    """Whole months from the first day of ``first`` to the last day of ``last``."""

    first: str
    last: str
    start: dt.date
    end: dt.date

    @property
    def months(self) -> list[str]:
        """Every month of the period, YYYY-MM, oldest first."""
        months, day = [], self.start
        while day <= self.end:
            months.append(day.strftime("%Y-%m"))
            day = add_months(day, 1)
        return months


def period(first: str, last: str) -> Period:
    """The months first … last (YYYY-MM); ReportError when either is not a month or last is earlier."""
    try:
        start, _month_end = parse_period(first)
    except ValueError as error:
        raise ReportError(_("from: %(problem)s", problem=error)) from None
    try:
        _month_start, end = parse_period(last)
    except ValueError as error:
        raise ReportError(_("to: %(problem)s", problem=error)) from None
    if end < start:
        raise ReportError(_("to (%(last)s) is before from (%(first)s)", last=last, first=first))
    return Period(first, last, start, end)


def months_between(first: str, later: str) -> int:
    """How many months later is from first (both YYYY-MM): 2026-01 → 2026-03 is 2."""
    return (int(later[:4]) - int(first[:4])) * 12 + int(later[5:7]) - int(first[5:7])


def _bad_dimension(by: str) -> str:
    return _("by must be one of %(known)s, not %(by)r", known=", ".join(DIMENSIONS), by=by)


def _limited(statement: Any, column: Any, customers: Select[Any] | None) -> Any:
    return statement if customers is None else statement.where(column.in_(customers))


# --- Performance ---------------------------------------------------------------------------


def _key_column(by: str, movements: Any) -> tuple[Any, Any, list[Any]]:
    """(key expression, id expression or None, joins) for a performance dimension."""
    if by == "category":
        return Product.category, None, [(Product, Product.id == movements.c.product_id)]
    if by == "product":
        return Product.sku, Product.id, [(Product, Product.id == movements.c.product_id)]
    if by == "salesperson":
        return (
            func.coalesce(User.name, ""),
            movements.c.salesperson_id,
            [(User, User.id == movements.c.salesperson_id, True)],
        )
    column = {"channel": Customer.channel, "region": Customer.region, "city": Customer.city}[by]
    return column, None, [(Customer, Customer.id == movements.c.customer_id)]


def performance(
    by: str, when: Period, per_month: bool = False, customers: Select[Any] | None = None
) -> list[dict[str, Any]]:
    """Net, cost, profit, margin, orders and customers per group (and month), one query.

    Orders and customers are those with a sale in the group and period (a refund lowers the
    money of its month but is not an order). Rows by key (and month); net descending when
    over the whole period.
    """
    if by not in DIMENSIONS:
        raise ReportError(_bad_dimension(by))
    movements = sales_movements(when.start, when.end)
    key, identifier, joins = _key_column(by, movements)
    sale = movements.c.sign > 0
    columns = [
        key.label("key"),
        (identifier if identifier is not None else literal(None)).label("id"),
        sum_cents(movements.c.net).label("net"),
        sum_cents(movements.c.cost).label("cost"),
        func.count(distinct(case((sale, movements.c.order_id)))).label("orders"),
        func.count(distinct(case((sale, movements.c.customer_id)))).label("customers"),
    ]
    groups = [key] if identifier is None else [key, identifier]
    if per_month:
        month = month_of(movements.c.day)
        columns.append(month.label("month"))
        groups.append(month)
    statement: Select[Any] = select(*columns).select_from(movements)
    for join in joins:
        statement = statement.join(join[0], join[1], isouter=len(join) > 2)
    statement = _limited(statement, movements.c.customer_id, customers).group_by(*groups)
    rows = []
    for row in db.session.execute(statement):
        net, cost = from_cents(row.net), from_cents(row.cost)
        item = {
            "key": row.key or "",
            "id": row.id,
            "net": net,
            "cost": cost,
            "profit": net - cost,
            "margin": fraction(margin(net - cost, net)),
            "orders": row.orders,
            "customers": row.customers,
        }
        if per_month:
            item["month"] = row.month
        rows.append(item)
    if per_month:
        rows.sort(key=lambda item: (item["key"], item["month"]))
    else:
        rows.sort(key=lambda item: (-item["net"], item["key"]))
    return rows


def performance_orders(
    by: str, key: str, when: Period, customers: Select[Any] | None = None
) -> Select[Any]:
    """The orders behind one performance bar: number, date, customer and the group's net in the period.

    ``key`` is the row's key, except by salesperson: the user's id ("" for orders without one).

    A Select (for a paginated page): each order with a movement of the group in the period,
    its net there after refunds made in the period, newest first.
    """
    if by not in DIMENSIONS:
        raise ReportError(_bad_dimension(by))
    movements = sales_movements(when.start, when.end)
    column, _ignored, joins = _key_column(by, movements)
    net = sum_cents(movements.c.net).label("net_cents")
    statement = (
        select(Order.id, Order.number, Order.order_date, Customer.name.label("customer"), net)
        .select_from(movements)
        .join(Order, Order.id == movements.c.order_id)
        .join(Customer, Customer.id == Order.customer_id)
    )
    for join in joins:
        if join[0] is not Customer:
            statement = statement.join(join[0], join[1], isouter=len(join) > 2)
    if by == "salesperson":  # by the user's id: two salespeople may share a name
        if key and not key.isdigit():
            raise ReportError(_("no salesperson %(key)r", key=key))
        chosen = movements.c.salesperson_id
        statement = statement.where(chosen == int(key) if key else chosen.is_(None))
    else:
        statement = statement.where(column == key)
    statement = _limited(statement, movements.c.customer_id, customers)
    return statement.group_by(Order.id, Order.number, Order.order_date, Customer.name).order_by(
        Order.order_date.desc(), Order.id.desc()
    )


# --- Cohorts -------------------------------------------------------------------------------


def _first_orders(customers: Select[Any] | None) -> Any:
    """Each customer (of the segment) with the day of their first counted order: first_day."""
    statement = select(Order.customer_id, func.min(Order.order_date).label("first_day")).where(
        counted_orders()
    )
    return (
        _limited(statement, Order.customer_id, customers)
        .group_by(Order.customer_id)
        .subquery("first_order")
    )


def cohorts(when: Period, customers: Select[Any] | None = None) -> list[dict[str, Any]]:
    """Monthly cohorts of the period: customers by the month of their first counted order.

    ``active[k]`` is how many of the cohort had a counted order in the cohort month + k, for
    k = 0 … the last month of the period (active[0] is the cohort's size). One query.
    """
    first = _first_orders(customers)
    later = (
        select(Order.customer_id, Order.order_date)
        .where(counted_orders(), Order.order_date >= when.start, Order.order_date <= when.end)
        .subquery("in_period")
    )
    month = month_of(later.c.order_date)
    cohort = month_of(first.c.first_day)
    statement = (
        select(
            cohort.label("cohort"),
            month.label("month"),
            func.count(distinct(later.c.customer_id)).label("active"),
        )
        .select_from(first)
        .join(later, later.c.customer_id == first.c.customer_id)
        .where(first.c.first_day >= when.start, first.c.first_day <= when.end)
        .group_by(cohort, month)
    )
    found: dict[str, dict[int, int]] = {}
    for row in db.session.execute(statement):
        found.setdefault(row.cohort, {})[months_between(row.cohort, row.month)] = row.active
    rows = []
    for name in sorted(found):
        span = months_between(name, when.last)
        active = [found[name].get(k, 0) for k in range(span + 1)]
        rows.append({"cohort": name, "size": active[0], "active": active})
    return rows


# --- Baskets -------------------------------------------------------------------------------


def basket(
    level: str, min_orders: int, when: Period, customers: Select[Any] | None = None
) -> list[dict[str, Any]]:
    """Ordered pairs a ≠ b bought in the same counted order (order date in the period).

    support = orders with both / all orders; confidence = orders with both / orders with a;
    lift = confidence / (orders with b / all orders); four places half up. Pairs in at least
    ``min_orders`` orders, most orders first. One query.
    """
    if level not in LEVELS:
        raise ReportError(_("level must be product or category, not %(level)r", level=level))
    if min_orders < 1:
        raise ReportError(_("min-orders must be 1 or more"))
    sales = sales_movements(when.start, when.end, refunds=False)
    item = Product.sku if level == "product" else Product.category
    items = (
        _limited(
            select(sales.c.order_id, item.label("item"))
            .select_from(sales)
            .join(Product, Product.id == sales.c.product_id),
            sales.c.customer_id,
            customers,
        )
        .distinct()
        .cte("basket_items")
    )
    a, b = items.alias("a"), items.alias("b")
    counts = (
        select(items.c.item, func.count().label("orders")).group_by(items.c.item).cte("item_orders")
    )
    count_a, count_b = counts.alias("count_a"), counts.alias("count_b")
    total = select(func.count(distinct(items.c.order_id))).scalar_subquery()
    together = func.count().label("together")
    statement = (
        select(
            a.c.item.label("a"),
            b.c.item.label("b"),
            together,
            count_a.c.orders.label("orders_a"),
            count_b.c.orders.label("orders_b"),
            total.label("total"),
        )
        .select_from(a)
        .join(b, and_(a.c.order_id == b.c.order_id, a.c.item != b.c.item))
        .join(count_a, count_a.c.item == a.c.item)
        .join(count_b, count_b.c.item == b.c.item)
        .group_by(a.c.item, b.c.item, count_a.c.orders, count_b.c.orders)
        .having(func.count() >= min_orders)
    )
    rows = []
    for row in db.session.execute(statement):
        both, all_orders = Decimal(row.together), Decimal(row.total)
        confidence = both / Decimal(row.orders_a)
        rows.append(
            {
                "a": row.a,
                "b": row.b,
                "orders": row.together,
                "support": fraction(both / all_orders),
                "confidence": fraction(confidence),
                "lift": fraction(confidence / (Decimal(row.orders_b) / all_orders)),
            }
        )
    rows.sort(key=lambda item: (-item["orders"], item["a"], item["b"]))
    return rows


#: The columns of the "bought next" report, in its exports and CLI.
NEXT_COLUMNS = ("a", "b", "buyers", "returned", "customers", "share", "returned_share")


def bought_next(
    level: str, when: Period, customers: Select[Any] | None = None
) -> list[dict[str, Any]]:
    """What a category's (or product's) buyers buy in their next order. One query.

    Each customer's counted orders dated in the period are ranked by date, then id; the
    first is the order that makes them a buyer of every item a in it, the second their next
    order. Per a: ``buyers`` (customers whose first order of the period had a), ``returned``
    (of them, those with a next order in the period); per pair (a, b), b possibly a itself:
    ``customers`` whose first order had a and whose next order had b, ``share`` = customers /
    buyers and ``returned_share`` = customers / returned, four places half up. Pairs by
    customers, most first, then a, then b. An item's buyers with no next order show in no row.
    """
    if level not in LEVELS:
        raise ReportError(_("level must be product or category, not %(level)r", level=level))
    item = Product.sku if level == "product" else Product.category
    # The customers' counted orders of the period that have lines, ranked by date, then id;
    # then per customer the first order and the next one (None without a next order).
    has_lines = select(OrderLine.id).where(OrderLine.order_id == Order.id).exists()
    ranked = _limited(
        select(
            Order.customer_id,
            Order.id.label("order_id"),
            func.row_number()
            .over(partition_by=Order.customer_id, order_by=(Order.order_date, Order.id))
            .label("rank"),
        ).where(
            counted_orders(),
            Order.order_date >= when.start,
            Order.order_date <= when.end,
            has_lines,
        ),
        Order.customer_id,
        customers,
    ).subquery("ranked_orders")
    pairs = (
        select(
            ranked.c.customer_id,
            func.min(case((ranked.c.rank == 1, ranked.c.order_id))).label("first_id"),
            func.min(case((ranked.c.rank == 2, ranked.c.order_id))).label("next_id"),
        )
        .where(ranked.c.rank <= 2)
        .group_by(ranked.c.customer_id)
        .subquery("first_orders")
    )
    # Each item of a customer's first order once, with the id of their next order. The next
    # order's items are then read through the lines' order_id index, never by a join of two
    # derived tables (which neither database can look up by an index).
    first = (
        select(pairs.c.customer_id, item.label("item"), pairs.c.next_id)
        .select_from(pairs)
        .join(OrderLine, OrderLine.order_id == pairs.c.first_id)
        .join(Product, Product.id == OrderLine.product_id)
        .distinct()
        .cte("first_items")
    )
    counts = (
        select(
            first.c.item,
            func.count().label("buyers"),
            func.count(first.c.next_id).label("returned"),
        )
        .group_by(first.c.item)
        .cte("item_buyers")
    )
    later_line, later_product = aliased(OrderLine), aliased(Product)
    later = later_product.sku if level == "product" else later_product.category
    statement = (
        select(
            first.c.item.label("a"),
            later.label("b"),
            func.count(distinct(first.c.customer_id)).label("customers"),
            counts.c.buyers,
            counts.c.returned,
        )
        .select_from(first)
        .join(later_line, later_line.order_id == first.c.next_id)
        .join(later_product, later_product.id == later_line.product_id)
        .join(counts, counts.c.item == first.c.item)
        .group_by(first.c.item, later, counts.c.buyers, counts.c.returned)
    )
    rows = []
    for row in db.session.execute(statement):
        together = Decimal(row.customers)
        rows.append(
            {
                "a": row.a,
                "b": row.b,
                "buyers": int(row.buyers),
                "returned": int(row.returned),
                "customers": int(row.customers),
                "share": fraction(together / row.buyers),
                "returned_share": fraction(together / row.returned),
            }
        )
    rows.sort(key=lambda entry: (-entry["customers"], entry["a"], entry["b"]))
    return rows


# --- Prospecting ---------------------------------------------------------------------------

#: Months the prospecting report forecasts after the period.
FORECAST_MONTHS = 3
ONE_PLACE = Decimal("0.1")


def _least_squares(values: list[int]) -> tuple[Decimal, Decimal]:
    """(intercept, slope) of the straight line through (k, values[k]) fitted by least squares."""
    count = len(values)
    if count < 2:
        return Decimal(values[0] if values else 0), Decimal(0)
    xs = range(count)
    sum_x, sum_y = Decimal(sum(xs)), Decimal(sum(values))
    sum_xy = Decimal(sum(x * y for x, y in zip(xs, values, strict=True)))
    sum_xx = Decimal(sum(x * x for x in xs))
    slope = (count * sum_xy - sum_x * sum_y) / (count * sum_xx - sum_x * sum_x)
    return (sum_y - slope * sum_x) / count, slope


def deal_sources(when: Period) -> list[dict[str, Any]]:
    """Every enabled plugin's deal events of the period (the insights_deals hook: pipeline's leads and wins)."""
    sources: list[dict[str, Any]] = []
    for answer in hook().insights_deals(start=when.start, end=when.end):
        sources.extend(answer or [])
    return sources


def deals(
    when: Period, customers: Select[Any] | None = None, sources: list[dict[str, Any]] | None = None
) -> list[dict[str, Any]]:
    """Each kind of deal event (leads, won deals) counted per month and channel. One query.

    ``[{"key", "label", "totals": [count per month of the period], "channels": {channel:
    [count per month]}}]`` in the order the plugins give them; no query without a source.
    With a segment, only deals of its customers count (a prospect's deal, with no customer,
    belongs to no segment).
    """
    sources = deal_sources(when) if sources is None else sources
    if not sources:
        return []
    parts = []
    for source in sources:
        inner = source["rows"].subquery()
        part = select(
            literal(str(source["key"])).label("source"),
            inner.c.day,
            func.coalesce(inner.c.channel, literal_column("''")).label("channel"),
        )
        parts.append(_limited(part, inner.c.customer_id, customers))
    every = union_all(*parts).subquery("deal_events")
    month = month_of(every.c.day)
    statement = select(
        every.c.source, month.label("month"), every.c.channel, func.count().label("deals")
    ).group_by(every.c.source, month, every.c.channel)
    months = when.months
    position = {name: index for index, name in enumerate(months)}
    found: dict[str, dict[str, Any]] = {
        str(source["key"]): {
            "key": str(source["key"]),
            "label": str(source["label"]),
            "totals": [0] * len(months),
            "channels": {},
        }
        for source in sources
    }
    for row in db.session.execute(statement):
        if row.month not in position:  # a plugin's row outside the period: not counted
            continue
        entry = found[row.source]
        counts = entry["channels"].setdefault(row.channel or "", [0] * len(months))
        counts[position[row.month]] += int(row.deals)
        entry["totals"][position[row.month]] += int(row.deals)
    for entry in found.values():
        entry["channels"] = dict(sorted(entry["channels"].items()))
    return list(found.values())


def prospecting(
    when: Period,
    customers: Select[Any] | None = None,
    sources: list[dict[str, Any]] | None = None,
) -> dict[str, Any]:
    """New customers per month by channel, their trend and a seasonal forecast, and the deals.

    One query, and one for the deals when a plugin reports them.

    A customer is new in the month of their first counted order ever (won, not merely
    entered). The trend is the least-squares line through the period's monthly totals; the
    forecast of each of the FORECAST_MONTHS after the period is the trend there times its
    calendar month's seasonal index (the mean of actual / trend over that calendar month's
    occurrences in the period, 1 when it has none or the trend is not positive there), never
    below 0, to one place half up. ``deals`` (see deals()) holds the leads and won deals per
    month when pipeline is on, else nothing.
    """
    first = _first_orders(customers)
    month = month_of(first.c.first_day)
    statement = (
        select(month.label("month"), Customer.channel, func.count().label("new"))
        .select_from(first)
        .join(Customer, Customer.id == first.c.customer_id)
        .where(first.c.first_day >= when.start, first.c.first_day <= when.end)
        .group_by(month, Customer.channel)
    )
    months = when.months
    position = {name: index for index, name in enumerate(months)}
    channels: dict[str, list[int]] = {}
    for row in db.session.execute(statement):
        counts = channels.setdefault(row.channel or "", [0] * len(months))
        counts[position[row.month]] = row.new
    totals = [sum(counts[k] for counts in channels.values()) for k in range(len(months))]
    intercept, slope = _least_squares(totals)
    trend = [intercept + slope * k for k in range(len(months))]
    ratios: dict[str, list[Decimal]] = {}
    for k, name in enumerate(months):
        if trend[k] > 0:
            ratios.setdefault(name[5:], []).append(Decimal(totals[k]) / trend[k])
    forecast = []
    for step in range(1, FORECAST_MONTHS + 1):
        day = add_months(when.start, len(months) - 1 + step)
        found = ratios.get(day.strftime("%m"))
        index = sum(found, Decimal(0)) / len(found) if found else Decimal(1)
        value = max(Decimal(0), (intercept + slope * (len(months) - 1 + step)) * index)
        forecast.append(
            {
                "month": day.strftime("%Y-%m"),
                "new_customers": value.quantize(ONE_PLACE, ROUND_HALF_UP),
            }
        )
    return {
        "months": months,
        "channels": dict(sorted(channels.items())),
        "totals": totals,
        "trend": [value.quantize(ONE_PLACE, ROUND_HALF_UP) for value in trend],
        "forecast": forecast,
        "deals": deals(when, customers, sources),
    }


# --- Profitability -------------------------------------------------------------------------

#: The shares of customers (best first) the Pareto table reads the profit of.
PARETO_SHARES = (
    Decimal("0.01"),
    Decimal("0.05"),
    Decimal("0.10"),
    Decimal("0.20"),
    Decimal("0.50"),
)


def cost_sources(when: Period) -> list[dict[str, Any]]:
    """Every enabled plugin's customer costs for the period (the insights_customer_costs hook), by key."""
    sources: list[dict[str, Any]] = []
    for answer in hook().insights_customer_costs(start=when.start, end=when.end):
        sources.extend(answer or [])
    return sorted(sources, key=lambda source: str(source["key"]))


def profitability(
    when: Period,
    customers: Select[Any] | None = None,
    sources: list[dict[str, Any]] | None = None,
) -> dict[str, Any]:
    """Per customer: gross profit, each plugin's cost and the net contribution. One query.

    Gross profit is net − cost of the counted sales and refunds dated in the period (docs/money.md);
    each cost source (commission, service, campaigns: see the insights_customer_costs hook)
    is subtracted as its plugin dates it. Customers with a profit or a cost in the period are
    listed, best net contribution first (ties by name). ``pareto`` says, for the best 1, 5,
    10, 20 and 50 % of them (rounded up to whole customers), which share of the total net
    contribution they bring, to four places half up (None when the total is not positive).
    """
    sources = cost_sources(when) if sources is None else sources
    movements = sales_movements(when.start, when.end)
    parts = [
        select(
            movements.c.customer_id.label("customer_id"),
            literal("profit").label("source"),
            (sum_cents(movements.c.net) - sum_cents(movements.c.cost)).label("cents"),
        ).group_by(movements.c.customer_id)
    ]
    for source in sources:
        inner = source["rows"].subquery()
        parts.append(
            select(inner.c.customer_id, literal(source["key"]).label("source"), inner.c.cents)
        )
    every = union_all(*parts).subquery("amounts")
    columns = [
        func.coalesce(func.sum(case((every.c.source == key, every.c.cents))), 0).label(key)
        for key in ["profit", *(source["key"] for source in sources)]
    ]
    # Grouped by the customer id alone, then joined to the customer: grouping by the name and
    # number as well made the database sort the texts.
    per_customer = (
        select(every.c.customer_id, *columns).group_by(every.c.customer_id).subquery("per_customer")
    )
    statement = select(
        Customer.id,
        Customer.external_id,
        Customer.name,
        *(per_customer.c[key] for key in ["profit", *(source["key"] for source in sources)]),
    ).join(per_customer, per_customer.c.customer_id == Customer.id)
    statement = _limited(statement, Customer.id, customers)
    keys = [source["key"] for source in sources]
    found = []
    for customer_id, external_id, name, profit, *costs in db.session.execute(statement):
        cents = [int(profit), *(int(cost) for cost in costs)]
        net_cents = cents[0] - sum(cents[1:])
        found.append((-net_cents, name, customer_id, external_id, cents))
    found.sort(key=lambda entry: entry[:3])
    rows = []
    for minus_net, name, customer_id, external_id, cents in found:
        row = {"customer_id": customer_id, "external_id": external_id or "", "name": name,
               "gross_profit": from_cents(cents[0])}  # fmt: skip
        for key, value in zip(keys, cents[1:], strict=True):
            row[key] = from_cents(value)
        row["net_contribution"] = from_cents(-minus_net)
        rows.append(row)
    total = sum((row["net_contribution"] for row in rows), Decimal(0))
    return {
        "sources": [(source["key"], source["label"]) for source in sources],
        "rows": rows,
        "total": total,
        "pareto": pareto(rows, total),
    }


def pareto(rows: list[dict[str, Any]], total: Decimal) -> list[dict[str, Any]]:
    """For each share of PARETO_SHARES: the best customers it covers and the share of ``total`` they bring."""
    points = []
    for share in PARETO_SHARES:
        count = int((share * len(rows)).to_integral_value(rounding=ROUND_CEILING))
        brought = sum((row["net_contribution"] for row in rows[:count]), Decimal(0))
        points.append(
            {
                "customers_share": share,
                "customers": count,
                "net_contribution": brought,
                "profit_share": fraction(brought / total) if total > 0 else None,
            }
        )
    return points


# --- Where (profiling) ---------------------------------------------------------------------

PLACES = ("region", "city")
#: A place holding at least this share of the best customers is highlighted (a branch there?).
CONCENTRATION = Decimal("0.30")


def best_customers() -> dict[str, Any] | None:
    """The first answer of the insights_best_customers hook (loyalty's highest tier), or None."""
    for answer in hook().insights_best_customers():
        for item in answer or []:
            return dict(item)
    return None


def where(
    by: str,
    when: Period,
    customers: Select[Any] | None = None,
    best: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """Customers, profit and best customers per region or city. Two queries.

    Per place (the customer's region or city; "" when not given): buyers (customers with a
    counted sale in the period), net and profit of the period, the share of the period's
    profit; and, with a ``best`` group (see best_customers), how many of the group live
    there and the share of the whole group that is (where do the best customers
    concentrate?). Shares to four places half up.
    Places by profit, highest first.
    """
    if by not in PLACES:
        raise ReportError(
            _("by must be one of %(known)s, not %(by)r", known=", ".join(PLACES), by=by)
        )
    # One expression with the empty text written into the SQL, so that SELECT and GROUP BY are
    # the same expression to PostgreSQL (a bound '' would be two different parameters).
    place = func.coalesce(
        {"region": Customer.region, "city": Customer.city}[by], literal_column("''")
    )
    movements = sales_movements(when.start, when.end)
    sales = (
        select(
            place.label("key"),
            sum_cents(movements.c.net).label("net"),
            (sum_cents(movements.c.net) - sum_cents(movements.c.cost)).label("profit"),
            func.count(distinct(case((movements.c.sign > 0, movements.c.customer_id)))).label(
                "buyers"
            ),
        )
        .select_from(movements)
        .join(Customer, Customer.id == movements.c.customer_id)
        .group_by(place)
    )
    places: dict[str, dict[str, Any]] = {}
    for row in db.session.execute(_limited(sales, movements.c.customer_id, customers)):
        places[row.key] = {
            "key": row.key,
            "buyers": int(row.buyers),
            "net": from_cents(int(row.net)),
            "profit": from_cents(int(row.profit)),
            "best": 0,
        }
    if best is not None:
        counted = (
            select(place.label("key"), func.count().label("best"))
            .where(Customer.id.in_(best["customers"]))
            .group_by(place)
        )
        for row in db.session.execute(_limited(counted, Customer.id, customers)):
            entry = places.setdefault(
                row.key,
                {"key": row.key, "buyers": 0, "net": Decimal("0.00"), "profit": Decimal("0.00")},
            )
            entry["best"] = int(row.best)
    total_profit = sum((entry["profit"] for entry in places.values()), Decimal(0))
    total_best = sum(entry["best"] for entry in places.values())
    rows = []
    for entry in places.values():
        entry["profit_share"] = (
            fraction(entry["profit"] / total_profit) if total_profit > 0 else None
        )
        if best is not None:
            entry["best_share"] = (
                fraction(Decimal(entry["best"]) / total_best) if total_best else None
            )
        rows.append(entry)
    rows.sort(key=lambda entry: (-entry["profit"], entry["key"]))
    return {"best_label": best["label"] if best else None, "best_total": total_best, "rows": rows}


# --- Persistence ---------------------------------------------------------------------------


def persistence(when: Period, customers: Select[Any] | None = None) -> dict[str, Any]:
    """Month by month: buyers, how many of them bought before (returning), and lifecycle moves.

    ``buyers`` are customers with a counted order in the month; ``returning`` those of them
    whose first counted order ever was in an earlier month; ``returning_share`` = returning /
    buyers. ``repeat_rate`` over the whole period = customers with two or more counted orders
    in the period / customers with one or more (four places half up). With loyalty on, each
    month also counts the customers who moved into a stage (churned, reactivated) that month,
    in company time. Two queries, and one per kind of move.
    """
    first = _first_orders(customers)
    in_period = _limited(
        select(Order.id, Order.customer_id, Order.order_date).where(
            counted_orders(), Order.order_date >= when.start, Order.order_date <= when.end
        ),
        Order.customer_id,
        customers,
    ).subquery("in_period")
    month = month_of(in_period.c.order_date)
    # A buyer of the month bought before when their first counted order ever is of an earlier
    # month (it is never later: it is the earliest of their orders).
    earlier = month_of(first.c.first_day) < month
    monthly = (
        select(
            month.label("month"),
            func.count(distinct(in_period.c.customer_id)).label("buyers"),
            func.count(distinct(case((earlier, in_period.c.customer_id)))).label("came_back"),
        )
        .select_from(in_period)
        .join(first, first.c.customer_id == in_period.c.customer_id)
        .group_by(month)
    )
    figures = {
        row.month: (int(row.buyers), int(row.came_back or 0)) for row in db.session.execute(monthly)
    }
    per_customer = (
        select(func.count(in_period.c.id).label("orders"))
        .group_by(in_period.c.customer_id)
        .subquery("orders_per_customer")
    )
    once, twice = db.session.execute(
        select(
            func.count(),
            func.coalesce(func.sum(case((per_customer.c.orders >= 2, 1), else_=0)), 0),
        ).select_from(per_customer)
    ).one()
    moves = _moves(when, customers)
    rows = []
    for name in when.months:
        buyers, back = figures.get(name, (0, 0))
        row: dict[str, Any] = {
            "month": name,
            "buyers": buyers,
            "returning": back,
            "returning_share": fraction(Decimal(back) / buyers) if buyers else None,
        }
        for key, _label, counts in moves:
            row[key] = counts.get(name, 0)
        rows.append(row)
    return {
        "moves": [(key, label) for key, label, _counts in moves],
        "rows": rows,
        "repeat_rate": fraction(Decimal(int(twice)) / int(once)) if once else None,
    }


def _company_month(moment: Any, when: Period) -> tuple[Any, dt.datetime]:
    """(The company-time month, YYYY-MM, of a naive UTC timestamp or NULL after the period;
    the instant the period starts at, to keep earlier timestamps out).

    Set-based and the same on both databases: each month of the period starts at company
    midnight of its first day (computed here, so daylight saving time is right), and the
    timestamp is compared with those instants.
    """
    months = when.months
    starts = [company_midnight(add_months(when.start, k)) for k in range(len(months) + 1)]
    return case(
        *((moment < starts[k + 1], literal(name)) for k, name in enumerate(months)), else_=None
    ), starts[0]


def _moves(when: Period, customers: Select[Any] | None) -> list[tuple[str, str, dict[str, int]]]:
    """(key, label, {month: distinct customers}) for each kind of move the plugins report."""
    found = []
    for answer in hook().insights_customer_moves(start=when.start, end=when.end):
        for source in answer or []:
            rows = source["rows"].subquery()
            month, period_start = _company_month(rows.c.moved_at, when)
            inner = _limited(
                select(rows.c.customer_id, month.label("month")).where(
                    rows.c.moved_at >= period_start
                ),
                rows.c.customer_id,
                customers,
            ).subquery("moves")
            statement = (
                select(inner.c.month, func.count(distinct(inner.c.customer_id)))
                .where(inner.c.month.is_not(None))
                .group_by(inner.c.month)
            )
            counts = {name: int(count) for name, count in db.session.execute(statement)}
            found.append((str(source["key"]), str(source["label"]), counts))
    return sorted(found)


# --- Promotion -----------------------------------------------------------------------------


def promotion(when: Period) -> dict[str, list[dict[str, Any]]]:
    """Campaigns and channels with the profit of the orders they brought, against their cost.

    The figures come from the plugins that run promotions (the insights_promotions hook:
    marketing's attribution). ``return_on_cost`` = (profit − cost) / cost, four places half up
    (None without a cost); ``profit_share`` of a channel = its profit / all channels' profit.
    Campaigns by profit, then channels by profit.
    """
    found: dict[str, list[dict[str, Any]]] = {"campaign": [], "channel": []}
    for answer in hook().insights_promotions(start=when.start, end=when.end):
        for item in answer or []:
            row = dict(item)
            cost = row.get("cost")
            row["return_on_cost"] = fraction((row["profit"] - cost) / cost) if cost else None
            found.setdefault(str(row["kind"]), []).append(row)
    channel_profit = sum((row["profit"] for row in found["channel"]), Decimal(0))
    for row in found["channel"]:
        row["profit_share"] = (
            fraction(row["profit"] / channel_profit) if channel_profit > 0 else None
        )
    for rows in found.values():
        rows.sort(key=lambda row: (-row["profit"], row["name"]))
    return {"campaigns": found["campaign"], "channels": found["channel"]}
