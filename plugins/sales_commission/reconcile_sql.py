"""The SQL statements of a reconciliation (see accrual.py), built once per rule set and reused.

Building these nested statements costs far more than running them for one order, so the
statements for "some orders by id" are cached per rule set with the ids as an expanding
bind parameter (``order_ids``) and the write time as ``created_at``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from sqlalchemy import (
    DateTime,
    Delete,
    Insert,
    Select,
    and_,
    bindparam,
    delete,
    exists,
    func,
    insert,
    literal,
    or_,
    select,
    tuple_,
)
from sqlalchemy.orm import aliased
from sqlalchemy.sql import ColumnElement, Subquery
from sqlalchemy.sql.elements import BindParameter

from core.db import db
from core.models import Order, OrderLine, Product
from core.sql import cents
from plugins.sales_commission.desired import ENTRY_COLUMNS, desired_entries
from plugins.sales_commission.models import Cancellation, Entry, LineGrade, Statement
from plugins.sales_commission.rules import RuleSet

ORDER_IDS: BindParameter[Any] = bindparam("order_ids", expanding=True)
CREATED_AT = bindparam("created_at", type_=DateTime)
#: Figures a correction carries with the opposite sign.
SIGNED = (
    "line_net",
    "line_cost",
    "line_base",
    "line_commission",
    "net",
    "cost",
    "profit",
    "amount",
)


@dataclass(frozen=True)
class ReconcileSql:
    """Every statement one reconciliation runs, for one scope of orders."""

    missing_cancellations: Select
    snapshot_grades: Insert
    has_entries: Select[Any]
    delete_stale: Delete
    insert_missing: Insert
    #: insert_missing without the comparison with stored entries, for orders that have none.
    insert_all: Insert
    has_frozen: Select[Any]
    insert_corrections: Insert


@lru_cache(maxsize=16)
def for_orders(rules: RuleSet, dialect: str) -> ReconcileSql:
    """The statements for orders given by id (``order_ids``), cached per rule set and dialect."""
    return build(rules, ORDER_IDS)


def build(rules: RuleSet, scope: Any) -> ReconcileSql:
    """The statements for a scope of orders (ids, or a SELECT of ids)."""
    return ReconcileSql(
        missing_cancellations=missing_cancellations(scope),
        snapshot_grades=snapshot_grades(scope),
        has_entries=select(exists().where(Entry.order_id.in_(scope))),
        delete_stale=_delete_stale(rules, scope),
        insert_missing=_insert_missing(rules, scope),
        insert_all=_insert_missing(rules, scope, compare=False),
        has_frozen=select(exists().where(Entry.order_id.in_(scope), frozen(Entry))),
        insert_corrections=_insert_corrections(rules, scope),
    )


def frozen(entry: Any) -> ColumnElement[bool]:
    """The entry's month is approved or paid for its salesperson."""
    return exists().where(
        Statement.salesperson_id == entry.salesperson_id, Statement.period == entry.period
    )


def corrected(entry: Any) -> ColumnElement[bool]:
    """A correction cancels the entry."""
    correction = aliased(Entry)
    return exists().where(correction.corrects_id == entry.id)


def entry_key(entry: Any, with_period: bool) -> list[Any]:
    """The figures that identify what a stored entry says, as a row value."""
    columns = [
        entry.order_line_id,
        entry.salesperson_id,
        entry.kind,
        entry.event_date,
        entry.product_id,
        entry.rule_version_id,
        func.coalesce(entry.tier, ""),
        cents(entry.share),
        cents(entry.net),
        cents(entry.cost),
        cents(entry.amount),
        cents(entry.line_commission),
    ]
    return [*columns, *([entry.period] if with_period else [])]


def desired_key(desired: Subquery, with_period: bool) -> list[Any]:
    """The same figures of a desired row (a row value matches _entry_key exactly)."""
    columns = [
        desired.c.order_line_id,
        desired.c.salesperson_id,
        desired.c.kind,
        desired.c.event_date,
        desired.c.product_id,
        desired.c.rule_version_id,
        func.coalesce(desired.c.tier, ""),
        desired.c.share_hundredths,
        desired.c.net_c,
        desired.c.cost_c,
        desired.c.amount_c,
        desired.c.line_commission_c,
    ]
    return [*columns, *([desired.c.period] if with_period else [])]


def absent(key: Sequence[Any], candidates: Select[Any]) -> ColumnElement[bool]:
    """The row value ``key`` is none of the rows of ``candidates`` (as many columns).

    SQLite gets ``key NOT IN (SELECT …)``: it builds the list once, as an index (a join on a
    derived table would be scanned for every row). PostgreSQL gets ``NOT EXISTS``, an
    anti-join that stays linear however big the list is (a NOT IN list that does not fit
    in work_mem would be compared row by row).
    """
    if db.engine.dialect.name == "postgresql":
        pairs = zip(candidates.selected_columns, key, strict=True)
        return ~candidates.where(and_(*(column == value for column, value in pairs))).exists()
    return tuple_(*key).not_in(candidates)


def _delete_stale(rules: RuleSet, scope: Any) -> Delete:
    """Delete the orders' open entries that no desired row matches in the same month.

    Corrections are deleted too: they are made again for frozen entries still unmatched.
    """
    desired = desired_entries(rules, scope)
    wanted = select(*desired_key(desired, with_period=True))
    table = Entry.__table__.c
    return delete(Entry.__table__).where(
        table.order_id.in_(scope),
        ~frozen(table),
        or_(table.order_line_id.is_(None), absent(entry_key(table, True), wanted)),
    )


def _insert_missing(rules: RuleSet, scope: Any, compare: bool = True) -> Insert:
    """Add the desired rows not stored yet (open in the same month, or frozen and live).

    Without ``compare`` every desired row is added: for orders with no entry at all (a new
    confirmation), where the comparison would find nothing and only cost planning time.
    """
    desired = desired_entries(rules, scope)
    rows = select(*(desired.c[name] for name in ENTRY_COLUMNS), CREATED_AT)
    if compare:
        stored = aliased(Entry)
        same_month = select(*entry_key(stored, True)).where(
            stored.order_id.in_(scope), stored.order_line_id.is_not(None)
        )
        frozen_live = select(*entry_key(stored, False)).where(
            stored.order_id.in_(scope),
            stored.order_line_id.is_not(None),
            frozen(stored),
            ~corrected(stored),
        )
        rows = rows.where(
            absent(desired_key(desired, True), same_month),
            absent(desired_key(desired, False), frozen_live),
        )
    return insert(Entry.__table__).from_select([*ENTRY_COLUMNS, "created_at"], rows)


def _insert_corrections(rules: RuleSet, scope: Any) -> Insert:
    """Cancel frozen, live entries of the orders that no desired row matches any more."""
    desired = desired_entries(rules, scope)
    target = aliased(Entry)
    approval = aliased(Statement)
    columns: dict[str, Any] = {name: getattr(target, name) for name in ENTRY_COLUMNS}
    columns.update({name: -getattr(target, name) for name in SIGNED})
    columns["period"] = approval.carry_to
    columns["kind"] = literal("correction")
    rows = (
        select(
            *(column.label(name) for name, column in columns.items()),
            target.id.label("corrects_id"),
            CREATED_AT,
        )
        .join(
            approval,
            and_(
                approval.salesperson_id == target.salesperson_id, approval.period == target.period
            ),
        )
        .where(
            target.order_id.in_(scope),
            target.kind != "correction",
            or_(
                target.order_line_id.is_(None),
                absent(entry_key(target, False), select(*desired_key(desired, False))),
            ),
            ~corrected(target),
        )
    )
    return insert(Entry.__table__).from_select([*columns, "corrects_id", "created_at"], rows)


def snapshot_grades(scope: Any) -> Insert:
    """Record the product's list price and cost for lines graded for the first time."""
    rows = (
        select(OrderLine.id, Product.list_price, Product.unit_cost)
        .join(Product, Product.id == OrderLine.product_id)
        .where(
            OrderLine.order_id.in_(scope),
            ~exists().where(LineGrade.order_line_id == OrderLine.id),
        )
    )
    return insert(LineGrade.__table__).from_select(
        ["order_line_id", "list_price", "product_cost"], rows
    )


def missing_cancellations(scope: Any) -> Select:
    """Cancelled orders that had been confirmed and whose cancellation day is not recorded."""
    return select(Order.id, Order.cancelled_at).where(
        Order.id.in_(scope),
        Order.status == "cancelled",
        Order.confirmed_at.is_not(None),
        Order.cancelled_at.is_not(None),
        ~exists().where(Cancellation.order_id == Order.id),
    )
