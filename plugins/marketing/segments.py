"""Segments: rules stored as data, checked against the criteria plugins offer, compiled to one SQL statement.

A rule is ``{"match": "all"|"any", "conditions": [{"key", "value", "negate"}]}``. Every
criterion, marketing's own included, comes from the ``segment_criteria`` hook. Compiling
never evaluates anything per customer in Python: each condition becomes an SQL expression
over ``Customer`` and the rule is their AND / OR. A condition whose criterion is missing
(its plugin was disabled) or whose value is wrong is reported, never a crash.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

import pluggy
from sqlalchemy import Select, and_, false, func, or_, select, true
from sqlalchemy.sql import ColumnElement

from core.dates import parse_date
from core.db import db
from core.i18n import _
from core.models import Customer
from core.plugins import short_error

log = logging.getLogger("clientele.marketing")

KINDS = ("choice", "text", "number", "date", "flag")
MATCHES = ("all", "any")
MAX_CONDITIONS = 30


class SegmentError(ValueError):
    """A rule cannot be used; ``problems`` lists what is wrong, one sentence each, for the page."""

    def __init__(self, problems: list[str]) -> None:
        self.problems = problems
        super().__init__(" ".join(problems))


@dataclass(frozen=True)
class Criterion:
    """One condition a segment may use, as a plugin offered it."""

    key: str
    label: str
    kind: str
    build: Callable[[Any], Any]
    plugin: str
    #: The values on offer for "choice" (a list, or a sequence that reads them when listed).
    choices: Sequence[str] = ()


@dataclass
class Catalog:
    """Every criterion on offer by key, and the plugins whose criteria could not be read."""

    criteria: dict[str, Criterion] = field(default_factory=dict)
    errors: list[tuple[str, str]] = field(default_factory=list)

    def by_plugin(self) -> list[tuple[str, list[Criterion]]]:
        """Criteria grouped by plugin: marketing's own customer and order facts first, then the others."""
        groups: dict[str, list[Criterion]] = {"marketing": []}
        for criterion in self.criteria.values():
            groups.setdefault(criterion.plugin, []).append(criterion)
        return [(plugin, items) for plugin, items in groups.items() if items]


@dataclass(frozen=True)
class Condition:
    """One line of a rule: criterion key, value as typed, and whether it is negated."""

    key: str
    value: Any = ""
    negate: bool = False


@dataclass(frozen=True)
class Rule:
    """A segment's definition."""

    match: str = "all"
    conditions: tuple[Condition, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        """The JSON-able form stored in marketing_segment.definition."""
        return {
            "match": self.match,
            "conditions": [
                {"key": item.key, "value": item.value, "negate": item.negate}
                for item in self.conditions
            ],
        }

    def to_json(self) -> str:
        """The stored text form."""
        return json.dumps(self.to_dict(), ensure_ascii=False)


def parse_rule(data: Any) -> Rule:
    """A Rule from decoded JSON; SegmentError says what is malformed."""
    if not isinstance(data, dict):
        raise SegmentError([_("The rule must be an object with 'match' and 'conditions'.")])
    match = data.get("match", "all")
    if match not in MATCHES:
        raise SegmentError([_("'match' must be 'all' or 'any'.")])
    items = data.get("conditions", [])
    if not isinstance(items, list):
        raise SegmentError([_("'conditions' must be a list.")])
    if len(items) > MAX_CONDITIONS:
        raise SegmentError([_("A segment has at most %(most)s conditions.", most=MAX_CONDITIONS)])
    conditions = []
    for number, item in enumerate(items, start=1):
        if not isinstance(item, dict) or not isinstance(item.get("key"), str):
            raise SegmentError(
                [_("Condition %(number)s must be an object with a 'key'.", number=number)]
            )
        value = item.get("value", "")
        if value is None:
            value = ""
        if not isinstance(value, str | int | float | bool):
            raise SegmentError(
                [
                    _(
                        "Condition %(number)s: the value must be text, a number or true.",
                        number=number,
                    )
                ]
            )
        conditions.append(Condition(item["key"], value, bool(item.get("negate", False))))
    return Rule(match, tuple(conditions))


def rule_from_json(text: str) -> Rule:
    """A Rule from its stored or submitted JSON text."""
    try:
        data = json.loads(text or "{}")
    except ValueError:
        raise SegmentError([_("The rule is not valid JSON.")]) from None
    return parse_rule(data)


def _criterion_from(plugin: str, offered: Any) -> Criterion:
    """Check one offered criterion dict; ValueError says what is wrong with it."""
    if not isinstance(offered, dict):
        raise ValueError("a criterion must be a dict")
    key, kind, build = offered.get("key"), offered.get("kind"), offered.get("build")
    if not isinstance(key, str) or not key.startswith(f"{plugin}."):
        raise ValueError(f"criterion key {key!r} must start with '{plugin}.'")
    if kind not in KINDS:
        raise ValueError(f"criterion {key}: kind {kind!r} is not one of {', '.join(KINDS)}")
    if not callable(build):
        raise ValueError(f"criterion {key}: 'build' must be callable")
    choices = offered.get("choices")
    if choices is None:  # not "or ()": that would make lazy choices list every value
        choices = ()
    if isinstance(choices, list | tuple):
        choices = tuple(str(choice) for choice in choices)
    return Criterion(key, str(offered.get("label") or key), kind, build, plugin, choices)


def collect_criteria(pm: pluggy.PluginManager, reraise: bool = False) -> Catalog:
    """Ask every plugin for its criteria; one that fails is logged and listed, the others still work."""
    catalog = Catalog()
    for impl in reversed(pm.hook.segment_criteria.get_hookimpls()):
        try:
            offered: Any = impl.function()
            criteria = [_criterion_from(impl.plugin_name, item) for item in offered or []]
        except Exception as error:
            if reraise:
                raise
            log.exception("plugin %s: segment_criteria failed", impl.plugin_name)
            catalog.errors.append((impl.plugin_name, short_error(error)))
            continue
        for criterion in criteria:
            if criterion.key in catalog.criteria:
                catalog.errors.append(
                    (impl.plugin_name, _("criterion %(key)s is offered twice", key=criterion.key))
                )
                continue
            catalog.criteria[criterion.key] = criterion
    return catalog


#: Numbers typed into a rule stay below the largest amount a money column holds.
NUMBER_LIMIT = Decimal(10) ** 12


def typed_value(criterion: Criterion, raw: Any) -> Any:
    """The value a criterion's build receives, from what was typed; ValueError for the page."""
    if criterion.kind == "flag":
        return True
    text = str(raw).strip() if not isinstance(raw, bool) else ""
    if not text:
        raise ValueError(_("enter a value"))
    if criterion.kind == "number":
        try:
            number = Decimal(text.replace(",", ""))
        except InvalidOperation:
            raise ValueError(_("'%(text)s' is not a number", text=text)) from None
        if not number.is_finite():
            raise ValueError(_("'%(text)s' is not a number", text=text))
        if abs(number) >= NUMBER_LIMIT:  # no count, amount or day span is that large
            raise ValueError(_("'%(text)s' is too large", text=text))
        return number
    if criterion.kind == "date":
        return parse_date(text)
    # Membership first: lazy choices answer it with one lookup instead of listing every value.
    if criterion.kind == "choice" and text not in criterion.choices and len(criterion.choices):
        raise ValueError(_("'%(text)s' is not one of the values on offer", text=text))
    return text


def _condition_sql(criterion: Criterion, condition: Condition) -> ColumnElement[bool]:
    """One condition as SQL; negation is NULL-safe (a customer without a value is 'not' it)."""
    expression = criterion.build(typed_value(criterion, condition.value))
    if condition.negate:
        return ~func.coalesce(expression, false())
    return expression


def compile_rule(rule: Rule, catalog: Catalog) -> ColumnElement[bool]:
    """The rule as one SQL condition over Customer; SegmentError lists every problem found."""
    problems: list[str] = []
    parts: list[ColumnElement[bool]] = []
    for number, condition in enumerate(rule.conditions, start=1):
        criterion = catalog.criteria.get(condition.key)
        if criterion is None:
            owner = condition.key.split(".", 1)[0]
            problems.append(
                _(
                    "Condition %(number)s: '%(key)s' is not available; the plugin '%(plugin)s' "
                    "that offers it may be disabled. Remove the condition or enable the plugin.",
                    number=number,
                    key=condition.key,
                    plugin=owner,
                )
            )
            continue
        try:
            parts.append(_condition_sql(criterion, condition))
        except ValueError as error:
            problems.append(
                _(
                    "Condition %(number)s (%(label)s): %(error)s.",
                    number=number,
                    label=criterion.label,
                    error=error,
                )
            )
        except Exception as error:  # a plugin's build failing must not become a 500 page
            log.exception("plugin %s: criterion %s failed", criterion.plugin, criterion.key)
            problems.append(
                _(
                    "Condition %(number)s (%(label)s) failed: %(error)s.",
                    number=number,
                    label=criterion.label,
                    error=error,
                )
            )
    if problems:
        raise SegmentError(problems)
    if not parts:
        return true()
    return and_(*parts) if rule.match == "all" else or_(*parts)


def customers_statement(rule: Rule, catalog: Catalog) -> Select[tuple[Customer]]:
    """SELECT the customers of the rule (add ORDER BY / LIMIT as needed)."""
    return select(Customer).where(compile_rule(rule, catalog))


def count_customers(rule: Rule, catalog: Catalog) -> int:
    """How many customers the rule picks, in one statement."""
    statement = select(func.count()).select_from(Customer).where(compile_rule(rule, catalog))
    return int(db.session.scalar(statement) or 0)


def count_many(rules: Iterable[tuple[int, Rule]], catalog: Catalog) -> dict[int, int | str]:
    """{id: count or problem text} for several rules in one statement (COUNT ... FILTER per rule)."""
    results: dict[int, int | str] = {}
    columns: list[Any] = []
    order: list[int] = []
    for identifier, rule in rules:
        try:
            condition = compile_rule(rule, catalog)
        except SegmentError as error:
            results[identifier] = " ".join(error.problems)
            continue
        columns.append(func.count().filter(condition))
        order.append(identifier)
    if columns:
        row = db.session.execute(select(*columns).select_from(Customer)).one()
        results.update(
            {identifier: int(value) for identifier, value in zip(order, row, strict=True)}
        )
    return results


def describe(rule: Rule, catalog: Catalog) -> list[str]:
    """The rule in words, one line per condition ("Country is DE", "not: Has tag vip")."""
    lines = []
    for condition in rule.conditions:
        criterion = catalog.criteria.get(condition.key)
        if criterion is None:
            label = _("%(key)s (not available)", key=condition.key)
        else:
            label = criterion.label
        if criterion is None or criterion.kind != "flag":
            label = _("%(label)s: %(value)s", label=label, value=condition.value)
        lines.append(_("not %(condition)s", condition=label) if condition.negate else label)
    return lines


def serialisable(value: Any) -> Any:
    """A typed value back to the text stored in a rule (dates as YYYY-MM-DD)."""
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    return value
