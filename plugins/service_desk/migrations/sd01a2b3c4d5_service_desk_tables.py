"""Service desk: teams, tickets, messages, attachments, history, state log, SLA flags, surveys.

Revision ID: sd01a2b3c4d5
Revises:
Create Date: 2026-11-24
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "sd01a2b3c4d5"
down_revision = None
branch_labels = ("service_desk",)
depends_on = "c0a1b2c3d4e5"


def upgrade() -> None:
    op.create_table(
        "service_desk_team",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("description", sa.String(length=500), nullable=False),
        sa.Column("restricted", sa.Boolean(), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_service_desk_team")),
        sa.UniqueConstraint("name", name=op.f("uq_service_desk_team_name")),
    )
    op.create_table(
        "service_desk_team_member",
        sa.Column("team_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["team_id"],
            ["service_desk_team.id"],
            name=op.f("fk_service_desk_team_member_team_id_service_desk_team"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["user_id"], ["user.id"], name=op.f("fk_service_desk_team_member_user_id_user")
        ),
        sa.PrimaryKeyConstraint("team_id", "user_id", name=op.f("pk_service_desk_team_member")),
    )
    op.create_index(
        op.f("ix_service_desk_team_member_user_id"),
        "service_desk_team_member",
        ["user_id"],
        unique=False,
    )
    op.create_table(
        "service_desk_ticket",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("customer_id", sa.Integer(), nullable=True),
        sa.Column("order_id", sa.Integer(), nullable=True),
        sa.Column("contact_name", sa.String(length=200), nullable=False),
        sa.Column("contact_email", sa.String(length=254), nullable=False),
        sa.Column("contact_phone", sa.String(length=40), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("channel", sa.String(length=10), nullable=False),
        sa.Column("subject", sa.String(length=200), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("priority", sa.String(length=10), nullable=False),
        sa.Column("category", sa.String(length=100), nullable=False),
        sa.Column("state", sa.String(length=10), nullable=False),
        sa.Column("assignee_id", sa.Integer(), nullable=True),
        sa.Column("team_id", sa.Integer(), nullable=True),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("opened_on", sa.Date(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.Column("first_responded_at", sa.DateTime(), nullable=True),
        sa.Column("resolved_at", sa.DateTime(), nullable=True),
        sa.Column("closed_at", sa.DateTime(), nullable=True),
        sa.Column("reopen_count", sa.Integer(), nullable=False),
        sa.Column("sla_policy", sa.String(length=120), nullable=False),
        sa.Column("first_response_minutes", sa.Integer(), nullable=True),
        sa.Column("resolution_minutes", sa.Integer(), nullable=True),
        sa.Column("first_response_due_at", sa.DateTime(), nullable=True),
        sa.Column("first_response_warn_at", sa.DateTime(), nullable=True),
        sa.Column("resolution_due_at", sa.DateTime(), nullable=True),
        sa.Column("resolution_warn_at", sa.DateTime(), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.CheckConstraint(
            "channel IN ('phone', 'email', 'web', 'visit')",
            name=op.f("ck_service_desk_ticket_channel"),
        ),
        sa.CheckConstraint(
            "kind IN ('complaint', 'inquiry', 'return', 'other')",
            name=op.f("ck_service_desk_ticket_kind"),
        ),
        sa.CheckConstraint(
            "priority IN ('low', 'normal', 'high', 'urgent')",
            name=op.f("ck_service_desk_ticket_priority"),
        ),
        sa.CheckConstraint(
            "state IN ('new', 'open', 'waiting', 'resolved', 'closed')",
            name=op.f("ck_service_desk_ticket_state"),
        ),
        sa.ForeignKeyConstraint(
            ["assignee_id"], ["user.id"], name=op.f("fk_service_desk_ticket_assignee_id_user")
        ),
        sa.ForeignKeyConstraint(
            ["created_by_id"], ["user.id"], name=op.f("fk_service_desk_ticket_created_by_id_user")
        ),
        sa.ForeignKeyConstraint(
            ["customer_id"],
            ["customer.id"],
            name=op.f("fk_service_desk_ticket_customer_id_customer"),
        ),
        sa.ForeignKeyConstraint(
            ["order_id"], ["order.id"], name=op.f("fk_service_desk_ticket_order_id_order")
        ),
        sa.ForeignKeyConstraint(
            ["team_id"],
            ["service_desk_team.id"],
            name=op.f("fk_service_desk_ticket_team_id_service_desk_team"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_service_desk_ticket")),
    )
    op.create_index(
        "ix_service_desk_ticket_assignee_state",
        "service_desk_ticket",
        ["assignee_id", "state"],
        unique=False,
    )
    op.create_index(
        op.f("ix_service_desk_ticket_category"), "service_desk_ticket", ["category"], unique=False
    )
    op.create_index(
        op.f("ix_service_desk_ticket_created_at"),
        "service_desk_ticket",
        ["created_at"],
        unique=False,
    )
    op.create_index(
        "ix_service_desk_ticket_customer_state",
        "service_desk_ticket",
        ["customer_id", "state"],
        unique=False,
    )
    op.create_index(
        op.f("ix_service_desk_ticket_first_response_due_at"),
        "service_desk_ticket",
        ["first_response_due_at"],
        unique=False,
    )
    op.create_index(
        op.f("ix_service_desk_ticket_opened_on"), "service_desk_ticket", ["opened_on"], unique=False
    )
    op.create_index(
        op.f("ix_service_desk_ticket_order_id"), "service_desk_ticket", ["order_id"], unique=False
    )
    op.create_index(
        op.f("ix_service_desk_ticket_resolution_due_at"),
        "service_desk_ticket",
        ["resolution_due_at"],
        unique=False,
    )
    op.create_index(
        "ix_service_desk_ticket_state_team",
        "service_desk_ticket",
        ["state", "team_id"],
        unique=False,
    )
    op.create_table(
        "service_desk_event",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("ticket_id", sa.Integer(), nullable=False),
        sa.Column("at", sa.DateTime(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=True),
        sa.Column("kind", sa.String(length=30), nullable=False),
        sa.Column("summary", sa.String(length=500), nullable=False),
        sa.ForeignKeyConstraint(
            ["ticket_id"],
            ["service_desk_ticket.id"],
            name=op.f("fk_service_desk_event_ticket_id_service_desk_ticket"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["user_id"], ["user.id"], name=op.f("fk_service_desk_event_user_id_user")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_service_desk_event")),
    )
    op.create_index(
        op.f("ix_service_desk_event_ticket_id"), "service_desk_event", ["ticket_id"], unique=False
    )
    op.create_table(
        "service_desk_message",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("ticket_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=10), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("author_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.CheckConstraint(
            "kind IN ('reply', 'note', 'customer')", name=op.f("ck_service_desk_message_kind")
        ),
        sa.ForeignKeyConstraint(
            ["author_id"], ["user.id"], name=op.f("fk_service_desk_message_author_id_user")
        ),
        sa.ForeignKeyConstraint(
            ["ticket_id"],
            ["service_desk_ticket.id"],
            name=op.f("fk_service_desk_message_ticket_id_service_desk_ticket"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_service_desk_message")),
    )
    op.create_index(
        op.f("ix_service_desk_message_ticket_id"),
        "service_desk_message",
        ["ticket_id"],
        unique=False,
    )
    op.create_table(
        "service_desk_sla_flag",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("ticket_id", sa.Integer(), nullable=False),
        sa.Column("target", sa.String(length=20), nullable=False),
        sa.Column("level", sa.String(length=10), nullable=False),
        sa.Column("due_at", sa.DateTime(), nullable=False),
        sa.Column("flagged_at", sa.DateTime(), nullable=False),
        sa.CheckConstraint(
            "level IN ('warning', 'breach')", name=op.f("ck_service_desk_sla_flag_level")
        ),
        sa.CheckConstraint(
            "target IN ('first_response', 'resolution')",
            name=op.f("ck_service_desk_sla_flag_target"),
        ),
        sa.ForeignKeyConstraint(
            ["ticket_id"],
            ["service_desk_ticket.id"],
            name=op.f("fk_service_desk_sla_flag_ticket_id_service_desk_ticket"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_service_desk_sla_flag")),
        sa.UniqueConstraint("ticket_id", "target", "level", name="uq_service_desk_sla_flag_once"),
    )
    op.create_table(
        "service_desk_state_log",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("ticket_id", sa.Integer(), nullable=False),
        sa.Column("state", sa.String(length=10), nullable=False),
        sa.Column("entered_at", sa.DateTime(), nullable=False),
        sa.Column("left_at", sa.DateTime(), nullable=True),
        sa.Column("user_id", sa.Integer(), nullable=True),
        sa.CheckConstraint(
            "state IN ('new', 'open', 'waiting', 'resolved', 'closed')",
            name=op.f("ck_service_desk_state_log_state"),
        ),
        sa.ForeignKeyConstraint(
            ["ticket_id"],
            ["service_desk_ticket.id"],
            name=op.f("fk_service_desk_state_log_ticket_id_service_desk_ticket"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["user_id"], ["user.id"], name=op.f("fk_service_desk_state_log_user_id_user")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_service_desk_state_log")),
    )
    op.create_index(
        "ix_service_desk_state_log_ticket_entered",
        "service_desk_state_log",
        ["ticket_id", "entered_at"],
        unique=False,
    )
    op.create_table(
        "service_desk_survey",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("ticket_id", sa.Integer(), nullable=False),
        sa.Column("nonce", sa.String(length=64), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("expires_at", sa.DateTime(), nullable=False),
        sa.Column("resolved_on", sa.Date(), nullable=False),
        sa.Column("agent_id", sa.Integer(), nullable=True),
        sa.Column("team_id", sa.Integer(), nullable=True),
        sa.Column("category", sa.String(length=100), nullable=False),
        sa.Column("answered_at", sa.DateTime(), nullable=True),
        sa.Column("rating", sa.Integer(), nullable=True),
        sa.Column("comment", sa.Text(), nullable=False),
        sa.CheckConstraint(
            "rating IS NULL OR (rating >= 1 AND rating <= 5)",
            name=op.f("ck_service_desk_survey_rating"),
        ),
        sa.ForeignKeyConstraint(
            ["agent_id"], ["user.id"], name=op.f("fk_service_desk_survey_agent_id_user")
        ),
        sa.ForeignKeyConstraint(
            ["team_id"],
            ["service_desk_team.id"],
            name=op.f("fk_service_desk_survey_team_id_service_desk_team"),
        ),
        sa.ForeignKeyConstraint(
            ["ticket_id"],
            ["service_desk_ticket.id"],
            name=op.f("fk_service_desk_survey_ticket_id_service_desk_ticket"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_service_desk_survey")),
        sa.UniqueConstraint("nonce", name=op.f("uq_service_desk_survey_nonce")),
    )
    op.create_index(
        op.f("ix_service_desk_survey_resolved_on"),
        "service_desk_survey",
        ["resolved_on"],
        unique=False,
    )
    op.create_index(
        op.f("ix_service_desk_survey_ticket_id"), "service_desk_survey", ["ticket_id"], unique=False
    )
    op.create_table(
        "service_desk_attachment",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("ticket_id", sa.Integer(), nullable=False),
        sa.Column("message_id", sa.Integer(), nullable=True),
        sa.Column("original_name", sa.String(length=200), nullable=False),
        sa.Column("stored_name", sa.String(length=100), nullable=False),
        sa.Column("content_type", sa.String(length=100), nullable=False),
        sa.Column("size_bytes", sa.Integer(), nullable=False),
        sa.Column("internal", sa.Boolean(), nullable=False),
        sa.Column("uploaded_by_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["message_id"],
            ["service_desk_message.id"],
            name=op.f("fk_service_desk_attachment_message_id_service_desk_message"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["ticket_id"],
            ["service_desk_ticket.id"],
            name=op.f("fk_service_desk_attachment_ticket_id_service_desk_ticket"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["uploaded_by_id"],
            ["user.id"],
            name=op.f("fk_service_desk_attachment_uploaded_by_id_user"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_service_desk_attachment")),
        sa.UniqueConstraint("stored_name", name=op.f("uq_service_desk_attachment_stored_name")),
    )
    op.create_index(
        op.f("ix_service_desk_attachment_ticket_id"),
        "service_desk_attachment",
        ["ticket_id"],
        unique=False,
    )


def downgrade() -> None:
    op.drop_index(
        op.f("ix_service_desk_attachment_ticket_id"), table_name="service_desk_attachment"
    )
    op.drop_table("service_desk_attachment")
    op.drop_index(op.f("ix_service_desk_survey_ticket_id"), table_name="service_desk_survey")
    op.drop_index(op.f("ix_service_desk_survey_resolved_on"), table_name="service_desk_survey")
    op.drop_table("service_desk_survey")
    op.drop_index("ix_service_desk_state_log_ticket_entered", table_name="service_desk_state_log")
    op.drop_table("service_desk_state_log")
    op.drop_table("service_desk_sla_flag")
    op.drop_index(op.f("ix_service_desk_message_ticket_id"), table_name="service_desk_message")
    op.drop_table("service_desk_message")
    op.drop_index(op.f("ix_service_desk_event_ticket_id"), table_name="service_desk_event")
    op.drop_table("service_desk_event")
    op.drop_index("ix_service_desk_ticket_state_team", table_name="service_desk_ticket")
    op.drop_index(
        op.f("ix_service_desk_ticket_resolution_due_at"), table_name="service_desk_ticket"
    )
    op.drop_index(op.f("ix_service_desk_ticket_order_id"), table_name="service_desk_ticket")
    op.drop_index(op.f("ix_service_desk_ticket_opened_on"), table_name="service_desk_ticket")
    op.drop_index(
        op.f("ix_service_desk_ticket_first_response_due_at"), table_name="service_desk_ticket"
    )
    op.drop_index("ix_service_desk_ticket_customer_state", table_name="service_desk_ticket")
    op.drop_index(op.f("ix_service_desk_ticket_created_at"), table_name="service_desk_ticket")
    op.drop_index(op.f("ix_service_desk_ticket_category"), table_name="service_desk_ticket")
    op.drop_index("ix_service_desk_ticket_assignee_state", table_name="service_desk_ticket")
    op.drop_table("service_desk_ticket")
    op.drop_index(
        op.f("ix_service_desk_team_member_user_id"), table_name="service_desk_team_member"
    )
    op.drop_table("service_desk_team_member")
    op.drop_table("service_desk_team")
