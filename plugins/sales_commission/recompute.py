"""Recomputing one month: the same engine as the hooks (desired.py), for what lands in the month.

A month can be recomputed while none of its statements is approved. The entries the rules
call for in that month (its sales, refunds and cancellations, plus the late sales and
clawbacks that approved months carry into it) are first matched with the stored entries in
one statement; a month that is already right stops there and is left exactly as it is (same
ids). A month without entries gets every desired row written directly. Otherwise the desired
rows are computed once into a temporary table; stored entries of the month that no longer
match are deleted and missing ones added. Corrections already in the month (made when an
approved order changed) are kept.
"""

from __future__ import annotations

import datetime as dt
from functools import lru_cache
from typing import Any

from sqlalchemy import (
    BigInteger,
    Column,
    DateTime,
    Delete,
    Insert,
    MetaData,
    Select,
    Table,
    and_,
    bindparam,
    case,
    delete,
    exists,
    func,
    insert,
    or_,
    select,
    union,
)
from sqlalchemy.orm import aliased
from sqlalchemy.sql import ColumnElement, Subquery

from core import dates
from core.db import db
from core.i18n import _
from core.models import ORDER_STATUSES, Order, OrderLine, utcnow
from plugins.sales_commission import accrual, reconcile_sql
from plugins.sales_commission.desired import ENTRY_COLUMNS, desired_entries
from plugins.sales_commission.models import Cancellation, Entry, Statement
from plugins.sales_commission.rules import RuleSet

#: The exact figures compared with stored entries, besides the Entry columns.
KEY_COLUMNS = ("share_hundredths", "net_c", "cost_c", "amount_c", "line_commission_c")
#: The month's desired entries, computed once per recompute (a temporary table).
WORK = Table(
    "sales_commission_recompute_work",
    MetaData(),
    *(Column(name, Entry.__table__.c[name].type) for name in ENTRY_COLUMNS),
    *(Column(name, BigInteger) for name in KEY_COLUMNS),
    prefixes=["TEMPORARY"],
)
CREATED_AT = bindparam("created_at", type_=DateTime)


class PeriodClosed(Exception):
    """The month has approved statements, so it cannot be recomputed; the message says which."""


def recompute_period(rules: RuleSet, period: str) -> None:
    """Rebuild one month's entries from the orders, the rules and the approvals (set-based).

    Raises PeriodClosed when any statement of the month is approved or paid.
    """
    dates.parse_period(period)
    approved = db.session.scalars(
        select(Statement.salesperson_id).where(Statement.period == period)
    ).all()
    if approved:
        raise PeriodClosed(
            _(
                "%(month)s has %(count)s approved statement(s); approved statements never "
                "change, so the month cannot be recomputed.",
                month=period,
                count=len(approved),
            )
        )
    carried = tuple(
        (row[0], row[1])
        for row in db.session.execute(
            select(Statement.period, func.min(Statement.approved_at))
            .where(Statement.carry_to == period)
            .group_by(Statement.period)
            .order_by(Statement.period)
        )
    )
    sql = _statements(rules, db.engine.dialect.name, period, carried)
    accrual.without_jit()
    session = db.session
    connection = session.connection()
    accrual.record_missing_cancellations(session.execute(sql.missing_cancellations).all())
    if any(version.grade_by == "product" for version in rules.versions):
        # Only product grading reads the list price snapshots (the hooks always take them).
        session.execute(sql.snapshot_grades)
    stored = session.scalar(sql.count_stored)
    if not stored:
        # Nothing stored to compare with or delete (a wiped or new month): write every row.
        session.execute(sql.insert_all, {"created_at": utcnow()})
        return
    matched, missing = session.execute(sql.compare).one()
    if matched == stored and not missing:
        return  # every stored entry is desired and every desired row stored: nothing to do
    WORK.drop(connection, checkfirst=True)
    WORK.create(connection)
    try:
        connection.execute(sql.fill_work)
        connection.execute(sql.delete_stale)
        connection.execute(sql.insert_missing, {"created_at": utcnow()})
    finally:
        WORK.drop(connection)


class PeriodSql:
    """The statements of one month's recompute (built once per rule set, month and approvals)."""

    def __init__(self, rules: RuleSet, period: str, carried: tuple[tuple[str, Any], ...]) -> None:
        """Build every statement for the month and the frozen months that carry into it."""
        scope = period_scope(period, carried)
        self.missing_cancellations = reconcile_sql.missing_cancellations(scope)
        self.snapshot_grades = reconcile_sql.snapshot_grades(scope)
        desired = desired_entries(rules, scope)
        names = [*ENTRY_COLUMNS, *KEY_COLUMNS]
        self.fill_work: Insert = insert(WORK).from_select(
            names, select(*(desired.c[name] for name in names)).where(desired.c.period == period)
        )
        self.delete_stale = _delete_stale(period)
        self.insert_missing = _insert_missing(scope, period)
        self.count_stored = _count_stored(period)
        self.compare = _compare(desired, period)
        self.insert_all = _insert_all(desired, period)


@lru_cache(maxsize=8)
def _statements(
    rules: RuleSet, dialect: str, period: str, carried: tuple[tuple[str, Any], ...]
) -> PeriodSql:
    """The recompute's statements, cached (building and compiling them costs more than a run)."""
    return PeriodSql(rules, period, carried)


def _count_stored(period: str) -> Select[Any]:
    """How many of the month's entries the recompute may keep or delete (all but corrections)."""
    return (
        select(func.count())
        .select_from(Entry)
        .where(Entry.period == period, Entry.kind != "correction")
    )


def _frozen_live_match(desired: Subquery) -> ColumnElement[bool]:
    """A frozen entry not corrected says what the desired row says (it is not added again).

    An entry's line belongs to its order, so matching the line keeps to the scope's orders.
    """
    stored = aliased(Entry)
    pairs = zip(
        reconcile_sql.entry_key(stored, False),
        reconcile_sql.desired_key(desired, False),
        strict=True,
    )
    return exists().where(
        *(left == right for left, right in pairs),
        reconcile_sql.frozen(stored),
        ~reconcile_sql.corrected(stored),
    )


def _compare(desired: Subquery, period: str) -> Select[Any]:
    """The month's desired rows against the stored entries, in one pass over the desired rows.

    Returns (matched, missing): how many stored entries of the month match a desired row, and
    how many desired rows match neither an entry of the month nor a frozen live entry (they
    would be added). Desired rows of a month differ in (line, salesperson, kind), so each
    stored entry matches at most one of them: the month is right exactly when ``matched``
    equals the count of its entries (``count_stored``) and ``missing`` is 0.
    """
    stored = aliased(Entry)
    key = reconcile_sql.entry_key(stored, False)
    # The period is compared as an expression so that SQLite, without statistics, looks the
    # entries up by line (one or two) and not by month and salesperson (hundreds).
    key.append(stored.period + "" if db.engine.dialect.name == "sqlite" else stored.period)
    pairs = zip(key, reconcile_sql.desired_key(desired, True), strict=True)
    missing = case((stored.id.is_not(None), 0), (_frozen_live_match(desired), 0), else_=1)
    return (
        select(func.count(stored.id), func.coalesce(func.sum(missing), 0))
        .select_from(desired)
        .outerjoin(stored, and_(*(left == right for left, right in pairs)))
        .where(desired.c.period == period)
    )


def _insert_all(desired: Subquery, period: str) -> Insert:
    """Add every desired row of the month (none is stored in it) unless a frozen entry has it."""
    rows = select(*(desired.c[name] for name in ENTRY_COLUMNS), CREATED_AT).where(
        desired.c.period == period, ~_frozen_live_match(desired)
    )
    return insert(Entry.__table__).from_select([*ENTRY_COLUMNS, "created_at"], rows)


def _work_key(with_period: bool) -> list[Any]:
    """The figures of a desired row in the work table (see reconcile_sql._desired_key)."""
    columns = [
        WORK.c.order_line_id,
        WORK.c.salesperson_id,
        WORK.c.kind,
        WORK.c.event_date,
        WORK.c.product_id,
        WORK.c.rule_version_id,
        func.coalesce(WORK.c.tier, ""),
        *(WORK.c[name] for name in KEY_COLUMNS),
    ]
    return [*columns, *([WORK.c.period] if with_period else [])]


def _delete_stale(period: str) -> Delete:
    """Delete the month's entries (not corrections) that no desired row matches."""
    table = Entry.__table__.c
    return delete(Entry.__table__).where(
        table.period == period,
        table.kind != "correction",
        ~reconcile_sql.frozen(table),
        or_(
            table.order_line_id.is_(None),
            reconcile_sql.absent(reconcile_sql.entry_key(table, True), select(*_work_key(True))),
        ),
    )


def _insert_missing(scope: Select[Any], period: str) -> Insert:
    """Add the desired rows of the month that are not stored in it, nor frozen elsewhere."""
    stored = aliased(Entry)
    in_month = select(*reconcile_sql.entry_key(stored, True)).where(
        stored.period == period, stored.order_line_id.is_not(None)
    )
    frozen_live = select(*reconcile_sql.entry_key(stored, False)).where(
        stored.order_id.in_(scope),
        stored.order_line_id.is_not(None),
        reconcile_sql.frozen(stored),
        ~reconcile_sql.corrected(stored),
    )
    rows = select(*(WORK.c[name] for name in ENTRY_COLUMNS), CREATED_AT).where(
        reconcile_sql.absent(_work_key(True), in_month),
        reconcile_sql.absent(_work_key(False), frozen_live),
    )
    return insert(Entry.__table__).from_select([*ENTRY_COLUMNS, "created_at"], rows)


def period_scope(period: str, carried: tuple[tuple[str, Any], ...] = ()) -> Select[Any]:
    """The orders that may have entries in the month: its sales, refunds and cancellations,
    and the events of frozen months (with their approval time) whose entries carry into it.

    Entries already in the month need not be in scope: one whose order no longer gives it
    is simply not desired any more, and is deleted.
    """
    start, end = dates.parse_period(period)
    parts: list[Select[Any]] = [
        # Every status (the column allows no other), so that the index on (status,
        # order_date) finds the month's orders without scanning every order.
        select(Order.id).where(
            Order.status.in_(ORDER_STATUSES), Order.order_date.between(start, end)
        ),
        select(OrderLine.order_id).where(OrderLine.refunded_on.between(start, end)),
        select(Cancellation.order_id).where(Cancellation.cancelled_on.between(start, end)),
        # Cancellations not recorded yet (made while the plugin was off), by their UTC time
        # with a day's margin for the company's time zone.
        select(Order.id).where(
            Order.status == "cancelled",
            Order.cancelled_at >= dt.datetime.combine(start, dt.time()) - dt.timedelta(days=1),
            Order.cancelled_at < dt.datetime.combine(end, dt.time()) + dt.timedelta(days=2),
        ),
    ]
    for frozen_period, approved_at in carried:
        first, last = dates.parse_period(frozen_period)
        parts += [
            select(OrderLine.order_id).where(OrderLine.refunded_on.between(first, last)),
            select(Cancellation.order_id).where(Cancellation.cancelled_on.between(first, last)),
            # Sales dated in a frozen month but confirmed after its approval land here too.
            select(Order.id).where(
                and_(Order.order_date.between(first, last), Order.confirmed_at > approved_at)
            ),
        ]
    return select(union(*parts).subquery().c[0])
