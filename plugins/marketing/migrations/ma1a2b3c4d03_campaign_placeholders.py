"""Marketing: campaigns not yet sent fill merge fields written in single braces.

Merge fields are written {{ first_name }}. A campaign saved with {first_name} was accepted
and went out with the braces in it. Campaigns that are still a draft, scheduled or sending
have each known merge field in single braces rewritten as {{ field }}, so they go out
filled; sent and cancelled campaigns keep the text they were sent with. Downgrading keeps
the rewritten texts (they are valid in the old syntax too).

Revision ID: ma1a2b3c4d03
Revises: ma1a2b3c4d02
Create Date: 2026-12-02
"""

from __future__ import annotations

import re

import sqlalchemy as sa
from alembic import op

revision = "ma1a2b3c4d03"
down_revision = "ma1a2b3c4d02"
branch_labels = None
depends_on = None

FIELDS = ("name", "first_name", "company", "city", "country", "email", "unsubscribe_url")
_SINGLE = re.compile(r"(?<!\{)\{\s*(" + "|".join(FIELDS) + r")\s*\}(?!\})")
_CAMPAIGNS = sa.table(
    "marketing_campaign",
    sa.column("id", sa.Integer),
    sa.column("status", sa.String),
    sa.column("subject", sa.String),
    sa.column("body", sa.Text),
)


def to_double(text: str) -> str:
    """{first_name} → {{ first_name }} for the known merge fields; the rest unchanged."""
    return _SINGLE.sub(lambda match: "{{ " + match.group(1) + " }}", text)


def upgrade() -> None:
    connection = op.get_bind()
    rows = connection.execute(
        sa.select(_CAMPAIGNS.c.id, _CAMPAIGNS.c.subject, _CAMPAIGNS.c.body).where(
            _CAMPAIGNS.c.status.in_(("draft", "scheduled", "sending"))
        )
    ).all()
    for identifier, subject, body in rows:
        new_subject, new_body = to_double(subject), to_double(body)
        if (new_subject, new_body) != (subject, body):
            connection.execute(
                _CAMPAIGNS.update()
                .where(_CAMPAIGNS.c.id == identifier)
                .values(subject=new_subject, body=new_body)
            )


def downgrade() -> None:
    pass
