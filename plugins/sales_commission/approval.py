"""Statement life cycle: draft → approved (by a manager) → paid (with date and reference).

A statement is a draft until a Statement row exists. Approving freezes the salesperson's
month: from then on nothing lands in it; whatever would have (a refund dated in it, a late
sale, a correction) lands in the next month still open for them, recorded as ``carry_to``.
Only a month that is over can be approved, so the month's own sales are all in.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from sqlalchemy import select, update

from core import dates
from core.db import db
from core.i18n import _
from core.locking import change_state
from core.models import User, utcnow
from plugins.sales_commission.accrual import lock_entries
from plugins.sales_commission.models import Entry, Statement

MAX_REFERENCE = 100


class ApprovalError(Exception):
    """A statement cannot be approved or paid; the message says why, for the user."""


def statement_of(salesperson_id: int, period: str) -> Statement | None:
    """The approval row of a salesperson's month (None while it is a draft)."""
    return db.session.scalar(
        select(Statement).where(
            Statement.salesperson_id == salesperson_id, Statement.period == period
        )
    )


def status_of(statement: Statement | None) -> str:
    """draft, approved or paid."""
    return statement.status if statement is not None else "draft"


def approvable_from(period: str) -> dt.date:
    """The first day a month's statements may be approved: the day after it ends."""
    return dates.parse_period(period)[1] + dt.timedelta(days=1)


def next_open_period(salesperson_id: int, period: str) -> str:
    """The first month after ``period`` whose statement is still a draft for the salesperson."""
    frozen = set(
        db.session.scalars(
            select(Statement.period).where(
                Statement.salesperson_id == salesperson_id, Statement.period > period
            )
        )
    )
    candidate = dates.next_period(period)
    while candidate in frozen:
        candidate = dates.next_period(candidate)
    return candidate


def approve(salesperson: User, period: str, by: User | None, today: dt.date) -> Statement:
    """Approve one salesperson's statement for a month that is over (nothing is committed)."""
    dates.parse_period(period)
    if today < approvable_from(period):
        raise ApprovalError(
            _(
                "%(month)s is not over yet; its statements can be approved from %(day)s on.",
                month=period,
                day=approvable_from(period),
            )
        )
    lock_entries()
    if statement_of(salesperson.id, period) is not None:
        raise ApprovalError(
            _(
                "The %(month)s statement of %(name)s is already approved.",
                month=period,
                name=salesperson.name,
            )
        )
    carry_to = next_open_period(salesperson.id, period)
    statement = Statement(
        salesperson_id=salesperson.id,
        period=period,
        status="approved",
        carry_to=carry_to,
        approved_at=utcnow(),
        approved_by_id=by.id if by is not None else None,
    )
    db.session.add(statement)
    # Months that carried into this one now carry past it.
    db.session.execute(
        update(Statement)
        .where(Statement.salesperson_id == salesperson.id, Statement.carry_to == period)
        .values(carry_to=carry_to)
    )
    db.session.flush()
    return statement


def draft_salespeople(period: str) -> list[User]:
    """Salespeople with entries in the month whose statement is still a draft."""
    with_entries = select(Entry.salesperson_id).where(Entry.period == period).distinct()
    approved = select(Statement.salesperson_id).where(Statement.period == period)
    return list(
        db.session.scalars(
            select(User)
            .where(User.id.in_(with_entries), User.id.not_in(approved))
            .order_by(User.name)
        )
    )


def approve_period(
    period: str, by: User | None, today: dt.date, salespeople: Sequence[User] | None = None
) -> list[Statement]:
    """Approve the draft statements of a month (of the given salespeople, else all with entries)."""
    chosen = draft_salespeople(period) if salespeople is None else list(salespeople)
    return [approve(salesperson, period, by, today) for salesperson in chosen]


def payment_problems(
    paid_on: dt.date | None, reference: str, period: str, today: dt.date
) -> dict[str, str]:
    """What is wrong with a payment as typed: {field: message}."""
    problems = {}
    if paid_on is None:
        problems["paid_on"] = _("Enter the day the commission was paid.")
    elif paid_on > today:
        problems["paid_on"] = _("The payment date cannot be in the future.")
    elif paid_on < approvable_from(period):
        problems["paid_on"] = _(
            "A payment for %(month)s cannot be dated before the month ended.", month=period
        )
    if not reference.strip():
        problems["reference"] = _("Enter the payment reference (e.g. the payroll run or transfer).")
    elif len(reference.strip()) > MAX_REFERENCE:
        problems["reference"] = _("Use at most %(count)s characters.", count=MAX_REFERENCE)
    return problems


def mark_paid(
    statement: Statement, paid_on: dt.date, reference: str, by: User | None, today: dt.date
) -> Statement:
    """Record the payment of an approved statement (nothing is committed)."""
    if statement.status != "approved":
        raise ApprovalError(
            _(
                "Only an approved statement can be marked paid; this one is %(status)s.",
                status=statement.status,
            )
        )
    problems = payment_problems(paid_on, reference, statement.period, today)
    if problems:
        raise ApprovalError(" ".join(problems.values()))
    if not change_state(statement, ("approved",), "paid"):
        raise ApprovalError(
            _(
                "Someone else changed this statement a moment ago: it is %(status)s now. "
                "Nothing changed.",
                status=statement.status,
            )
        )
    statement.paid_on = paid_on
    statement.payment_reference = reference.strip()
    statement.paid_at = utcnow()
    statement.paid_by_id = by.id if by is not None else None
    db.session.flush()
    return statement
