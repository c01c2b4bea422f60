"""Consent by purpose: per-topic opt-outs with evidence, and the SQL test campaigns send with.

Marketing mail goes to a customer unless they opted out of everything (the core field
``Customer.marketing_opt_out``) or of the campaign's topic (a ``TopicOptOut`` row).
Transactional mail never looks here. Every change of state writes a ``ConsentEvent``
(customer, topic, in/out, when, source link|staff|import, note, who): the evidence.
A request that changes nothing (a second click on the same link) writes nothing.
"""

from __future__ import annotations

import contextvars
import datetime as dt
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass

from sqlalchemy import delete, select
from sqlalchemy.sql import ColumnElement

from core.customers import update_customer
from core.db import db
from core.i18n import _
from core.models import Customer, User, utcnow
from plugins.marketing.models import ALL_TOPICS, CONSENT_SOURCES, ConsentEvent, TopicOptOut

#: Set while marketing itself changes Customer.marketing_opt_out, so the customer_updated
#: hook does not record the same change a second time.
_recording: contextvars.ContextVar[bool] = contextvars.ContextVar(
    "marketing_recording", default=False
)


class ConsentError(ValueError):
    """A consent change cannot be recorded as asked; the message is for the page."""


@dataclass(frozen=True)
class ConsentState:
    """What a customer currently allows: everything off, or the topics they opted out of."""

    all_off: bool
    topics_off: frozenset[str]

    def allows(self, topic: str) -> bool:
        """True when marketing mail on this topic may go to the customer."""
        return not self.all_off and topic not in self.topics_off


def opted_out(topic: str) -> ColumnElement[bool]:
    """SQL: the customer opted out of all marketing or of this topic."""
    topic_rows = select(TopicOptOut.customer_id).where(TopicOptOut.topic == topic)
    return Customer.marketing_opt_out.is_(True) | Customer.id.in_(topic_rows)


def states(customer_ids: Sequence[int]) -> dict[int, ConsentState]:
    """Current consent of several customers in two queries."""
    if not customer_ids:
        return {}
    flags = dict(
        db.session.execute(
            select(Customer.id, Customer.marketing_opt_out).where(Customer.id.in_(customer_ids))
        ).all()
    )
    topics: dict[int, set[str]] = {identifier: set() for identifier in flags}
    rows = db.session.execute(
        select(TopicOptOut.customer_id, TopicOptOut.topic).where(
            TopicOptOut.customer_id.in_(customer_ids)
        )
    )
    for customer_id, topic in rows:
        topics[customer_id].add(topic)
    return {
        identifier: ConsentState(bool(flag), frozenset(topics[identifier]))
        for identifier, flag in flags.items()
    }


def _check(topic: str, source: str, topics: Sequence[str]) -> None:
    """The topic is configured (or "all") and the source is known."""
    if topic != ALL_TOPICS and topic not in topics:
        raise ConsentError(
            _(
                "'%(topic)s' is not a consent topic (topics: %(topics)s, all).",
                topic=topic,
                topics=", ".join(topics),
            )
        )
    if source not in CONSENT_SOURCES:
        raise ConsentError(
            _(
                "'%(source)s' is not a consent source (%(sources)s).",
                source=source,
                sources=", ".join(CONSENT_SOURCES),
            )
        )


@contextmanager
def _marketing_changes_flag() -> Iterator[None]:
    """Mark the block as marketing's own change of the core opt-out flag."""
    token = _recording.set(True)
    try:
        yield
    finally:
        _recording.reset(token)


def recording_now() -> bool:
    """True inside record_consent's change of the core flag (the hook then stays quiet)."""
    return _recording.get()


def record_consent(
    customer: Customer,
    topic: str,
    opted_in: bool,
    source: str,
    topics: Sequence[str],
    *,
    note: str = "",
    user: User | None = None,
    campaign_id: int | None = None,
    at: dt.datetime | None = None,
) -> ConsentEvent | None:
    """Opt the customer in or out of a topic ("all" = every topic) with evidence; None when nothing changed."""
    _check(topic, source, topics)
    at = at or utcnow()
    if topic == ALL_TOPICS:
        if customer.marketing_opt_out == (not opted_in):
            return None
        with _marketing_changes_flag():
            update_customer(customer, marketing_opt_out=not opted_in)
    else:
        row = db.session.get(TopicOptOut, (customer.id, topic))
        if (row is None) == opted_in:
            return None
        if opted_in:
            db.session.execute(
                delete(TopicOptOut).where(
                    TopicOptOut.customer_id == customer.id, TopicOptOut.topic == topic
                )
            )
        else:
            db.session.add(TopicOptOut(customer_id=customer.id, topic=topic, since=at))
    return log_event(customer.id, topic, opted_in, source, note, user, campaign_id, at)


def log_event(
    customer_id: int,
    topic: str,
    opted_in: bool,
    source: str,
    note: str = "",
    user: User | None = None,
    campaign_id: int | None = None,
    at: dt.datetime | None = None,
) -> ConsentEvent:
    """Write one evidence row (the state is changed by the caller)."""
    event = ConsentEvent(
        customer_id=customer_id,
        topic=topic,
        opted_in=opted_in,
        at=at or utcnow(),
        source=source,
        note=note.strip()[:2000],
        user_id=user.id if user is not None else None,
        campaign_id=campaign_id,
    )
    db.session.add(event)
    db.session.flush()
    return event


def history(customer_id: int, limit: int = 20) -> list[ConsentEvent]:
    """The customer's latest consent evidence, newest first."""
    statement = (
        select(ConsentEvent)
        .where(ConsentEvent.customer_id == customer_id)
        .order_by(ConsentEvent.at.desc(), ConsentEvent.id.desc())
        .limit(limit)
    )
    return list(db.session.scalars(statement))
