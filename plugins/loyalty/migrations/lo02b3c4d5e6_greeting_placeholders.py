"""Loyalty: greeting templates use the placeholder syntax of every message, {{ name }}.

Saved greetings were written as Python format strings, {first_name}, where {company} meant
your own company. They are rewritten in the one syntax plugins share: {first_name} becomes
{{ first_name }}, {company} becomes {{ our_company }} (in the shared syntax {{ company }} is
the customer's company), and the escaped braces {{ and }} become the literal { and }.
Downgrading writes the old syntax back ({{ our_company }} → {company}).

Revision ID: lo02b3c4d5e6
Revises: lo01a2b3c4d5
Create Date: 2026-12-02
"""

from __future__ import annotations

import re
from collections.abc import Callable

import sqlalchemy as sa
from alembic import op

revision = "lo02b3c4d5e6"
down_revision = "lo01a2b3c4d5"
branch_labels = None
depends_on = None

_OLD = re.compile(r"\{\{|\}\}|\{([A-Za-z_][A-Za-z0-9_]*)(?:![rsa])?(?::[^{}]*)?\}")
_NEW = re.compile(r"\{\{\s*([A-Za-z_][A-Za-z0-9_]*)\s*\}\}|[{}]")
_TEMPLATES = sa.table(
    "loyalty_greeting_template",
    sa.column("occasion", sa.String),
    sa.column("subject", sa.String),
    sa.column("body", sa.Text),
)


def to_shared(text: str) -> str:
    """A format-string template in the shared {{ name }} syntax."""

    def replace(match: re.Match[str]) -> str:
        token, name = match.group(0), match.group(1)
        if name is None:
            return token[0]  # "{{" → "{", "}}" → "}"
        return "{{ " + ("our_company" if name == "company" else name) + " }}"

    return _OLD.sub(replace, text)


def to_format(text: str) -> str:
    """A shared-syntax template as a format string again."""

    def replace(match: re.Match[str]) -> str:
        name = match.group(1)
        if name is None:
            return match.group(0) * 2  # a literal brace is doubled in a format string
        return "{" + ("company" if name == "our_company" else name) + "}"

    return _NEW.sub(replace, text)


def _rewrite(convert: Callable[[str], str]) -> None:
    connection = op.get_bind()
    rows = connection.execute(
        sa.select(_TEMPLATES.c.occasion, _TEMPLATES.c.subject, _TEMPLATES.c.body)
    ).all()
    for occasion, subject, body in rows:
        connection.execute(
            _TEMPLATES.update()
            .where(_TEMPLATES.c.occasion == occasion)
            .values(subject=convert(subject), body=convert(body))
        )


def upgrade() -> None:
    _rewrite(to_shared)


def downgrade() -> None:
    _rewrite(to_format)
