"""Process analysis: how long tickets stay in each step, and how complaint categories trend.

Time in a state is wall-clock time (what the customer lives through), summed per ticket over
all its stays in that state; a stay still going counts up to ``now``. Tickets are those
opened in the chosen period (company-local dates). The steps are new, open and waiting on
the customer; resolved and closed are end states, not steps.

Percentiles use the nearest-rank method: the p-th percentile of n values is the value at
position ceil(n × p / 100) in ascending order (p50 of 4 values is the 2nd, p90 the 4th).
They are computed in SQL with row_number() and count() windows, the same on SQLite and
PostgreSQL, which lack a common percentile function.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from sqlalchemy import case, extract, func, select

from core.db import db
from core.models import utcnow
from core.sql import divide_ceiling, seconds_between
from plugins.service_desk.models import StateLog, Team, Ticket

STEPS = ("new", "open", "waiting")
GROUPINGS = ("category", "team")
ALL = "All tickets"  # reports.GROUP_WORDS translates it


@dataclass(frozen=True)
class StepFigures:
    """Time spent in one step by the tickets of one group: how many, average, p50 and p90 in hours."""

    group: str
    state: str
    tickets: int
    average_hours: Decimal
    p50_hours: Decimal
    p90_hours: Decimal


def hours(seconds: Any) -> Decimal:
    """Seconds (int, float or Decimal from SQL) as hours with one decimal, half up."""
    return (Decimal(str(seconds or 0)) / 3600).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


def _per_ticket(start: dt.date, end: dt.date, now: dt.datetime, kind: str) -> Any:
    """Subquery: seconds each ticket opened in the period spent in each step."""
    until = func.coalesce(StateLog.left_at, now)
    statement = (
        select(
            Ticket.id.label("ticket_id"),
            Ticket.category.label("category"),
            Team.name.label("team"),
            StateLog.state.label("state"),
            func.sum(seconds_between(StateLog.entered_at, until)).label("seconds"),
        )
        .join(StateLog, StateLog.ticket_id == Ticket.id)
        .outerjoin(Team, Team.id == Ticket.team_id)
        .where(Ticket.opened_on >= start, Ticket.opened_on <= end, StateLog.state.in_(STEPS))
        .group_by(Ticket.id, Ticket.category, Team.name, StateLog.state)
    )
    if kind:
        statement = statement.where(Ticket.kind == kind)
    return statement.subquery("per_ticket")


def time_in_state(
    start: dt.date,
    end: dt.date,
    group_by: str | None = None,
    kind: str = "",
    now: dt.datetime | None = None,
) -> list[StepFigures]:
    """Average, p50 and p90 hours per step, per category or team (group_by) or for all tickets."""
    per_ticket = _per_ticket(start, end, now or utcnow(), kind)
    group = per_ticket.c[group_by] if group_by in GROUPINGS else None
    partition = [group, per_ticket.c.state] if group is not None else [per_ticket.c.state]
    ranked = select(
        *([group.label("grp")] if group is not None else []),
        per_ticket.c.state,
        per_ticket.c.seconds,
        func.row_number()
        .over(partition_by=partition, order_by=per_ticket.c.seconds)
        .label("position"),
        func.count().over(partition_by=partition).label("n"),
    ).subquery("ranked")

    def at_percentile(percent: int) -> Any:
        """The value at the nearest-rank position of the percentile, per group and step."""
        return func.max(
            case((ranked.c.position == divide_ceiling(ranked.c.n * percent, 100), ranked.c.seconds))
        )

    keys = [ranked.c.grp, ranked.c.state] if group is not None else [ranked.c.state]
    statement = select(
        *keys, func.count(), func.avg(ranked.c.seconds), at_percentile(50), at_percentile(90)
    ).group_by(*keys)
    figures = []
    for row in db.session.execute(statement):
        values = list(row)
        name = (
            (values.pop(0) or ("No team" if group_by == "team" else "No category"))
            if group is not None
            else ALL
        )
        state, count, average, p50, p90 = values
        figures.append(StepFigures(name, state, count, hours(average), hours(p50), hours(p90)))
    order = {state: index for index, state in enumerate(STEPS)}
    return sorted(figures, key=lambda item: (item.group, order[item.state]))


def longest_step(figures: list[StepFigures]) -> str | None:
    """The step with the highest average among the given figures (None when there are none)."""
    if not figures:
        return None
    return max(figures, key=lambda item: (item.average_hours, -STEPS.index(item.state))).state


def month_keys(start: dt.date, end: dt.date) -> list[str]:
    """ "YYYY-MM" of every month from start's to end's, in order."""
    keys, year, month = [], start.year, start.month
    while (year, month) <= (end.year, end.month):
        keys.append(f"{year:04d}-{month:02d}")
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return keys


def complaint_trend(start: dt.date, end: dt.date) -> tuple[list[str], dict[str, list[int]]]:
    """(months, {category: complaints opened per month}) for complaints opened in the period."""
    year, month = extract("year", Ticket.opened_on), extract("month", Ticket.opened_on)
    statement = (
        select(year, month, Ticket.category, func.count())
        .where(Ticket.kind == "complaint", Ticket.opened_on >= start, Ticket.opened_on <= end)
        .group_by(year, month, Ticket.category)
    )
    months = month_keys(start, end)
    series: dict[str, list[int]] = {}
    for row_year, row_month, category, count in db.session.execute(statement):
        key = f"{int(row_year):04d}-{int(row_month):02d}"
        series.setdefault(category or "No category", [0] * len(months))[months.index(key)] = count
    return months, dict(sorted(series.items()))
