"""Small glue between the plugin's settings and its domain modules (no Flask request needed)."""

from __future__ import annotations

from flask import current_app

from core.plugins import settings_of
from plugins.sales_commission.rules import RuleSet, ensure_rules, rules_stamp

PLUGIN = "sales_commission"


def current_rules() -> RuleSet:
    """The rule versions in the database, seeded from the config the first time.

    Every order confirmation needs them, so they are kept per app and read again only when
    the cheap stamp query shows a version was added or deleted (by any process).
    """
    cache = current_app.extensions.setdefault("sales_commission.rules", {})
    stamp = rules_stamp()
    if cache.get("stamp") != stamp or "rules" not in cache:
        rules = ensure_rules(settings_of(PLUGIN))
        cache.update(stamp=rules_stamp(), rules=rules)
    cached: RuleSet = cache["rules"]
    return cached
