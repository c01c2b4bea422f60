"""sales_commission: rule versions and tiers, entries, statements, splits and snapshots.

Revision ID: sc1a2b3c4d5e
Revises:
Create Date: 2026-11-23
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "sc1a2b3c4d5e"
down_revision = None
branch_labels = ("sales_commission",)
depends_on = "c0a1b2c3d4e5"


def upgrade() -> None:
    op.create_table(
        "sales_commission_rule_version",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("effective_from", sa.Date(), nullable=False),
        sa.Column("base", sa.String(length=10), nullable=False),
        sa.Column("grade_by", sa.String(length=10), nullable=False),
        sa.Column("note", sa.String(length=200), nullable=False),
        sa.Column("source", sa.String(length=20), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
        sa.CheckConstraint(
            "base IN ('revenue', 'profit')", name=op.f("ck_sales_commission_rule_version_base")
        ),
        sa.CheckConstraint(
            "grade_by IN ('line', 'product')",
            name=op.f("ck_sales_commission_rule_version_grade_by"),
        ),
        sa.ForeignKeyConstraint(
            ["created_by_id"],
            ["user.id"],
            name=op.f("fk_sales_commission_rule_version_created_by_id_user"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_sales_commission_rule_version")),
        sa.UniqueConstraint(
            "effective_from", name=op.f("uq_sales_commission_rule_version_effective_from")
        ),
    )
    op.create_table(
        "sales_commission_statement",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("salesperson_id", sa.Integer(), nullable=False),
        sa.Column("period", sa.String(length=7), nullable=False),
        sa.Column("status", sa.String(length=10), nullable=False),
        sa.Column("carry_to", sa.String(length=7), nullable=False),
        sa.Column("approved_at", sa.DateTime(), nullable=False),
        sa.Column("approved_by_id", sa.Integer(), nullable=True),
        sa.Column("paid_on", sa.Date(), nullable=True),
        sa.Column("payment_reference", sa.String(length=100), nullable=False),
        sa.Column("paid_at", sa.DateTime(), nullable=True),
        sa.Column("paid_by_id", sa.Integer(), nullable=True),
        sa.CheckConstraint(
            "status IN ('approved', 'paid')", name=op.f("ck_sales_commission_statement_status")
        ),
        sa.ForeignKeyConstraint(
            ["approved_by_id"],
            ["user.id"],
            name=op.f("fk_sales_commission_statement_approved_by_id_user"),
        ),
        sa.ForeignKeyConstraint(
            ["paid_by_id"], ["user.id"], name=op.f("fk_sales_commission_statement_paid_by_id_user")
        ),
        sa.ForeignKeyConstraint(
            ["salesperson_id"],
            ["user.id"],
            name=op.f("fk_sales_commission_statement_salesperson_id_user"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_sales_commission_statement")),
        sa.UniqueConstraint(
            "salesperson_id", "period", name=op.f("uq_sales_commission_statement_salesperson_id")
        ),
    )
    op.create_table(
        "sales_commission_rule_tier",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("version_id", sa.Integer(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=40), nullable=False),
        sa.Column("min_margin", sa.Numeric(precision=7, scale=4), nullable=False),
        sa.Column("rate", sa.Numeric(precision=7, scale=4), nullable=False),
        sa.ForeignKeyConstraint(
            ["version_id"],
            ["sales_commission_rule_version.id"],
            name=op.f("fk_sales_commission_rule_tier_version_id_sales_commission_rule_version"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_sales_commission_rule_tier")),
        sa.UniqueConstraint("name", "version_id", name=op.f("uq_sales_commission_rule_tier_name")),
        sa.UniqueConstraint(
            "position", "version_id", name=op.f("uq_sales_commission_rule_tier_position")
        ),
    )
    op.create_table(
        "sales_commission_cancellation",
        sa.Column("order_id", sa.Integer(), nullable=False),
        sa.Column("cancelled_on", sa.Date(), nullable=False),
        sa.ForeignKeyConstraint(
            ["order_id"],
            ["order.id"],
            name=op.f("fk_sales_commission_cancellation_order_id_order"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("order_id", name=op.f("pk_sales_commission_cancellation")),
    )
    with op.batch_alter_table("sales_commission_cancellation", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_sales_commission_cancellation_cancelled_on"),
            ["cancelled_on"],
            unique=False,
        )

    op.create_table(
        "sales_commission_split",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("order_id", sa.Integer(), nullable=False),
        sa.Column("salesperson_id", sa.Integer(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("percent", sa.Numeric(precision=5, scale=2), nullable=False),
        sa.Column("changed_at", sa.DateTime(), nullable=False),
        sa.Column("changed_by_id", sa.Integer(), nullable=True),
        sa.CheckConstraint(
            "percent > 0 AND percent <= 100", name=op.f("ck_sales_commission_split_percent_range")
        ),
        sa.ForeignKeyConstraint(
            ["changed_by_id"],
            ["user.id"],
            name=op.f("fk_sales_commission_split_changed_by_id_user"),
        ),
        sa.ForeignKeyConstraint(
            ["order_id"],
            ["order.id"],
            name=op.f("fk_sales_commission_split_order_id_order"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["salesperson_id"],
            ["user.id"],
            name=op.f("fk_sales_commission_split_salesperson_id_user"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_sales_commission_split")),
        sa.UniqueConstraint(
            "position", "order_id", name=op.f("uq_sales_commission_split_position")
        ),
        sa.UniqueConstraint(
            "salesperson_id", "order_id", name=op.f("uq_sales_commission_split_salesperson_id")
        ),
    )
    with op.batch_alter_table("sales_commission_split", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_sales_commission_split_order_id"), ["order_id"], unique=False
        )

    op.create_table(
        "sales_commission_entry",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("salesperson_id", sa.Integer(), nullable=False),
        sa.Column("period", sa.String(length=7), nullable=False),
        sa.Column("sale_period", sa.String(length=7), nullable=False),
        sa.Column("kind", sa.String(length=12), nullable=False),
        sa.Column("event_date", sa.Date(), nullable=False),
        sa.Column("order_id", sa.Integer(), nullable=False),
        sa.Column("order_line_id", sa.Integer(), nullable=True),
        sa.Column("line_position", sa.Integer(), nullable=False),
        sa.Column("customer_id", sa.Integer(), nullable=False),
        sa.Column("product_id", sa.Integer(), nullable=False),
        sa.Column("quantity", sa.Numeric(precision=12, scale=3), nullable=False),
        sa.Column("unit_price", sa.Numeric(precision=14, scale=2), nullable=False),
        sa.Column("discount", sa.Numeric(precision=7, scale=4), nullable=False),
        sa.Column("unit_cost", sa.Numeric(precision=14, scale=2), nullable=False),
        sa.Column("line_net", sa.Numeric(precision=14, scale=2), nullable=False),
        sa.Column("line_cost", sa.Numeric(precision=14, scale=2), nullable=False),
        sa.Column("grading_revenue", sa.Numeric(precision=14, scale=2), nullable=False),
        sa.Column("grading_profit", sa.Numeric(precision=14, scale=2), nullable=False),
        sa.Column("margin", sa.Numeric(precision=10, scale=6), nullable=True),
        sa.Column("rule_version_id", sa.Integer(), nullable=False),
        sa.Column("base_kind", sa.String(length=10), nullable=False),
        sa.Column("grade_by", sa.String(length=10), nullable=False),
        sa.Column("tier", sa.String(length=40), nullable=True),
        sa.Column("rate", sa.Numeric(precision=7, scale=4), nullable=False),
        sa.Column("line_base", sa.Numeric(precision=14, scale=2), nullable=False),
        sa.Column("line_commission", sa.Numeric(precision=14, scale=2), nullable=False),
        sa.Column("share", sa.Numeric(precision=5, scale=2), nullable=False),
        sa.Column("net", sa.Numeric(precision=14, scale=2), nullable=False),
        sa.Column("cost", sa.Numeric(precision=14, scale=2), nullable=False),
        sa.Column("profit", sa.Numeric(precision=14, scale=2), nullable=False),
        sa.Column("amount", sa.Numeric(precision=14, scale=2), nullable=False),
        sa.Column("reason", sa.String(length=60), nullable=False),
        sa.Column("corrects_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.CheckConstraint(
            "kind IN ('sale', 'refund', 'cancellation', 'correction')",
            name=op.f("ck_sales_commission_entry_kind"),
        ),
        sa.ForeignKeyConstraint(
            ["corrects_id"],
            ["sales_commission_entry.id"],
            name=op.f("fk_sales_commission_entry_corrects_id_sales_commission_entry"),
        ),
        sa.ForeignKeyConstraint(
            ["customer_id"],
            ["customer.id"],
            name=op.f("fk_sales_commission_entry_customer_id_customer"),
        ),
        sa.ForeignKeyConstraint(
            ["order_id"], ["order.id"], name=op.f("fk_sales_commission_entry_order_id_order")
        ),
        sa.ForeignKeyConstraint(
            ["order_line_id"],
            ["order_line.id"],
            name=op.f("fk_sales_commission_entry_order_line_id_order_line"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["product_id"],
            ["product.id"],
            name=op.f("fk_sales_commission_entry_product_id_product"),
        ),
        sa.ForeignKeyConstraint(
            ["rule_version_id"],
            ["sales_commission_rule_version.id"],
            name=op.f("fk_sales_commission_entry_rule_version_id_sales_commission_rule_version"),
        ),
        sa.ForeignKeyConstraint(
            ["salesperson_id"],
            ["user.id"],
            name=op.f("fk_sales_commission_entry_salesperson_id_user"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_sales_commission_entry")),
    )
    with op.batch_alter_table("sales_commission_entry", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_sales_commission_entry_corrects_id"), ["corrects_id"], unique=False
        )
        batch_op.create_index(
            "ix_sales_commission_entry_customer", ["customer_id", "salesperson_id"], unique=False
        )
        batch_op.create_index(
            "ix_sales_commission_entry_line_salesperson",
            ["order_line_id", "salesperson_id"],
            unique=False,
        )
        batch_op.create_index(
            batch_op.f("ix_sales_commission_entry_order_id"), ["order_id"], unique=False
        )
        batch_op.create_index(
            "ix_sales_commission_entry_period_salesperson",
            ["period", "salesperson_id"],
            unique=False,
        )

    op.create_table(
        "sales_commission_line_grade",
        sa.Column("order_line_id", sa.Integer(), nullable=False),
        sa.Column("list_price", sa.Numeric(precision=14, scale=2), nullable=False),
        sa.Column("product_cost", sa.Numeric(precision=14, scale=2), nullable=False),
        sa.ForeignKeyConstraint(
            ["order_line_id"],
            ["order_line.id"],
            name=op.f("fk_sales_commission_line_grade_order_line_id_order_line"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("order_line_id", name=op.f("pk_sales_commission_line_grade")),
    )


def downgrade() -> None:
    op.drop_table("sales_commission_line_grade")
    with op.batch_alter_table("sales_commission_entry", schema=None) as batch_op:
        batch_op.drop_index("ix_sales_commission_entry_period_salesperson")
        batch_op.drop_index(batch_op.f("ix_sales_commission_entry_order_id"))
        batch_op.drop_index("ix_sales_commission_entry_line_salesperson")
        batch_op.drop_index("ix_sales_commission_entry_customer")
        batch_op.drop_index(batch_op.f("ix_sales_commission_entry_corrects_id"))

    op.drop_table("sales_commission_entry")
    with op.batch_alter_table("sales_commission_split", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_sales_commission_split_order_id"))

    op.drop_table("sales_commission_split")
    with op.batch_alter_table("sales_commission_cancellation", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_sales_commission_cancellation_cancelled_on"))

    op.drop_table("sales_commission_cancellation")
    op.drop_table("sales_commission_rule_tier")
    op.drop_table("sales_commission_statement")
    op.drop_table("sales_commission_rule_version")
