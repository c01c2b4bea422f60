"""Loyalty: value snapshot, tier cutoffs, tier and stage history, interactions, preferences, care tasks, greetings.

Revision ID: lo01a2b3c4d5
Revises:
Create Date: 2026-11-23
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "lo01a2b3c4d5"
down_revision = None
branch_labels = ("loyalty",)
depends_on = "c0a1b2c3d4e5"


def _customer_fk(table: str) -> sa.ForeignKeyConstraint:
    """The customer_id foreign key every loyalty table has (rows go with the customer)."""
    return sa.ForeignKeyConstraint(
        ["customer_id"],
        ["customer.id"],
        name=op.f(f"fk_{table}_customer_id_customer"),
        ondelete="CASCADE",
    )


def upgrade() -> None:
    op.create_table(
        "loyalty_customer_value",
        sa.Column("customer_id", sa.Integer(), nullable=False),
        sa.Column("as_of", sa.Date(), nullable=False),
        sa.Column("profit_12m_cents", sa.BigInteger(), nullable=False),
        sa.Column("profit_previous_12m_cents", sa.BigInteger(), nullable=False),
        sa.Column("orders_12m", sa.Integer(), nullable=False),
        sa.Column("order_count", sa.Integer(), nullable=False),
        sa.Column("first_order_on", sa.Date(), nullable=True),
        sa.Column("previous_order_on", sa.Date(), nullable=True),
        sa.Column("last_order_on", sa.Date(), nullable=True),
        sa.Column("usual_interval_days", sa.Integer(), nullable=False),
        sa.Column("last_gap_days", sa.Integer(), nullable=True),
        sa.Column("interval_before_last_days", sa.Integer(), nullable=False),
        sa.Column("tier", sa.String(length=50), nullable=True),
        sa.Column("tier_since", sa.DateTime(), nullable=True),
        sa.Column("stage", sa.String(length=20), nullable=True),
        sa.Column("stage_since", sa.DateTime(), nullable=True),
        sa.Column("computed_at", sa.DateTime(), nullable=False),
        _customer_fk("loyalty_customer_value"),
        sa.PrimaryKeyConstraint("customer_id", name=op.f("pk_loyalty_customer_value")),
    )
    op.create_index(
        "ix_loyalty_customer_value_profit", "loyalty_customer_value", ["profit_12m_cents"]
    )
    op.create_index("ix_loyalty_customer_value_stage", "loyalty_customer_value", ["stage"])
    op.create_index(
        "ix_loyalty_customer_value_tier_profit",
        "loyalty_customer_value",
        ["tier", "profit_12m_cents"],
    )

    op.create_table(
        "loyalty_tier_cutoff",
        sa.Column("tier", sa.String(length=50), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("min_profit_cents", sa.BigInteger(), nullable=False),
        sa.Column("ranked_customers", sa.Integer(), nullable=False),
        sa.Column("computed_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("tier", name=op.f("pk_loyalty_tier_cutoff")),
    )

    op.create_table(
        "loyalty_tier_change",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("customer_id", sa.Integer(), nullable=False),
        sa.Column("from_tier", sa.String(length=50), nullable=True),
        sa.Column("to_tier", sa.String(length=50), nullable=True),
        sa.Column("profit_12m_cents", sa.BigInteger(), nullable=False),
        sa.Column("changed_at", sa.DateTime(), nullable=False),
        sa.Column("reason", sa.String(length=200), nullable=False),
        _customer_fk("loyalty_tier_change"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_loyalty_tier_change")),
    )
    op.create_index(
        op.f("ix_loyalty_tier_change_changed_at"), "loyalty_tier_change", ["changed_at"]
    )
    op.create_index(
        "ix_loyalty_tier_change_customer_at", "loyalty_tier_change", ["customer_id", "changed_at"]
    )

    op.create_table(
        "loyalty_stage_change",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("customer_id", sa.Integer(), nullable=False),
        sa.Column("from_stage", sa.String(length=20), nullable=True),
        sa.Column("to_stage", sa.String(length=20), nullable=False),
        sa.Column("changed_at", sa.DateTime(), nullable=False),
        sa.Column("reason", sa.String(length=200), nullable=False),
        _customer_fk("loyalty_stage_change"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_loyalty_stage_change")),
    )
    op.create_index(
        op.f("ix_loyalty_stage_change_changed_at"), "loyalty_stage_change", ["changed_at"]
    )
    op.create_index(
        "ix_loyalty_stage_change_customer_at", "loyalty_stage_change", ["customer_id", "changed_at"]
    )

    op.create_table(
        "loyalty_interaction",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("customer_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=True),
        sa.Column("kind", sa.String(length=10), nullable=False),
        sa.Column("happened_at", sa.DateTime(), nullable=False),
        sa.Column("summary", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        _customer_fk("loyalty_interaction"),
        sa.ForeignKeyConstraint(
            ["user_id"], ["user.id"], name=op.f("fk_loyalty_interaction_user_id_user")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_loyalty_interaction")),
    )
    op.create_index(
        "ix_loyalty_interaction_customer_at", "loyalty_interaction", ["customer_id", "happened_at"]
    )

    op.create_table(
        "loyalty_preference",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("customer_id", sa.Integer(), nullable=False),
        sa.Column("category", sa.String(length=100), nullable=False),
        sa.Column("sentiment", sa.String(length=10), nullable=False),
        sa.Column("text", sa.String(length=500), nullable=False),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["created_by_id"], ["user.id"], name=op.f("fk_loyalty_preference_created_by_id_user")
        ),
        _customer_fk("loyalty_preference"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_loyalty_preference")),
    )
    op.create_index(
        op.f("ix_loyalty_preference_customer_id"), "loyalty_preference", ["customer_id"]
    )

    op.create_table(
        "loyalty_care_task",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("customer_id", sa.Integer(), nullable=False),
        sa.Column("assignee_id", sa.Integer(), nullable=True),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("reason", sa.String(length=200), nullable=False),
        sa.Column("due_on", sa.Date(), nullable=False),
        sa.Column("status", sa.String(length=10), nullable=False),
        sa.Column("open_key", sa.String(length=40), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("completed_at", sa.DateTime(), nullable=True),
        sa.Column("completed_by_id", sa.Integer(), nullable=True),
        sa.Column("notes", sa.Text(), nullable=False),
        sa.Column("interaction_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["assignee_id"], ["user.id"], name=op.f("fk_loyalty_care_task_assignee_id_user")
        ),
        sa.ForeignKeyConstraint(
            ["completed_by_id"], ["user.id"], name=op.f("fk_loyalty_care_task_completed_by_id_user")
        ),
        _customer_fk("loyalty_care_task"),
        sa.ForeignKeyConstraint(
            ["interaction_id"],
            ["loyalty_interaction.id"],
            name=op.f("fk_loyalty_care_task_interaction_id_loyalty_interaction"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_loyalty_care_task")),
        sa.UniqueConstraint("open_key", name=op.f("uq_loyalty_care_task_open_key")),
    )
    op.create_index(
        "ix_loyalty_care_task_assignee_status_due",
        "loyalty_care_task",
        ["assignee_id", "status", "due_on"],
    )
    op.create_index(
        "ix_loyalty_care_task_customer_kind", "loyalty_care_task", ["customer_id", "kind"]
    )
    op.create_index("ix_loyalty_care_task_status_due", "loyalty_care_task", ["status", "due_on"])

    op.create_table(
        "loyalty_greeting_template",
        sa.Column("occasion", sa.String(length=20), nullable=False),
        sa.Column("subject", sa.String(length=300), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.Column("updated_by_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["updated_by_id"],
            ["user.id"],
            name=op.f("fk_loyalty_greeting_template_updated_by_id_user"),
        ),
        sa.PrimaryKeyConstraint("occasion", name=op.f("pk_loyalty_greeting_template")),
    )

    op.create_table(
        "loyalty_greeting",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("customer_id", sa.Integer(), nullable=False),
        sa.Column("occasion", sa.String(length=20), nullable=False),
        sa.Column("occasion_on", sa.Date(), nullable=False),
        sa.Column("holiday_name", sa.String(length=100), nullable=False),
        sa.Column("subject", sa.String(length=300), nullable=False),
        sa.Column("outbox_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        _customer_fk("loyalty_greeting"),
        sa.ForeignKeyConstraint(
            ["outbox_id"],
            ["outbox.id"],
            name=op.f("fk_loyalty_greeting_outbox_id_outbox"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_loyalty_greeting")),
        sa.UniqueConstraint(
            "customer_id", "occasion", "occasion_on", name=op.f("uq_loyalty_greeting_customer_id")
        ),
    )
    op.create_index(
        "ix_loyalty_greeting_customer_created", "loyalty_greeting", ["customer_id", "created_at"]
    )


def downgrade() -> None:
    op.drop_table("loyalty_greeting")
    op.drop_table("loyalty_greeting_template")
    op.drop_table("loyalty_care_task")
    op.drop_table("loyalty_preference")
    op.drop_table("loyalty_interaction")
    op.drop_table("loyalty_stage_change")
    op.drop_table("loyalty_tier_change")
    op.drop_table("loyalty_tier_cutoff")
    op.drop_table("loyalty_customer_value")
