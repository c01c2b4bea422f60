"""Countries as people write them ("UK", "USA", "Deutschland", "中国", "德国"), stored as ISO codes.

``country_code("Deutschland") == "DE"``. A country is recognised by its two- or three-letter
ISO 3166 code, its English names in ISO 3166 (pycountry: name, official and common name) and
its name in the languages of :data:`LANGUAGES` (CLDR's territory names, through Babel). Case,
accents, dots and extra spaces do not matter. Text that names no country raises
:class:`UnknownCountry`, whose message lists the closest names.
"""

from __future__ import annotations

import difflib
import re
from functools import cache

import babel
import pycountry

from core.i18n import _
from core.search import fold

#: Languages whose country names are recognised: the company's likely customers' and staff's.
LANGUAGES = (
    "en",
    "de",
    "fr",
    "es",
    "it",
    "pt",
    "nl",
    "da",
    "sv",
    "nb",
    "fi",
    "pl",
    "cs",
    "sk",
    "hu",
    "ro",
    "hr",
    "sl",
    "el",
    "tr",
    "ru",
    "uk",
    "ar",
    "he",
    "hi",
    "zh",
    "zh_Hant",
    "ja",
    "ko",
    "vi",
    "th",
    "id",
)

#: Codes in everyday use that ISO 3166 does not assign: "UK" (reserved for GB) and "EL" (the
#: EU's code for Greece).
EXCEPTIONAL_CODES = {"UK": "GB", "EL": "GR"}

#: Everyday English names that are not the country's name in CLDR or ISO 3166: the parts of
#: the United Kingdom and the old names people still write in addresses.
EVERYDAY_NAMES = {
    "Great Britain": "GB",
    "Britain": "GB",
    "England": "GB",
    "Scotland": "GB",
    "Wales": "GB",
    "Northern Ireland": "GB",
    "Holland": "NL",
    "America": "US",
}


class UnknownCountry(ValueError):
    """The text names no country; the message names the closest ones."""

    def __init__(self, text: str, suggestions: list[str]) -> None:
        self.text = text
        self.suggestions = suggestions
        if suggestions:
            separator = " " + _("or") + " "
            message = _(
                "'%(text)s' is not a country (write its name or ISO code, e.g. DE or Germany);"
                " did you mean %(suggestions)s?",
                text=text,
                suggestions=separator.join(suggestions),
            )
        else:
            message = _(
                "'%(text)s' is not a country (write its name or ISO code, e.g. DE or Germany)",
                text=text,
            )
        super().__init__(message)


def _key(text: str) -> str:
    """What a country name is compared by: folded, without dots, one space between words."""
    return re.sub(r"\s+", " ", fold(text).replace(".", "").replace(",", " ")).strip()


@cache
def _index() -> dict[str, str]:
    """Every recognised spelling (as _key gives it) → ISO alpha-2 code."""
    codes = {country.alpha_2 for country in pycountry.countries}
    index: dict[str, str] = {}
    for language in LANGUAGES:
        territories = babel.Locale.parse(language).territories
        for code, name in territories.items():
            if code in codes:
                index.setdefault(_key(name), code)
    for country in pycountry.countries:
        for attribute in ("name", "official_name", "common_name"):
            name = getattr(country, attribute, None)
            if name:
                index.setdefault(_key(name), country.alpha_2)
    for country in pycountry.countries:
        index[_key(country.alpha_2)] = country.alpha_2
        index[_key(country.alpha_3)] = country.alpha_2
    for code, meant in (EXCEPTIONAL_CODES | EVERYDAY_NAMES).items():
        index[_key(code)] = meant
    return index


@cache
def _english_names() -> dict[str, str]:
    """ISO code → English name (for suggestions and pages)."""
    return {
        code: name
        for code, name in babel.Locale.parse("en").territories.items()
        if len(code) == 2 and code.isalpha()
    }


def country_name(code: str) -> str:
    """The English name of an ISO code ("DE" → "Germany"); the code itself when unknown."""
    return _english_names().get(code.upper(), code)


def country_code(text: str) -> str:
    """The ISO alpha-2 code of a country named or coded in text; "" for empty text.

    Raises UnknownCountry when text names no country.
    """
    text = (text or "").strip()
    if not text:
        return ""
    key = _key(text)
    index = _index()
    if key in index:
        return index[key]
    close = difflib.get_close_matches(key, list(index), n=12, cutoff=0.6)
    suggestions: list[str] = []
    for match in close:
        code = index[match]
        label = f"{country_name(code)} ({code})"
        if label not in suggestions:
            suggestions.append(label)
    raise UnknownCountry(text, suggestions[:3])
