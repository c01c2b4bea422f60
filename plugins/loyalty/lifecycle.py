"""Lifecycle stages: where a customer stands, from prospect to stable, at risk, churned or back.

The rules, in the order they are tried (the first that holds wins):

- prospect: no counted order yet;
- churned: days since the last order > usual interval × churned_factor;
- at_risk: days since the last order > usual interval × at_risk_factor;
- reactivated: the gap between the last two orders was longer than the usual interval
  before it × at_risk_factor (the customer was at risk or churned, then ordered again);
  it lasts until the next order, which puts them back on the count-based stages;
- new: exactly one order; developing: 2 … N−1 orders; stable: N or more (N = stable_after_orders).

The usual interval is the customer's own average days between orders, (last − first) /
(orders − 1) rounded half up, but at least minimum_interval_days (so two orders on one day
do not put a customer at risk the day after); with one order it is default_interval_days.
Factors are compared in integer arithmetic (days × denominator > interval × numerator), so a
factor like 1.5 decides exactly at the boundary on every database.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import and_, case
from sqlalchemy.sql.elements import ColumnElement

from core.i18n import _, ngettext
from core.sql import days_between
from plugins.loyalty.figures import AS_OF
from plugins.loyalty.models import STAGE_LABELS
from plugins.loyalty.settings import LifecycleRules

#: Stages a reactivation task is made for.
LAPSED_STAGES = ("at_risk", "churned")


def factor_ratio(factor: Any) -> tuple[int, int]:
    """A Decimal factor as (numerator, denominator) integers: 1.5 → (3, 2)."""
    numerator, denominator = factor.as_integer_ratio()
    return int(numerator), int(denominator)


def stage_expression(columns: Any, rules: LifecycleRules) -> ColumnElement[str]:
    """SQL CASE giving the stage from figure columns (a table's or a subquery's .c) as of AS_OF."""
    days_since = days_between(AS_OF, columns.last_order_on)
    at_risk_numerator, at_risk_denominator = factor_ratio(rules.at_risk_factor)
    churned_numerator, churned_denominator = factor_ratio(rules.churned_factor)
    return case(
        (columns.order_count == 0, "prospect"),
        (
            days_since * churned_denominator > columns.usual_interval_days * churned_numerator,
            "churned",
        ),
        (
            days_since * at_risk_denominator > columns.usual_interval_days * at_risk_numerator,
            "at_risk",
        ),
        (
            and_(
                columns.order_count >= 2,
                columns.last_gap_days * at_risk_denominator
                > columns.interval_before_last_days * at_risk_numerator,
            ),
            "reactivated",
        ),
        (columns.order_count == 1, "new"),
        (columns.order_count < rules.stable_after_orders, "developing"),
        else_="stable",
    )


def stage_label(stage: str | None) -> str:
    """ "at_risk" → "At risk" (in the current language); None → "–"."""
    label = STAGE_LABELS.get(stage or "")
    return str(label) if label is not None else "–"


def at_risk_after_days(usual_interval_days: int, rules: LifecycleRules) -> dt.timedelta:
    """How long after the last order a customer with this interval becomes at risk (the boundary day itself is not yet at risk)."""
    numerator, denominator = factor_ratio(rules.at_risk_factor)
    return dt.timedelta(days=usual_interval_days * numerator // denominator)


def explain(value: Any, today: dt.date, rules: LifecycleRules) -> str:
    """One sentence on why a customer has their stage, for the customer page."""
    if value is None or not value.order_count:
        return _("No order yet.")
    days = (today - value.last_order_on).days if value.last_order_on else 0
    rhythm = (
        _("usually orders every %(days)d days", days=value.usual_interval_days)
        if value.order_count > 1
        else _("one order so far (assumed rhythm %(days)d days)", days=value.usual_interval_days)
    )
    limit = at_risk_after_days(value.usual_interval_days, rules).days
    orders = ngettext("%(num)d order", "%(num)d orders", value.order_count)
    when = {0: _("today"), 1: _("yesterday")}.get(days) or _("%(days)d days ago", days=days)
    text = _(
        "%(orders)s, the last %(when)s; %(rhythm)s; at risk after %(limit)d days.",
        orders=orders,
        when=when,
        rhythm=rhythm,
        limit=limit,
    )
    if value.stage == "reactivated" and value.last_gap_days is not None:
        text += " " + _("Came back after %(days)d days without an order.", days=value.last_gap_days)
    return text
