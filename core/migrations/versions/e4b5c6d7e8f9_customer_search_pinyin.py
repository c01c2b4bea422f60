"""Customer search text: the pinyin of Chinese names, so "zw" and "zhangwei" find 张伟.

Only customers whose name, company or city holds a Chinese character get a new search
text (the database picks them: GLOB on SQLite, a regular expression on PostgreSQL); the
rest keep theirs, which is unchanged. The text is what core.models.customer_search_text
makes, restated below since a revision never imports the app; pypinyin does the reading.

Revision ID: e4b5c6d7e8f9
Revises: d4b5c6d7e8f9
Create Date: 2026-12-04 13:00:00.000000
"""

from __future__ import annotations

import re
import unicodedata

import sqlalchemy as sa
from alembic import op
from pypinyin import Style, lazy_pinyin, pinyin

revision = "e4b5c6d7e8f9"
down_revision = "d4b5c6d7e8f9"
branch_labels = None
depends_on = None

_LETTERS = str.maketrans(
    {"ø": "o", "ł": "l", "đ": "d", "ð": "d", "þ": "th", "æ": "ae", "œ": "oe", "ı": "i"}
)
_HAN = "\u3400-\u9fff\uf900-\ufaff"
_HAN_RUN = re.compile(f"[{_HAN}]+")


def _fold(text: str | None) -> str:
    decomposed = unicodedata.normalize("NFKD", (text or "").casefold())
    bare = "".join(char for char in decomposed if not unicodedata.combining(char))
    return unicodedata.normalize("NFC", bare.translate(_LETTERS))


def _tokens(text: str) -> list[tuple[str, bool]]:
    tokens: list[tuple[str, bool]] = []
    position = 0
    for run in _HAN_RUN.finditer(text):
        before = _fold(text[position : run.start()])
        tokens += [(word, False) for word in re.findall(r"\w+", before)]
        tokens += [(syllable, True) for syllable in lazy_pinyin(run.group())]
        position = run.end()
    tokens += [(word, False) for word in re.findall(r"\w+", _fold(text[position:]))]
    return tokens


def _spellings(tokens: list[tuple[str, bool]]) -> list[str]:
    initials: list[str] = []
    after_han = False
    for token, han in tokens:
        if han and after_han:
            initials[-1] += token[0]
        else:
            initials.append(token[0] if han else token)
        after_han = han
    words = [token for token, _han in tokens]
    return [" ".join(words), "".join(words), " ".join(initials)]


def _pinyin_forms(text: str | None) -> list[str]:
    stripped = (text or "").strip()
    if not _HAN_RUN.search(stripped):
        return []
    tokens = _tokens(stripped)
    readings = [tokens]
    first = next(index for index, (_token, han) in enumerate(tokens) if han)
    usual = tokens[first][0]
    character = _HAN_RUN.search(stripped).group()[0]  # type: ignore[union-attr]
    others = pinyin(character, style=Style.NORMAL, heteronym=True)[0][:3]
    readings += [
        [*tokens[:first], (other, True), *tokens[first + 1 :]] for other in others if other != usual
    ]
    forms: list[str] = []
    for reading in readings:
        spellings = _spellings(reading)
        if any(han and "v" in token for token, han in reading):
            spellings += _spellings([(t.replace("v", "u") if h else t, h) for t, h in reading])
        for form in spellings:
            if form and form not in forms:
                forms.append(form)
    return forms


def _search_text(name: str, company: str, email: str, city: str) -> str:
    lines = [_fold(value) for value in (name, company, email, city)]
    for value in (name, company, city):
        lines += _pinyin_forms(value)
    return "\n".join(lines)


def upgrade() -> None:
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
    columns = (customer.c.name, customer.c.company, customer.c.city)
    if connection.dialect.name == "sqlite":
        chinese = sa.or_(*(column.op("GLOB")(f"*[{_HAN}]*") for column in columns))
    else:
        chinese = sa.or_(*(column.regexp_match(f"[{_HAN}]") for column in columns))
    rows = connection.execute(
        sa.select(
            customer.c.id, customer.c.name, customer.c.company, customer.c.email, customer.c.city
        ).where(chinese)
    )
    update = (
        customer.update()
        .where(customer.c.id == sa.bindparam("row_id"))
        .values(search_text=sa.bindparam("text"))
    )
    batch: list[dict[str, object]] = []
    for row in rows.all():
        text = _search_text(row.name, row.company, row.email, row.city)
        batch.append({"row_id": row.id, "text": text})
        if len(batch) >= 5000:
            connection.execute(update, batch)
            batch = []
    if batch:
        connection.execute(update, batch)


def downgrade() -> None:
    # The pinyin lines come after the four folded fields: keep those, drop the rest.
    customer = sa.table("customer", sa.column("id", sa.Integer), sa.column("search_text", sa.Text))
    connection = op.get_bind()
    rows = connection.execute(sa.select(customer.c.id, customer.c.search_text)).all()
    update = (
        customer.update()
        .where(customer.c.id == sa.bindparam("row_id"))
        .values(search_text=sa.bindparam("text"))
    )
    batch = [
        {"row_id": row.id, "text": "\n".join(row.search_text.split("\n")[:4])}
        for row in rows
        if row.search_text.count("\n") > 3
    ]
    if batch:
        connection.execute(update, batch)
