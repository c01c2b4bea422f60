"""The customer pool (公海): deals and customers nobody followed up go back, salespeople claim them.

- ``pool_after_days`` = N > 0 turns it on. The nightly job releases every open deal, and every
  customer with an owner, whose last touch is on a company day N or more days before today:
  a deal's last touch is its last follow-up, its last stage move or its opening, a customer's
  its last follow-up or when it became a customer. Days are company days (core.dates), so a
  run just after midnight and the days around a DST change count the same as any other.
- A released deal or customer has no owner; any salesperson sees the pool and claims from it,
  as long as they own fewer than ``max_owned`` open deals (customers) (0: no limit), and not
  within ``claim_cooldown_days`` of having been released from it themselves.
- Every release and every claim is a PoolEvent row, kept for good.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import Select, and_, func, or_, select

from core import dates
from core.customers import update_customer
from core.db import db
from core.models import Customer, User
from plugins.pipeline import settings as pipeline_settings
from plugins.pipeline.models import FollowUp, Opportunity, PoolEvent, Stage, StageMove
from plugins.pipeline.stages import StageError


class PoolError(StageError):
    """The claim is not allowed; the message says why."""


@dataclass(frozen=True)
class Released:
    """What a run of the release job did."""

    deals: int
    customers: int


def release_before(today: dt.date, days: int) -> dt.datetime:
    """The stored (UTC) moment a last touch must be before to be released today: the company
    midnight that starts day today − days + 1."""
    return dates.company_midnight(today - dt.timedelta(days=days - 1))


def stale_deals(before: dt.datetime) -> Select:
    """Open owned deals whose last follow-up, move and opening are all before the moment."""
    followed = (
        select(FollowUp.opportunity_id.label("deal_id"), func.max(FollowUp.at).label("at"))
        .where(FollowUp.opportunity_id.is_not(None))
        .group_by(FollowUp.opportunity_id)
        .subquery()
    )
    moved = (
        select(StageMove.opportunity_id.label("deal_id"), func.max(StageMove.at).label("at"))
        .group_by(StageMove.opportunity_id)
        .subquery()
    )
    return (
        select(Opportunity)
        .join(Stage, Stage.id == Opportunity.stage_id)
        .outerjoin(followed, followed.c.deal_id == Opportunity.id)
        .outerjoin(moved, moved.c.deal_id == Opportunity.id)
        .where(
            Stage.kind == "open",
            Opportunity.owner_id.is_not(None),
            Opportunity.created_at < before,
            or_(followed.c.at.is_(None), followed.c.at < before),
            or_(moved.c.at.is_(None), moved.c.at < before),
        )
        .order_by(Opportunity.id)
    )


def stale_customers(before: dt.datetime) -> Select:
    """Owned customers known before the moment with no follow-up since."""
    followed = (
        select(FollowUp.customer_id.label("customer_id"), func.max(FollowUp.at).label("at"))
        .where(FollowUp.customer_id.is_not(None))
        .group_by(FollowUp.customer_id)
        .subquery()
    )
    return (
        select(Customer)
        .outerjoin(followed, followed.c.customer_id == Customer.id)
        .where(
            Customer.owner_id.is_not(None),
            Customer.created_at < before,
            or_(followed.c.at.is_(None), followed.c.at < before),
        )
        .order_by(Customer.id)
    )


def release_stale(today: dt.date | None = None) -> Released:
    """The nightly job's work: release what nobody followed up for pool_after_days (no commit)."""
    days = pipeline_settings.current().pool_after_days
    if days <= 0:
        return Released(0, 0)
    before = release_before(today or dates.today(), days)
    now = dates.utcnow()
    deals = list(db.session.scalars(stale_deals(before)))
    for deal in deals:
        db.session.add(
            PoolEvent(
                opportunity_id=deal.id,
                action="release",
                user_id=deal.owner_id,
                at=now,
                note=f"no follow-up for {days} days",
            )
        )
        deal.owner = None
        deal.owner_id = None
    customers = list(db.session.scalars(stale_customers(before)))
    for customer in customers:
        db.session.add(
            PoolEvent(
                customer_id=customer.id,
                action="release",
                user_id=customer.owner_id,
                at=now,
                note=f"no follow-up for {days} days",
            )
        )
        update_customer(customer, owner_id=None)
    db.session.flush()
    return Released(len(deals), len(customers))


def _last_release(user: User, deal_id: int | None, customer_id: int | None) -> dt.datetime | None:
    subject = (
        PoolEvent.opportunity_id == deal_id
        if deal_id is not None
        else PoolEvent.customer_id == customer_id
    )
    return db.session.scalar(
        select(func.max(PoolEvent.at)).where(
            subject, PoolEvent.action == "release", PoolEvent.user_id == user.id
        )
    )


def _check_cooldown(user: User, deal_id: int | None, customer_id: int | None) -> None:
    days = pipeline_settings.current().claim_cooldown_days
    released = _last_release(user, deal_id, customer_id)
    if released is None or days <= 0:
        return
    free_on = dates.company_day(released) + dt.timedelta(days=days)
    if dates.today() < free_on:
        raise PoolError(
            f"It was released from you on {dates.company_day(released).isoformat()}; "
            f"you may claim it again from {free_on.isoformat()}."
        )


def open_deals_owned(user: User) -> int:
    return int(
        db.session.scalar(
            select(func.count())
            .select_from(Opportunity)
            .join(Stage, Stage.id == Opportunity.stage_id)
            .where(Opportunity.owner_id == user.id, Stage.kind == "open")
        )
        or 0
    )


def customers_owned(user: User) -> int:
    return int(db.session.scalar(select(func.count()).where(Customer.owner_id == user.id)) or 0)


def claim_deal(deal: Opportunity, user: User) -> None:
    """Take a deal from the pool (no commit); PoolError says why not."""
    if deal.owner_id is not None:
        raise PoolError("The deal is not in the pool: someone owns it.")
    if deal.stage.kind != "open":
        raise PoolError("Only an open deal can be claimed.")
    limit = pipeline_settings.current().max_owned
    if limit and open_deals_owned(user) >= limit:
        raise PoolError(f"You already own {limit} open deals, the most one may hold.")
    _check_cooldown(user, deal.id, None)
    deal.owner = user
    deal.owner_id = user.id
    db.session.add(PoolEvent(opportunity_id=deal.id, action="claim", user_id=user.id))
    db.session.flush()


def claim_customer(customer: Customer, user: User) -> None:
    """Take a customer from the pool (no commit); PoolError says why not."""
    if customer.owner_id is not None:
        raise PoolError("The customer is not in the pool: someone owns them.")
    limit = pipeline_settings.current().max_owned
    if limit and customers_owned(user) >= limit:
        raise PoolError(f"You already own {limit} customers, the most one may hold.")
    _check_cooldown(user, None, customer.id)
    update_customer(customer, owner_id=user.id)
    db.session.add(PoolEvent(customer_id=customer.id, action="claim", user_id=user.id))
    db.session.flush()


def pool_deals() -> Select:
    """Open deals in the pool (no owner), newest first."""
    return (
        select(Opportunity)
        .join(Stage, Stage.id == Opportunity.stage_id)
        .where(Stage.kind == "open", Opportunity.owner_id.is_(None))
        .order_by(Opportunity.id.desc())
    )


def pool_customers() -> Select:
    """Customers released to the pool and not claimed since (no owner now)."""
    released = select(PoolEvent.customer_id).where(
        PoolEvent.customer_id.is_not(None), PoolEvent.action == "release"
    )
    return (
        select(Customer)
        .where(and_(Customer.owner_id.is_(None), Customer.id.in_(released)))
        .order_by(Customer.id.desc())
    )


def events(deal_id: int | None = None, customer_id: int | None = None) -> list[PoolEvent]:
    """The releases and claims of a deal or a customer, oldest first."""
    statement = select(PoolEvent).order_by(PoolEvent.at, PoolEvent.id)
    if deal_id is not None:
        statement = statement.where(PoolEvent.opportunity_id == deal_id)
    if customer_id is not None:
        statement = statement.where(PoolEvent.customer_id == customer_id)
    return list(db.session.scalars(statement))
