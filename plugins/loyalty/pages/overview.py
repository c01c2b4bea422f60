"""The loyalty overview pages: tiers, value matrix, lifecycle, changes and recomputing now."""

from __future__ import annotations

import datetime as dt

from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy import func, select
from werkzeug.wrappers import Response

from core.auth import permission_required
from core.db import db
from core.forms import ActionForm
from core.i18n import _, format_date
from core.models import Customer, utcnow
from core.money import from_cents
from core.views.common import paginate, sorting
from plugins.loyalty import settings as loyalty_settings
from plugins.loyalty.access import visible_customers
from plugins.loyalty.care import create_tasks
from plugins.loyalty.labels import (
    kind_label,
    note_text,
    occasion_label,
    reason_text,
    sentiment_label,
    status_label,
)
from plugins.loyalty.lifecycle import stage_label
from plugins.loyalty.matrix import QUADRANTS, cells, customers_in, matrix_split, unplaced_count
from plugins.loyalty.models import STAGES, StageChange, TierChange
from plugins.loyalty.recompute import recompute_all
from plugins.loyalty.tiers import badge_colour, stored_cutoffs
from plugins.loyalty.value import (
    NO_TIER,
    ValueFilters,
    last_computed,
    sorts,
    stage_distribution,
    tier_distribution,
    values_statement,
)

CHANGE_KINDS = ("tier", "stage")


def loyalty_helpers() -> dict[str, object]:
    """Template helpers for the loyalty pages: stage labels and tier colours."""
    return {
        "stage_label": stage_label,
        "kind_label": kind_label,
        "task_status_label": status_label,
        "occasion_label": occasion_label,
        "sentiment_label": sentiment_label,
        "reason_text": reason_text,
        "note_text": note_text,
        "tier_colour": lambda tier: badge_colour(tier, loyalty_settings.current().tiers),
    }


@permission_required("loyalty.view")
def tiers() -> str:
    """Tier distribution and every visible customer's value, tier and stage (sortable, paged)."""
    filters = ValueFilters(
        tier=request.args.get("tier", ""),
        stage=request.args.get("stage", ""),
        query=request.args.get("q", ""),
    )
    sort, direction, order_by = sorting(sorts(), "profit", "desc")
    page = paginate(values_statement(filters, current_user).order_by(order_by, Customer.id))
    distribution = tier_distribution(current_user)
    rules = loyalty_settings.current().tiers
    return render_template(
        "loyalty/tiers.html",
        title=_("Loyalty tiers"),
        page=page,
        filters=filters,
        sort=sort,
        direction=direction,
        distribution=distribution,
        rules=rules,
        cutoffs={
            cutoff.tier: from_cents(cutoff.min_profit_cents) for cutoff in stored_cutoffs(rules)
        },
        stages=STAGES,
        no_tier=NO_TIER,
        computed=last_computed(),
        action_form=ActionForm(),
    )


@permission_required("loyalty.view")
def matrix() -> str:
    """Order frequency × profit per order: four quadrants and the customers of the chosen one."""
    split = matrix_split(current_user)
    quadrant = request.args.get("cell", "champions")
    if quadrant not in QUADRANTS:
        abort(404)
    columns = sorts()
    sort, direction, order_by = sorting(columns, "profit", "desc")
    page = paginate(customers_in(quadrant, current_user, split).order_by(order_by, Customer.id))
    return render_template(
        "loyalty/matrix.html",
        title=_("Value matrix"),
        split=split,
        cells=cells(current_user, split),
        quadrant=quadrant,
        page=page,
        sort=sort,
        direction=direction,
        unplaced=unplaced_count(current_user),
    )


@permission_required("loyalty.view")
def lifecycle() -> str:
    """Customers per stage, the moves of the last 30 days, and the rules in use."""
    since = utcnow() - dt.timedelta(days=30)
    moves = visible_customers(
        select(StageChange.from_stage, StageChange.to_stage, func.count())
        .join(Customer, Customer.id == StageChange.customer_id)
        .where(StageChange.changed_at >= since, StageChange.from_stage.is_not(None))
        .group_by(StageChange.from_stage, StageChange.to_stage),
        current_user,
    )
    return render_template(
        "loyalty/lifecycle.html",
        title=_("Customer lifecycle"),
        stages=stage_distribution(current_user),
        # "Reactivated" is cut short so that the seven labels under the bars do not overlap.
        chart_labels=[
            _("Reactiv.") if stage == "reactivated" else stage_label(stage) for stage in STAGES
        ],
        moves=sorted(
            db.session.execute(moves).all(),
            key=lambda row: (STAGES.index(row[0]), STAGES.index(row[1])),
        ),
        rules=loyalty_settings.current().lifecycle,
        labels={stage: stage_label(stage) for stage in STAGES},
    )


@permission_required("loyalty.view")
def changes() -> str:
    """Tier or stage moves, newest first, with the reason (paged)."""
    kind = request.args.get("kind", "tier")
    if kind not in CHANGE_KINDS:
        abort(404)
    model = TierChange if kind == "tier" else StageChange
    statement = visible_customers(
        select(model).join(Customer, Customer.id == model.customer_id), current_user
    )
    wanted = request.args.get("to", "")
    if wanted:
        target = model.to_tier if model is TierChange else model.to_stage
        statement = statement.where(target == wanted)
    page = paginate(statement.order_by(model.changed_at.desc(), model.id.desc()))
    return render_template(
        "loyalty/changes.html",
        title=_("Tier changes") if kind == "tier" else _("Stage changes"),
        kind=kind,
        page=page,
        wanted=wanted,
        choices=[rule.name for rule in loyalty_settings.current().tiers]
        if kind == "tier"
        else list(STAGES),
    )


@permission_required("loyalty.admin")
def recompute() -> Response:
    """Recompute every customer now and create due care tasks (as the nightly job does)."""
    if not ActionForm().validate_on_submit():
        abort(400)
    result = recompute_all("recompute by " + current_user.name)  # stored: the history's reason
    tasks = create_tasks()
    db.session.commit()
    flash(
        _(
            "Recomputed as of %(day)s: %(tiers)d tier and %(stages)d stage change(s); "
            "%(tasks)d care task(s) created.",
            day=format_date(result.as_of),
            tiers=result.tier_changes,
            stages=result.stage_changes,
            tasks=tasks.care_tasks + tasks.reactivation_tasks,
        ),
        "success",
    )
    return redirect(url_for("loyalty.tiers"))
