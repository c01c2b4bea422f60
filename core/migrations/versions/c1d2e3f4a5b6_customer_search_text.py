"""Customer search text: name, company, e-mail and city folded, so "muller" finds Müller.

The column is filled here for existing customers with the same folding the app uses
(core.search.fold, restated below: a revision never imports the app).

Revision ID: c1d2e3f4a5b6
Revises: c0a1b2c3d4e5
Create Date: 2026-12-02 12:50:00.000000
"""

from __future__ import annotations

import unicodedata

import sqlalchemy as sa
from alembic import op

revision = "c1d2e3f4a5b6"
down_revision = "c0a1b2c3d4e5"
branch_labels = None
depends_on = None

_LETTERS = str.maketrans(
    {"ø": "o", "ł": "l", "đ": "d", "ð": "d", "þ": "th", "æ": "ae", "œ": "oe", "ı": "i"}
)


def _fold(text: str | None) -> str:
    decomposed = unicodedata.normalize("NFKD", (text or "").casefold())
    bare = "".join(char for char in decomposed if not unicodedata.combining(char))
    return unicodedata.normalize("NFC", bare.translate(_LETTERS))


def upgrade() -> None:
    with op.batch_alter_table("customer", schema=None) as batch_op:
        batch_op.add_column(sa.Column("search_text", sa.Text(), server_default="", nullable=False))
    customer = sa.table(
        "customer",
        sa.column("id", sa.Integer),
        sa.column("name", sa.String),
        sa.column("company", sa.String),
        sa.column("email", sa.String),
        sa.column("city", sa.String),
        sa.column("search_text", sa.Text),
    )
    connection = op.get_bind()
    rows = connection.execute(
        sa.select(
            customer.c.id, customer.c.name, customer.c.company, customer.c.email, customer.c.city
        )
    ).all()
    update = (
        customer.update()
        .where(customer.c.id == sa.bindparam("row_id"))
        .values(search_text=sa.bindparam("text"))
    )
    batch: list[dict[str, object]] = []
    for row in rows:
        text = "\n".join(_fold(value) for value in (row.name, row.company, row.email, row.city))
        batch.append({"row_id": row.id, "text": text})
        if len(batch) >= 5000:
            connection.execute(update, batch)
            batch = []
    if batch:
        connection.execute(update, batch)


def downgrade() -> None:
    with op.batch_alter_table("customer", schema=None) as batch_op:
        batch_op.drop_column("search_text")
