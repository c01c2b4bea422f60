"""Pipeline: the pool keeps customers released and claimed too (pool events on a customer).

Revision ID: pl02b3c4d5e6
Revises: pl01a2b3c4d5
Create Date: 2026-12-03
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "pl02b3c4d5e6"
down_revision = "pl01a2b3c4d5"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("pipeline_pool_event") as batch:
        batch.add_column(sa.Column("customer_id", sa.Integer(), nullable=True))
        batch.alter_column("opportunity_id", existing_type=sa.Integer(), nullable=True)
        batch.create_index(
            batch.f("ix_pipeline_pool_event_customer_id"), ["customer_id"], unique=False
        )
        batch.create_foreign_key(
            batch.f("fk_pipeline_pool_event_customer_id_customer"),
            "customer",
            ["customer_id"],
            ["id"],
        )
        batch.create_check_constraint(
            batch.f("ck_pipeline_pool_event_has_subject"),
            "opportunity_id IS NOT NULL OR customer_id IS NOT NULL",
        )


def downgrade() -> None:
    op.execute("DELETE FROM pipeline_pool_event WHERE opportunity_id IS NULL")
    with op.batch_alter_table("pipeline_pool_event") as batch:
        batch.drop_constraint(batch.f("ck_pipeline_pool_event_has_subject"), type_="check")
        batch.drop_constraint(
            batch.f("fk_pipeline_pool_event_customer_id_customer"), type_="foreignkey"
        )
        batch.drop_index(batch.f("ix_pipeline_pool_event_customer_id"))
        batch.alter_column("opportunity_id", existing_type=sa.Integer(), nullable=False)
        batch.drop_column("customer_id")
