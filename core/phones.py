"""Phone numbers in any format people type, stored once in E.164 for lookup.

A phone that cannot be read as a number in use is not refused: ``read_phone`` says why
(``PhoneReading.problem``, a reason code) and gives its digits for lookup instead of E.164,
so the customer keeps the number exactly as typed, marked unverified (core.quality), and
search still finds it by its digits. Only text holding no digit at all is no phone.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import phonenumbers


def normalize_phone(text: str, default_region: str) -> str:
    """E.164 form of a phone number ("030 1234567" in DE → "+49301234567"); "" if it is not one.

    Numbers without a +country prefix are read in default_region. Numbers that parse but
    cannot be a full number (too short, local-only) give "" too, so lookups never match on garbage.
    """
    text = (text or "").strip()
    if not text:
        return ""
    try:
        number = phonenumbers.parse(text, default_region.upper() or None)
    except phonenumbers.NumberParseException:
        return ""
    # Local-only numbers ("12" in Germany) are possible to dial but identify nobody.
    if (
        phonenumbers.is_possible_number_with_reason(number)
        != phonenumbers.ValidationResult.IS_POSSIBLE
    ):
        return ""
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


#: The longest lookup value kept (the customer.phone_normalized column).
LOOKUP_LENGTH = 20

#: Why a phone number cannot be verified, by phonenumbers' reasons (see core.quality for the
#: sentences people read).
_POSSIBLE_REASONS = {
    phonenumbers.ValidationResult.TOO_SHORT: "too_short",
    phonenumbers.ValidationResult.TOO_LONG: "too_long",
    phonenumbers.ValidationResult.INVALID_LENGTH: "invalid_length",
    phonenumbers.ValidationResult.INVALID_COUNTRY_CODE: "country_code",
    phonenumbers.ValidationResult.IS_POSSIBLE_LOCAL_ONLY: "local_only",
}
_PARSE_REASONS = {
    phonenumbers.NumberParseException.INVALID_COUNTRY_CODE: "country_code",
    phonenumbers.NumberParseException.TOO_SHORT_AFTER_IDD: "too_short",
    phonenumbers.NumberParseException.TOO_SHORT_NSN: "too_short",
    phonenumbers.NumberParseException.TOO_LONG: "too_long",
}


@dataclass(frozen=True)
class PhoneReading:
    """What a typed phone number is: the lookup value, and why it is unverified (None: it is fine).

    ``lookup`` is the E.164 number ("+33142685300") when it can be read as a possible number,
    else the typed digits ("42685300", no "+", so it never equals an E.164 value); "" for an
    empty text. ``problem`` is None, "no_digits" (not a phone at all: refuse it), or a reason
    the number is kept unverified: "too_short", "too_long", "invalid_length", "country_code",
    "local_only", "not_valid" (possible length, but no number in use; E.164 is kept) or
    "unreadable".
    """

    lookup: str
    problem: str | None = None

    @property
    def holds_no_phone(self) -> bool:
        """True when the text has no digit at all (an error, not a number to check)."""
        return self.problem == "no_digits"


def digits_of(text: str) -> str:
    """The digits of a text, as a lookup value: "42.68.53.00" → "42685300" (at most 20)."""
    return re.sub(r"\D", "", text or "")[:LOOKUP_LENGTH]


def read_phone(text: str, default_region: str) -> PhoneReading:
    """Read a typed phone number in default_region (when it has no +country prefix)."""
    text = (text or "").strip()
    if not text:
        return PhoneReading("")
    digits = digits_of(text)
    if not digits:
        return PhoneReading("", "no_digits")
    try:
        number = phonenumbers.parse(text, default_region.upper() or None)
    except phonenumbers.NumberParseException as error:
        return PhoneReading(digits, _PARSE_REASONS.get(error.error_type, "unreadable"))
    possible = phonenumbers.is_possible_number_with_reason(number)
    if possible != phonenumbers.ValidationResult.IS_POSSIBLE:
        return PhoneReading(digits, _POSSIBLE_REASONS.get(possible, "unreadable"))
    e164 = phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)
    if not phonenumbers.is_valid_number(number):
        return PhoneReading(e164, "not_valid")
    return PhoneReading(e164)


def phone_candidates(text: str, default_region: str) -> set[str]:
    """The E.164 numbers a typed whole number stands for, wherever the customer lives.

    "+43 676 6906781" is one number. "0676 6906781" is written the Austrian way (trunk 0):
    it is read in every country's numbering plan, so it finds the Austrian customer who
    gave it and, were there one, a German customer with +49 676 6906781; no customer
    holds a number of a country the company does not serve, so those readings find
    nobody. "(+86) 138 0013 8000" is read as "+86 138 0013 8000".

    Text that starts with neither + nor 0 is part of a number (no candidates), unless it is
    a whole mobile number of the default region, which some countries write without a
    trunk 0: "13800138000" or "138-0013-8000" in CN is +86 138 0013 8000.
    """
    text = (text or "").strip()
    bare = text.lstrip("(").lstrip()
    if bare.startswith("+"):
        return {normalize_phone(bare.replace(")", " ", 1), default_region)} - {""}
    if not bare.startswith("0"):
        return _whole_mobile(text, default_region)
    return {normalize_phone(text, region) for region in _REGIONS} - {""}


#: What phonenumbers calls a mobile number.
_MOBILE = {phonenumbers.PhoneNumberType.MOBILE, phonenumbers.PhoneNumberType.FIXED_LINE_OR_MOBILE}


def _whole_mobile(text: str, default_region: str) -> set[str]:
    """{E.164} when text is all of a valid mobile number of default_region as dialled there."""
    if not default_region:
        return set()
    try:
        number = phonenumbers.parse(text, default_region.upper())
    except phonenumbers.NumberParseException:
        return set()
    whole = str(number.national_number) == digits_of(text)
    if not whole or not phonenumbers.is_valid_number(number):
        return set()
    if phonenumbers.number_type(number) not in _MOBILE:
        return set()
    return {phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)}


#: Every region phonenumbers has a numbering plan for.
_REGIONS = tuple(sorted(phonenumbers.SUPPORTED_REGIONS))


def phone_problem(text: str, default_region: str) -> str | None:
    """A message saying why text is not a usable phone number, or None when it is (or is empty)."""
    if not (text or "").strip():
        return None
    if not normalize_phone(text, default_region):
        return f"'{text}' is not a phone number (add the country code, e.g. +44 20 7946 0958)"
    return None


def looks_like_phone(text: str) -> bool:
    """True when a search query is mostly digits (so it should be matched as a phone number)."""
    digits = re.sub(r"\D", "", text)
    return len(digits) >= 5 and len(digits) >= len(re.sub(r"[\s()+\-./]", "", text)) - 1


def display_phone(e164: str) -> str:
    """+49301234567 → "+49 30 1234567" (international format) for pages."""
    if not e164:
        return ""
    try:
        number = phonenumbers.parse(e164, None)
    except phonenumbers.NumberParseException:
        return e164
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.INTERNATIONAL)
