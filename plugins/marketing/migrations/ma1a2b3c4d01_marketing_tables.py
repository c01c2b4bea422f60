"""Marketing: segments, campaigns, recipients, consent evidence and topic opt-outs.

Revision ID: ma1a2b3c4d01
Revises:
Create Date: 2026-11-23
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "ma1a2b3c4d01"
down_revision = None
branch_labels = ("marketing",)
depends_on = "c0a1b2c3d4e5"


def upgrade() -> None:
    op.create_table(
        "marketing_segment",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=120), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("definition", sa.Text(), nullable=False),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["created_by_id"], ["user.id"], name=op.f("fk_marketing_segment_created_by_id_user")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_marketing_segment")),
        sa.UniqueConstraint("name", name=op.f("uq_marketing_segment_name")),
    )
    op.create_table(
        "marketing_campaign",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("topic", sa.String(length=50), nullable=False),
        sa.Column("subject", sa.String(length=300), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("segment_id", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(length=12), nullable=False),
        sa.Column("scheduled_at", sa.DateTime(), nullable=True),
        sa.Column("cost", sa.Numeric(precision=14, scale=2), nullable=False),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("started_at", sa.DateTime(), nullable=True),
        sa.Column("finished_at", sa.DateTime(), nullable=True),
        sa.Column("audience_size", sa.Integer(), nullable=True),
        sa.Column("batches_done", sa.Integer(), nullable=False),
        sa.Column("problem", sa.Text(), nullable=False),
        sa.CheckConstraint(
            "status IN ('draft', 'scheduled', 'sending', 'sent', 'cancelled')",
            name=op.f("ck_marketing_campaign_status"),
        ),
        sa.CheckConstraint("cost >= 0", name=op.f("ck_marketing_campaign_cost_not_negative")),
        sa.ForeignKeyConstraint(
            ["created_by_id"], ["user.id"], name=op.f("fk_marketing_campaign_created_by_id_user")
        ),
        sa.ForeignKeyConstraint(
            ["segment_id"],
            ["marketing_segment.id"],
            name=op.f("fk_marketing_campaign_segment_id_marketing_segment"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_marketing_campaign")),
    )
    with op.batch_alter_table("marketing_campaign", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_marketing_campaign_segment_id"), ["segment_id"], unique=False
        )
        batch_op.create_index(
            "ix_marketing_campaign_status_scheduled_at", ["status", "scheduled_at"], unique=False
        )

    op.create_table(
        "marketing_topic_opt_out",
        sa.Column("customer_id", sa.Integer(), nullable=False),
        sa.Column("topic", sa.String(length=50), nullable=False),
        sa.Column("since", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["customer_id"],
            ["customer.id"],
            name=op.f("fk_marketing_topic_opt_out_customer_id_customer"),
        ),
        sa.PrimaryKeyConstraint("customer_id", "topic", name=op.f("pk_marketing_topic_opt_out")),
    )
    op.create_table(
        "marketing_consent_event",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("customer_id", sa.Integer(), nullable=False),
        sa.Column("topic", sa.String(length=50), nullable=False),
        sa.Column("opted_in", sa.Boolean(), nullable=False),
        sa.Column("at", sa.DateTime(), nullable=False),
        sa.Column("source", sa.String(length=10), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=True),
        sa.Column("campaign_id", sa.Integer(), nullable=True),
        sa.CheckConstraint(
            "source IN ('link', 'staff', 'import')", name=op.f("ck_marketing_consent_event_source")
        ),
        sa.ForeignKeyConstraint(
            ["campaign_id"],
            ["marketing_campaign.id"],
            name=op.f("fk_marketing_consent_event_campaign_id_marketing_campaign"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["customer_id"],
            ["customer.id"],
            name=op.f("fk_marketing_consent_event_customer_id_customer"),
        ),
        sa.ForeignKeyConstraint(
            ["user_id"], ["user.id"], name=op.f("fk_marketing_consent_event_user_id_user")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_marketing_consent_event")),
    )
    with op.batch_alter_table("marketing_consent_event", schema=None) as batch_op:
        batch_op.create_index(
            "ix_marketing_consent_event_customer_at", ["customer_id", "at"], unique=False
        )

    op.create_table(
        "marketing_recipient",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("campaign_id", sa.Integer(), nullable=False),
        sa.Column("customer_id", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(length=12), nullable=False),
        sa.Column("email", sa.String(length=254), nullable=False),
        sa.Column("processed_at", sa.DateTime(), nullable=True),
        sa.Column("received_on", sa.Date(), nullable=True),
        sa.Column("outbox_id", sa.Integer(), nullable=True),
        sa.CheckConstraint(
            "status IN ('pending', 'queued', 'opted_out', 'no_address')",
            name=op.f("ck_marketing_recipient_status"),
        ),
        sa.ForeignKeyConstraint(
            ["campaign_id"],
            ["marketing_campaign.id"],
            name=op.f("fk_marketing_recipient_campaign_id_marketing_campaign"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["customer_id"],
            ["customer.id"],
            name=op.f("fk_marketing_recipient_customer_id_customer"),
        ),
        sa.ForeignKeyConstraint(
            ["outbox_id"],
            ["outbox.id"],
            name=op.f("fk_marketing_recipient_outbox_id_outbox"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_marketing_recipient")),
        sa.UniqueConstraint(
            "campaign_id", "customer_id", name=op.f("uq_marketing_recipient_campaign_id")
        ),
    )
    with op.batch_alter_table("marketing_recipient", schema=None) as batch_op:
        batch_op.create_index(
            "ix_marketing_recipient_campaign_status", ["campaign_id", "status"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_marketing_recipient_customer_id"), ["customer_id"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("marketing_recipient", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_marketing_recipient_customer_id"))
        batch_op.drop_index("ix_marketing_recipient_campaign_status")

    op.drop_table("marketing_recipient")
    with op.batch_alter_table("marketing_consent_event", schema=None) as batch_op:
        batch_op.drop_index("ix_marketing_consent_event_customer_at")

    op.drop_table("marketing_consent_event")
    op.drop_table("marketing_topic_opt_out")
    with op.batch_alter_table("marketing_campaign", schema=None) as batch_op:
        batch_op.drop_index("ix_marketing_campaign_status_scheduled_at")
        batch_op.drop_index(batch_op.f("ix_marketing_campaign_segment_id"))

    op.drop_table("marketing_campaign")
    op.drop_table("marketing_segment")
