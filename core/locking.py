"""Changing a row's state once: of two people acting on the same row at once, exactly one wins.

A page reads a row, checks its state ("only a draft can be confirmed") and changes it; two
clerks who press the button at the same moment both pass the check on what they read. So
every state change (orders, commission statements, tickets, campaigns) goes through
``change_state``: one conditional ``UPDATE … SET status = :new WHERE id = :id AND status IN
(:expected)``. On PostgreSQL the second UPDATE waits for the first transaction's row lock,
then finds the state changed and updates nothing; on SQLite writers take turns and the
second finds the same. The loser is told (``False``, with the row re-read so its message can
say what the state is now) before any hook runs; the winner holds the row lock until commit.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from typing import Any

from sqlalchemy import ColumnElement, inspect, or_, update
from sqlalchemy.orm.attributes import set_committed_value

from core.db import db

#: ``new`` value meaning "keep the state, only lock the row and check it" (see lock_state).
KEEP = object()


def _matches(column: Any, expected: Collection[Any]) -> ColumnElement[bool]:
    """column IN (expected), with None meaning IS NULL."""
    values = [value for value in expected if value is not None]
    conditions = [column.in_(values)] if values else []
    if None in expected:
        conditions.append(column.is_(None))
    return or_(*conditions)


def change_state(
    row: Any,
    expected: Collection[Any],
    new: Any = KEEP,
    column: str = "status",
    also: Mapping[str, Any] | None = None,
) -> bool:
    """Set ``row.<column>`` to ``new`` only if the database still holds one of ``expected``.

    True: this transaction made the change and holds the row's lock until it ends (the
    in-memory row shows ``new``). False: another transaction changed it first; nothing was
    written and the row is re-read, so ``row.<column>`` is the state it has now. With
    ``new`` left out the state is kept and only checked and locked (see lock_state).
    ``also`` gives other columns to write in the same UPDATE when it wins (a timestamp).
    """
    state = inspect(row)
    model = type(row)
    target = getattr(model, column)
    keys = [
        getattr(model, state.mapper.get_property_by_column(key).key) == value
        for key, value in zip(state.mapper.primary_key, state.identity or (), strict=True)
    ]
    changed = db.session.execute(
        update(model)
        .where(*keys, _matches(target, expected))
        .values({column: target if new is KEEP else new, **(also or {})})
        .execution_options(synchronize_session=False)
    )
    if changed.rowcount == 1:  # type: ignore[attr-defined]
        if new is not KEEP:
            set_committed_value(row, column, new)
        for key, value in (also or {}).items():
            set_committed_value(row, key, value)
        return True
    db.session.refresh(row)
    return False


def lock_state(row: Any, expected: Collection[Any], column: str = "status") -> bool:
    """Lock the row until commit if its state is still one of ``expected`` (True), else re-read it."""
    return change_state(row, expected, KEEP, column)
