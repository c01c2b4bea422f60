"""Service desk tables: teams, tickets, their conversation, history, state log, SLA flags, surveys."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    CheckConstraint,
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
from core.i18n import N_, _
from core.models import Customer, Order, User, utcnow

#: Ticket types as the agent picks them (return covers returns and repairs).
#: The label tables hold English msgids; label() translates one for the reader.
TICKET_KINDS = ("complaint", "inquiry", "return", "other")
KIND_LABELS = {
    "complaint": N_("Complaint"),
    "inquiry": N_("Inquiry"),
    "return": N_("Return / repair"),
    "other": N_("Other"),
}
CHANNELS = ("phone", "email", "web", "visit")
CHANNEL_LABELS = {
    "phone": N_("Phone"),
    "email": N_("Email"),
    "web": N_("Web"),
    "visit": N_("Visit"),
}
PRIORITIES = ("low", "normal", "high", "urgent")
PRIORITY_LABELS = {
    "low": N_("Low"),
    "normal": N_("Normal"),
    "high": N_("High"),
    "urgent": N_("Urgent"),
}
#: The life of a ticket; "waiting" means waiting on the customer (the SLA clock is paused).
STATES = ("new", "open", "waiting", "resolved", "closed")
STATE_LABELS = {
    "new": N_("New"),
    "open": N_("Open"),
    "waiting": N_("Waiting on customer"),
    "resolved": N_("Resolved"),
    "closed": N_("Closed"),
}
SLA_TARGET_LABELS = {"first_response": N_("First response"), "resolution": N_("Resolution")}
#: The core's order statuses, as the desk's pages name them.
ORDER_STATUS_LABELS = {
    "draft": N_("draft"),
    "confirmed": N_("confirmed"),
    "cancelled": N_("cancelled"),
    "refunded": N_("refunded"),
}
LABELS = {
    "order_status": ORDER_STATUS_LABELS,
    "kind": KIND_LABELS,
    "channel": CHANNEL_LABELS,
    "priority": PRIORITY_LABELS,
    "state": STATE_LABELS,
    "target": SLA_TARGET_LABELS,
}


def label(table: str, key: str) -> str:
    """The reader's word for a kind, channel, priority, state or SLA target ("state", "waiting")."""
    english = LABELS[table].get(key)
    return _(english) if english else key


def policy_label(name: str) -> str:
    """An SLA policy's name, "high" or "high / Gold", with the priority in the reader's words."""
    priority, _separator, tier = name.partition(" / ")
    shown = label("priority", priority).lower()
    return f"{shown} / {tier}" if tier else shown


def labels(table: str) -> dict[str, str]:
    """A whole label table in the reader's language, key → label (for selects and filters)."""
    return {key: _(english) for key, english in LABELS[table].items()}


#: States in which the ticket still needs work from us or the customer.
OPEN_STATES = ("new", "open", "waiting")
MESSAGE_KINDS = ("reply", "note", "customer")
SLA_TARGETS = ("first_response", "resolution")
SLA_LEVELS = ("warning", "breach")


def _in(values: tuple[str, ...]) -> str:
    """A SQL IN list of string literals for a CHECK constraint."""
    return "(" + ", ".join(f"'{value}'" for value in values) + ")"


class Team(db.Model):  # type: ignore[name-defined]
    """A group of agents working a queue; a restricted team keeps its internal notes to itself."""

    __tablename__ = "service_desk_team"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(100), unique=True)
    description: Mapped[str] = mapped_column(String(500), default="")
    #: Only members (and holders of service_desk.all_teams) read internal notes and work tickets.
    restricted: Mapped[bool] = mapped_column(Boolean, default=False)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)

    members: Mapped[list[User]] = relationship(
        secondary="service_desk_team_member", lazy="selectin", order_by="User.name"
    )

    def __repr__(self) -> str:
        return f"<Team {self.name}>"


class TeamMember(db.Model):  # type: ignore[name-defined]
    """A user's membership of a team."""

    __tablename__ = "service_desk_team_member"

    team_id: Mapped[int] = mapped_column(
        ForeignKey("service_desk_team.id", ondelete="CASCADE"), primary_key=True
    )
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id"), primary_key=True, index=True)


class Ticket(db.Model):  # type: ignore[name-defined]
    """A customer's complaint, question, return or repair, tracked until it is really solved."""

    __tablename__ = "service_desk_ticket"
    __table_args__ = (
        CheckConstraint(f"kind IN {_in(TICKET_KINDS)}", name="kind"),
        CheckConstraint(f"channel IN {_in(CHANNELS)}", name="channel"),
        CheckConstraint(f"priority IN {_in(PRIORITIES)}", name="priority"),
        CheckConstraint(f"state IN {_in(STATES)}", name="state"),
        Index("ix_service_desk_ticket_state_team", "state", "team_id"),
        Index("ix_service_desk_ticket_assignee_state", "assignee_id", "state"),
        Index("ix_service_desk_ticket_customer_state", "customer_id", "state"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    customer_id: Mapped[int | None] = mapped_column(ForeignKey("customer.id"))
    order_id: Mapped[int | None] = mapped_column(ForeignKey("order.id"), index=True)
    #: Who called when there is no customer record yet (a new contact).
    contact_name: Mapped[str] = mapped_column(String(200), default="")
    contact_email: Mapped[str] = mapped_column(String(254), default="")
    contact_phone: Mapped[str] = mapped_column(String(40), default="")
    kind: Mapped[str] = mapped_column(String(20))
    channel: Mapped[str] = mapped_column(String(10))
    subject: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text, default="")
    priority: Mapped[str] = mapped_column(String(10), default="normal")
    category: Mapped[str] = mapped_column(String(100), default="", index=True)
    state: Mapped[str] = mapped_column(String(10), default="new")
    assignee_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    team_id: Mapped[int | None] = mapped_column(ForeignKey("service_desk_team.id"))
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow, index=True)
    #: The day it was opened in the company's time zone (periods and monthly trends use it).
    opened_on: Mapped[dt.date] = mapped_column(Date, index=True)
    updated_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    first_responded_at: Mapped[dt.datetime | None] = mapped_column(DateTime)
    resolved_at: Mapped[dt.datetime | None] = mapped_column(DateTime)
    closed_at: Mapped[dt.datetime | None] = mapped_column(DateTime)
    reopen_count: Mapped[int] = mapped_column(Integer, default=0)
    #: The SLA policy chosen for it, e.g. "high" or "high / Gold"; "" when none applies.
    sla_policy: Mapped[str] = mapped_column(String(120), default="")
    #: Targets copied from the policy, in business minutes, so later config changes keep history.
    first_response_minutes: Mapped[int | None] = mapped_column(Integer)
    resolution_minutes: Mapped[int | None] = mapped_column(Integer)
    #: Due and warning instants (UTC); NULL while the clock is paused or when there is no target.
    first_response_due_at: Mapped[dt.datetime | None] = mapped_column(DateTime, index=True)
    first_response_warn_at: Mapped[dt.datetime | None] = mapped_column(DateTime)
    resolution_due_at: Mapped[dt.datetime | None] = mapped_column(DateTime, index=True)
    resolution_warn_at: Mapped[dt.datetime | None] = mapped_column(DateTime)
    #: Optimistic lock: a change made from a stale copy fails instead of overwriting another's.
    version: Mapped[int] = mapped_column(Integer, default=1)

    customer: Mapped[Customer | None] = relationship(lazy="joined")
    order: Mapped[Order | None] = relationship(lazy="select")
    assignee: Mapped[User | None] = relationship(foreign_keys=[assignee_id], lazy="joined")
    created_by: Mapped[User | None] = relationship(foreign_keys=[created_by_id], lazy="select")
    team: Mapped[Team | None] = relationship(lazy="joined")

    __mapper_args__ = {"version_id_col": version}

    @property
    def is_open(self) -> bool:
        """True while the ticket still needs work (new, open or waiting on the customer)."""
        return self.state in OPEN_STATES

    @property
    def contact_label(self) -> str:
        """The customer's name, or the new contact's name / phone / e-mail."""
        if self.customer is not None:
            return self.customer.name
        return self.contact_name or self.contact_phone or self.contact_email or _("Unknown caller")

    def __repr__(self) -> str:
        return f"<Ticket {self.id} {self.state}>"


class TicketMessage(db.Model):  # type: ignore[name-defined]
    """A public reply to the customer, an internal note, or a message the customer sent us."""

    __tablename__ = "service_desk_message"
    __table_args__ = (CheckConstraint(f"kind IN {_in(MESSAGE_KINDS)}", name="kind"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    ticket_id: Mapped[int] = mapped_column(
        ForeignKey("service_desk_ticket.id", ondelete="CASCADE"), index=True
    )
    kind: Mapped[str] = mapped_column(String(10))
    body: Mapped[str] = mapped_column(Text)
    author_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)

    author: Mapped[User | None] = relationship(lazy="joined")

    @property
    def internal(self) -> bool:
        """Internal notes are never shown to the customer nor to agents outside a restricted team."""
        return self.kind == "note"


class Attachment(db.Model):  # type: ignore[name-defined]
    """A file added to a ticket, stored under the instance folder with a random name."""

    __tablename__ = "service_desk_attachment"

    id: Mapped[int] = mapped_column(primary_key=True)
    ticket_id: Mapped[int] = mapped_column(
        ForeignKey("service_desk_ticket.id", ondelete="CASCADE"), index=True
    )
    message_id: Mapped[int | None] = mapped_column(
        ForeignKey("service_desk_message.id", ondelete="CASCADE")
    )
    #: The name the file had on the uploader's computer (only ever sent back as a download name).
    original_name: Mapped[str] = mapped_column(String(200))
    #: Path relative to <instance>/attachments/service_desk/, random and unguessable.
    stored_name: Mapped[str] = mapped_column(String(100), unique=True)
    content_type: Mapped[str] = mapped_column(String(100))
    size_bytes: Mapped[int] = mapped_column(Integer)
    #: Added with an internal note: readable only by those who may read internal notes.
    internal: Mapped[bool] = mapped_column(Boolean, default=False)
    uploaded_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)


class TicketEvent(db.Model):  # type: ignore[name-defined]
    """One recorded change of a ticket (state, assignment, priority, reply, breach, rating ...)."""

    __tablename__ = "service_desk_event"

    id: Mapped[int] = mapped_column(primary_key=True)
    ticket_id: Mapped[int] = mapped_column(
        ForeignKey("service_desk_ticket.id", ondelete="CASCADE"), index=True
    )
    at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    kind: Mapped[str] = mapped_column(String(30))
    #: What changed, in words (English); never the text of an internal note.
    summary: Mapped[str] = mapped_column(String(500))
    #: The same as a message to translate when shown: {"msgid": ..., "args": {...}}
    #: (history.event_text reads it).
    message: Mapped[dict[str, Any] | None] = mapped_column(JSON)

    user: Mapped[User | None] = relationship(lazy="joined")


class StateLog(db.Model):  # type: ignore[name-defined]
    """One stay of a ticket in a state: the process analysis and SLA pauses are computed from these."""

    __tablename__ = "service_desk_state_log"
    __table_args__ = (
        CheckConstraint(f"state IN {_in(STATES)}", name="state"),
        Index("ix_service_desk_state_log_ticket_entered", "ticket_id", "entered_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    ticket_id: Mapped[int] = mapped_column(ForeignKey("service_desk_ticket.id", ondelete="CASCADE"))
    state: Mapped[str] = mapped_column(String(10))
    entered_at: Mapped[dt.datetime] = mapped_column(DateTime)
    #: NULL while the ticket is still in this state.
    left_at: Mapped[dt.datetime | None] = mapped_column(DateTime)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))


class SlaFlag(db.Model):  # type: ignore[name-defined]
    """A warning or breach of one SLA target, stored once per ticket, target and level."""

    __tablename__ = "service_desk_sla_flag"
    __table_args__ = (
        UniqueConstraint("ticket_id", "target", "level", name="uq_service_desk_sla_flag_once"),
        CheckConstraint(f"target IN {_in(SLA_TARGETS)}", name="target"),
        CheckConstraint(f"level IN {_in(SLA_LEVELS)}", name="level"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    ticket_id: Mapped[int] = mapped_column(ForeignKey("service_desk_ticket.id", ondelete="CASCADE"))
    target: Mapped[str] = mapped_column(String(20))
    level: Mapped[str] = mapped_column(String(10))
    due_at: Mapped[dt.datetime] = mapped_column(DateTime)
    flagged_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)


class Survey(db.Model):  # type: ignore[name-defined]
    """A satisfaction survey sent on resolution; answered once through its signed link."""

    __tablename__ = "service_desk_survey"
    __table_args__ = (
        CheckConstraint("rating IS NULL OR (rating >= 1 AND rating <= 5)", name="rating"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    ticket_id: Mapped[int] = mapped_column(
        ForeignKey("service_desk_ticket.id", ondelete="CASCADE"), index=True
    )
    #: Random value carried in the signed token, so a token is tied to exactly this survey.
    nonce: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    expires_at: Mapped[dt.datetime] = mapped_column(DateTime)
    #: Who handled the ticket, its team and category when it was resolved (what CSAT is grouped by).
    resolved_on: Mapped[dt.date] = mapped_column(Date, index=True)
    agent_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    team_id: Mapped[int | None] = mapped_column(ForeignKey("service_desk_team.id"))
    category: Mapped[str] = mapped_column(String(100), default="")
    answered_at: Mapped[dt.datetime | None] = mapped_column(DateTime)
    rating: Mapped[int | None] = mapped_column(Integer)
    comment: Mapped[str] = mapped_column(Text, default="")

    ticket: Mapped[Ticket] = relationship(lazy="joined")
