"""Phone numbers typed any way are stored once in E.164."""

import pytest

from core.phones import display_phone, looks_like_phone, normalize_phone, phone_problem


@pytest.mark.parametrize(
    "typed",
    ["030 1234567", "(030) 123-4567", "+49 30 1234567", "0049 30 1234567", "+49-30-123 45 67"],
)
def test_german_number_in_any_format(typed):
    assert normalize_phone(typed, "DE") == "+49301234567"


def test_default_region_decides_numbers_without_country_code():
    assert normalize_phone("020 7946 0958", "GB") == "+442079460958"
    assert normalize_phone("+44 20 7946 0958", "DE") == "+442079460958"


@pytest.mark.parametrize("typed", ["", "abc", "12", "+999 1"])
def test_garbage_is_not_a_number(typed):
    assert normalize_phone(typed, "DE") == ""


def test_problem_message_and_display():
    assert (
        phone_problem("call me", "DE")
        == "'call me' is not a phone number (add the country code, e.g. +44 20 7946 0958)"
    )
    assert phone_problem("", "DE") is None
    assert display_phone("+49301234567") == "+49 30 1234567"


def test_search_queries_that_look_like_phones():
    assert looks_like_phone("030 123 4567") and looks_like_phone("+49 (30) 1234567")
    assert not looks_like_phone("Ada Lovelace") and not looks_like_phone("42")


def test_candidates_of_a_national_number_in_every_country():
    from core.phones import phone_candidates

    austrian = phone_candidates("0676 6906781", "DE")
    assert {"+436766906781", "+496766906781"} <= austrian
    assert phone_candidates("+43 676 6906781", "DE") == {"+436766906781"}
    assert phone_candidates("6906781", "DE") == set()  # part of a number
