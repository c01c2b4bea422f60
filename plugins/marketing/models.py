"""Marketing tables: saved segments, campaigns and their recipients, and consent by topic with evidence."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    Date,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from core.db import db
from core.models import Customer, Money, User, utcnow

CAMPAIGN_STATUSES = ("draft", "scheduled", "sending", "sent", "cancelled")
#: pending: not yet handled; queued: written to the outbox; opted_out / no_address: skipped.
RECIPIENT_STATUSES = ("pending", "queued", "opted_out", "no_address")
CONSENT_SOURCES = ("link", "staff", "import")
#: The consent topic that stands for "every marketing topic" (the core's marketing_opt_out).
ALL_TOPICS = "all"


class Segment(db.Model):  # type: ignore[name-defined]
    """A saved rule that picks customers; the rule is data (JSON), compiled to SQL when used."""

    __tablename__ = "marketing_segment"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(120), unique=True)
    description: Mapped[str] = mapped_column(Text, default="")
    #: {"match": "all"|"any", "conditions": [{"key": ..., "value": ..., "negate": bool}]}
    definition: Mapped[str] = mapped_column(Text)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    updated_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow, onupdate=utcnow)

    created_by: Mapped[User | None] = relationship(lazy="joined")


class Campaign(db.Model):  # type: ignore[name-defined]
    """A message to the customers of a segment on one consent topic, sent by a job in batches."""

    __tablename__ = "marketing_campaign"
    __table_args__ = (
        CheckConstraint(f"status IN {CAMPAIGN_STATUSES}", name="status"),
        CheckConstraint("cost >= 0", name="cost_not_negative"),
        Index("ix_marketing_campaign_status_scheduled_at", "status", "scheduled_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    #: The consent topic: customers who opted out of it (or of all marketing) are skipped.
    topic: Mapped[str] = mapped_column(String(50))
    subject: Mapped[str] = mapped_column(String(300))
    #: Plain text with merge fields such as {{ first_name }}.
    body: Mapped[str] = mapped_column(Text)
    segment_id: Mapped[int] = mapped_column(ForeignKey("marketing_segment.id"), index=True)
    status: Mapped[str] = mapped_column(String(12), default="draft")
    #: When the job may start sending (UTC); None until it is scheduled or sent now.
    scheduled_at: Mapped[dt.datetime | None] = mapped_column(DateTime)
    #: What the campaign cost (design, printing, agency), for cost per customer and return.
    cost: Mapped[Decimal] = mapped_column(Money, default=Decimal("0.00"))
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    started_at: Mapped[dt.datetime | None] = mapped_column(DateTime)
    finished_at: Mapped[dt.datetime | None] = mapped_column(DateTime)
    #: Recipients chosen when sending started (the segment is frozen then); None before.
    audience_size: Mapped[int | None] = mapped_column(Integer)
    #: Batches committed so far: the progress a retried job continues from.
    batches_done: Mapped[int] = mapped_column(Integer, default=0)
    #: Why sending cannot go on (e.g. a criterion of the segment is no longer available).
    problem: Mapped[str] = mapped_column(Text, default="")

    segment: Mapped[Segment] = relationship(lazy="joined", innerjoin=True)
    created_by: Mapped[User | None] = relationship(lazy="joined")

    @property
    def editable(self) -> bool:
        """Message, segment and schedule may change only before sending starts."""
        return self.status in ("draft", "scheduled")


class Recipient(db.Model):  # type: ignore[name-defined]
    """One customer of a campaign; the unique (campaign, customer) pair is what makes sending exactly-once."""

    __tablename__ = "marketing_recipient"
    __table_args__ = (
        UniqueConstraint("campaign_id", "customer_id"),
        CheckConstraint(f"status IN {RECIPIENT_STATUSES}", name="status"),
        Index("ix_marketing_recipient_campaign_status", "campaign_id", "status"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    campaign_id: Mapped[int] = mapped_column(
        ForeignKey("marketing_campaign.id", ondelete="CASCADE")
    )
    customer_id: Mapped[int] = mapped_column(ForeignKey("customer.id"), index=True)
    status: Mapped[str] = mapped_column(String(12), default="pending")
    #: The address the message went to (customers may change theirs later).
    email: Mapped[str] = mapped_column(String(254), default="")
    processed_at: Mapped[dt.datetime | None] = mapped_column(DateTime)
    #: The company-time day the message was queued: the start of the attribution window.
    received_on: Mapped[dt.date | None] = mapped_column(Date)
    outbox_id: Mapped[int | None] = mapped_column(ForeignKey("outbox.id", ondelete="SET NULL"))

    customer: Mapped[Customer] = relationship(lazy="joined", innerjoin=True)


class ConsentEvent(db.Model):  # type: ignore[name-defined]
    """Evidence of one opt-in or opt-out: who, which topic, when, and how we learnt it."""

    __tablename__ = "marketing_consent_event"
    __table_args__ = (
        CheckConstraint(f"source IN {CONSENT_SOURCES}", name="source"),
        Index("ix_marketing_consent_event_customer_at", "customer_id", "at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    customer_id: Mapped[int] = mapped_column(ForeignKey("customer.id"))
    #: A topic from the settings, or "all" for every marketing topic.
    topic: Mapped[str] = mapped_column(String(50))
    opted_in: Mapped[bool] = mapped_column(Boolean)
    at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    #: link (the customer used a signed link), staff (recorded by a user), import (a file).
    source: Mapped[str] = mapped_column(String(10))
    note: Mapped[str] = mapped_column(Text, default="")
    user_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    campaign_id: Mapped[int | None] = mapped_column(
        ForeignKey("marketing_campaign.id", ondelete="SET NULL")
    )

    user: Mapped[User | None] = relationship(lazy="joined")


class TopicOptOut(db.Model):  # type: ignore[name-defined]
    """The current state: this customer does not want marketing mail on this topic."""

    __tablename__ = "marketing_topic_opt_out"

    customer_id: Mapped[int] = mapped_column(ForeignKey("customer.id"), primary_key=True)
    topic: Mapped[str] = mapped_column(String(50), primary_key=True)
    since: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)


class CustomerProduct(db.Model):  # type: ignore[name-defined]
    """Which customer bought (and kept) which product, as of the last recommendations refresh."""

    __tablename__ = "marketing_customer_product"

    customer_id: Mapped[int] = mapped_column(ForeignKey("customer.id"), primary_key=True)
    product_id: Mapped[int] = mapped_column(ForeignKey("product.id"), primary_key=True)


class ProductSimilarity(db.Model):  # type: ignore[name-defined]
    """One of the most similar products of a product (by co-purchases), from the last refresh."""

    __tablename__ = "marketing_product_similarity"

    product_id: Mapped[int] = mapped_column(ForeignKey("product.id"), primary_key=True)
    similar_id: Mapped[int] = mapped_column(ForeignKey("product.id"), primary_key=True)
    #: co(i, j): customers who bought both.
    together: Mapped[int] = mapped_column(Integer)
    #: Jaccard index co / (n(i) + n(j) − co): a ranking score, not money, so a float.
    similarity: Mapped[float] = mapped_column(Float)
    computed_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
