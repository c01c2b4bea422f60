"""Customer merges: the record of who merged which customer into which, and the old keys.

Revision ID: d3a4b5c6d7e8
Revises: d2f3a4b5c6d7
Create Date: 2026-12-03 14:20:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "d3a4b5c6d7e8"
down_revision = "d2f3a4b5c6d7"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "customer_merge",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("kept_id", sa.Integer(), nullable=False),
        sa.Column("merged_customer_id", sa.Integer(), nullable=False),
        sa.Column("external_id", sa.String(length=64), nullable=True),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("email", sa.String(length=254), nullable=False),
        sa.Column("phone", sa.String(length=40), nullable=False),
        sa.Column("moved", sa.Text(), nullable=False),
        sa.Column("merged_by_id", sa.Integer(), nullable=True),
        sa.Column("merged_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["kept_id"], ["customer.id"], name=op.f("fk_customer_merge_kept_id_customer")
        ),
        sa.ForeignKeyConstraint(
            ["merged_by_id"], ["user.id"], name=op.f("fk_customer_merge_merged_by_id_user")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_customer_merge")),
        sa.UniqueConstraint("external_id", name=op.f("uq_customer_merge_external_id")),
    )
    with op.batch_alter_table("customer_merge", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_customer_merge_kept_id"), ["kept_id"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_customer_merge_merged_at"), ["merged_at"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("customer_merge", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_customer_merge_merged_at"))
        batch_op.drop_index(batch_op.f("ix_customer_merge_kept_id"))
    op.drop_table("customer_merge")
