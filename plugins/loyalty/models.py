"""The loyalty tables: a value snapshot per customer, its history, care tasks, notes and greetings."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from sqlalchemy import (
    BigInteger,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from core.db import db
from core.i18n import _l
from core.models import Customer, User, utcnow
from core.money import from_cents, round_money

STAGES = ("prospect", "new", "developing", "stable", "at_risk", "churned", "reactivated")
#: The stages as shown (translated); the stored values are the keys.
STAGE_LABELS = {
    "prospect": _l("Prospect"),
    "new": _l("New"),
    "developing": _l("Developing"),
    "stable": _l("Stable"),
    "at_risk": _l("At risk"),
    "churned": _l("Churned"),
    "reactivated": _l("Reactivated"),
}
#: The stages' English names, as segment conditions store them ("At risk").
STAGE_NAMES = {
    "prospect": "Prospect",
    "new": "New",
    "developing": "Developing",
    "stable": "Stable",
    "at_risk": "At risk",
    "churned": "Churned",
    "reactivated": "Reactivated",
}
INTERACTION_KINDS = ("call", "visit", "email", "note")
#: Interactions that are a real contact with the customer (a note is not).
CONTACT_KINDS = ("call", "visit", "email")
SENTIMENTS = ("likes", "avoids", "note")
TASK_KINDS = ("visit", "call", "reactivation")
TASK_STATUSES = ("open", "done", "closed")
OCCASIONS = ("birthday", "holiday")
#: Interaction and care task kinds as shown (capitalised; pages lower them in running text).
KIND_LABELS = {
    "call": _l("Call"),
    "visit": _l("Visit"),
    "email": _l("Email"),
    "note": _l("Note"),
    "reactivation": _l("Reactivation"),
}
TASK_STATUS_LABELS = {"open": _l("open"), "done": _l("done"), "closed": _l("closed")}
OCCASION_LABELS = {"birthday": _l("Birthday"), "holiday": _l("Holiday")}


class CustomerValue(db.Model):  # type: ignore[name-defined]
    """What a customer is worth and where they stand, as of the last recompute.

    Profit is kept in integer cents so comparisons with tier thresholds are exact on every
    database (SQLite stores Numeric as floating point).
    """

    __tablename__ = "loyalty_customer_value"
    __table_args__ = (
        Index("ix_loyalty_customer_value_tier_profit", "tier", "profit_12m_cents"),
        Index("ix_loyalty_customer_value_stage", "stage"),
        Index("ix_loyalty_customer_value_profit", "profit_12m_cents"),
    )

    customer_id: Mapped[int] = mapped_column(
        ForeignKey("customer.id", ondelete="CASCADE"), primary_key=True
    )
    #: The day the figures were computed for (trailing 12 months end on it).
    as_of: Mapped[dt.date] = mapped_column(Date)
    #: Profit of movements with as_of − 365 days < day ≤ as_of, in cents.
    profit_12m_cents: Mapped[int] = mapped_column(BigInteger, default=0)
    #: The same for the 12 months before (as_of − 730 < day ≤ as_of − 365).
    profit_previous_12m_cents: Mapped[int] = mapped_column(BigInteger, default=0)
    orders_12m: Mapped[int] = mapped_column(Integer, default=0)
    #: Confirmed or refunded orders up to as_of (cancelled and drafts do not count).
    order_count: Mapped[int] = mapped_column(Integer, default=0)
    first_order_on: Mapped[dt.date | None] = mapped_column(Date)
    previous_order_on: Mapped[dt.date | None] = mapped_column(Date)
    last_order_on: Mapped[dt.date | None] = mapped_column(Date)
    #: The customer's own average days between orders (see lifecycle.py).
    usual_interval_days: Mapped[int] = mapped_column(Integer, default=0)
    #: Days between the last two orders, and the usual interval before the last order.
    last_gap_days: Mapped[int | None] = mapped_column(Integer)
    interval_before_last_days: Mapped[int] = mapped_column(Integer, default=0)
    tier: Mapped[str | None] = mapped_column(String(50))
    tier_since: Mapped[dt.datetime | None] = mapped_column(DateTime)
    stage: Mapped[str | None] = mapped_column(String(20))
    stage_since: Mapped[dt.datetime | None] = mapped_column(DateTime)
    computed_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)

    customer: Mapped[Customer] = relationship(lazy="joined", innerjoin=True)

    @property
    def profit_12m(self) -> Decimal:
        """Trailing-12-month profit as money."""
        return from_cents(self.profit_12m_cents)

    @property
    def profit_previous_12m(self) -> Decimal:
        """Profit of the 12 months before as money."""
        return from_cents(self.profit_previous_12m_cents)

    @property
    def profit_per_order(self) -> Decimal | None:
        """Average profit per order in the trailing 12 months, rounded half up to the cent."""
        if not self.orders_12m:
            return None
        return round_money(self.profit_12m / self.orders_12m)


class TierCutoff(db.Model):  # type: ignore[name-defined]
    """The lowest profit of each tier found by the last full recompute (the incremental path uses it)."""

    __tablename__ = "loyalty_tier_cutoff"

    tier: Mapped[str] = mapped_column(String(50), primary_key=True)
    position: Mapped[int] = mapped_column(Integer)
    min_profit_cents: Mapped[int] = mapped_column(BigInteger)
    #: How many customers with a positive profit were ranked.
    ranked_customers: Mapped[int] = mapped_column(Integer)
    computed_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)


class TierChange(db.Model):  # type: ignore[name-defined]
    """A customer moved from one tier to another (None = no tier), and why."""

    __tablename__ = "loyalty_tier_change"
    __table_args__ = (Index("ix_loyalty_tier_change_customer_at", "customer_id", "changed_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    customer_id: Mapped[int] = mapped_column(ForeignKey("customer.id", ondelete="CASCADE"))
    from_tier: Mapped[str | None] = mapped_column(String(50))
    to_tier: Mapped[str | None] = mapped_column(String(50))
    profit_12m_cents: Mapped[int] = mapped_column(BigInteger, default=0)
    changed_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow, index=True)
    reason: Mapped[str] = mapped_column(String(200), default="")

    customer: Mapped[Customer] = relationship(lazy="joined", innerjoin=True)

    @property
    def profit_12m(self) -> Decimal:
        """The profit that decided the move, as money."""
        return from_cents(self.profit_12m_cents)


class StageChange(db.Model):  # type: ignore[name-defined]
    """A customer moved from one lifecycle stage to another, and why."""

    __tablename__ = "loyalty_stage_change"
    __table_args__ = (Index("ix_loyalty_stage_change_customer_at", "customer_id", "changed_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    customer_id: Mapped[int] = mapped_column(ForeignKey("customer.id", ondelete="CASCADE"))
    from_stage: Mapped[str | None] = mapped_column(String(20))
    to_stage: Mapped[str] = mapped_column(String(20))
    changed_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow, index=True)
    reason: Mapped[str] = mapped_column(String(200), default="")

    customer: Mapped[Customer] = relationship(lazy="joined", innerjoin=True)


class Interaction(db.Model):  # type: ignore[name-defined]
    """A call, visit, e-mail or note about a customer, written by a member of staff."""

    __tablename__ = "loyalty_interaction"
    __table_args__ = (Index("ix_loyalty_interaction_customer_at", "customer_id", "happened_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    customer_id: Mapped[int] = mapped_column(ForeignKey("customer.id", ondelete="CASCADE"))
    user_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    kind: Mapped[str] = mapped_column(String(10))
    happened_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    summary: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)

    user: Mapped[User | None] = relationship(lazy="joined")


class Preference(db.Model):  # type: ignore[name-defined]
    """Something staff should remember about a customer: a category, likes/avoids/note and text."""

    __tablename__ = "loyalty_preference"

    id: Mapped[int] = mapped_column(primary_key=True)
    customer_id: Mapped[int] = mapped_column(
        ForeignKey("customer.id", ondelete="CASCADE"), index=True
    )
    category: Mapped[str] = mapped_column(String(100), default="")
    sentiment: Mapped[str] = mapped_column(String(10), default="note")
    text: Mapped[str] = mapped_column(String(500))
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)


class CareTask(db.Model):  # type: ignore[name-defined]
    """A visit, call or reactivation contact the nightly job asks an account owner to make.

    ``open_key`` is "<customer id>:<care|reactivation>" while the task is open and NULL after,
    so the unique constraint makes a second open task of the same kind impossible.
    """

    __tablename__ = "loyalty_care_task"
    __table_args__ = (
        Index("ix_loyalty_care_task_assignee_status_due", "assignee_id", "status", "due_on"),
        Index("ix_loyalty_care_task_customer_kind", "customer_id", "kind"),
        Index("ix_loyalty_care_task_status_due", "status", "due_on"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    customer_id: Mapped[int] = mapped_column(ForeignKey("customer.id", ondelete="CASCADE"))
    assignee_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    kind: Mapped[str] = mapped_column(String(20))
    reason: Mapped[str] = mapped_column(String(200), default="")
    due_on: Mapped[dt.date] = mapped_column(Date)
    status: Mapped[str] = mapped_column(String(10), default="open")
    open_key: Mapped[str | None] = mapped_column(String(40), unique=True)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    completed_at: Mapped[dt.datetime | None] = mapped_column(DateTime)
    completed_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    notes: Mapped[str] = mapped_column(Text, default="")
    interaction_id: Mapped[int | None] = mapped_column(
        ForeignKey("loyalty_interaction.id", ondelete="SET NULL")
    )

    customer: Mapped[Customer] = relationship(lazy="joined", innerjoin=True)
    assignee: Mapped[User | None] = relationship(foreign_keys=[assignee_id], lazy="joined")
    completed_by: Mapped[User | None] = relationship(foreign_keys=[completed_by_id])


class GreetingTemplate(db.Model):  # type: ignore[name-defined]
    """The editable text of the birthday or the holiday greeting."""

    __tablename__ = "loyalty_greeting_template"

    occasion: Mapped[str] = mapped_column(String(20), primary_key=True)
    subject: Mapped[str] = mapped_column(String(300))
    body: Mapped[str] = mapped_column(Text)
    active: Mapped[bool] = mapped_column(default=True)
    updated_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    updated_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))


class Greeting(db.Model):  # type: ignore[name-defined]
    """A greeting queued for a customer, one per customer, occasion and day."""

    __tablename__ = "loyalty_greeting"
    __table_args__ = (
        UniqueConstraint("customer_id", "occasion", "occasion_on"),
        Index("ix_loyalty_greeting_customer_created", "customer_id", "created_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    customer_id: Mapped[int] = mapped_column(ForeignKey("customer.id", ondelete="CASCADE"))
    occasion: Mapped[str] = mapped_column(String(20))
    occasion_on: Mapped[dt.date] = mapped_column(Date)
    holiday_name: Mapped[str] = mapped_column(String(100), default="")
    subject: Mapped[str] = mapped_column(String(300))
    outbox_id: Mapped[int | None] = mapped_column(ForeignKey("outbox.id", ondelete="SET NULL"))
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
