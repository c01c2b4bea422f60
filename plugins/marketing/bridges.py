"""Marketing's answers to the hooks other plugins publish (insights), loaded only when they are on."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

from sqlalchemy import Select, case, func, select

from core.db import db
from core.i18n import _
from core.models import Customer
from core.plugins import hookimpl
from core.sql import cents
from plugins.marketing import attribution, settings
from plugins.marketing.models import Campaign, Recipient, Segment
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
            "label": _("Segment: %(name)s", name=row.name),
            "customers": _members(row.definition),
        }
        for row in saved
    ]


@hookimpl(optionalhook=True)
def insights_customer_costs(start: dt.date, end: dt.date) -> list[dict[str, Any]]:
    """Insights: each campaign's cost shared out over the customers it reached.

    A campaign's cost (in cents) is split over its recipients whose message was queued, in
    equal whole cents, the remainder one cent each to the first recipients by id (10.00
    over 3 is 3.34 + 3.33 + 3.33), so the shares add up to the cost exactly. A share counts
    on the day the customer received the message.
    """
    cost = cents(Campaign.cost)
    reached = (
        select(
            Recipient.customer_id,
            Recipient.received_on,
            cost.label("cost"),
            func.count().over(partition_by=Recipient.campaign_id).label("reached"),
            func.row_number()
            .over(partition_by=Recipient.campaign_id, order_by=Recipient.id)
            .label("position"),
        )
        .join(Campaign, Campaign.id == Recipient.campaign_id)
        .where(Recipient.status == "queued", Campaign.cost > 0)
        .subquery("reached")
    )
    share = reached.c.cost // reached.c.reached + case(
        (reached.c.position <= reached.c.cost % reached.c.reached, 1), else_=0
    )
    rows = (
        select(reached.c.customer_id.label("customer_id"), func.sum(share).label("cents"))
        .where(reached.c.received_on >= start, reached.c.received_on <= end)
        .group_by(reached.c.customer_id)
    )
    return [{"key": "campaigns", "label": _("Campaigns"), "rows": rows}]


@hookimpl(optionalhook=True)
def insights_promotions(start: dt.date, end: dt.date) -> list[dict[str, Any]]:
    """Insights: the campaigns that mailed someone in the period (their attribution window's
    orders) and the acquisition channels (their customers' sales in the period)."""
    days = settings.current().attribution_days
    found = [("campaign", row) for row in attribution.campaign_returns(days, start, end)]
    found += [("channel", row) for row in attribution.channel_returns(start, end)]
    return [
        {"kind": kind, "name": row.name, "buyers": row.buyers, "net": row.net,
         "profit": row.profit, "cost": row.cost}
        for kind, row in found
    ]  # fmt: skip
