"""The hooks the insights plugin publishes; other plugins implement them with @hookimpl(optionalhook=True).

A plugin that implements them lists "insights" in its manifest's ``uses`` and keeps the
implementations in its ``bridges.py``, so it loads cleanly whether or not insights is enabled.
"""

# ruff: noqa: ARG001
# mypy: disable-error-code="empty-body"
from __future__ import annotations

import datetime as dt
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


@hookspec
def insights_customer_costs(start: dt.date, end: dt.date) -> list[dict[str, Any]]:
    """Return what the plugin's work cost per customer from ``start`` to ``end`` (both included).

    Each dict is one kind of cost the profitability report subtracts from gross profit:
    ``{"key": "commission", "label": "Commission", "rows": Select}``, where ``rows`` is a
    SQLAlchemy Select of two columns, ``customer_id`` and ``cents`` (the customer's cost in the
    period as a whole, signed number of cents; at most one row per customer). The key is a
    short name unique across plugins (it becomes a column of the report and its exports);
    the label is what the page shows. Called once per profitability page or command, outside
    any write; the Selects become parts of the report's one query, so they must be set-based.
    """


@hookspec
def insights_best_customers() -> list[dict[str, Any]]:
    """Return the company's best customers as the plugin ranks them, for the "where" report.

    Each dict: ``{"label": "Tier Platinum", "customers": Select of one column of customer
    ids}``. The report counts them per region or city (where do the best customers live?).
    When several plugins answer, the first answer is used. Called once per report; set-based.
    """


@hookspec
def insights_customer_moves(start: dt.date, end: dt.date) -> list[dict[str, Any]]:
    """Return moves of customers between lifecycle stages from ``start`` to ``end`` (included).

    Each dict is one kind of move the persistence report counts per month: ``{"key":
    "churned", "label": "Churned", "rows": Select}``, where ``rows`` has two columns,
    ``customer_id`` and ``moved_at`` (the naive UTC timestamp of the move), one row per move,
    limited to moves from company midnight of ``start`` to company midnight after ``end``.
    The report counts distinct customers per company-time month. Set-based, one query each.
    """


@hookspec
def insights_promotions(start: dt.date, end: dt.date) -> list[dict[str, Any]]:
    """Return what each promotion of the plugin brought in the period, for the promotion report.

    One dict per campaign or channel: ``{"kind": "campaign" or "channel", "name": str,
    "buyers": int, "net": Decimal, "profit": Decimal, "cost": Decimal or None}``: the
    customers who bought, and the net and profit of the orders it is credited with, by the
    plugin's own attribution rule (its documentation says which); ``cost`` None when the
    promotion has no cost of its own. Called once per report, outside any write.
    """


@hookspec
def insights_deals(start: dt.date, end: dt.date) -> list[dict[str, Any]]:
    """Return the plugin's deals of the period, for the prospecting report: leads and wins.

    Each dict is one kind of deal event the report counts per month and channel: ``{"key":
    "leads", "label": "Leads", "rows": Select}``, where ``rows`` has three columns,
    ``customer_id`` (None for a prospect who is no customer yet), ``day`` (a date from
    ``start`` to ``end``, both included) and ``channel`` (text, "" when not known), one row
    per deal. The key is a short name unique across plugins (it becomes a column of the
    report and its exports). Called once per prospecting page or command, outside any write;
    the Selects become parts of one query, so they must be set-based.
    """
