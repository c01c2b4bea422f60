"""Which strings of a package's English catalog a page rendered in another language still shows.

    from tests.untranslated import english_left
    assert english_left(page_html, PLUGIN_DIR) == []
    assert english_left(customer_page, PLUGIN_DIR, within="my-plugin-panel") == []

The page's text is what a person reads: the text between tags (not scripts or styles) and the
attributes people see or hear (title, placeholder, aria-label, alt, data-confirm). Each msgid
of the package's catalog (those whose translation differs from the English) is looked for:

- a msgid of one word ("Net", "Leaderboard") only as a whole piece of text, so that names and
  other words containing it do not count;
- a longer msgid by its literal parts: each run of two words or more between its placeholders
  (``%(name)s``) and its markup (``<strong>``) must not appear in the text. Names, numbers and
  dates fill the placeholders, so they are never taken for English left over.
"""

from __future__ import annotations

import re
from html.parser import HTMLParser
from pathlib import Path

from babel.messages.pofile import read_po

SHOWN_ATTRIBUTES = {"title", "placeholder", "aria-label", "alt", "data-confirm"}
PLACEHOLDER = re.compile(r"%\(\w+\)[sd]")
MARKUP = re.compile(r"<[^>]+>")
WORD = re.compile(r"[A-Za-z]{2,}")
#: Signs a page adds next to a label: sort arrows, bullets.
DECORATION = "▲▼·•→←"


VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "wbr"}


class _Text(HTMLParser):
    """The text and shown attributes, of the whole page or only inside elements of a class."""

    def __init__(self, within: str | None) -> None:
        super().__init__(convert_charrefs=True)
        self.pieces: list[str] = []
        self._within = within
        self._depth = 0 if within else 1  # > 0: inside what is read
        self._skip = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        classes = (dict(attrs).get("class") or "").split()
        if tag not in VOID and (self._depth or (self._within and self._within in classes)):
            self._depth += 1
        if tag in ("script", "style"):
            self._skip += 1
        if self._depth or (tag in VOID and self._within is None):
            for name, value in attrs:
                if name in SHOWN_ATTRIBUTES and value:
                    self.pieces.append(value)

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if self._depth:
            for name, value in attrs:
                if name in SHOWN_ATTRIBUTES and value:
                    self.pieces.append(value)

    def handle_endtag(self, tag: str) -> None:
        if tag in ("script", "style") and self._skip:
            self._skip -= 1
        if tag not in VOID and self._depth and (self._within or self._depth > 1):
            self._depth -= 1

    def handle_data(self, data: str) -> None:
        if self._depth and not self._skip:
            self.pieces.append(data)


def _clean(text: str) -> str:
    return " ".join(text.strip(DECORATION + " \n\t").split())


def page_text(html: str, within: str | None = None) -> list[str]:
    """The pieces of text a person reads on the page (or inside elements of a class)."""
    parser = _Text(within)
    parser.feed(html)
    return [piece for piece in (_clean(raw) for raw in parser.pieces) if piece]


def catalog_msgids(package: Path, language: str = "zh_Hans_CN") -> list[str]:
    """The package's msgids whose translation into the language differs from the English."""
    po = package / "translations" / language / "LC_MESSAGES" / "messages.po"
    with po.open("rb") as handle:
        catalog = read_po(handle)
    found = []
    for message in catalog:
        if not message.id:
            continue
        msgid = message.id if isinstance(message.id, str) else message.id[0]
        string = message.string if isinstance(message.string, str) else message.string[0]
        if string != msgid and WORD.search(msgid):
            found.append(msgid)
    return found


def _fragments(msgid: str) -> list[str]:
    """The literal runs of two words or more of a msgid (between placeholders and markup)."""
    parts = re.split(f"{PLACEHOLDER.pattern}|{MARKUP.pattern}", msgid.replace("%%", "%"))
    return [
        part
        for part in (" ".join(raw.strip(" .,;:()").split()) for raw in parts)
        if len(WORD.findall(part)) >= 2
    ]


def english_left(html: str, *packages: Path, within: str | None = None) -> list[str]:
    """The msgids of the packages' catalogs the page still shows in English (empty: none).

    ``within``: only the text inside elements of this class (a plugin's panel or widget on a
    page of the core, whose own strings are the core's to translate).
    """
    pieces = page_text(html, within)
    whole = set(pieces) | {piece.rstrip(".:") for piece in pieces}
    joined = "\n".join(pieces)
    left = []
    for package in packages:
        for msgid in catalog_msgids(package):
            single = not PLACEHOLDER.search(msgid) and len(msgid.split()) == 1
            if single:
                if msgid in whole:
                    left.append(msgid)
            elif any(fragment in joined for fragment in _fragments(msgid)):
                left.append(msgid)
    return sorted(set(left))


JINJA = re.compile(
    r"\{%-?\s*trans\b.*?\{%-?\s*endtrans\s*-?%\}"  # a {% trans %} block is marked text
    r"|\{#.*?#\}|\{%.*?%\}|\{\{.*?\}\}",
    re.S,
)
#: Words a template may show in every language: the product's name, file formats, codes.
UNTRANSLATED_WORDS = {"Clientele", "CSV", "xlsx", "XLSX", "SLA", "ID", "OK", "PDF", "URL"}


class _Literals(_Text):
    """The text of a template, as _Text, plus the label of a button made with <input>."""

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        super().handle_starttag(tag, attrs)
        values = dict(attrs)
        if tag == "input" and values.get("type") in ("submit", "button", "reset"):
            self.pieces.append(values.get("value") or "")


def template_literals(template: Path) -> list[str]:
    """English a template shows outside {{ _() }} and {% trans %}: what nobody can translate."""
    parser = _Literals(None)
    parser.feed(JINJA.sub(" ", template.read_text(encoding="utf-8")))
    found = []
    for piece in (_clean(raw) for raw in parser.pieces):
        words = [word for word in WORD.findall(piece) if word not in UNTRANSLATED_WORDS]
        if words:
            found.append(piece)
    return found


def unmarked_literals(package: Path) -> dict[str, list[str]]:
    """Per template of the package (relative path): its literals (only templates that have some)."""
    found = {}
    for template in sorted((package / "templates").rglob("*.html")):
        literals = template_literals(template)
        if literals:
            found[str(template.relative_to(package))] = literals
    return found


def pages_of(client, paths) -> dict[str, str]:
    """Each page's HTML by path, for english_left; every one must answer 200."""
    found = {}
    for path in paths:
        response = client.get(path)
        assert response.status_code == 200, path
        found[path] = response.get_data(as_text=True)
    return found
