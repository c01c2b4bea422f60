"""The [plugins.loyalty] settings: their schema, defaults and the checks that name the wrong key."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from flask import current_app

from core.i18n import _
from core.plugins import Setting, SettingError, settings_of
from core.roles import ROLES

CARE_ACTIONS = ("visit", "call")
BADGE_COLOURS = ("primary", "secondary", "success", "danger", "warning", "info", "light", "dark")
#: Badge colour of each tier by position when the tier names none.
DEFAULT_BADGES = ("primary", "warning", "secondary", "info", "light")
TIER_KEYS = ("name", "min_profit", "top_percent", "care", "every_days", "badge")

DEFAULT_TIERS = [
    {"name": "Platinum", "min_profit": Decimal("5000"), "care": "visit", "every_days": 30},
    {"name": "Gold", "min_profit": Decimal("2000"), "care": "call", "every_days": 60},
    {"name": "Silver", "min_profit": Decimal("500"), "care": "call", "every_days": 120},
    {"name": "Bronze", "min_profit": Decimal("0.01")},
]
DEFAULT_LIFECYCLE: dict[str, Any] = {
    "stable_after_orders": 9,
    "default_interval_days": 90,
    "minimum_interval_days": 7,
    "at_risk_factor": Decimal("2"),
    "churned_factor": Decimal("4"),
}


@dataclass(frozen=True)
class TierRule:
    """One tier: reached by profit ≥ min_profit, or by being in the top_percent of customers."""

    name: str
    min_profit: Decimal | None
    top_percent: Decimal | None
    care: str | None
    every_days: int | None
    badge: str


@dataclass(frozen=True)
class LifecycleRules:
    """When a customer is new, developing, stable, at risk or churned (see lifecycle.py)."""

    stable_after_orders: int
    default_interval_days: int
    minimum_interval_days: int
    at_risk_factor: Decimal
    churned_factor: Decimal


def _decimal(value: Any, path: str) -> Decimal:
    """A number from TOML or Python as an exact Decimal; SettingError otherwise."""
    if isinstance(value, bool) or not isinstance(value, int | float | Decimal | str):
        raise SettingError(_("expected a number, got %(value)s", value=repr(value)), path)
    try:
        number = Decimal(str(value))
    except InvalidOperation:
        raise SettingError(_("expected a number, got %(value)s", value=repr(value)), path) from None
    if not number.is_finite():
        raise SettingError(_("expected a number, got %(value)s", value=repr(value)), path)
    return number


def _integer(value: Any, path: str, minimum: int) -> int:
    """A whole number of at least minimum; SettingError otherwise."""
    if isinstance(value, bool) or not isinstance(value, int):
        raise SettingError(_("expected a whole number, got %(value)s", value=repr(value)), path)
    if value < minimum:
        raise SettingError(
            _("must be at least %(minimum)s, got %(value)s", minimum=minimum, value=value), path
        )
    return value


def _tier(index: int, raw: Any) -> TierRule:
    """One checked tier table."""
    where = f"[{index}]"
    if not isinstance(raw, Mapping):
        raise SettingError(_('expected a table like { name = "Gold", min_profit = 2000 }'), where)
    unknown = sorted(set(raw) - set(TIER_KEYS))
    if unknown:
        raise SettingError(
            _("unknown key (known: %(keys)s)", keys=", ".join(TIER_KEYS)), f"{where}.{unknown[0]}"
        )
    name = raw.get("name")
    if not isinstance(name, str) or not name.strip():
        raise SettingError(_("every tier needs a name"), f"{where}.name")
    if ("min_profit" in raw) == ("top_percent" in raw):
        raise SettingError(_("give exactly one of min_profit or top_percent"), where)
    min_profit = top_percent = None
    if "min_profit" in raw:
        min_profit = _decimal(raw["min_profit"], f"{where}.min_profit")
        if not 0 <= min_profit < Decimal("1E12") or min_profit != min_profit.quantize(
            Decimal("0.01")
        ):
            raise SettingError(
                _(
                    "must be an amount of 0 or more (below 1,000,000,000,000) "
                    "with at most two decimals"
                ),
                f"{where}.min_profit",
            )
    else:
        top_percent = _decimal(raw["top_percent"], f"{where}.top_percent")
        if not Decimal(0) < top_percent <= 100:
            raise SettingError(_("must be more than 0 and at most 100"), f"{where}.top_percent")
    care, every_days = raw.get("care"), raw.get("every_days")
    if care is not None and care not in CARE_ACTIONS:
        raise SettingError(
            _(
                "expected one of %(choices)s, got %(value)s",
                choices=", ".join(CARE_ACTIONS),
                value=repr(care),
            ),
            f"{where}.care",
        )
    if (care is None) != (every_days is None):
        raise SettingError(
            _('care and every_days go together (e.g. care = "visit", every_days = 30)'), where
        )
    if every_days is not None:
        every_days = _integer(every_days, f"{where}.every_days", 1)
    badge = raw.get("badge", DEFAULT_BADGES[min(index, len(DEFAULT_BADGES) - 1)])
    if badge not in BADGE_COLOURS:
        raise SettingError(
            _(
                "expected one of %(choices)s, got %(value)s",
                choices=", ".join(BADGE_COLOURS),
                value=repr(badge),
            ),
            f"{where}.badge",
        )
    return TierRule(name.strip(), min_profit, top_percent, care, every_days, badge)


def _check_order(index: int, above: TierRule, rule: TierRule) -> None:
    """A lower tier needs a lower threshold, or a larger top percentage, than the tier above."""
    if rule.min_profit is not None and above.min_profit is not None:
        if rule.min_profit >= above.min_profit:
            raise SettingError(
                _(
                    "must be lower than the tier above (%(name)s: %(limit)s)",
                    name=above.name,
                    limit=above.min_profit,
                ),
                f"[{index}].min_profit",
            )
    elif (
        rule.top_percent is not None
        and above.top_percent is not None
        and rule.top_percent <= above.top_percent
    ):
        raise SettingError(
            _(
                "must be more than the tier above (%(name)s: %(limit)s)",
                name=above.name,
                limit=above.top_percent,
            ),
            f"[{index}].top_percent",
        )


def check_tiers(value: list[Any]) -> list[TierRule]:
    """Tiers from the highest down: one basis for all, thresholds falling or percentages rising."""
    rules = [_tier(index, raw) for index, raw in enumerate(value)]
    names = [rule.name.lower() for rule in rules]
    for index, name in enumerate(names):
        if name in names[:index]:
            raise SettingError(
                _("the name %(name)s is used twice", name=repr(rules[index].name)),
                f"[{index}].name",
            )
    if len({rule.min_profit is None for rule in rules}) > 1:
        raise SettingError(_("use min_profit in every tier or top_percent in every tier, not both"))
    for index in range(1, len(rules)):
        _check_order(index, rules[index - 1], rules[index])
    return rules


def check_lifecycle(value: dict[str, Any]) -> LifecycleRules:
    """The lifecycle table over its defaults; churned must come after at risk."""
    unknown = sorted(set(value) - set(DEFAULT_LIFECYCLE))
    if unknown:
        raise SettingError(
            _("unknown key (known: %(keys)s)", keys=", ".join(DEFAULT_LIFECYCLE)),
            f".{unknown[0]}",
        )
    merged = {**DEFAULT_LIFECYCLE, **value}
    rules = LifecycleRules(
        stable_after_orders=_integer(merged["stable_after_orders"], ".stable_after_orders", 2),
        default_interval_days=_integer(
            merged["default_interval_days"], ".default_interval_days", 1
        ),
        minimum_interval_days=_integer(
            merged["minimum_interval_days"], ".minimum_interval_days", 1
        ),
        at_risk_factor=_decimal(merged["at_risk_factor"], ".at_risk_factor"),
        churned_factor=_decimal(merged["churned_factor"], ".churned_factor"),
    )
    if rules.at_risk_factor < 1:
        raise SettingError(_("must be at least 1"), ".at_risk_factor")
    if rules.churned_factor <= rules.at_risk_factor:
        raise SettingError(
            _("must be more than at_risk_factor (%(factor)s)", factor=rules.at_risk_factor),
            ".churned_factor",
        )
    if rules.default_interval_days < rules.minimum_interval_days:
        raise SettingError(
            _(
                "must be at least minimum_interval_days (%(days)s)",
                days=rules.minimum_interval_days,
            ),
            ".default_interval_days",
        )
    return rules


def check_holiday_names(value: list[Any]) -> list[str]:
    """Holiday names to greet on: strings; "*" means every public holiday."""
    for index, name in enumerate(value):
        if not isinstance(name, str) or not name.strip():
            raise SettingError(
                _("expected a holiday name, got %(value)s", value=repr(name)), f"[{index}]"
            )
    return [name.strip() for name in value]


def check_positive_decimal(value: Decimal) -> Decimal:
    """A money amount above zero."""
    if value <= 0:
        raise SettingError(_("must be more than 0, got %(value)s", value=value))
    return value


def check_non_negative(value: int) -> int:
    """A count of days of 0 or more."""
    if value < 0:
        raise SettingError(_("must be 0 or more, got %(value)s", value=value))
    return value


def check_positive(value: int) -> int:
    """A count of 1 or more."""
    if value < 1:
        raise SettingError(_("must be at least 1, got %(value)s", value=value))
    return value


#: The settings of [plugins.loyalty] with their defaults.
SCHEMA = [
    Setting(
        "tiers",
        list,
        DEFAULT_TIERS,
        "tiers from the highest down, by min_profit or top_percent",
        check=check_tiers,
    ),
    Setting(
        "lifecycle",
        dict,
        {},
        "stable_after_orders, default_interval_days, minimum_interval_days, at_risk_factor, churned_factor",
        check=check_lifecycle,
    ),
    Setting(
        "care_lead_days",
        int,
        7,
        "days before a care visit or call is due that its task appears",
        check=check_non_negative,
    ),
    Setting(
        "task_fallback_role",
        str,
        "manager",
        "role that handles care tasks of customers without an owner",
        choices=ROLES,
    ),
    Setting(
        "reactivation_tasks",
        bool,
        True,
        "create a task when a customer becomes at risk or churned",
    ),
    Setting(
        "matrix_split",
        str,
        "median",
        "how the value matrix splits customers",
        choices=("median", "fixed"),
    ),
    Setting(
        "matrix_frequent_orders",
        int,
        6,
        'orders in 12 months that count as frequent (matrix_split = "fixed")',
        check=check_positive,
    ),
    Setting(
        "matrix_high_order_profit",
        Decimal,
        Decimal("100"),
        'average profit per order that counts as high (matrix_split = "fixed")',
        check=check_positive_decimal,
    ),
    Setting(
        "greeting_holidays",
        list,
        ["New Year's Day", "Christmas Day"],
        'public holidays to greet on by English name; "*" = all',
        check=check_holiday_names,
    ),
]


def schema() -> list[Setting]:
    """The settings of [plugins.loyalty] with their defaults."""
    return list(SCHEMA)


@dataclass(frozen=True)
class LoyaltySettings:
    """The validated settings, typed."""

    tiers: Sequence[TierRule]
    lifecycle: LifecycleRules
    care_lead_days: int
    task_fallback_role: str
    reactivation_tasks: bool
    matrix_split: str
    matrix_frequent_orders: int
    matrix_high_order_profit: Decimal
    greeting_holidays: Sequence[str]


def current() -> LoyaltySettings:
    """The current app's loyalty settings."""
    values = settings_of("loyalty")
    return LoyaltySettings(**values)


def company_region() -> str:
    """The company's default region ([clientele].default_region), used for holidays of customers without a country."""
    return str(current_app.config["CLIENTELE"]["default_region"] or "")
