"""The commission tables: rule versions and their tiers, entries, statements, splits and snapshots."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from sqlalchemy import (
    CheckConstraint,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    String,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from core.db import db
from core.models import ExactDecimal, Fraction, Money, Quantity, User, utcnow

#: What a rate multiplies: the line's net revenue or its profit (net − cost).
BASES = ("revenue", "profit")
#: How a line is graded: the margin of the sale after discount, or the product's list margin.
GRADINGS = ("line", "product")
#: Entry kinds: a sale accrues; a refund or cancellation reverses; a correction cancels a
#: frozen entry that no longer matches its order (after a re-import or a split change).
KINDS = ("sale", "refund", "cancellation", "correction")
STATEMENT_STATUSES = ("approved", "paid")
#: Percentages of a split are stored with two decimals (33.33).
Percent = ExactDecimal(5, 2)
#: Margins are stored for display with six decimals; tiers compare the exact figures.
Margin = ExactDecimal(10, 6)


class RuleVersion(db.Model):  # type: ignore[name-defined]
    """A set of commission rules in force from ``effective_from`` until the next version starts."""

    __tablename__ = "sales_commission_rule_version"
    __table_args__ = (
        CheckConstraint(f"base IN {BASES}", name="base"),
        CheckConstraint(f"grade_by IN {GRADINGS}", name="grade_by"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    #: The first order date the version applies to.
    effective_from: Mapped[dt.date] = mapped_column(Date, unique=True)
    base: Mapped[str] = mapped_column(String(10))
    grade_by: Mapped[str] = mapped_column(String(10))
    #: Why the rules changed, for the people reading statements later.
    note: Mapped[str] = mapped_column(String(200), default="")
    #: "config" for the version seeded from the config file, "settings page" or "demo".
    source: Mapped[str] = mapped_column(String(20), default="settings page")
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))

    tiers: Mapped[list[RuleTier]] = relationship(
        back_populates="version",
        cascade="all, delete-orphan",
        order_by="RuleTier.position",
        lazy="selectin",
    )
    created_by: Mapped[User | None] = relationship(lazy="joined")


class RuleTier(db.Model):  # type: ignore[name-defined]
    """One tier of a version: lines whose margin is at least ``min_margin`` earn ``rate``."""

    __tablename__ = "sales_commission_rule_tier"
    __table_args__ = (
        # The first column names the constraint (naming convention), so each starts differently.
        UniqueConstraint("position", "version_id"),
        UniqueConstraint("name", "version_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    version_id: Mapped[int] = mapped_column(
        ForeignKey("sales_commission_rule_version.id", ondelete="CASCADE")
    )
    #: 0 for the highest threshold; tiers are strictly descending by min_margin.
    position: Mapped[int] = mapped_column(Integer)
    name: Mapped[str] = mapped_column(String(40))
    min_margin: Mapped[Decimal] = mapped_column(Fraction)
    rate: Mapped[Decimal] = mapped_column(Fraction)

    version: Mapped[RuleVersion] = relationship(back_populates="tiers")


class Entry(db.Model):  # type: ignore[name-defined]
    """One line of a statement: a salesperson's share of the commission on one order line.

    Every figure that explains the amount is stored, so a statement reads the same forever:
    the line's price, cost and discount, the margin it was graded on, the rule version, tier
    and rate, the base, the commission on the whole line and the share. Reversals and
    corrections carry the same figures with the opposite sign.
    """

    __tablename__ = "sales_commission_entry"
    __table_args__ = (
        CheckConstraint(f"kind IN {KINDS}", name="kind"),
        Index("ix_sales_commission_entry_period_salesperson", "period", "salesperson_id"),
        Index("ix_sales_commission_entry_line_salesperson", "order_line_id", "salesperson_id"),
        Index("ix_sales_commission_entry_customer", "customer_id", "salesperson_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    salesperson_id: Mapped[int] = mapped_column(ForeignKey("user.id"))
    #: The statement (YYYY-MM) the entry is on.
    period: Mapped[str] = mapped_column(String(7))
    #: The month of the order date; an entry on another month's statement is an adjustment.
    sale_period: Mapped[str] = mapped_column(String(7))
    kind: Mapped[str] = mapped_column(String(12))
    #: Order date for a sale, refund date, cancellation date; a correction keeps its target's.
    event_date: Mapped[dt.date] = mapped_column(Date)
    order_id: Mapped[int] = mapped_column(ForeignKey("order.id"), index=True)
    #: None once an import replaced the order's lines; the figures below stay.
    order_line_id: Mapped[int | None] = mapped_column(
        ForeignKey("order_line.id", ondelete="SET NULL")
    )
    line_position: Mapped[int] = mapped_column(Integer)
    customer_id: Mapped[int] = mapped_column(ForeignKey("customer.id"))
    product_id: Mapped[int] = mapped_column(ForeignKey("product.id"))
    quantity: Mapped[Decimal] = mapped_column(Quantity)
    unit_price: Mapped[Decimal] = mapped_column(Money)
    discount: Mapped[Decimal] = mapped_column(Fraction)
    unit_cost: Mapped[Decimal] = mapped_column(Money)
    #: The whole line's net and cost (signed), before any split.
    line_net: Mapped[Decimal] = mapped_column(Money)
    line_cost: Mapped[Decimal] = mapped_column(Money)
    #: What the margin is worked out from: the line's net and profit (grading "line") or the
    #: product's list price and list profit per unit (grading "product"). Never signed.
    grading_revenue: Mapped[Decimal] = mapped_column(Money)
    grading_profit: Mapped[Decimal] = mapped_column(Money)
    #: grading_profit / grading_revenue to six places (None when there is no revenue).
    margin: Mapped[Decimal | None] = mapped_column(Margin)
    rule_version_id: Mapped[int] = mapped_column(ForeignKey("sales_commission_rule_version.id"))
    base_kind: Mapped[str] = mapped_column(String(10))
    grade_by: Mapped[str] = mapped_column(String(10))
    #: None when the margin is below every tier.
    tier: Mapped[str | None] = mapped_column(String(40))
    rate: Mapped[Decimal] = mapped_column(Fraction)
    #: The whole line's base and commission (signed), before any split.
    line_base: Mapped[Decimal] = mapped_column(Money)
    line_commission: Mapped[Decimal] = mapped_column(Money)
    #: This salesperson's percentage of the line (100.00 without a split).
    share: Mapped[Decimal] = mapped_column(Percent)
    #: This salesperson's part of the line's net, cost, profit and commission (signed).
    net: Mapped[Decimal] = mapped_column(Money)
    cost: Mapped[Decimal] = mapped_column(Money)
    profit: Mapped[Decimal] = mapped_column(Money)
    amount: Mapped[Decimal] = mapped_column(Money)
    #: Why the amount is 0 although the line sold (e.g. "sold below cost"); "" otherwise.
    reason: Mapped[str] = mapped_column(String(60), default="")
    #: For a correction: the frozen entry it cancels.
    corrects_id: Mapped[int | None] = mapped_column(
        ForeignKey("sales_commission_entry.id"), index=True
    )
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)

    @property
    def is_adjustment(self) -> bool:
        """True when the entry concerns a sale of another month (a clawback or a late sale)."""
        return self.period != self.sale_period


class Statement(db.Model):  # type: ignore[name-defined]
    """The approval (and payment) of one salesperson's statement for one month.

    There is no row while a statement is a draft. Once a row exists the month is frozen for
    that salesperson: nothing is ever added to or removed from it again. Whatever would have
    landed there lands in ``carry_to`` instead, the next month still open for them.
    """

    __tablename__ = "sales_commission_statement"
    __table_args__ = (
        UniqueConstraint("salesperson_id", "period"),
        CheckConstraint(f"status IN {STATEMENT_STATUSES}", name="status"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    salesperson_id: Mapped[int] = mapped_column(ForeignKey("user.id"))
    period: Mapped[str] = mapped_column(String(7))
    status: Mapped[str] = mapped_column(String(10), default="approved")
    #: The first later month whose statement is still a draft for this salesperson.
    carry_to: Mapped[str] = mapped_column(String(7))
    approved_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    approved_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    paid_on: Mapped[dt.date | None] = mapped_column(Date)
    payment_reference: Mapped[str] = mapped_column(String(100), default="")
    paid_at: Mapped[dt.datetime | None] = mapped_column(DateTime)
    paid_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))

    salesperson: Mapped[User] = relationship(foreign_keys=[salesperson_id], lazy="joined")
    approved_by: Mapped[User | None] = relationship(foreign_keys=[approved_by_id], lazy="joined")
    paid_by: Mapped[User | None] = relationship(foreign_keys=[paid_by_id], lazy="joined")


class Split(db.Model):  # type: ignore[name-defined]
    """A salesperson's percentage of an order; without rows the order's salesperson gets 100 %."""

    __tablename__ = "sales_commission_split"
    __table_args__ = (
        # The first column names the constraint (naming convention), so each starts differently.
        UniqueConstraint("salesperson_id", "order_id"),
        UniqueConstraint("position", "order_id"),
        CheckConstraint("percent > 0 AND percent <= 100", name="percent_range"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    order_id: Mapped[int] = mapped_column(ForeignKey("order.id", ondelete="CASCADE"), index=True)
    salesperson_id: Mapped[int] = mapped_column(ForeignKey("user.id"))
    #: 1 for the first salesperson, who receives the rounding remainder of every line.
    position: Mapped[int] = mapped_column(Integer)
    percent: Mapped[Decimal] = mapped_column(Percent)
    changed_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    changed_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))

    salesperson: Mapped[User] = relationship(foreign_keys=[salesperson_id], lazy="joined")


class LineGrade(db.Model):  # type: ignore[name-defined]
    """The product's list price and unit cost when a line was first graded (for grading "product").

    Like the line's own cost snapshot, it keeps later price changes from rewriting history.
    """

    __tablename__ = "sales_commission_line_grade"

    order_line_id: Mapped[int] = mapped_column(
        ForeignKey("order_line.id", ondelete="CASCADE"), primary_key=True
    )
    list_price: Mapped[Decimal] = mapped_column(Money)
    product_cost: Mapped[Decimal] = mapped_column(Money)


class Cancellation(db.Model):  # type: ignore[name-defined]
    """The day (company time) a confirmed order was cancelled: its reversals are dated then."""

    __tablename__ = "sales_commission_cancellation"

    order_id: Mapped[int] = mapped_column(
        ForeignKey("order.id", ondelete="CASCADE"), primary_key=True
    )
    cancelled_on: Mapped[dt.date] = mapped_column(Date, index=True)
