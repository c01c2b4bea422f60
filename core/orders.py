"""The one place that creates orders and changes their status: confirm, cancel, refund.

Every state change runs in a SAVEPOINT together with the order hooks, so a plugin that
raises rolls the whole change back and nothing is half-written; the caller commits. The
change itself is a conditional UPDATE (core.locking): of two clerks confirming, cancelling
or refunding the same order at once exactly one succeeds, the other gets an OrderError
saying what happened, and no hook runs for them.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

from sqlalchemy import case, func, insert, select, update
from sqlalchemy.orm.attributes import set_committed_value

from core import dates
from core.db import db
from core.i18n import _, _l, format_date
from core.locking import change_state, lock_state
from core.models import Counter, Customer, Order, OrderLine, Product, User, utcnow
from core.money import line_cost, line_net, round_money
from core.plugins import run_hook
from core.validation import limit_of

ZERO = Decimal("0")
#: What the Numeric(14, 2) money and Numeric(12, 3) quantity columns can no longer hold.
MONEY_LIMIT = limit_of(14, 2)
QUANTITY_LIMIT = limit_of(12, 3)
#: The counter (core.models.Counter) order numbers are taken from.
ORDER_COUNTER = "order_number"

#: How pages name each status (models.ORDER_STATUSES; the stored value stays English).
STATUS_LABELS = {
    "draft": _l("draft"),
    "confirmed": _l("confirmed"),
    "cancelled": _l("cancelled"),
    "refunded": _l("refunded"),
}


def status_label(status: str | None) -> str:
    """An order's status as the current language names it: "draft" → "草稿"; unknown as stored."""
    return str(STATUS_LABELS[status]) if status in STATUS_LABELS else (status or "")


class OrderError(Exception):
    """An order action is not allowed or the input is wrong; the message is for the user."""


@dataclass
class LineInput:
    """A line as typed: product, quantity, price (None = list price) and discount fraction."""

    product: Product
    quantity: Decimal
    unit_price: Decimal | None = None
    discount: Decimal = ZERO


def check_line(line: LineInput, position: int) -> None:
    """Raise OrderError saying what is wrong with a line."""
    if line.quantity is None or line.quantity <= 0:
        raise OrderError(_("Line %(number)s: quantity must be more than 0.", number=position))
    if line.unit_price is not None and line.unit_price < 0:
        raise OrderError(_("Line %(number)s: the price cannot be negative.", number=position))
    if line.discount is None or not ZERO <= line.discount <= 1:
        raise OrderError(
            _(
                "Line %(number)s: the discount is a fraction between 0 and 1 (0.15 = 15 %%).",
                number=position,
            )
        )
    price = line.product.list_price if line.unit_price is None else line.unit_price
    if line.quantity >= QUANTITY_LIMIT or line.quantity * max(price, line.product.unit_cost) >= (
        MONEY_LIMIT
    ):
        raise OrderError(
            _("Line %(number)s: the line's total is too large to be stored.", number=position)
        )


def take_number(name: str) -> int:
    """The next value of the named counter, taken under a row lock held until commit.

    One ``UPDATE … SET value = value + 1 … RETURNING value``: PostgreSQL locks the row, so a
    second transaction waits and gets the next value; SQLite takes its write lock at the
    UPDATE. A counter row that is missing starts from the highest order id.
    """
    taken = db.session.execute(
        update(Counter)
        .where(Counter.name == name)
        .values(value=Counter.value + 1)
        .returning(Counter.value)
        .execution_options(synchronize_session=False)
    ).scalar_one_or_none()
    if taken is not None:
        return int(taken)
    start = db.session.scalar(select(func.max(Order.id))) or 0
    db.session.add(Counter(name=name, value=start + 1))
    db.session.flush()
    return start + 1


def next_order_number() -> str:
    """The next free order number, "SO-000001" style, from the locked order-number counter.

    Numbers taken by imported orders are skipped, so a number is never handed out twice.
    """
    while True:
        number = f"SO-{take_number(ORDER_COUNTER):06d}"
        if db.session.scalar(select(Order.id).where(Order.number == number)) is None:
            return number


@dataclass(frozen=True)
class OrderNet:
    """An order's net as sold, the part of it refunded, and what remains (``net``)."""

    sold: Decimal
    refunded: Decimal = Decimal("0.00")

    @property
    def net(self) -> Decimal:
        """Net after refunds: what the customer finally pays."""
        return self.sold - self.refunded


def _amount(value: object) -> Decimal:
    """A summed money column as a two-place Decimal (SQLite may hand back a float or None)."""
    return round_money(Decimal(str(value if value is not None else 0)))


def order_nets(order_ids: Sequence[int]) -> dict[int, OrderNet]:
    """{order id: OrderNet} in one grouped query (orders without lines are absent).

    For pages listing many orders: Order.net_after_refunds would load every line of every order.
    """
    if not order_ids:
        return {}
    refunded = case((OrderLine.refunded_on.is_not(None), OrderLine.net_amount), else_=0)
    totals = (
        select(OrderLine.order_id, func.sum(OrderLine.net_amount), func.sum(refunded))
        .where(OrderLine.order_id.in_(list(order_ids)))
        .group_by(OrderLine.order_id)
    )
    return {
        order_id: OrderNet(_amount(sold), _amount(back))
        for order_id, sold, back in db.session.execute(totals)
    }


def create_order(
    customer: Customer,
    salesperson: User | None,
    lines: Sequence[LineInput],
    order_date: dt.date | None = None,
    number: str | None = None,
    notes: str = "",
) -> Order:
    """Create a draft order with its lines (nothing is committed)."""
    if not lines:
        raise OrderError(_("An order needs at least one line."))
    for position, line in enumerate(lines, start=1):
        check_line(line, position)
        if not line.product.active:
            raise OrderError(
                _(
                    "Line %(number)s: %(sku)s is no longer sold.",
                    number=position,
                    sku=line.product.sku,
                )
            )
    number = (number or "").strip() or next_order_number()
    if db.session.scalar(select(Order.id).where(Order.number == number)) is not None:
        raise OrderError(_("Order number %(number)s is already taken.", number=number))
    order = Order(
        number=number,
        customer=customer,
        salesperson=salesperson,
        order_date=order_date or dates.today(),
        status="draft",
        notes=notes,
    )
    db.session.add(order)
    db.session.flush()
    rows = [_line_row(order.id, line, position) for position, line in enumerate(lines, start=1)]
    # One INSERT … RETURNING for all lines (an ORM bulk insert): the unit of work would
    # cost more than the statement; the returned lines are the order's loaded collection.
    created = list(db.session.scalars(insert(OrderLine).returning(OrderLine), rows))
    set_committed_value(order, "lines", sorted(created, key=lambda row: row.position))
    return order


def _line_row(order_id: int, line: LineInput, position: int) -> dict[str, object]:
    """An order line's column values with its net worked out by the money rules."""
    price = line.product.list_price if line.unit_price is None else line.unit_price
    return {
        "order_id": order_id,
        "product_id": line.product.id,
        "position": position,
        "quantity": line.quantity,
        "unit_price": price,
        "discount": line.discount,
        "net_amount": line_net(line.quantity, price, line.discount),
    }


def confirm(order: Order) -> Order:
    """Confirm a draft: snapshot each line's unit cost, then call order_confirmed in the same transaction."""
    if order.status != "draft":
        raise OrderError(
            _(
                "Order %(number)s is %(status)s; only a draft can be confirmed.",
                number=order.number,
                status=status_label(order.status),
            )
        )
    if not order.lines:
        raise OrderError(_("Order %(number)s has no lines.", number=order.number))
    with db.session.begin_nested():
        if not change_state(order, ("draft",), "confirmed", also={"confirmed_at": utcnow()}):
            raise OrderError(_changed_meanwhile(order))
        _snapshot_costs(order.lines)
        run_hook("order_confirmed", order=order)
    return order


def _snapshot_costs(lines: Sequence[OrderLine]) -> None:
    """Store each line's unit cost (the product's now) and cost amount: one executemany UPDATE.

    An ORM bulk UPDATE by primary key rather than a flush of ten changed objects; the loaded
    lines are then given the written values as their committed state.
    """
    rows = []
    for line in lines:
        unit_cost = line.product.unit_cost
        rows.append(
            {
                "id": line.id,
                "unit_cost": unit_cost,
                "cost_amount": line_cost(line.quantity, unit_cost),
            }
        )
    db.session.execute(update(OrderLine), rows)
    for line, row in zip(lines, rows, strict=True):
        set_committed_value(line, "unit_cost", row["unit_cost"])
        set_committed_value(line, "cost_amount", row["cost_amount"])


def _changed_meanwhile(order: Order) -> str:
    """The message for the loser of two simultaneous actions (the order was re-read)."""
    return _(
        "Order %(number)s was changed a moment ago by someone else: it is %(status)s now."
        " Nothing changed.",
        number=order.number,
        status=status_label(order.status),
    )


def _refunded_lines(order: Order, unrefunded: bool = False) -> int:
    """How many of the order's lines the database holds as refunded (or as not refunded)."""
    condition = (
        OrderLine.refunded_on.is_(None) if unrefunded else OrderLine.refunded_on.is_not(None)
    )
    return int(
        db.session.scalar(select(func.count()).where(OrderLine.order_id == order.id, condition))
        or 0
    )


def cancel(order: Order) -> Order:
    """Cancel a draft or confirmed order (not one with refunds), then call order_cancelled."""
    if order.status not in ("draft", "confirmed"):
        raise OrderError(
            _(
                "Order %(number)s is %(status)s; it cannot be cancelled.",
                number=order.number,
                status=status_label(order.status),
            )
        )
    if any(line.refunded_on for line in order.lines):
        raise OrderError(
            _(
                "Order %(number)s has refunded lines; refund the rest instead of cancelling.",
                number=order.number,
            )
        )
    with db.session.begin_nested():
        if not change_state(order, ("draft", "confirmed"), "cancelled"):
            raise OrderError(_changed_meanwhile(order))
        if _refunded_lines(order):  # refunded meanwhile (a refund locks the order row too)
            raise OrderError(
                _(
                    "Order %(number)s was refunded in part a moment ago by someone else;"
                    " nothing changed.",
                    number=order.number,
                )
            )
        order.cancelled_at = utcnow()
        db.session.flush()
        run_hook("order_cancelled", order=order)
    return order


def refund(
    order: Order, lines: Sequence[OrderLine] | None = None, on: dt.date | None = None
) -> list[OrderLine]:
    """Refund some lines (all remaining when None) of a confirmed order, dated ``on`` (default today).

    Refunded lines count negatively in the period of the refund date. When no line is left
    unrefunded the order's status becomes "refunded". Then order_refunded is called.
    """
    if order.status != "confirmed":
        raise OrderError(
            _(
                "Order %(number)s is %(status)s; only a confirmed order can be refunded.",
                number=order.number,
                status=status_label(order.status),
            )
        )
    open_lines = [line for line in order.lines if line.refunded_on is None]
    chosen = list(open_lines if lines is None else lines)
    if not chosen:
        raise OrderError(_("Choose at least one line to refund."))
    for line in chosen:
        if line.order_id != order.id:
            raise OrderError(
                _("That line does not belong to order %(number)s.", number=order.number)
            )
        if line.refunded_on is not None:
            raise OrderError(
                _(
                    "Line %(number)s was already refunded on %(day)s.",
                    number=line.position,
                    day=format_date(line.refunded_on, company_time=False),
                )
            )
    refund_date = on or dates.today()
    if refund_date < order.order_date:
        raise OrderError(
            _(
                "A refund cannot be dated before the order (%(day)s).",
                day=format_date(order.order_date, company_time=False),
            )
        )
    with db.session.begin_nested():
        if not lock_state(order, ("confirmed",)):
            raise OrderError(_changed_meanwhile(order))
        ids = [line.id for line in chosen]
        marked = db.session.execute(
            update(OrderLine)
            .where(OrderLine.id.in_(ids), OrderLine.refunded_on.is_(None))
            .values(refunded_on=refund_date)
            .execution_options(synchronize_session=False)
        )
        if marked.rowcount != len(ids):  # type: ignore[attr-defined]
            raise OrderError(
                _(
                    "Some of these lines of %(number)s were refunded a moment ago by someone"
                    " else; nothing was refunded.",
                    number=order.number,
                )
            )
        for line in chosen:
            set_committed_value(line, "refunded_on", refund_date)
        if not _refunded_lines(order, unrefunded=True):
            order.status = "refunded"
        db.session.flush()
        run_hook("order_refunded", order=order, lines=chosen)
    return chosen
