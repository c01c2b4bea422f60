"""Plugin state: which plugins were enabled at the last start and since when, so a plugin
enabled again catches up on the orders it missed while disabled.

Revision ID: c4a5b6c7d8e9
Revises: c3f4a5b6c7d8
Create Date: 2026-12-02 14:05:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "c4a5b6c7d8e9"
down_revision = "c3f4a5b6c7d8"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "plugin_state",
        sa.Column("name", sa.String(length=60), nullable=False),
        sa.Column("enabled", sa.Boolean(), nullable=False),
        sa.Column("changed_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("name", name=op.f("pk_plugin_state")),
    )


def downgrade() -> None:
    op.drop_table("plugin_state")
