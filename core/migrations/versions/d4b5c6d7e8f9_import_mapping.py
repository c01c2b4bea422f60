"""Saved column mappings of the web import, by name per import kind.

Revision ID: d4b5c6d7e8f9
Revises: d3a4b5c6d7e8
Create Date: 2026-12-04 13:15:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "d4b5c6d7e8f9"
down_revision = "d3a4b5c6d7e8"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "import_mapping",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("name", sa.String(length=80), nullable=False),
        sa.Column("columns", sa.Text(), nullable=False),
        sa.Column("saved_by_id", sa.Integer(), nullable=True),
        sa.Column("saved_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["saved_by_id"],
            ["user.id"],
            name=op.f("fk_import_mapping_saved_by_id_user"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_import_mapping")),
        sa.UniqueConstraint("kind", "name", name=op.f("uq_import_mapping_kind")),
    )


def downgrade() -> None:
    op.drop_table("import_mapping")
