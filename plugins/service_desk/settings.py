"""The [plugins.service_desk] settings: schema with checks, and typed access for the other modules."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

import holidays as holiday_data
from flask import current_app

from core.i18n import N_, _
from core.plugins import PluginError, Setting, SettingError, settings_of
from plugins.service_desk.business_hours import (
    BusinessCalendar,
    CalendarError,
    parse_clock_time,
    parse_working_days,
)
from plugins.service_desk.models import PRIORITIES
from plugins.service_desk.sla import Policy

PLUGIN = "service_desk"

DEFAULT_POLICIES = [
    {"priority": "urgent", "first_response_minutes": 60, "resolution_minutes": 480},
    {"priority": "high", "first_response_minutes": 120, "resolution_minutes": 960},
    {"priority": "normal", "first_response_minutes": 480, "resolution_minutes": 2400},
    {"priority": "low", "first_response_minutes": 960, "resolution_minutes": 4800},
]
#: The shipped categories (shown translated; categories a company configures are shown as written).
DEFAULT_CATEGORIES = [
    N_("Delivery"),
    N_("Damaged goods"),
    N_("Product quality"),
    N_("Billing"),
    N_("Returns"),
    N_("Other"),
]


def category_label(category: str) -> str:
    """A category for the reader: the shipped ones translated, a company's own as written."""
    return _(category) if category in DEFAULT_CATEGORIES else category


#: File types an attachment may have, by extension; each has a content check in attachments.py.
ATTACHMENT_TYPES = ("pdf", "png", "jpg", "jpeg", "gif", "webp", "txt", "csv")
POLICY_KEYS = {"priority", "tier", "first_response_minutes", "resolution_minutes"}


def _check_policies(value: list[Any]) -> list[dict[str, Any]]:
    """Each policy names a known priority, optional tier, and positive whole-minute targets."""
    seen: set[tuple[str, str | None]] = set()
    for index, policy in enumerate(value):
        where = f"[{index}]"
        if not isinstance(policy, dict):
            raise SettingError(_('expected a table such as { priority = "high", ... }'), where)
        unknown = set(policy) - POLICY_KEYS
        if unknown:
            raise SettingError(
                _(
                    "unknown key '%(key)s' (known: %(known)s)",
                    key=sorted(unknown)[0],
                    known=", ".join(sorted(POLICY_KEYS)),
                ),
                where,
            )
        if policy.get("priority") not in PRIORITIES:
            raise SettingError(
                _("expected one of %(known)s", known=", ".join(PRIORITIES)), f"{where}.priority"
            )
        tier = policy.get("tier")
        if tier is not None and (not isinstance(tier, str) or not tier.strip()):
            raise SettingError(_("expected a tier name"), f"{where}.tier")
        for key in ("first_response_minutes", "resolution_minutes"):
            minutes = policy.get(key)
            if minutes is not None and (
                isinstance(minutes, bool) or not isinstance(minutes, int) or minutes <= 0
            ):
                raise SettingError(
                    _("expected a whole number of minutes above 0"), f"{where}.{key}"
                )
        identity = (policy["priority"], tier)
        if identity in seen:
            name = f"{identity[0]} / {tier}" if tier else identity[0]
            raise SettingError(_("a second policy for %(name)s", name=name), where)
        seen.add(identity)
    return value


DEFAULT_BUSINESS_HOURS: dict[str, Any] = {
    "working_days": ["mon", "tue", "wed", "thu", "fri"],
    "opens": "09:00",
    "closes": "17:00",
    "public_holidays": True,
    "holiday_subdivision": "",
    "closed_dates": [],
}


def _check_business_hours(value: dict[str, Any]) -> dict[str, Any]:
    """Known keys, day names, HH:MM times with opening before closing, YYYY-MM-DD closed dates."""
    unknown = set(value) - set(DEFAULT_BUSINESS_HOURS)
    if unknown:
        known = ", ".join(DEFAULT_BUSINESS_HOURS)
        raise SettingError(
            _("unknown key '%(key)s' (known: %(known)s)", key=sorted(unknown)[0], known=known)
        )
    merged = {**DEFAULT_BUSINESS_HOURS, **value}
    days = merged["working_days"]
    if not isinstance(days, list) or not days:
        raise SettingError(_("expected a list of at least one day"), ".working_days")
    try:
        parse_working_days(days)
    except ValueError as error:
        raise SettingError(str(error), ".working_days") from None
    times = {}
    for key in ("opens", "closes"):
        try:
            times[key] = parse_clock_time(str(merged[key]))
        except ValueError as error:
            raise SettingError(str(error), f".{key}") from None
    if times["opens"] >= times["closes"]:
        raise SettingError(_("the desk must open before it closes"), ".closes")
    if not isinstance(merged["public_holidays"], bool):
        raise SettingError(_("expected true or false"), ".public_holidays")
    if not isinstance(merged["holiday_subdivision"], str):
        raise SettingError(_('expected a string such as "BY"'), ".holiday_subdivision")
    closed = merged["closed_dates"]
    if not isinstance(closed, list):
        raise SettingError(_("expected a list of dates"), ".closed_dates")
    for index, item in enumerate(closed):
        if isinstance(item, dt.date):
            continue
        try:
            dt.date.fromisoformat(str(item))
        except ValueError:
            raise SettingError(
                _("expected a date written YYYY-MM-DD"), f".closed_dates[{index}]"
            ) from None
    return merged


def _check_strings(value: list[Any]) -> list[str]:
    """At least one non-empty string."""
    if not value:
        raise SettingError(_("expected at least one entry"))
    for index, item in enumerate(value):
        if not isinstance(item, str) or not item.strip():
            raise SettingError(_("expected a non-empty string"), f"[{index}]")
    return [item.strip() for item in value]


def _check_types(value: list[Any]) -> list[str]:
    """Known attachment types only."""
    for index, item in enumerate(value):
        if str(item).lower() not in ATTACHMENT_TYPES:
            raise SettingError(
                _("expected one of %(known)s", known=", ".join(ATTACHMENT_TYPES)), f"[{index}]"
            )
    return [str(item).lower() for item in value]


def _positive(value: int) -> int:
    """Above zero."""
    if value <= 0:
        raise SettingError(_("expected a number above 0"))
    return value


def _not_negative(value: int) -> int:
    """Zero or more."""
    if value < 0:
        raise SettingError(_("expected 0 or more"))
    return value


def _cost(value: Decimal) -> Decimal:
    """An amount of money: zero or more, at most two places."""
    if value < 0 or value != value.quantize(Decimal("0.01")):
        raise SettingError(
            _("expected an amount of 0 or more with at most two decimals, e.g. 12.50")
        )
    return value.quantize(Decimal("0.01"))


def schema() -> list[Setting]:
    """The settings schema (validated at start-up; see docs/plugins/service_desk.md)."""
    return [
        Setting("categories", list, DEFAULT_CATEGORIES, "ticket categories, e.g. [\"Delivery\"]", check=_check_strings),
        Setting("business_hours", dict, DEFAULT_BUSINESS_HOURS, "working days, opening hours, holidays", check=_check_business_hours),
        Setting("sla_policies", list, DEFAULT_POLICIES, "SLA targets per priority (and tier) in business minutes", check=_check_policies),
        Setting("warn_before_minutes", int, 60, "business minutes before a breach when the assignee is warned", check=_not_negative),
        Setting("survey_expiry_days", int, 14, "days a satisfaction survey link stays valid", check=_positive),
        Setting("auto_close_days", int, 7, "days after resolution a ticket is closed (0: never)", check=_not_negative),
        Setting("attachment_max_kb", int, 5120, "largest attachment in KiB", check=_positive),
        Setting("attachment_types", list, ["pdf", "png", "jpg", "jpeg", "gif", "webp", "txt"], "allowed attachment extensions", check=_check_types),
        Setting("low_rating_follow_up", str, "notify", "what a rating of 1 or 2 does", choices=("none", "notify", "reopen")),
        Setting("cost_per_ticket", Decimal, Decimal("0.00"), "what handling one ticket costs, for a customer's net contribution (insights)", check=_cost),
    ]  # fmt: skip


@dataclass(frozen=True)
class DeskSettings:
    """The plugin's settings, typed, plus what it takes from [clientele]."""

    categories: tuple[str, ...]
    policies: tuple[Policy, ...]
    warn_before_minutes: int
    survey_expiry_days: int
    auto_close_days: int
    attachment_max_bytes: int
    attachment_types: tuple[str, ...]
    low_rating_follow_up: str
    cost_per_ticket: Decimal
    base_url: str
    company: str


def current() -> DeskSettings:
    """The current app's service desk settings: the one way the plugin reads them."""
    raw = settings_of(PLUGIN)
    core = current_app.config["CLIENTELE"]
    return DeskSettings(
        categories=tuple(raw["categories"]),
        policies=tuple(
            Policy(
                priority=item["priority"],
                tier=item.get("tier"),
                first_response_minutes=item.get("first_response_minutes"),
                resolution_minutes=item.get("resolution_minutes"),
            )
            for item in raw["sla_policies"]
        ),
        warn_before_minutes=raw["warn_before_minutes"],
        survey_expiry_days=raw["survey_expiry_days"],
        auto_close_days=raw["auto_close_days"],
        attachment_max_bytes=raw["attachment_max_kb"] * 1024,
        attachment_types=tuple(raw["attachment_types"]),
        low_rating_follow_up=raw["low_rating_follow_up"],
        cost_per_ticket=raw["cost_per_ticket"],
        base_url=str(core["base_url"]).rstrip("/"),
        company=str(core["company"]),
    )


def build_calendar(hours: dict[str, Any], timezone: str, region: str) -> BusinessCalendar:
    """The business calendar from the business_hours setting, the company time zone and region."""
    public: Any = frozenset()
    if hours["public_holidays"] and region:
        subdivision = hours["holiday_subdivision"] or None
        try:
            public = holiday_data.country_holidays(region.upper(), subdiv=subdivision)
        except NotImplementedError:
            if subdivision:
                problem = _(
                    "the holidays package knows no region '%(region)s' with subdivision "
                    "'%(subdivision)s'",
                    region=region,
                    subdivision=subdivision,
                )
            else:
                problem = _("the holidays package knows no region '%(region)s'", region=region)
            raise CalendarError(problem) from None
    return BusinessCalendar(
        working_days=parse_working_days(hours["working_days"]),
        opens=parse_clock_time(hours["opens"]),
        closes=parse_clock_time(hours["closes"]),
        timezone=ZoneInfo(timezone),
        closed_dates=frozenset(
            item if isinstance(item, dt.date) else dt.date.fromisoformat(str(item))
            for item in hours["closed_dates"]
        ),
        holidays=public,
    )


def desk_calendar() -> BusinessCalendar:
    """The current app's business calendar (made once per app)."""
    cached = current_app.extensions.get("service_desk.calendar")
    if cached is None:
        core = current_app.config["CLIENTELE"]
        hours = settings_of(PLUGIN)["business_hours"]
        try:
            cached = build_calendar(hours, core["timezone"], core["default_region"])
        except CalendarError as error:
            raise PluginError(
                PLUGIN,
                f"[plugins.service_desk].business_hours: {error}.",
                _("Fix holiday_subdivision or [clientele].default_region in the config file."),
            ) from None
        current_app.extensions["service_desk.calendar"] = cached
    return cached
