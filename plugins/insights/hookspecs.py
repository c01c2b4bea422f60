"""The hooks the insights plugin publishes; other plugins implement them with @hookimpl(optionalhook=True).

A plugin that implements them lists "insights" in its manifest's ``uses`` and keeps the
implementations in its ``bridges.py``, so it loads cleanly whether or not insights is enabled.
"""

# ruff: noqa: ARG001
# mypy: disable-error-code="empty-body"
from __future__ import annotations

from typing import Any

from core.plugins import hookspec


@hookspec
def insights_segments() -> list[dict[str, Any]]:
    """Return the customer groups a report may be filtered by, each a dict.

    ``{"key": "<plugin>:<id>", "label": "Segment: Regulars", "customers": callable() ->
    SQLAlchemy Select of one column of customer ids}``. The key is what the report pages put
    in ``?segment=``; ``customers`` is called only for the chosen group and must be set-based
    SQL (it is used as ``customer_id IN (...)`` inside the report's one query). It may raise
    ``ValueError`` with a message when the group cannot be used right now. Called on every
    report page; answer with one query.
    """
