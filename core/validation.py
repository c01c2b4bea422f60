"""Input checked at the edge, one way for SQLite and PostgreSQL: ids, text and decimal numbers.

Both databases must refuse the same input: SQLite would store a NUL byte, an id past 2^31
or an amount too wide for its column that PostgreSQL rejects with an error (a 500). So
every form field, URL id, query filter and import cell goes through these functions first,
and what they refuse is answered with a message (forms, imports) or a 404 (URLs).
"""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation

from flask import Request
from werkzeug.datastructures import MultiDict
from werkzeug.utils import cached_property

from core.i18n import _, _l

#: Largest value of an INTEGER primary key on PostgreSQL (int4); ids above are never found.
MAX_ID = 2**31 - 1

#: Control characters no text column may hold (NUL above all: PostgreSQL refuses it);
#: tab, line feed and carriage return are ordinary text.
CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")

#: A plain decimal as people type it: "12", "-3.5", ".5", "12." (no exponent, no words).
PLAIN_NUMBER = re.compile(r"^[+-]?(?:\d+(?:\.\d*)?|\.\d+)$")

#: Minor units of currencies that have no cents (ISO 4217); every other currency has two.
#: Amounts are stored with two places, so no currency gets more than two.
CURRENCY_PLACES = dict.fromkeys(
    (
        "BIF",
        "CLP",
        "DJF",
        "GNF",
        "ISK",
        "JPY",
        "KMF",
        "KRW",
        "PYG",
        "RWF",
        "UGX",
        "UYI",
        "VND",
        "VUV",
        "XAF",
        "XOF",
        "XPF",
    ),
    0,
)


class InputProblem(ValueError):
    """The input cannot be used; the message says why, in words for the person who typed it."""


def parse_id(value: object) -> int | None:
    """A row id from a URL, a query argument or a form value; None unless 1 ≤ id ≤ MAX_ID.

    Only ASCII digits count ("١٢" and "+5" are not ids), so every database sees a number
    its INTEGER column can hold.
    """
    text = str(value) if isinstance(value, str | int) and not isinstance(value, bool) else ""
    if not (text.isascii() and text.isdigit()) or len(text) > 10:
        return None
    number = int(text)
    return number if 1 <= number <= MAX_ID else None


def text_problem(value: str) -> str | None:
    """Why a typed text cannot be stored (a NUL or another control character), or None."""
    if CONTROL.search(value):
        return _("Remove the control characters (such as NUL) from this text.")
    return None


def clean_search(value: str) -> str:
    """A search or filter text without control characters (they can match nothing)."""
    return CONTROL.sub("", value)


def currency_places(currency: str) -> int:
    """Decimal places the currency's amounts have: 2 (EUR, USD …) or 0 (JPY, KRW …)."""
    return CURRENCY_PLACES.get(currency.upper(), 2)


def limit_of(precision: int, scale: int) -> Decimal:
    """The smallest amount a Numeric(precision, scale) column can no longer hold (10^(p−s))."""
    return Decimal(10) ** (precision - scale)


def parse_decimal(
    text: str,
    *,
    places: int,
    limit: Decimal,
    allow_negative: bool = False,
    thousands: bool = False,
) -> Decimal:
    """A typed number as an exact Decimal with at most ``places`` decimals and below ``limit``.

    Refuses exponents (1e309), Infinity, NaN, more decimals than allowed (0.001 as money is
    refused, never stored as 0.00) and values the column cannot hold; −0 reads as 0.
    ``thousands`` lets "1,234.50" through. Raises InputProblem with the reason.
    """
    cleaned = text.strip().replace(" ", "")
    if thousands:
        cleaned = cleaned.replace(",", "")
    if len(cleaned) > 60 or not PLAIN_NUMBER.match(cleaned):
        raise InputProblem(_("Enter a plain number such as 12.50."))
    try:
        number = Decimal(cleaned)
    except InvalidOperation:  # pragma: no cover - the pattern admits only plain numbers
        raise InputProblem(_("Enter a plain number such as 12.50.")) from None
    if number.is_zero():
        number = abs(number)
    if number < 0 and not allow_negative:
        raise InputProblem(_("Number must be at least 0."))
    if abs(number) >= limit:
        shown = f"{limit:,}"
        raise InputProblem(
            _("The number is too large (it must stay below %(limit)s).", limit=shown)
        )
    quantum = Decimal(1).scaleb(-places)
    if number != number.quantize(quantum):
        if places == 0:
            raise InputProblem(_("Use a whole number (no decimals)."))
        words = {
            1: _l("Use at most one decimal."),
            2: _l("Use at most two decimals."),
            3: _l("Use at most three decimals."),
            4: _l("Use at most four decimals."),
        }
        message = words.get(places) or _("Use at most %(count)s decimals.", count=places)
        raise InputProblem(str(message))
    return number.quantize(quantum)


class EdgeRequest(Request):
    """The app's request: query arguments (searches, filters) come without control characters.

    A NUL typed into a search box would make PostgreSQL fail and SQLite match nothing; with
    the characters stripped here every page's search and filter behaves the same on both.
    """

    @cached_property
    def args(self) -> MultiDict[str, str]:
        """The query string's arguments, each value without control characters."""
        raw = Request.args.fget(self)  # type: ignore[attr-defined]
        return self.parameter_storage_class(
            [(key, clean_search(value)) for key, value in raw.items(multi=True)]
        )
