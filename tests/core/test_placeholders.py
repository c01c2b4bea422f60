"""Placeholders in plugin messages: one syntax, {{ name }}, refused when unknown, never sent unfilled."""

import pytest

from core.models import Customer
from core.placeholders import (
    CUSTOMER_PLACEHOLDERS,
    PlaceholderError,
    check,
    customer_values,
    fill,
    listing,
    problems,
)

KNOWN = {"first_name": "the first name", "city": "the city"}
LISTED = "Known placeholders: {{ first_name }}, {{ city }}."


def test_a_text_with_known_placeholders_is_filled():
    assert problems("Hello {{ first_name }} in {{city}}, {{  city  }}.", KNOWN) == []
    assert fill("Hello {{ first_name }} in {{city}}.", {"first_name": "Ada", "city": "Bonn"}) == (
        "Hello Ada in Bonn."
    )
    # A lone brace is text; empty double braces are not a placeholder.
    assert problems("Prices {from 2 EUR} :-}", KNOWN) == []
    assert problems("Hello {{ }}", KNOWN) == ["{{ }} is not a placeholder.", LISTED]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Hi {{ surname }} and {{ nick }}", ["Unknown placeholder {{ surname }}, {{ nick }}."]),
        (
            "Hi {first_name}",
            ["Write placeholders in double braces: {first_name} is not filled in."],
        ),
        ("Hi {{ first name }}", ["{{ first name }} is not a placeholder."]),
        ("Hi {{ first_name", ["A {{ has no matching }}."]),
        ("Hi first_name }}", ["A {{ has no matching }}."]),
    ],
)
def test_what_cannot_be_filled_is_named_with_the_known_placeholders(text, expected):
    assert problems(text, KNOWN) == [*expected, LISTED]
    with pytest.raises(PlaceholderError, match="Known placeholders"):
        check(text, KNOWN)


def test_fill_never_leaves_a_placeholder_in_the_text():
    with pytest.raises(PlaceholderError, match=r"No value for \{\{ city \}\}"):
        fill("Hello {{ city }}", {"first_name": "Ada"})
    # Values are inserted as they are, never read as placeholders themselves.
    assert fill("{{ first_name }}", {"first_name": "{{ city }}"}) == "{{ city }}"


def test_customer_values_mean_the_same_in_every_message():
    customer = Customer(
        name="  Ada Lovelace ", company="Engines Ltd", city="London", country="GB", email="a@x.org"
    )
    assert customer_values(customer, "Acme Fresh Foods") == {
        "name": "Ada Lovelace",
        "first_name": "Ada",
        "company": "Engines Ltd",
        "city": "London",
        "country": "GB",
        "email": "a@x.org",
        "our_company": "Acme Fresh Foods",
    }
    assert set(CUSTOMER_PLACEHOLDERS) == set(customer_values(customer, ""))
    assert listing(["a", "b"]) == "{{ a }}, {{ b }}"
