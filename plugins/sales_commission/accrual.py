"""Bringing the stored entries in line with what the rules call for, set-based, for a scope.

One engine serves every path, so a recompute gives exactly what the hooks gave:

- the order hooks and ``orders_imported`` reconcile the orders concerned;
- ``recompute`` rebuilds one month the same way (recompute.py);
- a new or deleted rule version re-accrues the orders dated from its effective date on.

Reconciling writes only differences, and never inside a frozen (approved or paid) month:

1. entries in open months that the rules no longer call for are deleted;
2. entries the rules call for and that are missing are added, in their own month when it is
   open for the salesperson, else in the next open month (``Statement.carry_to``);
3. frozen entries that no longer match their order (the order was re-imported with other
   lines, or its split changed after a refund was approved) get a correction: the same
   figures with the opposite sign, in the next open month.

The SQL itself is in desired.py (what should exist) and reconcile_sql.py (the writes).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from typing import Any

from sqlalchemy import insert, select, text

from core import dates
from core.db import db
from core.models import Order, utcnow
from plugins.sales_commission import reconcile_sql
from plugins.sales_commission.models import Cancellation, Entry
from plugins.sales_commission.rules import RuleSet

#: Above this many orders a reconciliation is a bulk job (an import, a backfill).
BULK = 50


def reconcile_orders(rules: RuleSet, order_ids: Iterable[int], cancelled: bool = True) -> None:
    """Bring every entry of these orders in line with the rules (hooks, imports, rule changes).

    ``cancelled=False`` says none of the orders is cancelled (a confirmation), which saves
    looking for cancellation days to record.
    """
    ids = list(order_ids)
    if not ids:
        return
    if len(ids) > BULK:
        without_jit()
    sql = reconcile_sql.for_orders(rules, db.engine.dialect.name)
    _run(sql, {"order_ids": ids}, corrections=True, cancelled=cancelled)


def reconcile_orders_from(rules: RuleSet, first_day: dt.date) -> None:
    """Re-accrue every order dated on or after a day (after a rule version starts or goes)."""
    scope = select(Order.id).where(Order.order_date >= first_day)
    without_jit()
    _run(reconcile_sql.build(rules, scope), {}, corrections=True)


def _run(
    sql: reconcile_sql.ReconcileSql,
    parameters: dict[str, Any],
    corrections: bool,
    cancelled: bool = True,
) -> None:
    """Run a reconciliation's statements; the cheap existence checks skip needless work."""
    session = db.session
    if cancelled:
        record_missing_cancellations(session.execute(sql.missing_cancellations, parameters).all())
    session.execute(sql.snapshot_grades, parameters)
    stored = session.scalar(sql.has_entries, parameters)
    if stored:
        session.execute(sql.delete_stale, parameters)
    insert = sql.insert_missing if stored else sql.insert_all
    session.execute(insert, {**parameters, "created_at": utcnow()})
    if stored and corrections and session.scalar(sql.has_frozen, parameters):
        session.execute(sql.insert_corrections, {**parameters, "created_at": utcnow()})


def record_missing_cancellations(missing: Sequence[Any]) -> None:
    """Record the company-time day of cancellations of confirmed orders not recorded yet.

    The order_cancelled hook records the day itself; this catches cancellations made while
    the plugin was disabled. The day of a UTC timestamp in the company's time zone cannot be
    worked out portably in SQL, so the (few) missing ones are converted here.
    """
    rows = [
        {"order_id": order_id, "cancelled_on": dates.company_day(cancelled_at)}
        for order_id, cancelled_at in missing
    ]
    if rows:
        db.session.execute(insert(Cancellation), rows)


def record_cancellation(order: Order) -> None:
    """Remember the day an order was cancelled (called by the order_cancelled hook)."""
    if order.confirmed_at is None or db.session.get(Cancellation, order.id) is not None:
        return
    day = dates.company_day(order.cancelled_at) if order.cancelled_at else dates.today()
    db.session.add(Cancellation(order_id=order.id, cancelled_on=day))
    db.session.flush()


def without_jit() -> None:
    """On PostgreSQL, switch JIT compilation off for the rest of the transaction.

    The accrual's SQL is long (a CASE per tier and version) and cheap to run; for big scopes
    PostgreSQL would spend seconds compiling it to machine code for milliseconds of work.
    """
    if db.engine.dialect.name == "postgresql":
        db.session.execute(text("SET LOCAL jit = off"))


def lock_entries() -> None:
    """On PostgreSQL, wait for running accruals and hold new ones until the transaction ends.

    Approving takes this lock so that no entry can land in a month while it is being frozen.
    (SQLite runs one writing transaction at a time already.)
    """
    if db.engine.dialect.name == "postgresql":
        db.session.execute(text(f"LOCK TABLE {Entry.__tablename__} IN SHARE ROW EXCLUSIVE MODE"))
