"""Text search one way everywhere: what a person types is searched literally, accents and case folded.

``fold("São Paulo") == "sao paulo"`` and ``fold("MÜLLER") == "muller"``: Python does the
folding (the same on SQLite and PostgreSQL), so a search column holds the folded text and
a query is folded the same way before it is compared. ``contains(column, text)`` escapes
``%``, ``_`` and ``\\`` so they match themselves, never "anything".

Chinese text is also searched by its pinyin: ``pinyin_forms("张伟")`` gives "zhang wei",
"zhangwei" and the initials "zw", stored next to the folded text, so a clerk without a
Chinese keyboard finds 张伟 by any of them (see core.models.customer_search_text).
"""

from __future__ import annotations

import re
import unicodedata
from typing import Any

from pypinyin import Style, lazy_pinyin, pinyin
from sqlalchemy import ColumnElement, func

#: Letters that Unicode does not decompose into a base letter and an accent.
_LETTERS = str.maketrans(
    {"ø": "o", "ł": "l", "đ": "d", "ð": "d", "þ": "th", "æ": "ae", "œ": "oe", "ı": "i"}
)

#: Chinese characters (CJK Unified Ideographs, Extension A and the compatibility block).
HAN = "\u3400-\u9fff\uf900-\ufaff"
_HAN_RUN = re.compile(f"[{HAN}]+")
#: How many readings of a first character (a surname such as 曾 ceng/zeng) are kept.
_FIRST_READINGS = 3

#: The escape character of every LIKE pattern built here.
ESCAPE = "\\"


def fold(text: str) -> str:
    """Lowercase text without accents: "Müller" → "muller", "Straße" → "strasse", "Søren" → "soren"."""
    decomposed = unicodedata.normalize("NFKD", (text or "").casefold())
    bare = "".join(char for char in decomposed if not unicodedata.combining(char))
    return unicodedata.normalize("NFC", bare.translate(_LETTERS))


def has_han(text: str) -> bool:
    """True when text holds a Chinese character."""
    return bool(_HAN_RUN.search(text or ""))


def _tokens(text: str) -> list[tuple[str, bool]]:
    """text as (token, is_han): a pinyin syllable per Chinese character, a folded word else."""
    tokens: list[tuple[str, bool]] = []
    position = 0
    for run in _HAN_RUN.finditer(text):
        before = fold(text[position : run.start()])
        tokens += [(word, False) for word in re.findall(r"\w+", before)]
        tokens += [(syllable, True) for syllable in lazy_pinyin(run.group())]
        position = run.end()
    tokens += [(word, False) for word in re.findall(r"\w+", fold(text[position:]))]
    return tokens


def _spellings(tokens: list[tuple[str, bool]]) -> list[str]:
    """One reading as typed: syllables spaced, run together, and the initials."""
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


def pinyin_forms(text: str) -> list[str]:
    """The ways a person types Chinese text in Latin letters; [] for text without Chinese.

    "张伟" → ["zhang wei", "zhangwei", "zw"]: the syllables with and without spaces, and the
    initials. Other words stay as folded words ("王芳 Bakery" → "wang fang bakery",
    "wangfangbakery", "wf bakery"). ü is typed v or u (吕明: "lv ming" and "lu ming").
    The first Chinese character (a name starts with the surname) adds its other readings,
    since some surnames are read otherwise (曾 zeng, 单 shan, 解 xie).
    """
    stripped = (text or "").strip()
    if not has_han(stripped):
        return []
    tokens = _tokens(stripped)
    readings = [tokens]
    first = next(index for index, (_token, han) in enumerate(tokens) if han)
    usual = tokens[first][0]
    character = _HAN_RUN.search(stripped).group()[0]  # type: ignore[union-attr]
    others = pinyin(character, style=Style.NORMAL, heteronym=True)[0][:_FIRST_READINGS]
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


def escape_like(text: str) -> str:
    """text with LIKE's wildcards escaped, so "50%" matches "50%" and "a_b" matches "a_b" only."""
    return text.replace(ESCAPE, ESCAPE * 2).replace("%", ESCAPE + "%").replace("_", ESCAPE + "_")


def contains(column: Any, text: str) -> ColumnElement[bool]:
    """column contains text literally; column must already be folded (see fold())."""
    return column.like(f"%{escape_like(fold(text))}%", escape=ESCAPE)


def lower_contains(column: Any, text: str) -> ColumnElement[bool]:
    """lower(column) contains text literally, ignoring case (for columns without a folded copy)."""
    return func.lower(column).like(f"%{escape_like(text.lower())}%", escape=ESCAPE)
