"""Customer issues: soft fields kept as typed but flagged for a person to check.

A phone that is no number in use, an e-mail that is no address, a birthday that is no date
are kept (the phone in customer.phone, the others here) instead of refusing the whole
import. Customers stored before this with a phone that has no E.164 form (only possible by
writing the table directly) get their digits as lookup value and an "unreadable" issue.

Revision ID: d2f3a4b5c6d7
Revises: d1e2f3a4b5c6
Create Date: 2026-12-03 14:00:00.000000
"""

from __future__ import annotations

import datetime as dt
import re

import sqlalchemy as sa
from alembic import op

revision = "d2f3a4b5c6d7"
down_revision = "d1e2f3a4b5c6"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "customer_issue",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("customer_id", sa.Integer(), nullable=False),
        sa.Column("field", sa.String(length=20), nullable=False),
        sa.Column("reason", sa.String(length=30), nullable=False),
        sa.Column("value", sa.String(length=254), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("dismissed_at", sa.DateTime(), nullable=True),
        sa.Column("dismissed_by_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["dismissed_by_id"],
            ["user.id"],
            name=op.f("fk_customer_issue_dismissed_by_id_user"),
        ),
        sa.ForeignKeyConstraint(
            ["customer_id"],
            ["customer.id"],
            name=op.f("fk_customer_issue_customer_id_customer"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_customer_issue")),
        sa.UniqueConstraint(
            "customer_id", "field", name=op.f("uq_customer_issue_customer_id_field")
        ),
    )
    with op.batch_alter_table("customer_issue", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_customer_issue_customer_id"), ["customer_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_customer_issue_created_at"), ["created_at"], unique=False
        )
    customer = sa.table(
        "customer",
        sa.column("id", sa.Integer),
        sa.column("phone", sa.String),
        sa.column("phone_normalized", sa.String),
    )
    issue = sa.table(
        "customer_issue",
        sa.column("customer_id", sa.Integer),
        sa.column("field", sa.String),
        sa.column("reason", sa.String),
        sa.column("value", sa.String),
        sa.column("created_at", sa.DateTime),
    )
    connection = op.get_bind()
    rows = connection.execute(
        sa.select(customer.c.id, customer.c.phone).where(
            customer.c.phone != "", customer.c.phone_normalized == ""
        )
    ).all()
    now = dt.datetime.now(dt.UTC).replace(tzinfo=None)
    for row in rows:
        digits = re.sub(r"\D", "", row.phone)[:20]
        connection.execute(
            customer.update().where(customer.c.id == row.id).values(phone_normalized=digits)
        )
        connection.execute(
            issue.insert().values(
                customer_id=row.id,
                field="phone",
                reason="unreadable" if digits else "no_digits",
                value=row.phone[:254],
                created_at=now,
            )
        )


def downgrade() -> None:
    with op.batch_alter_table("customer_issue", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_customer_issue_created_at"))
        batch_op.drop_index(batch_op.f("ix_customer_issue_customer_id"))
    op.drop_table("customer_issue")
