"""Pipeline tables: stages, lost reasons, opportunities with their lines, stage moves, follow-ups,
the orders made from deals, and the pool's release and claim events."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from core.db import db
from core.models import Customer, Fraction, Money, Order, Product, Quantity, User, utcnow

KINDS = ("open", "won", "lost")
FOLLOW_UP_KINDS = ("call", "visit", "meeting", "email")
POOL_ACTIONS = ("release", "claim")


class Stage(db.Model):  # type: ignore[name-defined]
    """A step of the sales process, in order, with its default probability and kind."""

    __tablename__ = "pipeline_stage"
    __table_args__ = (
        CheckConstraint("kind IN ('open', 'won', 'lost')", name="kind"),
        CheckConstraint("probability >= 0 AND probability <= 1", name="probability_fraction"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(60), unique=True)
    position: Mapped[int] = mapped_column(Integer, default=0)
    probability: Mapped[Decimal] = mapped_column(Fraction, default=Decimal("0"))
    kind: Mapped[str] = mapped_column(String(8), default="open")
    active: Mapped[bool] = mapped_column(Boolean, default=True)

    def __repr__(self) -> str:
        return f"<Stage {self.name} {self.kind}>"


class LostReason(db.Model):  # type: ignore[name-defined]
    """One entry of the list a lost deal's reason is chosen from."""

    __tablename__ = "pipeline_lost_reason"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(100), unique=True)


class Opportunity(db.Model):  # type: ignore[name-defined]
    """A deal: for a customer or a prospect (name, company, e-mail, phone, channel), owned by a user."""

    __tablename__ = "pipeline_opportunity"
    __table_args__ = (
        Index("ix_pipeline_opportunity_stage_id_id", "stage_id", "id"),
        CheckConstraint("probability >= 0 AND probability <= 1", name="probability_fraction"),
        CheckConstraint("amount IS NULL OR amount >= 0", name="amount_not_negative"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    external_id: Mapped[str | None] = mapped_column(String(64), unique=True)
    title: Mapped[str] = mapped_column(String(200))
    customer_id: Mapped[int | None] = mapped_column(ForeignKey("customer.id"), index=True)
    prospect_name: Mapped[str] = mapped_column(String(200), default="")
    prospect_company: Mapped[str] = mapped_column(String(200), default="")
    prospect_email: Mapped[str] = mapped_column(String(254), default="")
    prospect_phone: Mapped[str] = mapped_column(String(40), default="")
    channel: Mapped[str] = mapped_column(String(50), default="", index=True)
    owner_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"), index=True)
    stage_id: Mapped[int] = mapped_column(ForeignKey("pipeline_stage.id"))
    #: The deal's win probability: the stage's default unless probability_manual says a
    #: person typed it, in which case moving the deal never overwrites it.
    probability: Mapped[Decimal] = mapped_column(Fraction, default=Decimal("0"))
    probability_manual: Mapped[bool] = mapped_column(Boolean, default=False)
    amount: Mapped[Decimal | None] = mapped_column(Money)
    expected_close_on: Mapped[dt.date | None] = mapped_column(Date, index=True)
    next_activity: Mapped[str] = mapped_column(String(200), default="")
    next_activity_on: Mapped[dt.date | None] = mapped_column(Date)
    lost_reason_id: Mapped[int | None] = mapped_column(ForeignKey("pipeline_lost_reason.id"))
    lost_from_stage_id: Mapped[int | None] = mapped_column(ForeignKey("pipeline_stage.id"))
    opened_on: Mapped[dt.date] = mapped_column(Date)
    closed_on: Mapped[dt.date | None] = mapped_column(Date, index=True)
    stage_since: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    updated_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow, onupdate=utcnow)

    customer: Mapped[Customer | None] = relationship(lazy="joined")
    owner: Mapped[User | None] = relationship(lazy="joined")
    stage: Mapped[Stage] = relationship(lazy="joined", innerjoin=True, foreign_keys=[stage_id])
    lost_from_stage: Mapped[Stage | None] = relationship(foreign_keys=[lost_from_stage_id])
    lost_reason: Mapped[LostReason | None] = relationship(lazy="joined")
    lines: Mapped[list[OpportunityLine]] = relationship(
        back_populates="opportunity",
        cascade="all, delete-orphan",
        order_by="OpportunityLine.position",
    )

    @property
    def display_name(self) -> str:
        """Who the deal is with: the customer's name, else the prospect's name and company."""
        if self.customer is not None:
            return self.customer.name
        parts = [part for part in (self.prospect_name, self.prospect_company) if part]
        return ", ".join(parts)

    def __repr__(self) -> str:
        return f"<Opportunity {self.id} {self.title!r}>"


class OpportunityLine(db.Model):  # type: ignore[name-defined]
    """A product the deal is about, with the quantity and the expected unit price."""

    __tablename__ = "pipeline_line"

    id: Mapped[int] = mapped_column(primary_key=True)
    opportunity_id: Mapped[int] = mapped_column(
        ForeignKey("pipeline_opportunity.id", ondelete="CASCADE"), index=True
    )
    product_id: Mapped[int] = mapped_column(ForeignKey("product.id"), index=True)
    position: Mapped[int] = mapped_column(Integer, default=0)
    quantity: Mapped[Decimal] = mapped_column(Quantity)
    unit_price: Mapped[Decimal] = mapped_column(Money)

    opportunity: Mapped[Opportunity] = relationship(back_populates="lines")
    product: Mapped[Product] = relationship(lazy="joined", innerjoin=True)


class StageMove(db.Model):  # type: ignore[name-defined]
    """One move of a deal: from (None when it was opened) and to, who and when. Never changed."""

    __tablename__ = "pipeline_stage_move"
    __table_args__ = (Index("ix_pipeline_stage_move_opportunity_id_at", "opportunity_id", "at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    opportunity_id: Mapped[int] = mapped_column(
        ForeignKey("pipeline_opportunity.id", ondelete="CASCADE")
    )
    from_stage_id: Mapped[int | None] = mapped_column(ForeignKey("pipeline_stage.id"))
    to_stage_id: Mapped[int] = mapped_column(ForeignKey("pipeline_stage.id"), index=True)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    note: Mapped[str] = mapped_column(String(200), default="")

    from_stage: Mapped[Stage | None] = relationship(foreign_keys=[from_stage_id], lazy="joined")
    to_stage: Mapped[Stage] = relationship(foreign_keys=[to_stage_id], lazy="joined")
    user: Mapped[User | None] = relationship(lazy="joined")


class FollowUp(db.Model):  # type: ignore[name-defined]
    """A call, visit, meeting or e-mail with a customer or about a deal, and when to call next."""

    __tablename__ = "pipeline_follow_up"
    __table_args__ = (
        CheckConstraint("kind IN ('call', 'visit', 'meeting', 'email')", name="kind"),
        CheckConstraint(
            "opportunity_id IS NOT NULL OR customer_id IS NOT NULL", name="has_subject"
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    opportunity_id: Mapped[int | None] = mapped_column(
        ForeignKey("pipeline_opportunity.id", ondelete="CASCADE"), index=True
    )
    customer_id: Mapped[int | None] = mapped_column(ForeignKey("customer.id"), index=True)
    kind: Mapped[str] = mapped_column(String(10))
    at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow, index=True)
    notes: Mapped[str] = mapped_column(Text, default="")
    outcome: Mapped[str] = mapped_column(String(200), default="")
    next_contact_on: Mapped[dt.date | None] = mapped_column(Date)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))

    user: Mapped[User | None] = relationship(lazy="joined")
    opportunity: Mapped[Opportunity | None] = relationship()


class OpportunityOrder(db.Model):  # type: ignore[name-defined]
    """An order made from (or linked to) a deal: its confirmation wins the deal."""

    __tablename__ = "pipeline_opportunity_order"

    id: Mapped[int] = mapped_column(primary_key=True)
    opportunity_id: Mapped[int] = mapped_column(
        ForeignKey("pipeline_opportunity.id", ondelete="CASCADE"), index=True
    )
    order_id: Mapped[int] = mapped_column(ForeignKey("order.id"), unique=True)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)

    order: Mapped[Order] = relationship(lazy="joined", innerjoin=True)


class PoolEvent(db.Model):  # type: ignore[name-defined]
    """A deal or a customer released to the pool or claimed from it, kept for good.

    ``user_id`` is the owner who lost it (release) or the salesperson who took it (claim).
    """

    __tablename__ = "pipeline_pool_event"
    __table_args__ = (
        CheckConstraint("action IN ('release', 'claim')", name="action"),
        CheckConstraint(
            "opportunity_id IS NOT NULL OR customer_id IS NOT NULL", name="has_subject"
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    opportunity_id: Mapped[int | None] = mapped_column(
        ForeignKey("pipeline_opportunity.id", ondelete="CASCADE"), index=True
    )
    customer_id: Mapped[int | None] = mapped_column(ForeignKey("customer.id"), index=True)
    action: Mapped[str] = mapped_column(String(8))
    user_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"), index=True)
    at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    note: Mapped[str] = mapped_column(String(200), default="")

    user: Mapped[User | None] = relationship(lazy="joined")
