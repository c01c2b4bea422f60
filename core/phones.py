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
