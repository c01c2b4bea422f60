"""Marketing's answers to the hooks other plugins publish (insights), loaded only when they are on."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from sqlalchemy import Select, select

from core.db import db
from core.models import Customer
from core.plugins import hookimpl
from plugins.marketing.models import Segment
from plugins.marketing.segments import compile_rule, rule_from_json


def _members(definition: str) -> Callable[[], Select[Any]]:
    """The saved rule's customers as a Select of ids (SegmentError, a ValueError, when unusable)."""

    def build() -> Select[Any]:
        from plugins.marketing.pages.common import catalog

        return select(Customer.id).where(compile_rule(rule_from_json(definition), catalog()))

    return build


@hookimpl(optionalhook=True)
def insights_segments() -> list[dict[str, Any]]:
    """Insights: every saved segment as a filter of its reports (one query)."""
    saved = db.session.execute(
        select(Segment.id, Segment.name, Segment.definition).order_by(Segment.name)
    ).all()
    return [
        {
            "key": f"marketing:{row.id}",
            "label": f"Segment: {row.name}",
            "customers": _members(row.definition),
        }
        for row in saved
    ]
