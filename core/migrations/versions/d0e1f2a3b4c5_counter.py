"""Counters: order numbers come from a locked row, so two orders created at once never share one.

The order-number counter starts at the highest order id, which is where the old rule
(highest id + 1, skipping numbers already taken) would have gone on: existing numbering
carries on unchanged.

Revision ID: d0e1f2a3b4c5
Revises: c1d2e3f4a5b6
Create Date: 2026-12-02 13:20:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "d0e1f2a3b4c5"
down_revision = "c1d2e3f4a5b6"
branch_labels = None
depends_on = None


def upgrade() -> None:
    counter = op.create_table(
        "counter",
        sa.Column("name", sa.String(length=40), nullable=False),
        sa.Column("value", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("name", name=op.f("pk_counter")),
    )
    highest = op.get_bind().scalar(sa.text('SELECT MAX(id) FROM "order"')) or 0
    op.bulk_insert(counter, [{"name": "order_number", "value": int(highest)}])


def downgrade() -> None:
    op.drop_table("counter")
