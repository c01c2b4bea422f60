"""The pipeline's part of the customer page: before you call, and logging a follow-up."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from core.db import db
from core.models import Customer, User
from plugins.pipeline import access, followups
from plugins.pipeline.models import Opportunity, Stage


def before_you_call(customer: Customer, user: User) -> dict[str, Any] | None:
    """The panel's context: the last follow-ups and the open deals; None for who may not see it."""
    if not user.can("pipeline.deals"):
        return None
    statement = (
        select(Opportunity)
        .join(Stage, Stage.id == Opportunity.stage_id)
        .where(Opportunity.customer_id == customer.id, Stage.kind == "open")
        .order_by(Opportunity.id)
    )
    open_deals = list(db.session.scalars(access.visible_deals(statement, user)))
    return {
        "pipeline_follow_ups": followups.of_customer(customer.id, limit=5),
        "pipeline_open_deals": open_deals,
        "pipeline_customer": customer,
        "pipeline_can_log": access.can_follow_up_customer(user, customer),
    }
