"""Service desk: each history line keeps its message and arguments, to be shown in the reader's language.

Revision ID: sd02b3c4d5e6
Revises: sd01a2b3c4d5
Create Date: 2026-12-04
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "sd02b3c4d5e6"
down_revision = "sd01a2b3c4d5"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("service_desk_event") as batch:
        batch.add_column(sa.Column("message", sa.JSON(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("service_desk_event") as batch:
        batch.drop_column("message")
