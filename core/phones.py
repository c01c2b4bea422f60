"""Phone numbers in any format people type, stored once in E.164 for lookup."""

from __future__ import annotations

import re

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


def phone_candidates(text: str, default_region: str) -> set[str]:
    """The E.164 numbers a typed whole number stands for, wherever the customer lives.

    "+43 676 6906781" is one number. "0676 6906781" is written the Austrian way (trunk 0):
    it is read in every country's numbering plan, so it finds the Austrian customer who
    gave it and, were there one, a German customer with +49 676 6906781; no customer
    holds a number of a country the company does not serve, so those readings find
    nobody. Text that starts with neither + nor 0 is part of a number: no candidates.
    """
    text = (text or "").strip()
    if text.startswith("+"):
        return {normalize_phone(text, default_region)} - {""}
    if not text.lstrip("(").startswith("0"):
        return set()
    return {normalize_phone(text, region) for region in _REGIONS} - {""}


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
