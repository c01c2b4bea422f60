"""The [plugins.sales_commission] settings, typed, and the rule versions they seed.

The config file gives the first version of the commission rules (base, grade_by, tiers), once;
later versions are added on the rules page and live in the database. current() is the one way
to read the config, current_rules() the one way to read the rules in force.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from flask import current_app

from core.plugins import Setting, settings_of
from plugins.sales_commission.models import BASES, GRADINGS
from plugins.sales_commission.rules import RuleSet, check_tiers, ensure_rules, rules_stamp

PLUGIN = "sales_commission"

#: The config example of DESIGN.md section 5, used when the config file has no tiers.
DEFAULT_TIERS = [
    {"name": "A", "min_margin": "0.40", "rate": "0.08"},
    {"name": "B", "min_margin": "0.20", "rate": "0.05"},
    {"name": "C", "min_margin": "0.00", "rate": "0.02"},
]


def schema() -> list[Setting]:
    """base, grade_by and tiers: the first version of the rules (see rules.py)."""
    return [
        Setting(
            "base",
            str,
            "revenue",
            "what the rate multiplies: 'revenue' (net) or 'profit' (net − cost)",
            choices=BASES,
        ),
        Setting(
            "grade_by",
            str,
            "line",
            "'line': margin of the sale after discount; 'product': the product's list margin",
            choices=GRADINGS,
        ),
        Setting(
            "tiers",
            list,
            DEFAULT_TIERS,
            "a list of {name, min_margin, rate}, strictly descending by min_margin; "
            "fractions, 0.08 = 8 %",
            check=check_tiers,
        ),
    ]


@dataclass(frozen=True)
class CommissionSettings:
    """The config file's rules: what version 1 was seeded from."""

    base: str
    grade_by: str
    tiers: tuple[dict[str, Any], ...]


def current() -> CommissionSettings:
    """The current app's [plugins.sales_commission] settings."""
    raw = settings_of(PLUGIN)
    return CommissionSettings(raw["base"], raw["grade_by"], tuple(raw["tiers"]))


def current_rules() -> RuleSet:
    """The rule versions in the database, seeded from the config the first time.

    Every order confirmation needs them, so they are kept per app and read again only when
    the cheap stamp query shows a version was added or deleted (by any process).
    """
    cache = current_app.extensions.setdefault("sales_commission.rules", {})
    stamp = rules_stamp()
    if cache.get("stamp") != stamp or "rules" not in cache:
        config = current()
        rules = ensure_rules(config.base, config.grade_by, config.tiers)
        cache.update(stamp=rules_stamp(), rules=rules)
    cached: RuleSet = cache["rules"]
    return cached
