"""Outbox: the recipient's unsubscribe link, sent as List-Unsubscribe (RFC 8058).

Revision ID: c2e3f4a5b6c7
Revises: d0e1f2a3b4c5
Create Date: 2026-12-02 13:30:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "c2e3f4a5b6c7"
down_revision = "d0e1f2a3b4c5"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("outbox", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("unsubscribe_url", sa.String(length=500), server_default="", nullable=False)
        )


def downgrade() -> None:
    with op.batch_alter_table("outbox", schema=None) as batch_op:
        batch_op.drop_column("unsubscribe_url")
