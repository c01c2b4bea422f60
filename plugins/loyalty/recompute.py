"""Recomputing the value snapshot, tiers and stages: everyone (nightly) or a few customers (an order).

Both paths run the same fixed sequence of set-based statements, whatever the number of
customers or orders: add snapshot rows for customers that have none, update every figure
from figures.figures_statement in one UPDATE … FROM, then for tiers and stages insert a
history row for each customer whose value changes and update them. A full recompute also
re-ranks top-percent tiers and stores their cutoffs; the incremental path reads those.

The statements take the day, the time, the reason and the customer ids as parameters, so
they are built once per set of rules (an order confirmation does not rebuild them).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from sqlalchemy import DateTime, String, bindparam, insert, null, select, update
from sqlalchemy.sql import Executable

from core import dates
from core.db import db
from core.models import Customer, Order, utcnow
from plugins.loyalty import settings as loyalty_settings
from plugins.loyalty.figures import (
    AS_OF,
    FIGURE_COLUMNS,
    SCOPE,
    figures_statement,
    window_parameters,
)
from plugins.loyalty.lifecycle import stage_expression
from plugins.loyalty.models import CustomerValue, StageChange, TierChange
from plugins.loyalty.settings import LifecycleRules
from plugins.loyalty.tiers import (
    Cutoff,
    incremental_cutoffs,
    ranked_cutoffs,
    store_cutoffs,
    threshold_cutoffs,
    tier_expression,
    uses_ranks,
)

#: Largest number of order ids turned into one statement (SQLite allows 32766 parameters).
ORDER_ID_CHUNK = 5000

VALUE = CustomerValue.__table__
NOW = bindparam("run_at", type_=DateTime)
REASON = bindparam("run_reason", type_=String)


@dataclass
class RecomputeResult:
    """What a recompute changed."""

    as_of: dt.date
    tier_changes: int
    stage_changes: int


def _insert_missing_rows(restricted: bool) -> Executable:
    """INSERT a snapshot row (no stage yet, so the first stage is recorded) for each customer without one."""
    missing = select(VALUE.c.customer_id).where(VALUE.c.customer_id == Customer.id)
    zero: Any = bindparam("zero_value", 0)
    rows = select(Customer.id, AS_OF, zero, zero, zero, zero, zero, zero, NOW).where(
        ~missing.exists()
    )
    if restricted:
        rows = rows.where(Customer.id.in_(SCOPE))
    columns = [
        "customer_id",
        "as_of",
        "profit_12m_cents",
        "profit_previous_12m_cents",
        "orders_12m",
        "order_count",
        "usual_interval_days",
        "interval_before_last_days",
        "computed_at",
    ]
    return insert(VALUE).from_select(columns, rows)


def _update_figures(rules: LifecycleRules, restricted: bool) -> Executable:
    """UPDATE every figure column from the figures SELECT, in one statement."""
    figures = figures_statement(rules, restricted).subquery("figures")
    values: dict[str, Any] = {name: figures.c[name] for name in FIGURE_COLUMNS}
    values["computed_at"] = NOW
    # The SELECT involves mapped classes, which makes this an ORM UPDATE; there are no loaded
    # objects to bring in line here (they are expired afterwards), and skipping that halves
    # the cost of an order confirmation.
    return (
        update(VALUE)
        .where(VALUE.c.customer_id == figures.c.customer_id)
        .values(**values)
        .execution_options(synchronize_session=False)
    )


def _change_statements(
    column: str, new_value: Any, restricted: bool
) -> tuple[Executable, Executable]:
    """(INSERT the history rows of customers whose tier/stage changes, UPDATE them)."""
    current = VALUE.c[column]
    changed = current.is_distinct_from(new_value)
    if restricted:
        changed = changed & VALUE.c.customer_id.in_(SCOPE)
    if column == "tier":
        names = ["customer_id", "from_tier", "to_tier", "profit_12m_cents", "changed_at", "reason"]
        rows = select(
            VALUE.c.customer_id, current, new_value, VALUE.c.profit_12m_cents, NOW, REASON
        )
        history: Any = TierChange.__table__
    else:
        names = ["customer_id", "from_stage", "to_stage", "changed_at", "reason"]
        rows = select(VALUE.c.customer_id, current, new_value, NOW, REASON)
        history = StageChange.__table__
    record = insert(history).from_select(names, rows.where(changed))
    change = update(VALUE).where(changed).values({column: new_value, f"{column}_since": NOW})
    return record, change


@lru_cache(maxsize=64)
def _figure_statements(rules: LifecycleRules, restricted: bool) -> tuple[Executable, Executable]:
    """(INSERT missing snapshot rows, UPDATE the figures) for these rules, built once."""
    return _insert_missing_rows(restricted), _update_figures(rules, restricted)


@lru_cache(maxsize=64)
def _tier_and_stage_statements(
    rules: LifecycleRules, cutoffs: tuple[Cutoff, ...], has_tiers: bool, restricted: bool
) -> tuple[Executable, Executable, Executable, Executable]:
    """(record tier moves, change tiers, record stage moves, change stages), built once."""
    tier = tier_expression(VALUE.c.profit_12m_cents, cutoffs) if has_tiers else null()
    record_tiers, change_tiers = _change_statements("tier", tier, restricted)
    stage = stage_expression(VALUE.c, rules)
    record_stages, change_stages = _change_statements("stage", stage, restricted)
    return record_tiers, change_tiers, record_stages, change_stages


def _apply_changes(
    cutoffs: Sequence[Cutoff], restricted: bool, parameters: dict[str, Any]
) -> tuple[int, int]:
    """Record and apply tier and stage changes; returns how many of each (UPDATE row counts)."""
    settings = loyalty_settings.current()
    statements = _tier_and_stage_statements(
        settings.lifecycle, tuple(cutoffs), bool(settings.tiers), restricted
    )
    results = [db.session.execute(statement, parameters) for statement in statements]
    _forget_loaded_values()
    return int(results[1].rowcount or 0), int(results[3].rowcount or 0)  # type: ignore[attr-defined]


def _forget_loaded_values() -> None:
    """Expire CustomerValue objects already in the session, which the SQL above made stale."""
    for instance in list(db.session.identity_map.values()):
        if isinstance(instance, CustomerValue):
            db.session.expire(instance)


def _parameters(as_of: dt.date, reason: str, scope: Sequence[int] | None) -> dict[str, Any]:
    """Bind values of the recompute statements."""
    values: dict[str, Any] = {
        **window_parameters(as_of),
        "run_at": utcnow(),
        "run_reason": reason[:200],
    }
    if scope is not None:
        values["scope_ids"] = list(scope)
    return values


def recompute_all(
    reason: str = "nightly recompute", as_of: dt.date | None = None
) -> RecomputeResult:
    """Recompute every customer's figures, tier and stage, re-ranking top-percent tiers."""
    as_of = as_of or dates.today()
    settings = loyalty_settings.current()
    parameters = _parameters(as_of, reason, None)
    db.session.flush()
    for statement in _figure_statements(settings.lifecycle, False):
        db.session.execute(statement, parameters)
    if uses_ranks(settings.tiers):
        cutoffs, ranked = ranked_cutoffs(VALUE, settings.tiers)
    else:
        cutoffs, ranked = threshold_cutoffs(settings.tiers), 0
    store_cutoffs(cutoffs, ranked)
    tier_changes, stage_changes = _apply_changes(cutoffs, False, parameters)
    return RecomputeResult(as_of, tier_changes, stage_changes)


def recompute_customers(
    customer_ids: Sequence[int], reason: str, as_of: dt.date | None = None
) -> RecomputeResult:
    """Recompute only these customers, in a fixed number of statements whatever their history."""
    as_of = as_of or dates.today()
    settings = loyalty_settings.current()
    parameters = _parameters(as_of, reason, sorted(set(customer_ids)))
    db.session.flush()
    for statement in _figure_statements(settings.lifecycle, True):
        db.session.execute(statement, parameters)
    cutoffs = incremental_cutoffs(settings.tiers)
    tier_changes, stage_changes = _apply_changes(cutoffs, True, parameters)
    return RecomputeResult(as_of, tier_changes, stage_changes)


def recompute_for_orders(order_ids: Sequence[int], reason: str) -> None:
    """Recompute the customers of these orders (the bulk import path), a chunk of ids at a time."""
    for start in range(0, len(order_ids), ORDER_ID_CHUNK):
        chunk = list(order_ids[start : start + ORDER_ID_CHUNK])
        customers = db.session.scalars(
            select(Order.customer_id).where(Order.id.in_(chunk)).distinct()
        ).all()
        if customers:
            recompute_customers(list(customers), reason)


def start_as_prospect(customer: Customer) -> None:
    """Give a new customer a snapshot row in stage prospect and record it."""
    now = utcnow()
    db.session.add(
        CustomerValue(
            customer_id=customer.id,
            as_of=dates.today(),
            stage="prospect",
            stage_since=now,
            computed_at=now,
        )
    )
    db.session.add(
        StageChange(
            customer_id=customer.id,
            from_stage=None,
            to_stage="prospect",
            changed_at=now,
            reason="customer created",
        )
    )
