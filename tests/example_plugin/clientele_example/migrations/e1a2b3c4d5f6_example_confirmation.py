"""Example plugin: the example_confirmation table.

Revision ID: e1a2b3c4d5f6
Revises:
Create Date: 2026-11-23
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "e1a2b3c4d5f6"
down_revision = None
branch_labels = ("example",)
depends_on = "c0a1b2c3d4e5"


def upgrade() -> None:
    op.create_table(
        "example_confirmation",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("order_id", sa.Integer(), nullable=False),
        sa.Column("customer_id", sa.Integer(), nullable=False),
        sa.Column("seen_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["customer_id"],
            ["customer.id"],
            name=op.f("fk_example_confirmation_customer_id_customer"),
        ),
        sa.ForeignKeyConstraint(
            ["order_id"], ["order.id"], name=op.f("fk_example_confirmation_order_id_order")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_example_confirmation")),
        sa.UniqueConstraint("order_id", name=op.f("uq_example_confirmation_order_id")),
    )
    op.create_index(
        op.f("ix_example_confirmation_customer_id"),
        "example_confirmation",
        ["customer_id"],
        unique=False,
    )


def downgrade() -> None:
    op.drop_index(op.f("ix_example_confirmation_customer_id"), table_name="example_confirmation")
    op.drop_table("example_confirmation")
