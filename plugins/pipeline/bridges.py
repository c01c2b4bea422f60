"""Pipeline's answers to the hooks other plugins publish (insights), loaded only when they are on."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import select

from core.i18n import _
from core.plugins import hookimpl
from plugins.pipeline.models import Opportunity, Stage


@hookimpl(optionalhook=True)
def insights_deals(start: dt.date, end: dt.date) -> list[dict[str, Any]]:
    """Insights: deals opened in the period (leads) by the day opened, deals won by the day closed.

    Every deal opened counts as a lead, whatever became of it; a won deal is one now in a
    stage of kind "won", on its close date. The channel is the deal's own (how the lead came).
    """
    leads = select(
        Opportunity.customer_id.label("customer_id"),
        Opportunity.opened_on.label("day"),
        Opportunity.channel.label("channel"),
    ).where(Opportunity.opened_on >= start, Opportunity.opened_on <= end)
    won = (
        select(
            Opportunity.customer_id.label("customer_id"),
            Opportunity.closed_on.label("day"),
            Opportunity.channel.label("channel"),
        )
        .join(Stage, Stage.id == Opportunity.stage_id)
        .where(Stage.kind == "won", Opportunity.closed_on >= start, Opportunity.closed_on <= end)
    )
    return [
        {"key": "leads", "label": _("Leads"), "rows": leads},
        {"key": "won", "label": _("Won deals"), "rows": won},
    ]
