"""The [plugins.insights] settings: the schema, and current() as the one typed way to read them."""

from __future__ import annotations

from dataclasses import dataclass

from core.plugins import Setting, SettingError, settings_of


def _months(value: int) -> int:
    """A default report span: 1 to 60 months."""
    if not 1 <= value <= 60:
        raise SettingError("write a number of months from 1 to 60")
    return value


def _positive(value: int) -> int:
    if value < 1:
        raise SettingError("write a whole number of 1 or more")
    return value


SCHEMA = [
    Setting(
        "default_months",
        int,
        12,
        "months a report shows when no period is chosen (ending with the current month)",
        check=_months,
    ),
    Setting("page_size", int, 50, "rows per page of a report's table", check=_positive),
    Setting(
        "basket_min_orders",
        int,
        2,
        "orders a pair must share to be listed on the basket page by default",
        check=_positive,
    ),
]


@dataclass(frozen=True)
class InsightsSettings:
    """The checked [plugins.insights] table."""

    default_months: int
    page_size: int
    basket_min_orders: int


def current() -> InsightsSettings:
    """The current app's settings of the plugin (validated against SCHEMA at start-up)."""
    raw = settings_of("insights")
    return InsightsSettings(
        default_months=raw["default_months"],
        page_size=raw["page_size"],
        basket_min_orders=raw["basket_min_orders"],
    )
