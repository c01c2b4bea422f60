"""The customer and order criteria marketing itself contributes through its segment_criteria hook.

Each ``build`` returns one SQL boolean expression over ``Customer`` (plain column tests or
``Customer.id IN (SELECT ...)``), so a whole segment is one statement. Money thresholds are
compared in whole cents, so SQLite's floating point never decides a borderline customer.
Purchase totals follow the money rules of ``core.ledger`` (after refunds, drafts and
cancellations left out).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator, Sequence
from decimal import Decimal
from typing import Any, overload

from sqlalchemy import func, literal, select, true
from sqlalchemy.sql import ColumnElement, operators
from sqlalchemy.sql.elements import UnaryExpression

from core import dates
from core.db import db, is_sqlite
from core.i18n import _, _l
from core.ledger import counted_orders
from core.models import Customer, Order, OrderLine, Product, User
from core.money import to_cents
from core.sql import sum_cents

Expression = ColumnElement[bool]


def kept(sqlite: bool | None = None) -> Expression:
    """SQL: the order line was not refunded.

    Almost every line matches, so an index on refunded_on is useless here; SQLite without
    statistics walks it anyway (for every row of an outer loop), so on SQLite the column is
    written ``+refunded_on``, which keeps the planner off that index.
    """
    column: Any = OrderLine.refunded_on
    if sqlite is None:
        sqlite = is_sqlite(db.session.get_bind())
    if sqlite:
        column = UnaryExpression(column, operator=operators.custom_op("+"), type_=column.type)
    return column.is_(None)


def bought_lines() -> Any:
    """Lines a customer bought and kept: on a confirmed (or later refunded) order, not refunded themselves."""
    return (
        select(Order.customer_id, OrderLine.product_id)
        .join(Order, Order.id == OrderLine.order_id)
        .where(counted_orders(), kept())
    )


class LazyChoices(Sequence[str]):
    """Choices read from the database only when listed (the builder page); a membership test is
    one indexed lookup, so counting or sending a segment does not list every country first."""

    def __init__(self, listing: Callable[[], list[str]], lookup: Callable[[str], bool]) -> None:
        self._listing = listing
        self._lookup = lookup
        self._values: list[str] | None = None

    def _all(self) -> list[str]:
        """Every value, read once."""
        if self._values is None:
            self._values = self._listing()
        return self._values

    @overload
    def __getitem__(self, index: int) -> str: ...

    @overload
    def __getitem__(self, index: slice) -> Sequence[str]: ...

    def __getitem__(self, index: int | slice) -> str | Sequence[str]:
        return self._all()[index]

    def __len__(self) -> int:
        return len(self._all())

    def __iter__(self) -> Iterator[str]:
        return iter(self._all())

    def __contains__(self, value: object) -> bool:
        if self._values is not None:
            return value in self._values
        return isinstance(value, str) and bool(value) and self._lookup(value)


def distinct_choices(column: Any) -> LazyChoices:
    """The sorted non-empty values of a column, as lazy choices."""

    def listing() -> list[str]:
        statement = select(column).where(column != "").distinct().order_by(column)
        return [str(value) for value in db.session.scalars(statement)]

    def lookup(value: str) -> bool:
        return db.session.scalar(select(literal(1)).where(column == value).limit(1)) is not None

    return LazyChoices(listing, lookup)


def _whole(value: Decimal, what: str) -> int:
    """A number that must be a whole number of at least 0 (a count of orders)."""
    if value != value.to_integral_value() or value < 0:
        raise ValueError(_("%(what)s is a whole number of 0 or more", what=what))
    return int(value)


def has_tag(tag: str) -> Expression:
    """The customer's comma-separated tags contain this tag (case-insensitive)."""
    return ("," + Customer.tags + ",").like(f"%,{tag.strip().lower()},%")


def owner_is(email: str) -> Expression:
    """The account manager is the staff member with this e-mail (unowned customers never match)."""
    owner = select(User.id).where(func.lower(User.email) == email.strip().lower())
    return func.coalesce(Customer.owner_id, 0).in_(owner)


def city_is(city: str) -> Expression:
    """The city, compared without regard to case or surrounding spaces."""
    return func.lower(Customer.city) == city.strip().lower()


def created_on_or_after(day: dt.date) -> Expression:
    """Became a customer on or after this (company) day."""
    return Customer.created_at >= dates.company_midnight(day)


def created_before(day: dt.date) -> Expression:
    """Became a customer before this (company) day."""
    return Customer.created_at < dates.company_midnight(day)


def bought_category(category: str) -> Expression:
    """Bought (and kept) at least one product of this category."""
    lines = bought_lines().join(Product, Product.id == OrderLine.product_id)
    return Customer.id.in_(
        lines.where(Product.category == category).with_only_columns(Order.customer_id)
    )


def bought_product(sku: str) -> Expression:
    """Bought (and kept) the product with this SKU; a SKU that does not exist is an error."""
    product_id = db.session.scalar(select(Product.id).where(Product.sku == sku.strip()))
    if product_id is None:
        raise ValueError(_("there is no product with SKU '%(sku)s'", sku=sku.strip()))
    lines = bought_lines().where(OrderLine.product_id == product_id)
    return Customer.id.in_(lines.with_only_columns(Order.customer_id))


def orders_at_least(value: Decimal) -> Expression:
    """At least N confirmed orders (refunded orders still count as placed; drafts and cancelled do not)."""
    wanted = _whole(value, _("the number of orders"))
    if wanted == 0:
        return true()
    placed = (
        select(Order.customer_id)
        .where(counted_orders())
        .group_by(Order.customer_id)
        .having(func.count(Order.id) >= wanted)
    )
    return Customer.id.in_(placed)


def _lifetime_total_at_least(threshold: Decimal, profit: bool) -> Expression:
    """Lifetime net (or profit) after refunds ≥ threshold; customers without orders have 0.

    Over a whole history the ledger's movements of a refunded line (+net on the order date,
    −net on the refund date) cancel out, so the total after refunds is exactly the sum over
    the lines never refunded: one pass over the lines instead of sales UNION refunds.
    """
    amount = sum_cents(OrderLine.net_amount) - (sum_cents(OrderLine.cost_amount) if profit else 0)
    limit = to_cents(threshold)
    totals = (
        select(Order.customer_id)
        .join(OrderLine, OrderLine.order_id == Order.id)
        .where(counted_orders(), kept())
        .group_by(Order.customer_id)
    )
    if limit > 0:
        return Customer.id.in_(totals.having(amount >= limit))
    # A threshold of 0 or less also admits customers who never bought (their total is 0).
    return Customer.id.not_in(totals.having(amount < limit))


def spent_at_least(value: Decimal) -> Expression:
    """Net sales after refunds, over the customer's whole history, of at least this amount."""
    return _lifetime_total_at_least(value, profit=False)


def profit_at_least(value: Decimal) -> Expression:
    """Profit (net − cost) after refunds, over the customer's whole history, of at least this amount."""
    return _lifetime_total_at_least(value, profit=True)


def last_order_on_or_after(day: dt.date) -> Expression:
    """The latest confirmed order is dated on or after this day (so: ordered since then)."""
    recent = select(Order.customer_id).where(counted_orders(), Order.order_date >= day)
    return Customer.id.in_(recent)


def last_order_before(day: dt.date) -> Expression:
    """Has ordered, but not since this day: the latest confirmed order is dated before it."""
    lapsed = (
        select(Order.customer_id)
        .where(counted_orders())
        .group_by(Order.customer_id)
        .having(func.max(Order.order_date) < day)
    )
    return Customer.id.in_(lapsed)


def has_email(_: bool) -> Expression:
    """Has an e-mail address (campaigns skip customers without one)."""
    return Customer.email != ""


def _owner_choices() -> LazyChoices:
    """E-mails of staff who own customers or may own them."""

    def listing() -> list[str]:
        statement = (
            select(User.email)
            .where(
                User.id.in_(select(Customer.owner_id).where(Customer.owner_id.is_not(None)))
                | (User.active.is_(True) & User.role.in_(("sales", "manager")))
            )
            .order_by(User.email)
        )
        return list(db.session.scalars(statement))

    def lookup(value: str) -> bool:
        found = select(User.id).where(func.lower(User.email) == value.strip().lower()).limit(1)
        return db.session.scalar(found) is not None

    return LazyChoices(listing, lookup)


def core_criteria() -> list[dict[str, Any]]:
    """Customer facts and order facts, with the choices of the moment."""
    return [
        {"key": "marketing.country", "label": _l("Country"), "kind": "choice",
         "choices": distinct_choices(Customer.country), "build": lambda value: Customer.country == value},
        {"key": "marketing.region", "label": _l("Region"), "kind": "choice",
         "choices": distinct_choices(Customer.region), "build": lambda value: Customer.region == value},
        {"key": "marketing.city", "label": _l("City"), "kind": "text", "build": city_is},
        {"key": "marketing.channel", "label": _l("Acquisition channel"), "kind": "choice",
         "choices": distinct_choices(Customer.channel), "build": lambda value: Customer.channel == value},
        {"key": "marketing.tag", "label": _l("Has tag"), "kind": "text", "build": has_tag},
        {"key": "marketing.created_after", "label": _l("Customer since (on or after)"), "kind": "date",
         "build": created_on_or_after},
        {"key": "marketing.created_before", "label": _l("Customer since (before)"), "kind": "date",
         "build": created_before},
        {"key": "marketing.owner", "label": _l("Account manager"), "kind": "choice",
         "choices": _owner_choices(), "build": owner_is},
        {"key": "marketing.has_email", "label": _l("Has an e-mail address"), "kind": "flag",
         "build": has_email},
        {"key": "marketing.bought_category", "label": _l("Bought from category"), "kind": "choice",
         "choices": distinct_choices(Product.category), "build": bought_category},
        {"key": "marketing.bought_product", "label": _l("Bought product (SKU)"), "kind": "text",
         "build": bought_product},
        {"key": "marketing.orders_at_least", "label": _l("Number of orders at least"), "kind": "number",
         "build": orders_at_least},
        {"key": "marketing.spent_at_least", "label": _l("Spent at least (net after refunds)"),
         "kind": "number", "build": spent_at_least},
        {"key": "marketing.profit_at_least", "label": _l("Profit at least (after refunds)"),
         "kind": "number", "build": profit_at_least},
        {"key": "marketing.last_order_after", "label": _l("Last order on or after"), "kind": "date",
         "build": last_order_on_or_after},
        {"key": "marketing.last_order_before", "label": _l("Last order before"), "kind": "date",
         "build": last_order_before},
    ]  # fmt: skip
