"""The core tables: staff users, customers, products, orders and their lines, the outbox and job runs."""

from __future__ import annotations

import datetime as dt
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from flask_login import UserMixin
from sqlalchemy import (
    Boolean,
    CheckConstraint,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    Numeric,
    String,
    Text,
    TypeDecorator,
    UniqueConstraint,
    event,
    func,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship
from werkzeug.security import check_password_hash, generate_password_hash

from core import dates
from core.db import db
from core.permissions import role_has_permission
from core.roles import ROLES
from core.search import fold, pinyin_forms


class ExactDecimal(TypeDecorator[Decimal]):
    """Numeric(precision, scale) that rounds half up to its scale before storing.

    So SQLite (which keeps floats) and PostgreSQL (exact NUMERIC) store the same value
    whatever Python hands them; read back as Decimal with that many places.
    """

    impl = Numeric
    cache_ok = True

    def __init__(self, precision: int, scale: int) -> None:
        super().__init__(precision=precision, scale=scale, asdecimal=True)
        self.quantum = Decimal(1).scaleb(-scale)

    def process_bind_param(self, value: Any, dialect: Any) -> Decimal | None:
        if value is None:
            return None
        return Decimal(value).quantize(self.quantum, rounding=ROUND_HALF_UP)


#: Money columns: exact decimals with two places, read back as Decimal.
Money = ExactDecimal(14, 2)
#: Quantities may be fractional (3.5 kg).
Quantity = ExactDecimal(12, 3)
#: Fractions such as a discount (0.15 = 15 %) or a rate.
Fraction = ExactDecimal(7, 4)

ORDER_STATUSES = ("draft", "confirmed", "cancelled", "refunded")


def utcnow() -> dt.datetime:
    """The current time in UTC without tzinfo, as every DateTime column stores it (core.dates.clock)."""
    return dates.utcnow()


class User(UserMixin, db.Model):  # type: ignore[name-defined]
    """A member of staff who logs in; the role decides what they may do."""

    __tablename__ = "user"
    __table_args__ = (CheckConstraint(f"role IN {ROLES}", name="role"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254), unique=True)
    name: Mapped[str] = mapped_column(String(120))
    role: Mapped[str] = mapped_column(String(20))
    password_hash: Mapped[str] = mapped_column(String(255), default="")
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    #: Part of every session cookie of this user; raising it signs out every session at once.
    session_version: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    #: The user's own language ("en", "zh_CN"); None follows the company's [clientele].language.
    language: Mapped[str | None] = mapped_column(String(10), nullable=True)

    def set_password(self, password: str) -> None:
        """Store a salted hash of the password, never the password."""
        self.password_hash = generate_password_hash(password)

    def check_password(self, password: str) -> bool:
        """True when the password matches the stored hash."""
        return bool(self.password_hash) and check_password_hash(self.password_hash, password)

    def get_id(self) -> str:
        """What the session cookie keeps: "<id>:<session version>" (see core.auth.load_user)."""
        return f"{self.id}:{self.session_version or 0}"

    def sign_out_everywhere(self) -> None:
        """Make every session cookie issued to this user so far invalid (committed by the caller)."""
        self.session_version = (self.session_version or 0) + 1

    @property
    def is_active(self) -> bool:
        return bool(self.active)

    def can(self, permission: str) -> bool:
        """True when this user's role holds the permission (see core.permissions)."""
        return role_has_permission(self.role, permission)

    def __repr__(self) -> str:
        return f"<User {self.email} {self.role}>"


class Customer(db.Model):  # type: ignore[name-defined]
    """A person or company the business sells to."""

    __tablename__ = "customer"
    __table_args__ = (Index("ix_customer_country_region_city", "country", "region", "city"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    external_id: Mapped[str | None] = mapped_column(String(64), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    company: Mapped[str] = mapped_column(String(200), default="")
    email: Mapped[str] = mapped_column(String(254), default="", index=True)
    phone: Mapped[str] = mapped_column(String(40), default="")
    #: E.164 form of phone ("+4930123456"), what caller lookup matches on.
    phone_normalized: Mapped[str] = mapped_column(String(20), default="", index=True)
    country: Mapped[str] = mapped_column(String(2), default="")
    region: Mapped[str] = mapped_column(String(100), default="")
    city: Mapped[str] = mapped_column(String(100), default="")
    #: How the customer found us (acquisition channel), e.g. "web", "referral", "fair".
    channel: Mapped[str] = mapped_column(String(50), default="", index=True)
    birthday: Mapped[dt.date | None] = mapped_column(Date)
    owner_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"), index=True)
    #: Comma-separated lowercase tags, e.g. "vip,wholesale".
    tags: Mapped[str] = mapped_column(String(500), default="")
    #: The customer asked for no marketing mail at all (transactional mail still goes out).
    marketing_opt_out: Mapped[bool] = mapped_column(Boolean, default=False)
    notes: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow, index=True)
    updated_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow, onupdate=utcnow)
    #: Name, company, e-mail and city folded (lowercase, no accents), then the pinyin of the
    #: Chinese ones ("zhang wei", "zhangwei", "zw" for 张伟), what text search matches; kept
    #: up to date on every save (see customer_search_text).
    search_text: Mapped[str] = mapped_column(Text, default="", server_default="")

    owner: Mapped[User | None] = relationship(lazy="joined", innerjoin=False)

    @property
    def tag_list(self) -> list[str]:
        """The tags as a list."""
        return [tag for tag in self.tags.split(",") if tag]

    def __repr__(self) -> str:
        return f"<Customer {self.id} {self.name}>"


#: The fields text search looks in, in this order (joined by a line break, so no match spans two).
SEARCHED_FIELDS = ("name", "company", "email", "city")
#: The fields whose Chinese text is also searched by pinyin, a line per form after the fields.
PINYIN_FIELDS = ("name", "company", "city")


def customer_search_text(**fields: str | None) -> str:
    """The folded text a customer is searched by: customer_search_text(name="Müller", city="Köln").

    Chinese text adds lines of pinyin (core.search.pinyin_forms): name="张伟" gives
    "张伟\n\n\n\nzhang wei\nzhangwei\nzw"; text without Chinese adds nothing."""
    lines = [fold(fields.get(key) or "") for key in SEARCHED_FIELDS]
    for key in PINYIN_FIELDS:
        lines += pinyin_forms(fields.get(key) or "")
    return "\n".join(lines)


@event.listens_for(Customer, "before_insert")
@event.listens_for(Customer, "before_update")
def _fill_search_text(mapper: Any, connection: Any, customer: Customer) -> None:
    """Every insert and update through the ORM (pages, import, demo, plugins) refreshes search_text."""
    customer.search_text = customer_search_text(
        **{key: getattr(customer, key) for key in SEARCHED_FIELDS}
    )


#: Name search is case-insensitive; this index serves "name starts with".
Index("ix_customer_name_lower", func.lower(Customer.name))


class CustomerIssue(db.Model):  # type: ignore[name-defined]
    """A soft field of a customer kept as typed but flagged for a person to check (core.quality).

    One row per customer and field: ``field`` is "phone", "email" or "birthday", ``reason``
    a code (core.quality.REASONS says it in words), ``value`` the text as it was typed. A
    phone stays in customer.phone as typed; an unreadable e-mail or birthday leaves the
    field empty (no mail goes to it, no greeting on a wrong day) and lives only here.
    """

    __tablename__ = "customer_issue"
    __table_args__ = (UniqueConstraint("customer_id", "field"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    customer_id: Mapped[int] = mapped_column(
        ForeignKey("customer.id", ondelete="CASCADE"), index=True
    )
    field: Mapped[str] = mapped_column(String(20))
    reason: Mapped[str] = mapped_column(String(30))
    value: Mapped[str] = mapped_column(String(254), default="")
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow, index=True)
    #: Someone looked and left it as it is: no longer listed on the data-to-check page (until
    #: the value or the reason changes, which makes a new issue).
    dismissed_at: Mapped[dt.datetime | None] = mapped_column(DateTime)
    dismissed_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))

    customer: Mapped[Customer] = relationship(lazy="joined", innerjoin=True)


class CustomerMerge(db.Model):  # type: ignore[name-defined]
    """A record of one customer merged into another: who, when, what moved, the old identifiers.

    The merged customer's row is deleted; its ``external_id`` stays here as an alias, so an
    import naming it still finds the kept customer (core.merging). When the kept customer is
    later merged into a third, its merge records move with it.
    """

    __tablename__ = "customer_merge"

    id: Mapped[int] = mapped_column(primary_key=True)
    kept_id: Mapped[int] = mapped_column(ForeignKey("customer.id"), index=True)
    #: The merged customer's id, name, e-mail, phone and external id as they were.
    merged_customer_id: Mapped[int] = mapped_column(Integer)
    external_id: Mapped[str | None] = mapped_column(String(64), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    email: Mapped[str] = mapped_column(String(254), default="")
    phone: Mapped[str] = mapped_column(String(40), default="")
    #: What moved, e.g. "order: 3, service_desk_ticket: 1" (rows per table).
    moved: Mapped[str] = mapped_column(Text, default="")
    merged_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    merged_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow, index=True)

    merged_by: Mapped[User | None] = relationship(lazy="joined", innerjoin=False)


class ImportMapping(db.Model):  # type: ignore[name-defined]
    """A column mapping of the web import saved under a name, per import kind, to use again.

    ``columns`` is JSON: {a file's column name: our column}, e.g. {"客户编号": "external_id"}.
    Saving under a name the kind already has replaces that mapping.
    """

    __tablename__ = "import_mapping"
    __table_args__ = (UniqueConstraint("kind", "name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(20))
    name: Mapped[str] = mapped_column(String(80))
    columns: Mapped[str] = mapped_column(Text, default="{}")
    saved_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    saved_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)

    saved_by: Mapped[User | None] = relationship(lazy="joined", innerjoin=False)


class Product(db.Model):  # type: ignore[name-defined]
    """Something the business sells, with its list price and current unit cost."""

    __tablename__ = "product"

    id: Mapped[int] = mapped_column(primary_key=True)
    sku: Mapped[str] = mapped_column(String(64), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    category: Mapped[str] = mapped_column(String(100), default="", index=True)
    list_price: Mapped[Decimal] = mapped_column(Money)
    unit_cost: Mapped[Decimal] = mapped_column(Money)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)

    @property
    def list_margin(self) -> Decimal | None:
        """(list price − unit cost) / list price, exact; None when the price is 0."""
        if not self.list_price:
            return None
        return (self.list_price - self.unit_cost) / self.list_price

    def __repr__(self) -> str:
        return f"<Product {self.sku}>"


class Order(db.Model):  # type: ignore[name-defined]
    """A sale to one customer by one salesperson; only core.orders changes its status."""

    __tablename__ = "order"
    __table_args__ = (
        CheckConstraint(f"status IN {ORDER_STATUSES}", name="status"),
        Index("ix_order_customer_date", "customer_id", "order_date"),
        Index("ix_order_salesperson_date", "salesperson_id", "order_date"),
        Index("ix_order_status_date", "status", "order_date"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    number: Mapped[str] = mapped_column(String(40), unique=True)
    customer_id: Mapped[int] = mapped_column(ForeignKey("customer.id"))
    salesperson_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    order_date: Mapped[dt.date] = mapped_column(Date)
    status: Mapped[str] = mapped_column(String(12), default="draft")
    notes: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    confirmed_at: Mapped[dt.datetime | None] = mapped_column(DateTime)
    cancelled_at: Mapped[dt.datetime | None] = mapped_column(DateTime)

    customer: Mapped[Customer] = relationship(lazy="joined", innerjoin=True)
    salesperson: Mapped[User | None] = relationship(lazy="joined")
    lines: Mapped[list[OrderLine]] = relationship(
        back_populates="order",
        cascade="all, delete-orphan",
        order_by="OrderLine.position",
        lazy="selectin",
    )

    @property
    def net_total(self) -> Decimal:
        """Sum of the rounded line nets (refunded lines included: they were sold)."""
        return sum((line.net_amount for line in self.lines), Decimal("0.00"))

    @property
    def cost_total(self) -> Decimal:
        """Sum of the rounded line costs (0 for lines without a cost yet)."""
        return sum((line.cost_amount or Decimal("0.00") for line in self.lines), Decimal("0.00"))

    @property
    def profit_total(self) -> Decimal:
        """net_total − cost_total."""
        return self.net_total - self.cost_total

    @property
    def refunded_net(self) -> Decimal:
        """Sum of the nets of the refunded lines (0.00 when nothing was refunded)."""
        return sum((line.net_amount for line in self.lines if line.refunded_on), Decimal("0.00"))

    @property
    def refunded_cost(self) -> Decimal:
        """Sum of the costs of the refunded lines."""
        return sum(
            (line.cost_amount or Decimal("0.00") for line in self.lines if line.refunded_on),
            Decimal("0.00"),
        )

    @property
    def net_after_refunds(self) -> Decimal:
        """What the customer finally pays: net_total − refunded_net."""
        return self.net_total - self.refunded_net

    @property
    def profit_after_refunds(self) -> Decimal:
        """What the order finally earns: profit of the lines that were not refunded."""
        return self.net_after_refunds - (self.cost_total - self.refunded_cost)

    def __repr__(self) -> str:
        return f"<Order {self.number} {self.status}>"


class OrderLine(db.Model):  # type: ignore[name-defined]
    """One product on an order, with the price charged and the cost snapshot taken at confirmation."""

    __tablename__ = "order_line"
    __table_args__ = (
        CheckConstraint("quantity > 0", name="quantity_positive"),
        CheckConstraint("discount >= 0 AND discount <= 1", name="discount_fraction"),
        Index("ix_order_line_product_order", "product_id", "order_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    order_id: Mapped[int] = mapped_column(ForeignKey("order.id", ondelete="CASCADE"), index=True)
    product_id: Mapped[int] = mapped_column(ForeignKey("product.id"))
    position: Mapped[int] = mapped_column(Integer, default=0)
    quantity: Mapped[Decimal] = mapped_column(Quantity)
    unit_price: Mapped[Decimal] = mapped_column(Money)
    discount: Mapped[Decimal] = mapped_column(Fraction, default=Decimal("0"))
    #: Unit cost when the order was confirmed; later cost changes never touch it.
    unit_cost: Mapped[Decimal | None] = mapped_column(Money)
    #: round(quantity × unit_price × (1 − discount)), see core.money.
    net_amount: Mapped[Decimal] = mapped_column(Money)
    #: round(quantity × unit_cost); set with the cost snapshot.
    cost_amount: Mapped[Decimal | None] = mapped_column(Money)
    #: Day the line was refunded; it then counts negatively in that day's period.
    refunded_on: Mapped[dt.date | None] = mapped_column(Date, index=True)

    order: Mapped[Order] = relationship(back_populates="lines")
    product: Mapped[Product] = relationship(lazy="joined", innerjoin=True)

    @property
    def profit(self) -> Decimal:
        """net_amount − cost_amount."""
        return self.net_amount - (self.cost_amount or Decimal("0.00"))

    def __repr__(self) -> str:
        return f"<OrderLine {self.order_id}:{self.position}>"


class OutboxMessage(db.Model):  # type: ignore[name-defined]
    """An e-mail written in the same transaction as the action that sends it, delivered by a job."""

    __tablename__ = "outbox"
    __table_args__ = (Index("ix_outbox_status_created", "status", "created_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    to_address: Mapped[str] = mapped_column(String(254))
    subject: Mapped[str] = mapped_column(String(300))
    body: Mapped[str] = mapped_column(Text)
    customer_id: Mapped[int | None] = mapped_column(ForeignKey("customer.id"), index=True)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    #: Who queued it: "core" or a plugin name.
    source: Mapped[str] = mapped_column(String(50), default="core")
    #: "transactional" (orders, tickets, surveys) or "marketing"; only the latter honours opt-outs.
    category: Mapped[str] = mapped_column(String(20), default="transactional")
    #: Same key queued twice → one message (e.g. "loyalty.birthday:2026:42").
    dedupe_key: Mapped[str | None] = mapped_column(String(200), unique=True)
    status: Mapped[str] = mapped_column(String(10), default="pending")
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    last_error: Mapped[str] = mapped_column(Text, default="")
    sent_at: Mapped[dt.datetime | None] = mapped_column(DateTime)
    #: The recipient's own signed unsubscribe link (marketing mail): sent as List-Unsubscribe
    #: with List-Unsubscribe-Post (RFC 8058), so the mail client's button works without a page.
    unsubscribe_url: Mapped[str] = mapped_column(String(500), default="", server_default="")


class JobRun(db.Model):  # type: ignore[name-defined]
    """One run of a scheduled job, kept so an admin can see what ran and what failed."""

    __tablename__ = "job_run"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(100), index=True)
    started_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    finished_at: Mapped[dt.datetime | None] = mapped_column(DateTime)
    status: Mapped[str] = mapped_column(String(16), default="running")
    error: Mapped[str] = mapped_column(Text, default="")
    #: The worker process that ran it (None: run in a web process or a test).
    worker_id: Mapped[int | None] = mapped_column(Integer, index=True)


class PluginState(db.Model):  # type: ignore[name-defined]
    """Whether a plugin was enabled when a process last started, and since when (catch-up)."""

    __tablename__ = "plugin_state"

    name: Mapped[str] = mapped_column(String(60), primary_key=True)
    enabled: Mapped[bool] = mapped_column(Boolean)
    changed_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)


class WorkerProcess(db.Model):  # type: ignore[name-defined]
    """A running (or stopped) `clientele worker`, with the time it last said it was alive."""

    __tablename__ = "worker_process"

    id: Mapped[int] = mapped_column(primary_key=True)
    host: Mapped[str] = mapped_column(String(255))
    pid: Mapped[int] = mapped_column(Integer)
    started_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    #: Updated every few seconds while it runs (the heartbeat).
    seen_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow, index=True)
    stopped_at: Mapped[dt.datetime | None] = mapped_column(DateTime)


class Counter(db.Model):  # type: ignore[name-defined]
    """A named number handed out once each (order numbers); the row is locked while taking one.

    One database holds one company, so one row per kind of number is the company's counter.
    """

    __tablename__ = "counter"

    name: Mapped[str] = mapped_column(String(40), primary_key=True)
    #: The last number handed out (0: none yet).
    value: Mapped[int] = mapped_column(Integer, default=0)
