"""Settings are checked at start-up; a wrong value stops it with a message naming the key."""

from __future__ import annotations

from decimal import Decimal

import pytest

from core.plugins import PluginError
from plugins.loyalty.settings import DEFAULT_LIFECYCLE, check_lifecycle, check_tiers, current


def start(make_app, **table):
    """Make an app with these [plugins.loyalty] values."""
    return make_app(plugins=["loyalty"], settings={"loyalty": table})


def test_defaults(app):
    settings = current()
    assert [rule.name for rule in settings.tiers] == ["Platinum", "Gold", "Silver", "Bronze"]
    assert settings.tiers[0].min_profit == Decimal("5000")
    assert (settings.tiers[0].care, settings.tiers[0].every_days) == ("visit", 30)
    assert settings.tiers[3].care is None
    assert settings.lifecycle.stable_after_orders == 9
    assert settings.lifecycle.at_risk_factor == Decimal("2")
    assert settings.task_fallback_role == "manager"


@pytest.mark.parametrize(
    ("table", "message"),
    [
        (
            {"tiers": [{"name": "Gold"}]},
            "[plugins.loyalty].tiers[0]: give exactly one of min_profit or top_percent",
        ),
        (
            {"tiers": [{"name": "Gold", "min_profit": 100}, {"name": "Silver", "min_profit": 100}]},
            "[plugins.loyalty].tiers[1].min_profit: must be lower than the tier above (Gold: 100)",
        ),
        (
            {"tiers": [{"name": "Gold", "top_percent": 10}, {"name": "Silver", "top_percent": 5}]},
            "[plugins.loyalty].tiers[1].top_percent: must be more than the tier above (Gold: 10)",
        ),
        (
            {"tiers": [{"name": "Gold", "top_percent": 10}, {"name": "Silver", "min_profit": 5}]},
            "use min_profit in every tier or top_percent in every tier",
        ),
        (
            {"tiers": [{"name": "Gold", "min_profit": "lots"}]},
            "[plugins.loyalty].tiers[0].min_profit: expected a number",
        ),
        (
            {"tiers": [{"name": "Gold", "min_profit": Decimal("1.005")}]},
            "tiers[0].min_profit: must be an amount",
        ),
        (
            {"tiers": [{"name": "Gold", "top_percent": 0}]},
            "tiers[0].top_percent: must be more than 0 and at most 100",
        ),
        (
            {"tiers": [{"name": "Gold", "min_profit": 1, "care": "dinner", "every_days": 3}]},
            "tiers[0].care: expected one of visit, call",
        ),
        (
            {"tiers": [{"name": "Gold", "min_profit": 1, "care": "visit"}]},
            "tiers[0]: care and every_days go together",
        ),
        (
            {"tiers": [{"name": "Gold", "min_profit": 1, "colour": "red"}]},
            "tiers[0].colour: unknown key",
        ),
        (
            {"tiers": [{"name": "Gold", "min_profit": 2}, {"name": "gold", "min_profit": 1}]},
            "tiers[1].name: the name 'gold' is used twice",
        ),
        ({"tiers": [{"name": " ", "min_profit": 2}]}, "tiers[0].name: every tier needs a name"),
        (
            {"lifecycle": {"churned_factor": 1.5}},
            "[plugins.loyalty].lifecycle.churned_factor: must be more than at_risk_factor (2)",
        ),
        (
            {"lifecycle": {"stable_after_orders": 1}},
            "lifecycle.stable_after_orders: must be at least 2",
        ),
        ({"lifecycle": {"patience": 3}}, "lifecycle.patience: unknown key"),
        (
            {"lifecycle": {"default_interval_days": 3}},
            "lifecycle.default_interval_days: must be at least minimum_interval_days (7)",
        ),
        ({"task_fallback_role": "boss"}, "[plugins.loyalty].task_fallback_role: expected one of"),
        ({"care_lead_days": -1}, "[plugins.loyalty].care_lead_days: must be 0 or more"),
        (
            {"greeting_holidays": ["Christmas Day", 3]},
            "[plugins.loyalty].greeting_holidays[1]: expected a holiday name",
        ),
        (
            {"matrix_high_order_profit": 0},
            "[plugins.loyalty].matrix_high_order_profit: must be more than 0",
        ),
        ({"loyalty_points": True}, "[plugins.loyalty]: unknown key 'loyalty_points'"),
    ],
)
def test_bad_settings_stop_start_up_naming_the_key(make_app, table, message):
    with pytest.raises(PluginError) as error:
        start(make_app, **table)
    assert message in str(error.value)
    assert "loyalty" in str(error.value)


def test_partial_lifecycle_table_keeps_the_other_defaults():
    rules = check_lifecycle({"at_risk_factor": Decimal("1.5"), "churned_factor": 3})
    assert rules.at_risk_factor == Decimal("1.5")
    assert rules.churned_factor == Decimal("3")
    assert rules.stable_after_orders == DEFAULT_LIFECYCLE["stable_after_orders"]


def test_tiers_from_toml_numbers_and_badges():
    rules = check_tiers(
        [
            {"name": "A", "top_percent": Decimal("2.5")},
            {"name": "B", "top_percent": 10, "badge": "dark"},
        ]
    )
    assert rules[0].top_percent == Decimal("2.5")
    assert rules[0].badge == "primary"  # the default of the first position
    assert rules[1].badge == "dark"


def test_no_tiers_is_allowed(make_app):
    app = start(make_app, tiers=[])
    with app.app_context():
        assert current().tiers == []
