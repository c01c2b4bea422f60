"""Commission rules: checking tier tables, and the versions of the rules with their effective dates.

A tier table is a list of {name, min_margin, rate}, strictly descending by min_margin. A line
earns the rate of the first tier whose min_margin its margin reaches; below every tier it
earns nothing. Rates and margins are fractions (0.08 = 8 %) with at most four decimals.

The config file gives the first version of the rules. It is copied into the database the
first time the plugin needs rules (version 1, in force from the start), and only then: later
changes are versions added on the settings page, each in force for orders dated on or after
its effective date. A version may only start after the last approved month, so approved
statements never change.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from core import dates
from core.db import db
from core.i18n import _
from core.models import User
from core.plugins import SettingError
from plugins.sales_commission.models import BASES, GRADINGS, RuleTier, RuleVersion, Statement

#: Version 1 (from the config) is in force for every order dated from this day on.
BEGINNING = dt.date(1900, 1, 1)
TIER_KEYS = ("name", "min_margin", "rate")
MAX_TIERS = 12
PLACES = Decimal("0.0001")


@dataclass(frozen=True)
class Tier:
    """One tier of a rule version."""

    name: str
    min_margin: Decimal
    rate: Decimal
    id: int | None = None


@dataclass(frozen=True)
class Version:
    """One version of the rules as the accrual reads it."""

    id: int
    effective_from: dt.date
    base: str
    grade_by: str
    tiers: tuple[Tier, ...]

    def tier_for(self, margin: Decimal | None) -> Tier | None:
        """The first tier whose min_margin the exact margin reaches; None below every tier."""
        if margin is None:
            return None
        return next((tier for tier in self.tiers if margin >= tier.min_margin), None)


@dataclass(frozen=True)
class RuleSet:
    """All versions, oldest first."""

    versions: tuple[Version, ...]

    def in_force(self, day: dt.date) -> Version:
        """The version for an order dated ``day``: the latest whose effective date is not after it."""
        chosen = self.versions[0]
        for version in self.versions:
            if version.effective_from <= day:
                chosen = version
        return chosen

    def without(self, version_id: int) -> RuleSet:
        """The same rules with one version taken out (to see what deleting it would give)."""
        return RuleSet(tuple(version for version in self.versions if version.id != version_id))


def _decimal(value: Any, path: str) -> Decimal:
    """A number with at most four decimals from TOML (Decimal, int) or a form (text)."""
    if isinstance(value, bool) or not isinstance(value, int | Decimal | str):
        raise SettingError(_("expected a decimal, got %(value)s", value=repr(value)), path)
    try:
        number = Decimal(str(value).strip())
    except InvalidOperation:
        raise SettingError(
            _("expected a decimal, got %(value)s", value=repr(value)), path
        ) from None
    if not number.is_finite():
        raise SettingError(_("expected a decimal, got %(value)s", value=repr(value)), path)
    if abs(number) >= 1000:
        # Also keeps quantize below from failing on numbers such as 1e309.
        raise SettingError(
            _("expected a fraction such as 0.08 (= 8 %%), got %(value)s", value=_shown(value)), path
        )
    if number != number.quantize(PLACES):
        raise SettingError(
            _("use at most four decimals (0.0825 = 8.25 %%), got %(value)s", value=_shown(value)),
            path,
        )
    return number.quantize(PLACES)


def _fraction(value: Any, path: str, what: str) -> Decimal:
    """A fraction between 0 and 1 (0.08 = 8 %)."""
    number = _decimal(value, path)
    if not Decimal("0") <= number <= Decimal("1"):
        raise SettingError(
            _(
                "%(what)s is a fraction between 0 and 1 (0.08 = 8 %%), got %(value)s",
                what=what,
                value=_shown(value),
            ),
            path,
        )
    return number


def _shown(value: Any) -> str:
    """A number as the person typed it (TOML Decimal, int or text)."""
    return str(value).strip()


def check_tiers(value: Any) -> list[dict[str, Any]]:
    """Check a tier table and return it normalised; SettingError names the tier and key at fault."""
    if not isinstance(value, list):
        raise SettingError(
            _("expected a list of tiers {name, min_margin, rate}, got %(value)s", value=repr(value))
        )
    if not value:
        raise SettingError(_("at least one tier is needed"))
    if len(value) > MAX_TIERS:
        raise SettingError(
            _("at most %(most)s tiers are allowed, got %(count)s", most=MAX_TIERS, count=len(value))
        )
    tiers: list[dict[str, Any]] = []
    for index, raw in enumerate(value):
        where = f"[{index}]"
        if not isinstance(raw, Mapping):
            raise SettingError(
                _("expected a table {name, min_margin, rate}, got %(value)s", value=repr(raw)),
                where,
            )
        unknown = sorted(set(raw) - set(TIER_KEYS))
        if unknown:
            raise SettingError(
                _("unknown key '%(key)s'; a tier has name, min_margin and rate", key=unknown[0]),
                where,
            )
        for key in TIER_KEYS:
            if key not in raw or raw[key] in (None, ""):
                raise SettingError(_("missing key '%(key)s'", key=key), f"{where}.{key}")
        name = raw["name"]
        if not isinstance(name, str) or not name.strip() or len(name.strip()) > 40:
            raise SettingError(
                _("expected a name of 1 to 40 characters, got %(value)s", value=repr(name)),
                f"{where}.name",
            )
        name = name.strip()
        if any(tier["name"] == name for tier in tiers):
            raise SettingError(
                _("the name '%(name)s' is used by two tiers", name=name), f"{where}.name"
            )
        minimum = _fraction(raw["min_margin"], f"{where}.min_margin", "min_margin")
        rate = _fraction(raw["rate"], f"{where}.rate", "rate")
        if tiers and minimum >= tiers[-1]["min_margin"]:
            previous = tiers[-1]
            raise SettingError(
                _(
                    "thresholds must be strictly descending (highest min_margin first, no two "
                    "equal): %(value)s is not below %(previous)s of tiers[%(index)s] '%(name)s'",
                    value=_shown(raw["min_margin"]),
                    previous=_shown(value[index - 1]["min_margin"]),
                    index=index - 1,
                    name=previous["name"],
                ),
                f"{where}.min_margin",
            )
        tiers.append({"name": name, "min_margin": minimum, "rate": rate})
    return tiers


def check_rule(base: Any, grade_by: Any, tiers: Any) -> tuple[str, str, list[dict[str, Any]]]:
    """Check a whole rule (as typed on the settings page); SettingError paths start with the key."""
    if base not in BASES:
        raise SettingError(
            _("expected one of 'revenue', 'profit', got %(value)s", value=repr(base)), "base"
        )
    if grade_by not in GRADINGS:
        raise SettingError(
            _("expected one of 'line', 'product', got %(value)s", value=repr(grade_by)), "grade_by"
        )
    try:
        checked = check_tiers(tiers)
    except SettingError as error:
        raise SettingError(error.message, f"tiers{error.path}") from None
    return base, grade_by, checked


def load_rules() -> RuleSet | None:
    """Every version with its tiers, oldest first (None while there is none); one query."""
    rows = db.session.execute(
        select(
            RuleVersion.id,
            RuleVersion.effective_from,
            RuleVersion.base,
            RuleVersion.grade_by,
            RuleTier.id.label("tier_id"),
            RuleTier.name,
            RuleTier.min_margin,
            RuleTier.rate,
        )
        .join(RuleTier, RuleTier.version_id == RuleVersion.id)
        .order_by(RuleVersion.effective_from, RuleTier.position)
    ).all()
    if not rows:
        return None
    versions: dict[int, Version] = {}
    for row in rows:
        version = versions.get(row.id) or Version(
            row.id, row.effective_from, row.base, row.grade_by, ()
        )
        tier = Tier(row.name, row.min_margin, row.rate, row.tier_id)
        versions[row.id] = Version(
            version.id,
            version.effective_from,
            version.base,
            version.grade_by,
            (*version.tiers, tier),
        )
    return RuleSet(tuple(versions.values()))


def rules_stamp() -> tuple[Any, ...]:
    """Changes whenever a version is added or deleted (versions never change otherwise)."""
    return tuple(
        db.session.execute(
            select(func.count(), func.max(RuleVersion.id), func.max(RuleVersion.created_at))
        ).one()
    )


def ensure_rules(base: str, grade_by: str, tiers: Sequence[Mapping[str, Any]]) -> RuleSet:
    """The rules in the database, seeding version 1 from the config settings the first time."""
    rules = load_rules()
    if rules is not None:
        return rules
    try:
        with db.session.begin_nested():
            _insert_version(
                BEGINNING,
                base,
                grade_by,
                tiers,
                "Initial rules from the config file",
                "config",
                None,
            )
    except IntegrityError:
        pass  # another process seeded it at the same moment; use theirs
    rules = load_rules()
    assert rules is not None
    return rules


def _insert_version(
    effective_from: dt.date,
    base: str,
    grade_by: str,
    tiers: Sequence[Mapping[str, Any]],
    note: str,
    source: str,
    user: User | None,
) -> RuleVersion:
    """Write a version and its tiers (already checked)."""
    version = RuleVersion(
        effective_from=effective_from,
        base=base,
        grade_by=grade_by,
        note=note,
        source=source,
        created_by=user,
        tiers=[
            RuleTier(
                position=position,
                name=tier["name"],
                min_margin=Decimal(tier["min_margin"]),
                rate=Decimal(tier["rate"]),
            )
            for position, tier in enumerate(tiers)
        ],
    )
    db.session.add(version)
    db.session.flush()
    return version


def last_approved_period() -> str | None:
    """The latest month any salesperson's statement is approved or paid for."""
    return db.session.scalar(select(func.max(Statement.period)))


def first_changeable_day() -> dt.date | None:
    """The first day a new version may start: after the last approved month (None: any day)."""
    last = last_approved_period()
    if last is None:
        return None
    return dates.parse_period(dates.next_period(last))[0]


def effective_date_problem(effective_from: dt.date, existing: RuleSet) -> str | None:
    """Why a version cannot start on this day, or None when it can."""
    if effective_from <= existing.versions[0].effective_from:
        return _("The first version applies from the start; choose a later date.")
    if any(version.effective_from == effective_from for version in existing.versions):
        return _(
            "A version already starts on %(day)s; pick another day or delete it first.",
            day=effective_from,
        )
    first = first_changeable_day()
    if first is not None and effective_from < first:
        return _(
            "Statements up to %(month)s are approved and never change; "
            "choose a date from %(day)s on.",
            month=last_approved_period(),
            day=first,
        )
    return None


def add_version(
    effective_from: dt.date,
    base: str,
    grade_by: str,
    tiers: Sequence[Mapping[str, Any]],
    note: str,
    user: User | None,
    source: str = "settings page",
) -> RuleVersion:
    """Add a checked version (the caller re-accrues orders from its date, see accrual.py)."""
    return _insert_version(effective_from, base, grade_by, tiers, note.strip(), source, user)


def deletion_problem(version: RuleVersion, existing: RuleSet) -> str | None:
    """Why a version cannot be deleted, or None when it can."""
    if version.id == existing.versions[0].id:
        return _("The first version cannot be deleted; add a new version instead.")
    first = first_changeable_day()
    if first is not None and version.effective_from < first:
        return _(
            "It applies to approved statements (up to %(month)s); it stays.",
            month=last_approved_period(),
        )
    return None


def config_differs(
    base: str, grade_by: str, tiers: Sequence[Mapping[str, Any]], version: Version
) -> bool:
    """True when the config file's rules differ from a version (the settings page says so)."""
    typed = tuple((tier["name"], tier["min_margin"], tier["rate"]) for tier in tiers)
    return (base, grade_by, typed) != (
        version.base,
        version.grade_by,
        tuple((tier.name, tier.min_margin, tier.rate) for tier in version.tiers),
    )
