"""Pipeline: stages, lost reasons, opportunities and their lines, stage moves, follow-ups,
orders made from deals and the pool's events.

Revision ID: pl01a2b3c4d5
Revises:
Create Date: 2026-12-03
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "pl01a2b3c4d5"
down_revision = None
branch_labels = ("pipeline",)
depends_on = "c0a1b2c3d4e5"


def upgrade() -> None:
    op.create_table(
        "pipeline_lost_reason",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_pipeline_lost_reason")),
        sa.UniqueConstraint("name", name=op.f("uq_pipeline_lost_reason_name")),
    )
    op.create_table(
        "pipeline_stage",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=60), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("probability", sa.Numeric(precision=7, scale=4), nullable=False),
        sa.Column("kind", sa.String(length=8), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.CheckConstraint("kind IN ('open', 'won', 'lost')", name=op.f("ck_pipeline_stage_kind")),
        sa.CheckConstraint(
            "probability >= 0 AND probability <= 1",
            name=op.f("ck_pipeline_stage_probability_fraction"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_pipeline_stage")),
        sa.UniqueConstraint("name", name=op.f("uq_pipeline_stage_name")),
    )
    op.create_table(
        "pipeline_opportunity",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("external_id", sa.String(length=64), nullable=True),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("customer_id", sa.Integer(), nullable=True),
        sa.Column("prospect_name", sa.String(length=200), nullable=False),
        sa.Column("prospect_company", sa.String(length=200), nullable=False),
        sa.Column("prospect_email", sa.String(length=254), nullable=False),
        sa.Column("prospect_phone", sa.String(length=40), nullable=False),
        sa.Column("channel", sa.String(length=50), nullable=False),
        sa.Column("owner_id", sa.Integer(), nullable=True),
        sa.Column("stage_id", sa.Integer(), nullable=False),
        sa.Column("probability", sa.Numeric(precision=7, scale=4), nullable=False),
        sa.Column("probability_manual", sa.Boolean(), nullable=False),
        sa.Column("amount", sa.Numeric(precision=14, scale=2), nullable=True),
        sa.Column("expected_close_on", sa.Date(), nullable=True),
        sa.Column("next_activity", sa.String(length=200), nullable=False),
        sa.Column("next_activity_on", sa.Date(), nullable=True),
        sa.Column("lost_reason_id", sa.Integer(), nullable=True),
        sa.Column("lost_from_stage_id", sa.Integer(), nullable=True),
        sa.Column("opened_on", sa.Date(), nullable=False),
        sa.Column("closed_on", sa.Date(), nullable=True),
        sa.Column("stage_since", sa.DateTime(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.CheckConstraint(
            "amount IS NULL OR amount >= 0",
            name=op.f("ck_pipeline_opportunity_amount_not_negative"),
        ),
        sa.CheckConstraint(
            "probability >= 0 AND probability <= 1",
            name=op.f("ck_pipeline_opportunity_probability_fraction"),
        ),
        sa.ForeignKeyConstraint(
            ["customer_id"],
            ["customer.id"],
            name=op.f("fk_pipeline_opportunity_customer_id_customer"),
        ),
        sa.ForeignKeyConstraint(
            ["lost_from_stage_id"],
            ["pipeline_stage.id"],
            name=op.f("fk_pipeline_opportunity_lost_from_stage_id_pipeline_stage"),
        ),
        sa.ForeignKeyConstraint(
            ["lost_reason_id"],
            ["pipeline_lost_reason.id"],
            name=op.f("fk_pipeline_opportunity_lost_reason_id_pipeline_lost_reason"),
        ),
        sa.ForeignKeyConstraint(
            ["owner_id"], ["user.id"], name=op.f("fk_pipeline_opportunity_owner_id_user")
        ),
        sa.ForeignKeyConstraint(
            ["stage_id"],
            ["pipeline_stage.id"],
            name=op.f("fk_pipeline_opportunity_stage_id_pipeline_stage"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_pipeline_opportunity")),
        sa.UniqueConstraint("external_id", name=op.f("uq_pipeline_opportunity_external_id")),
    )
    op.create_index(
        op.f("ix_pipeline_opportunity_channel"), "pipeline_opportunity", ["channel"], unique=False
    )
    op.create_index(
        op.f("ix_pipeline_opportunity_closed_on"),
        "pipeline_opportunity",
        ["closed_on"],
        unique=False,
    )
    op.create_index(
        op.f("ix_pipeline_opportunity_customer_id"),
        "pipeline_opportunity",
        ["customer_id"],
        unique=False,
    )
    op.create_index(
        op.f("ix_pipeline_opportunity_expected_close_on"),
        "pipeline_opportunity",
        ["expected_close_on"],
        unique=False,
    )
    op.create_index(
        op.f("ix_pipeline_opportunity_owner_id"), "pipeline_opportunity", ["owner_id"], unique=False
    )
    op.create_index(
        "ix_pipeline_opportunity_stage_id_id",
        "pipeline_opportunity",
        ["stage_id", "id"],
        unique=False,
    )
    op.create_table(
        "pipeline_follow_up",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("opportunity_id", sa.Integer(), nullable=True),
        sa.Column("customer_id", sa.Integer(), nullable=True),
        sa.Column("kind", sa.String(length=10), nullable=False),
        sa.Column("at", sa.DateTime(), nullable=False),
        sa.Column("notes", sa.Text(), nullable=False),
        sa.Column("outcome", sa.String(length=200), nullable=False),
        sa.Column("next_contact_on", sa.Date(), nullable=True),
        sa.Column("user_id", sa.Integer(), nullable=True),
        sa.CheckConstraint(
            "kind IN ('call', 'visit', 'meeting', 'email')", name=op.f("ck_pipeline_follow_up_kind")
        ),
        sa.CheckConstraint(
            "opportunity_id IS NOT NULL OR customer_id IS NOT NULL",
            name=op.f("ck_pipeline_follow_up_has_subject"),
        ),
        sa.ForeignKeyConstraint(
            ["customer_id"],
            ["customer.id"],
            name=op.f("fk_pipeline_follow_up_customer_id_customer"),
        ),
        sa.ForeignKeyConstraint(
            ["opportunity_id"],
            ["pipeline_opportunity.id"],
            name=op.f("fk_pipeline_follow_up_opportunity_id_pipeline_opportunity"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["user_id"], ["user.id"], name=op.f("fk_pipeline_follow_up_user_id_user")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_pipeline_follow_up")),
    )
    op.create_index(op.f("ix_pipeline_follow_up_at"), "pipeline_follow_up", ["at"], unique=False)
    op.create_index(
        op.f("ix_pipeline_follow_up_customer_id"),
        "pipeline_follow_up",
        ["customer_id"],
        unique=False,
    )
    op.create_index(
        op.f("ix_pipeline_follow_up_opportunity_id"),
        "pipeline_follow_up",
        ["opportunity_id"],
        unique=False,
    )
    op.create_table(
        "pipeline_line",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("opportunity_id", sa.Integer(), nullable=False),
        sa.Column("product_id", sa.Integer(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("quantity", sa.Numeric(precision=12, scale=3), nullable=False),
        sa.Column("unit_price", sa.Numeric(precision=14, scale=2), nullable=False),
        sa.ForeignKeyConstraint(
            ["opportunity_id"],
            ["pipeline_opportunity.id"],
            name=op.f("fk_pipeline_line_opportunity_id_pipeline_opportunity"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["product_id"], ["product.id"], name=op.f("fk_pipeline_line_product_id_product")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_pipeline_line")),
    )
    op.create_index(
        op.f("ix_pipeline_line_opportunity_id"), "pipeline_line", ["opportunity_id"], unique=False
    )
    op.create_index(
        op.f("ix_pipeline_line_product_id"), "pipeline_line", ["product_id"], unique=False
    )
    op.create_table(
        "pipeline_opportunity_order",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("opportunity_id", sa.Integer(), nullable=False),
        sa.Column("order_id", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["opportunity_id"],
            ["pipeline_opportunity.id"],
            name=op.f("fk_pipeline_opportunity_order_opportunity_id_pipeline_opportunity"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["order_id"], ["order.id"], name=op.f("fk_pipeline_opportunity_order_order_id_order")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_pipeline_opportunity_order")),
        sa.UniqueConstraint("order_id", name=op.f("uq_pipeline_opportunity_order_order_id")),
    )
    op.create_index(
        op.f("ix_pipeline_opportunity_order_opportunity_id"),
        "pipeline_opportunity_order",
        ["opportunity_id"],
        unique=False,
    )
    op.create_table(
        "pipeline_pool_event",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("opportunity_id", sa.Integer(), nullable=False),
        sa.Column("action", sa.String(length=8), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=True),
        sa.Column("at", sa.DateTime(), nullable=False),
        sa.Column("note", sa.String(length=200), nullable=False),
        sa.CheckConstraint(
            "action IN ('release', 'claim')", name=op.f("ck_pipeline_pool_event_action")
        ),
        sa.ForeignKeyConstraint(
            ["opportunity_id"],
            ["pipeline_opportunity.id"],
            name=op.f("fk_pipeline_pool_event_opportunity_id_pipeline_opportunity"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["user_id"], ["user.id"], name=op.f("fk_pipeline_pool_event_user_id_user")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_pipeline_pool_event")),
    )
    op.create_index(
        op.f("ix_pipeline_pool_event_opportunity_id"),
        "pipeline_pool_event",
        ["opportunity_id"],
        unique=False,
    )
    op.create_index(
        op.f("ix_pipeline_pool_event_user_id"), "pipeline_pool_event", ["user_id"], unique=False
    )
    op.create_table(
        "pipeline_stage_move",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("opportunity_id", sa.Integer(), nullable=False),
        sa.Column("from_stage_id", sa.Integer(), nullable=True),
        sa.Column("to_stage_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=True),
        sa.Column("at", sa.DateTime(), nullable=False),
        sa.Column("note", sa.String(length=200), nullable=False),
        sa.ForeignKeyConstraint(
            ["from_stage_id"],
            ["pipeline_stage.id"],
            name=op.f("fk_pipeline_stage_move_from_stage_id_pipeline_stage"),
        ),
        sa.ForeignKeyConstraint(
            ["opportunity_id"],
            ["pipeline_opportunity.id"],
            name=op.f("fk_pipeline_stage_move_opportunity_id_pipeline_opportunity"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["to_stage_id"],
            ["pipeline_stage.id"],
            name=op.f("fk_pipeline_stage_move_to_stage_id_pipeline_stage"),
        ),
        sa.ForeignKeyConstraint(
            ["user_id"], ["user.id"], name=op.f("fk_pipeline_stage_move_user_id_user")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_pipeline_stage_move")),
    )
    op.create_index(
        "ix_pipeline_stage_move_opportunity_id_at",
        "pipeline_stage_move",
        ["opportunity_id", "at"],
        unique=False,
    )
    op.create_index(
        op.f("ix_pipeline_stage_move_to_stage_id"),
        "pipeline_stage_move",
        ["to_stage_id"],
        unique=False,
    )


def downgrade() -> None:
    op.drop_index(op.f("ix_pipeline_stage_move_to_stage_id"), table_name="pipeline_stage_move")
    op.drop_index("ix_pipeline_stage_move_opportunity_id_at", table_name="pipeline_stage_move")
    op.drop_table("pipeline_stage_move")
    op.drop_index(op.f("ix_pipeline_pool_event_user_id"), table_name="pipeline_pool_event")
    op.drop_index(op.f("ix_pipeline_pool_event_opportunity_id"), table_name="pipeline_pool_event")
    op.drop_table("pipeline_pool_event")
    op.drop_index(
        op.f("ix_pipeline_opportunity_order_opportunity_id"),
        table_name="pipeline_opportunity_order",
    )
    op.drop_table("pipeline_opportunity_order")
    op.drop_index(op.f("ix_pipeline_line_product_id"), table_name="pipeline_line")
    op.drop_index(op.f("ix_pipeline_line_opportunity_id"), table_name="pipeline_line")
    op.drop_table("pipeline_line")
    op.drop_index(op.f("ix_pipeline_follow_up_opportunity_id"), table_name="pipeline_follow_up")
    op.drop_index(op.f("ix_pipeline_follow_up_customer_id"), table_name="pipeline_follow_up")
    op.drop_index(op.f("ix_pipeline_follow_up_at"), table_name="pipeline_follow_up")
    op.drop_table("pipeline_follow_up")
    op.drop_index("ix_pipeline_opportunity_stage_id_id", table_name="pipeline_opportunity")
    op.drop_index(op.f("ix_pipeline_opportunity_owner_id"), table_name="pipeline_opportunity")
    op.drop_index(
        op.f("ix_pipeline_opportunity_expected_close_on"), table_name="pipeline_opportunity"
    )
    op.drop_index(op.f("ix_pipeline_opportunity_customer_id"), table_name="pipeline_opportunity")
    op.drop_index(op.f("ix_pipeline_opportunity_closed_on"), table_name="pipeline_opportunity")
    op.drop_index(op.f("ix_pipeline_opportunity_channel"), table_name="pipeline_opportunity")
    op.drop_table("pipeline_opportunity")
    op.drop_table("pipeline_stage")
    op.drop_table("pipeline_lost_reason")
