"""Demo data: a second rule version, accrued history, a few split orders, approved and paid months."""

from __future__ import annotations

import datetime as dt
import random
from decimal import Decimal
from typing import Any

from sqlalchemy import func, select

from core import dates
from core.models import Order, User, utcnow
from plugins.sales_commission import accrual, approval, rules, splits
from plugins.sales_commission.settings import current_rules

#: The second version: a premium tier on top, to show what changing the rules looks like.
PREMIUM_TIERS = [
    {"name": "A+", "min_margin": Decimal("0.55"), "rate": Decimal("0.10")},
    {"name": "A", "min_margin": Decimal("0.40"), "rate": Decimal("0.08")},
    {"name": "B", "min_margin": Decimal("0.20"), "rate": Decimal("0.05")},
    {"name": "C", "min_margin": Decimal("0.00"), "rate": Decimal("0.02")},
]
CHUNK = 5000


def seed(session: Any, rng: random.Random) -> None:
    """Add the plugin's demo data on top of the core demo (deterministic from rng)."""
    today = dates.today()
    existing = current_rules()
    if len(existing.versions) == 1 and rules.last_approved_period() is None:
        start = dates.add_months(today.replace(day=1), -5)
        # Decided a fortnight before it took effect, as an admin would.
        with dates.clock(dt.datetime.combine(start - dt.timedelta(days=14), dt.time(10))):
            rules.add_version(
                start,
                "revenue",
                "line",
                PREMIUM_TIERS,
                "Premium tier A+ for margins of 55 % and more",
                None,
                source="demo",
            )
            session.flush()
    rules_now = current_rules()
    order_ids = list(session.scalars(select(Order.id).order_by(Order.id)))
    for first in range(0, len(order_ids), CHUNK):
        accrual.reconcile_orders(rules_now, order_ids[first : first + CHUNK])
    _split_some(session, rng, today)
    _approve_history(session, today)


def _split_some(session: Any, rng: random.Random, today: dt.date) -> None:
    """Share a few of last month's orders between two salespeople."""
    sellers = list(
        session.scalars(
            select(User).where(User.role == "sales", User.active.is_(True)).order_by(User.id)
        )
    )
    if len(sellers) < 2:
        return
    first, last = dates.parse_period(dates.period_of(dates.add_months(today.replace(day=1), -1)))
    candidates = list(
        session.scalars(
            select(Order)
            .where(
                Order.order_date.between(first, last),
                Order.status == "confirmed",
                Order.salesperson_id.in_([seller.id for seller in sellers]),
            )
            .order_by(Order.id)
            .limit(40)
        )
    )
    for order in rng.sample(candidates, min(5, len(candidates))):
        partner = rng.choice([seller for seller in sellers if seller.id != order.salesperson_id])
        own = Decimal(rng.choice(["50", "60", "70"]))
        shares = [splits.Share(order.salesperson, own), splits.Share(partner, 100 - own)]
        # Split by the manager a few days after the sale.
        when = min(
            dt.datetime.combine(order.order_date + dt.timedelta(days=3), dt.time(11)), utcnow()
        )
        with dates.clock(when):
            if not splits.split_problems(order, shares):
                splits.save_split(order, shares, None, current_rules())
                session.flush()


def _approve_history(session: Any, today: dt.date) -> None:
    """Approve every month up to two months ago and mark those before it paid."""
    oldest = session.scalar(select(func.min(Order.order_date)))
    if oldest is None:
        return
    manager = session.scalar(select(User).where(User.role == "manager").order_by(User.id))
    two_months_ago = dates.period_of(dates.add_months(today.replace(day=1), -2))
    period = dates.period_of(oldest)
    while period <= two_months_ago:
        # Approved on the first day it could be, paid nine days later: the story's dates.
        approved_on = approval.approvable_from(period)
        with dates.clock(dt.datetime.combine(approved_on, dt.time(10))):
            statements = approval.approve_period(period, manager, approved_on)
            session.flush()
        if period < two_months_ago:
            paid_on = min(today, approved_on + dt.timedelta(days=9))
            with dates.clock(min(dt.datetime.combine(paid_on, dt.time(10)), utcnow())):
                for statement in statements:
                    approval.mark_paid(
                        statement, paid_on, f"Payroll {dates.next_period(period)}", manager, paid_on
                    )
                session.flush()
        period = dates.next_period(period)
    session.flush()
