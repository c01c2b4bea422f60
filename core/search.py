"""Text search one way everywhere: what a person types is searched literally, accents and case folded.

``fold("São Paulo") == "sao paulo"`` and ``fold("MÜLLER") == "muller"``: Python does the
folding (the same on SQLite and PostgreSQL), so a search column holds the folded text and
a query is folded the same way before it is compared. ``contains(column, text)`` escapes
``%``, ``_`` and ``\\`` so they match themselves, never "anything".
"""

from __future__ import annotations

import unicodedata
from typing import Any

from sqlalchemy import ColumnElement, func

#: Letters that Unicode does not decompose into a base letter and an accent.
_LETTERS = str.maketrans(
    {"ø": "o", "ł": "l", "đ": "d", "ð": "d", "þ": "th", "æ": "ae", "œ": "oe", "ı": "i"}
)

#: The escape character of every LIKE pattern built here.
ESCAPE = "\\"


def fold(text: str) -> str:
    """Lowercase text without accents: "Müller" → "muller", "Straße" → "strasse", "Søren" → "soren"."""
    decomposed = unicodedata.normalize("NFKD", (text or "").casefold())
    bare = "".join(char for char in decomposed if not unicodedata.combining(char))
    return unicodedata.normalize("NFC", bare.translate(_LETTERS))


def escape_like(text: str) -> str:
    """text with LIKE's wildcards escaped, so "50%" matches "50%" and "a_b" matches "a_b" only."""
    return text.replace(ESCAPE, ESCAPE * 2).replace("%", ESCAPE + "%").replace("_", ESCAPE + "_")


def contains(column: Any, text: str) -> ColumnElement[bool]:
    """column contains text literally; column must already be folded (see fold())."""
    return column.like(f"%{escape_like(fold(text))}%", escape=ESCAPE)


def lower_contains(column: Any, text: str) -> ColumnElement[bool]:
    """lower(column) contains text literally, ignoring case (for columns without a folded copy)."""
    return func.lower(column).like(f"%{escape_like(text.lower())}%", escape=ESCAPE)
