"""The board (one column per open stage, each paginated on its own) and the list of deals.

The board asks a fixed number of queries whatever the number of deals: the stages, one
grouped count per stage, and one page of cards per column (LIMIT size + 1 over the
(stage_id, id) index), so 100k open deals cost what 100 do.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from flask import render_template, request
from flask_login import current_user
from sqlalchemy import func, or_, select

from core import dates
from core.auth import permission_required
from core.db import db
from core.i18n import _
from core.models import Customer
from core.money import from_cents
from core.sql import cents
from core.validation import clean_search
from core.views.common import int_arg, paginate, sorting
from plugins.pipeline import access, learning
from plugins.pipeline import settings as pipeline_settings
from plugins.pipeline import stages as stage_records
from plugins.pipeline.forms import MoveForm
from plugins.pipeline.models import Opportunity, Stage
from plugins.pipeline.pages.common import owner_choices


@dataclass
class Column:
    """One stage on the board: its page of cards and how many deals it holds in all."""

    stage: Stage
    cards: list[Opportunity]
    total: int
    amount: Any
    page: int
    has_next: bool


def _owner_filter(statement: Any) -> tuple[Any, int | None]:
    owner_id = int_arg("owner") if access.sees_all(current_user) else None
    if owner_id:
        statement = statement.where(Opportunity.owner_id == owner_id)
    return access.visible_deals(statement, current_user), owner_id


@permission_required("pipeline.deals")
def board_page() -> str:
    """Columns of open deals, newest first; cards with an overdue next activity stand out."""
    size = pipeline_settings.current().board_page_size
    columns_stages = stage_records.open_stages()
    db.session.commit()  # the stages may just have been seeded; commit before loading cards
    totals_query, owner_id = _owner_filter(
        select(
            Opportunity.stage_id,
            func.count(),
            func.coalesce(func.sum(cents(Opportunity.amount)), 0),
        ).group_by(Opportunity.stage_id)
    )
    totals = {
        stage_id: (count, amount) for stage_id, count, amount in db.session.execute(totals_query)
    }
    columns = []
    for stage in columns_stages:
        page = int_arg(f"page_{stage.id}", 1) or 1
        statement, _owner = _owner_filter(
            select(Opportunity)
            .where(Opportunity.stage_id == stage.id)
            .order_by(Opportunity.id.desc())
            .offset((page - 1) * size)
            .limit(size + 1)
        )
        cards = list(db.session.scalars(statement).unique())
        count, amount = totals.get(stage.id, (0, 0))
        columns.append(
            Column(stage, cards[:size], int(count), from_cents(amount), page, len(cards) > size)
        )
    move_form = MoveForm()
    move_form.stage_id.choices = [
        (stage.id, stage.name) for stage in stage_records.all_stages(True)
    ]
    return render_template(
        "pipeline/board.html",
        title=_("Deals"),
        columns=columns,
        move_form=move_form,
        today=dates.today(),
        owners=owner_choices() if access.sees_all(current_user) else [],
        owner_id=owner_id,
    )


DEAL_SORTS = {
    "id": Opportunity.id,
    "title": func.lower(Opportunity.title),
    "amount": Opportunity.amount,
    "close": Opportunity.expected_close_on,
    "stage": Stage.position,
    "next": Opportunity.next_activity_on,
}


@permission_required("pipeline.deals")
def deals_list() -> str:
    """Every deal the user may see, filtered by stage, state, owner and text, sortable."""
    statement = select(Opportunity).join(Stage, Stage.id == Opportunity.stage_id)
    statement, owner_id = _owner_filter(statement)
    stage_id = int_arg("stage")
    if stage_id:
        statement = statement.where(Opportunity.stage_id == stage_id)
    state = request.args.get("state", "")
    if state in ("open", "won", "lost"):
        statement = statement.where(Stage.kind == state)
    text = clean_search(request.args.get("q", "")).strip()
    if text:
        pattern = f"%{text.lower()}%"
        statement = statement.outerjoin(Customer, Customer.id == Opportunity.customer_id).where(
            or_(
                func.lower(Opportunity.title).like(pattern),
                func.lower(Opportunity.prospect_name).like(pattern),
                func.lower(Opportunity.prospect_company).like(pattern),
                func.lower(Customer.name).like(pattern),
            )
        )
    sort, direction, order_by = sorting(DEAL_SORTS, "id", "desc")
    page = paginate(statement.order_by(order_by, Opportunity.id.desc()))
    return render_template(
        "pipeline/list.html",
        title=_("All deals"),
        page=page,
        learned=learning.predict(list(page.items)),
        sort=sort,
        direction=direction,
        stages=stage_records.all_stages(),
        stage_id=stage_id,
        state=state,
        q=text,
        owners=owner_choices() if access.sees_all(current_user) else [],
        owner_id=owner_id,
        today=dates.today(),
    )
