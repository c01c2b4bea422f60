"""Worker heartbeat: each `clientele worker` process has a row it updates while alive, and a
job run names the worker running it, so a run left "running" by a killed worker is found and
marked "interrupted" when a worker starts.

Revision ID: c3f4a5b6c7d8
Revises: c2a3b4c5d6e7
Create Date: 2026-12-02 13:45:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "c3f4a5b6c7d8"
down_revision = "c2a3b4c5d6e7"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "worker_process",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("host", sa.String(length=255), nullable=False),
        sa.Column("pid", sa.Integer(), nullable=False),
        sa.Column("started_at", sa.DateTime(), nullable=False),
        sa.Column("seen_at", sa.DateTime(), nullable=False),
        sa.Column("stopped_at", sa.DateTime(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_worker_process")),
    )
    op.create_index(op.f("ix_worker_process_seen_at"), "worker_process", ["seen_at"], unique=False)
    with op.batch_alter_table("job_run", schema=None) as batch_op:
        batch_op.add_column(sa.Column("worker_id", sa.Integer(), nullable=True))
        batch_op.create_index(batch_op.f("ix_job_run_worker_id"), ["worker_id"], unique=False)
        batch_op.alter_column(
            "status", existing_type=sa.String(length=10), type_=sa.String(length=16)
        )


def downgrade() -> None:
    with op.batch_alter_table("job_run", schema=None) as batch_op:
        batch_op.alter_column(
            "status", existing_type=sa.String(length=16), type_=sa.String(length=10)
        )
        batch_op.drop_index(batch_op.f("ix_job_run_worker_id"))
        batch_op.drop_column("worker_id")
    op.drop_index(op.f("ix_worker_process_seen_at"), table_name="worker_process")
    op.drop_table("worker_process")
