"""The hooks the marketing plugin publishes; other plugins implement them with @hookimpl(optionalhook=True).

A plugin that implements them lists "marketing" in its manifest's ``uses``, so it loads
cleanly whether or not marketing is enabled. Marketing contributes its own customer and
order criteria through ``segment_criteria`` too, so every criterion goes one way.
"""

# ruff: noqa: ARG001
# mypy: disable-error-code="empty-body"
from __future__ import annotations

from typing import Any

from core.plugins import hookspec


@hookspec
def segment_criteria() -> list[dict[str, Any]]:
    """Return the segment criteria this plugin offers, each a dict.

    ``{"key": "<plugin>.<criterion>", "label": "Loyalty tier", "kind": "choice" | "text" |
    "number" | "date" | "flag", "choices": [str, ...] (only for "choice"; may be computed
    when called), "build": callable(value) -> SQLAlchemy boolean expression over
    core.models.Customer}``. ``build`` receives a ``str`` for choice/text, a ``Decimal`` for
    number, a ``datetime.date`` for date and ``True`` for flag, and returns set-based SQL such
    as ``Customer.id.in_(select(...))``, never a Python test per row. Marketing offers "not"
    by wrapping the expression in ``~(...)``; the builder does not handle negation itself.
    Called when a segment is edited, counted or sent; not in a transaction of its own.
    """


@hookspec
def recommendation_exclusions(customer_ids: list[int]) -> dict[int, set[str]]:
    """Return {customer_id: {product category, ...}} that must not be recommended to each customer.

    ``customer_ids`` is a list of customer ids; categories are spelled exactly as
    ``Product.category``. Answer with one query for all the ids. Called when recommendations
    or a product's audience are computed; read only.
    """
