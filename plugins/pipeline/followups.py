"""Follow-ups: calls, visits, meetings and e-mails on a deal or a customer, and who was forgotten.

A follow-up on a deal of a customer also belongs to that customer, so the customer's
timeline and "before you call" panel show everything said to them, whatever the deal.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import Select, func, or_, select

from core import dates
from core.db import db
from core.models import Customer, User, utcnow
from plugins.pipeline.models import FOLLOW_UP_KINDS, FollowUp, Opportunity, Stage
from plugins.pipeline.stages import StageError


class FollowUpError(StageError):
    """The follow-up cannot be recorded; the message is for the user."""


def log_follow_up(
    kind: str,
    by: User | None,
    deal: Opportunity | None = None,
    customer: Customer | None = None,
    notes: str = "",
    outcome: str = "",
    next_contact_on: dt.date | None = None,
    at: dt.datetime | None = None,
) -> FollowUp:
    """Record a follow-up on a deal (and its customer) or on a customer (nothing is committed)."""
    if kind not in FOLLOW_UP_KINDS:
        raise FollowUpError(f"A follow-up is one of: {', '.join(FOLLOW_UP_KINDS)}.")
    if deal is None and customer is None:
        raise FollowUpError("A follow-up is about a deal or a customer.")
    moment = at or utcnow()
    if next_contact_on is not None and next_contact_on < dates.company_day(moment):
        raise FollowUpError("The next contact cannot be before the follow-up.")
    if deal is not None and customer is None:
        customer = deal.customer
    entry = FollowUp(
        kind=kind,
        opportunity_id=deal.id if deal else None,
        customer_id=customer.id if customer else None,
        notes=notes.strip(),
        outcome=outcome.strip()[:200],
        next_contact_on=next_contact_on,
        user_id=by.id if by else None,
        at=moment,
    )
    db.session.add(entry)
    if deal is not None and next_contact_on is not None:
        deal.next_activity_on = next_contact_on
        if not deal.next_activity:
            deal.next_activity = kind
    db.session.flush()
    return entry


def of_deal(deal_id: int, limit: int = 100) -> list[FollowUp]:
    """The deal's follow-ups, newest first."""
    return list(
        db.session.scalars(
            select(FollowUp)
            .where(FollowUp.opportunity_id == deal_id)
            .order_by(FollowUp.at.desc(), FollowUp.id.desc())
            .limit(limit)
        )
    )


def of_customer(
    customer_id: int, since: dt.datetime | None = None, limit: int = 100
) -> list[FollowUp]:
    """Every follow-up with the customer (on them or on their deals), newest first."""
    statement = select(FollowUp).where(FollowUp.customer_id == customer_id)
    if since is not None:
        statement = statement.where(FollowUp.at >= since)
    return list(
        db.session.scalars(statement.order_by(FollowUp.at.desc(), FollowUp.id.desc()).limit(limit))
    )


@dataclass(frozen=True)
class Forgotten:
    """A customer or an open deal nobody has followed up for a while."""

    kind: str  # "customer" or "deal"
    id: int
    name: str
    owner: str
    last_follow_up: dt.datetime | None
    since: dt.datetime


def cutoff(days: int, now: dt.datetime | None = None) -> dt.datetime:
    """The moment a follow-up must be after not to be forgotten: now − days."""
    return (now or utcnow()) - dt.timedelta(days=days)


def forgotten_deals(limit_before: dt.datetime, owner_id: int | None = None) -> Select:
    """Open deals opened before the cutoff whose last follow-up (if any) is before it."""
    last = (
        select(FollowUp.opportunity_id, func.max(FollowUp.at).label("last_at"))
        .where(FollowUp.opportunity_id.is_not(None))
        .group_by(FollowUp.opportunity_id)
        .subquery()
    )
    statement = (
        select(Opportunity)
        .join(Stage, Stage.id == Opportunity.stage_id)
        .outerjoin(last, last.c.opportunity_id == Opportunity.id)
        .where(
            Stage.kind == "open",
            Opportunity.created_at < limit_before,
            or_(last.c.last_at.is_(None), last.c.last_at < limit_before),
        )
        .order_by(last.c.last_at.is_not(None), last.c.last_at, Opportunity.id)
    )
    if owner_id is not None:
        statement = statement.where(Opportunity.owner_id == owner_id)
    return statement


def last_deal_follow_ups(deal_ids: list[int]) -> dict[int, dt.datetime]:
    """{deal id: moment of its last follow-up} for a page of deals, in one grouped query."""
    if not deal_ids:
        return {}
    rows = db.session.execute(
        select(FollowUp.opportunity_id, func.max(FollowUp.at))
        .where(FollowUp.opportunity_id.in_(deal_ids))
        .group_by(FollowUp.opportunity_id)
    )
    return {deal_id: at for deal_id, at in rows if deal_id is not None}


def forgotten_customers(limit_before: dt.datetime, owner_id: int | None = None) -> Select:
    """Customers with an owner, known before the cutoff, with no follow-up since then."""
    last = (
        select(FollowUp.customer_id, func.max(FollowUp.at).label("last_at"))
        .where(FollowUp.customer_id.is_not(None))
        .group_by(FollowUp.customer_id)
        .subquery()
    )
    statement = (
        select(Customer, last.c.last_at)
        .outerjoin(last, last.c.customer_id == Customer.id)
        .where(
            Customer.owner_id.is_not(None),
            Customer.created_at < limit_before,
            or_(last.c.last_at.is_(None), last.c.last_at < limit_before),
        )
        .order_by(last.c.last_at.is_not(None), last.c.last_at, Customer.id)
    )
    if owner_id is not None:
        statement = statement.where(Customer.owner_id == owner_id)
    return statement


def kind_label(kind: str) -> str:
    """The follow-up kind in the reader's language."""
    from core.i18n import _

    return {
        "call": _("call"),
        "visit": _("visit"),
        "meeting": _("meeting"),
        "email": _("e-mail"),
    }.get(kind, kind)
