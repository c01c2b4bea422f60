"""Countries written the way people write them are stored as ISO codes (core.countries)."""

import pytest

from core.countries import UnknownCountry, country_code, country_name


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("DE", "DE"),
        ("de", "DE"),
        ("DEU", "DE"),
        ("Germany", "DE"),
        ("Deutschland", "DE"),
        ("Allemagne", "DE"),
        ("德国", "DE"),
        ("中国", "CN"),
        ("China", "CN"),
        ("UK", "GB"),
        ("United Kingdom", "GB"),
        ("Great Britain", "GB"),
        ("USA", "US"),
        ("U.S.A.", "US"),
        ("United States", "US"),
        ("  india ", "IN"),
        ("Österreich", "AT"),
        ("osterreich", "AT"),
        ("España", "ES"),
        ("Schweiz", "CH"),
        ("Suisse", "CH"),
        ("日本", "JP"),
        ("Россия", "RU"),
        ("Czech Republic", "CZ"),
        ("Czechia", "CZ"),
        ("EL", "GR"),
        ("Brasil", "BR"),
    ],
)
def test_names_and_codes_in_common_spellings_and_languages(text, code):
    assert country_code(text) == code


def test_empty_is_no_country():
    assert country_code("") == ""
    assert country_code("   ") == ""


def test_unknown_country_names_the_closest_matches():
    with pytest.raises(UnknownCountry) as raised:
        country_code("Germny")
    assert str(raised.value) == (
        "'Germny' is not a country (write its name or ISO code, e.g. DE or Germany); "
        "did you mean Germany (DE) or Guernsey (GG) or Hungary (HU)?"
    )
    assert raised.value.suggestions[0] == "Germany (DE)"


def test_a_misspelling_is_never_taken_for_a_country():
    with pytest.raises(UnknownCountry):
        country_code("Untied States")
    with pytest.raises(UnknownCountry):
        country_code("XX")


def test_country_name_in_english():
    assert country_name("DE") == "Germany"
    assert country_name("gb") == "United Kingdom"
