"""Tier tables: checked with a clear message naming the key, from the config and directly."""

import datetime as dt
from decimal import Decimal

import pytest

from core.plugins import PluginError, SettingError
from plugins.sales_commission.rules import check_rule, check_tiers

KEY = "[plugins.sales_commission]"


def tiers(*rows):
    return [
        {"name": name, "min_margin": Decimal(minimum), "rate": Decimal(rate)}
        for name, minimum, rate in rows
    ]


@pytest.mark.parametrize(
    ("settings", "message"),
    [
        (
            {"tiers": tiers(("A", "0.40", "0.08"), ("B", "0.40", "0.05"))},
            f"{KEY}.tiers[1].min_margin: thresholds must be strictly descending (highest min_margin "
            "first, no two equal): 0.40 is not below 0.40 of tiers[0] 'A'.",
        ),
        (
            {"tiers": tiers(("C", "0.00", "0.02"), ("A", "0.40", "0.08"))},
            f"{KEY}.tiers[1].min_margin: thresholds must be strictly descending (highest min_margin "
            "first, no two equal): 0.40 is not below 0.00 of tiers[0] 'C'.",
        ),
        (
            {"tiers": tiers(("A", "0.40", "-0.01"))},
            f"{KEY}.tiers[0].rate: rate is a fraction between 0 and 1 (0.08 = 8 %), got -0.01.",
        ),
        (
            {"tiers": tiers(("A", "0.40", "0.08"), ("B", "0.20", "1.5"))},
            f"{KEY}.tiers[1].rate: rate is a fraction between 0 and 1 (0.08 = 8 %), got 1.5.",
        ),
        ({"base": "margin"}, f"{KEY}.base: expected one of 'revenue', 'profit', got 'margin'."),
        ({"grade_by": "order"}, f"{KEY}.grade_by: expected one of 'line', 'product', got 'order'."),
        (
            {"tiers": [{"name": "A", "min_margin": Decimal("0.4"), "rate": "five"}]},
            f"{KEY}.tiers[0].rate: expected a decimal, got 'five'.",
        ),
        (
            {
                "tiers": [
                    {"name": "A", "min_margin": Decimal("0.4"), "rate": Decimal("0.1"), "max": 1}
                ]
            },
            f"{KEY}.tiers[0]: unknown key 'max'; a tier has name, min_margin and rate.",
        ),
        (
            {"tiers": [{"name": "A", "rate": Decimal("0.1")}]},
            f"{KEY}.tiers[0].min_margin: missing key 'min_margin'.",
        ),
        ({"tiers": []}, f"{KEY}.tiers: at least one tier is needed."),
        (
            {"tiers": tiers(("A", "0.40", "0.08"), ("A", "0.20", "0.05"))},
            f"{KEY}.tiers[1].name: the name 'A' is used by two tiers.",
        ),
        (
            {"tiers": tiers(("A", "0.123456", "0.08"))},
            f"{KEY}.tiers[0].min_margin: use at most four decimals (0.0825 = 8.25 %), got 0.123456.",
        ),
        (
            {"tiers": tiers(("A", "1.2", "0.08"))},
            f"{KEY}.tiers[0].min_margin: min_margin is a fraction between 0 and 1 (0.08 = 8 %), got 1.2.",
        ),
    ],
)
def test_bad_settings_stop_start_up_with_a_message_naming_the_key(make_app, settings, message):
    with pytest.raises(PluginError) as error:
        make_app(plugins=["sales_commission"], settings={"sales_commission": settings})
    assert message in str(error.value)


def test_the_design_example_is_accepted_and_normalised(make_app):
    from core.plugins import settings_of

    make_app(
        plugins=["sales_commission"],
        settings={
            "sales_commission": {
                "base": "profit",
                "grade_by": "product",
                "tiers": tiers(("A", "0.40", "0.08"), ("B", "0.20", "0.05"), ("C", "0.00", "0.02")),
            }
        },
    )
    settings = settings_of("sales_commission")
    assert settings["base"] == "profit"
    assert settings["tiers"][2] == {
        "name": "C",
        "min_margin": Decimal("0.0000"),
        "rate": Decimal("0.0200"),
    }


def test_whole_numbers_from_toml_are_fractions_too():
    assert (
        check_tiers([{"name": "All", "min_margin": 0, "rate": Decimal("0.05")}])[0]["min_margin"]
        == 0
    )


def test_check_rule_names_the_key_for_the_settings_page():
    with pytest.raises(SettingError) as error:
        check_rule(
            "revenue",
            "line",
            [
                {"name": "A", "min_margin": "0.2", "rate": "0.1"},
                {"name": "B", "min_margin": "0.3", "rate": "0.1"},
            ],
        )
    assert error.value.path == "tiers[1].min_margin"
    assert "strictly descending" in error.value.message
    with pytest.raises(SettingError) as error:
        check_rule("margin", "line", [])
    assert error.value.path == "base"


def test_the_version_in_force_is_the_latest_not_after_the_order_date(db, make_staff):
    from plugins.sales_commission import rules
    from plugins.sales_commission.settings import current_rules

    first = current_rules()
    rules.add_version(
        dt.date(2026, 3, 10), "profit", "line", tiers(("X", "0.10", "0.10")), "", None
    )
    current = current_rules()
    assert current.in_force(dt.date(2026, 3, 9)).id == first.versions[0].id
    assert current.in_force(dt.date(2026, 3, 10)).base == "profit"
    assert current.in_force(dt.date(2030, 1, 1)).tiers[0].name == "X"
