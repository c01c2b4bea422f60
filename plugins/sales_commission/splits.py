"""Splitting an order's commission between salespeople by percentage.

Without a split the order's salesperson gets 100 %. A split lists salespeople with
percentages (at most two decimals, each above 0, adding up to exactly 100). Each line's
figures are shared per line: every salesperson after the first gets round_half_up(figure ×
percent / 100) to the cent, and the first salesperson gets the rest, so the shares always
add up to the whole line. A split can be changed only while the month of the order date is
still open (a draft) for every salesperson involved, before and after the change.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

from sqlalchemy import delete, select

from core import dates
from core.db import db
from core.i18n import _
from core.ledger import COUNTED_STATUSES
from core.models import Order, User, utcnow
from core.roles import SELLING_ROLES
from plugins.sales_commission.accrual import reconcile_orders
from plugins.sales_commission.approval import statement_of
from plugins.sales_commission.models import Split
from plugins.sales_commission.rules import RuleSet

HUNDRED = Decimal("100")


@dataclass(frozen=True)
class Share:
    """One salesperson's percentage of an order."""

    salesperson: User
    percent: Decimal


def current_shares(order: Order) -> list[Share]:
    """The order's split, or its salesperson at 100 % (empty when it has none)."""
    rows = db.session.scalars(
        select(Split).where(Split.order_id == order.id).order_by(Split.position)
    ).all()
    if rows:
        return [Share(row.salesperson, row.percent) for row in rows]
    return [Share(order.salesperson, HUNDRED)] if order.salesperson is not None else []


def split_problems(order: Order, shares: Sequence[Share]) -> list[str]:
    """Everything wrong with a proposed split, as sentences for the user (empty when fine)."""
    problems = []
    if order.status not in COUNTED_STATUSES:
        problems.append(
            _(
                "Order %(number)s is %(status)s; only confirmed orders earn commission.",
                number=order.number,
                status=order.status,
            )
        )
    if not shares:
        problems.append(_("Name at least one salesperson."))
    people = [share.salesperson.id for share in shares]
    if len(set(people)) != len(people):
        problems.append(_("Each salesperson may appear only once."))
    for share in shares:
        if share.salesperson.role not in SELLING_ROLES or not share.salesperson.active:
            problems.append(
                _("%(name)s does not sell (role or account).", name=share.salesperson.name)
            )
        if not Decimal("0") < share.percent <= HUNDRED:
            problems.append(
                _(
                    "%(name)s: a share is more than 0 and at most 100 %%.",
                    name=share.salesperson.name,
                )
            )
        elif share.percent != share.percent.quantize(Decimal("0.01")):
            problems.append(_("%(name)s: use at most two decimals.", name=share.salesperson.name))
    total = sum((share.percent for share in shares), Decimal("0"))
    if shares and total != HUNDRED:
        problems.append(
            _(
                "The shares add up to %(total)s %%; they must add up to exactly 100 %%.",
                total=total,
            )
        )
    problems += closed_month_problems(order, shares)
    return problems


def closed_month_problems(order: Order, shares: Sequence[Share]) -> list[str]:
    """The order's month must be open for everyone in the old and the new split."""
    period = dates.period_of(order.order_date)
    involved = {share.salesperson.id: share.salesperson for share in current_shares(order)}
    involved.update({share.salesperson.id: share.salesperson for share in shares})
    return [
        _(
            "The %(month)s statement of %(name)s is approved; the split can no longer change.",
            month=period,
            name=person.name,
        )
        for person in involved.values()
        if statement_of(person.id, period) is not None
    ]


def save_split(order: Order, shares: Sequence[Share], by: User | None, rules: RuleSet) -> None:
    """Replace the order's split and re-accrue its lines (nothing is committed).

    The caller checks split_problems first. A single 100 % share for the order's own
    salesperson is stored as no split at all.
    """
    db.session.execute(delete(Split).where(Split.order_id == order.id))
    whole = len(shares) == 1 and shares[0].salesperson.id == order.salesperson_id
    if not whole:
        db.session.add_all(
            Split(
                order_id=order.id,
                salesperson_id=share.salesperson.id,
                position=position,
                percent=share.percent,
                changed_at=utcnow(),
                changed_by_id=by.id if by is not None else None,
            )
            for position, share in enumerate(shares, start=1)
        )
    db.session.flush()
    reconcile_orders(rules, [order.id])
