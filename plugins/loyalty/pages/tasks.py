"""My care tasks: the list, completing a task with notes, taking an unassigned one."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy import func, select
from werkzeug.wrappers import Response

from core import dates
from core.auth import permission_required, require
from core.db import db
from core.forms import ActionForm
from core.i18n import _
from core.models import Customer
from core.views.common import get_or_404, paginate, sorting
from plugins.loyalty import settings as loyalty_settings
from plugins.loyalty.care import CareError, complete, interaction_kind_for, may_work_on, take
from plugins.loyalty.forms import CompleteTaskForm
from plugins.loyalty.models import TASK_STATUSES, CareTask, CustomerValue
from plugins.loyalty.preferences import preferences_of, recent_interactions

TASK_SORTS = {
    "due": CareTask.due_on,
    "customer": func.lower(Customer.name),
    "kind": CareTask.kind,
    "created": CareTask.created_at,
}
SCOPES = ("mine", "unassigned", "all")


def _scopes() -> list[str]:
    """The task lists the user may open: own; unassigned for the fallback role; all for managers."""
    allowed = ["mine"]
    everyone = current_user.can("loyalty.tasks_all")
    if everyone or current_user.role == loyalty_settings.current().task_fallback_role:
        allowed.append("unassigned")
    if everyone:
        allowed.append("all")
    return allowed


@permission_required("loyalty.tasks")
def tasks() -> str:
    """Care tasks: mine / unassigned / all, open (default), overdue, done or closed; sortable, paged."""
    allowed = _scopes()
    scope = request.args.get("scope", "mine")
    if scope not in allowed:
        abort(403 if scope in SCOPES else 404)
    status = request.args.get("status", "open")
    today = dates.today()
    statement = select(CareTask).join(Customer, Customer.id == CareTask.customer_id)
    if scope == "mine":
        statement = statement.where(CareTask.assignee_id == current_user.id)
    elif scope == "unassigned":
        statement = statement.where(CareTask.assignee_id.is_(None))
    if status == "overdue":
        statement = statement.where(CareTask.status == "open", CareTask.due_on < today)
    elif status in TASK_STATUSES:
        statement = statement.where(CareTask.status == status)
    else:
        status = ""
    sort, direction, order_by = sorting(TASK_SORTS, "due", "asc")
    page = paginate(statement.order_by(order_by, CareTask.id))
    customer_ids = [task.customer_id for task in page.items]
    tiers = dict(
        db.session.execute(
            select(CustomerValue.customer_id, CustomerValue.tier).where(
                CustomerValue.customer_id.in_(customer_ids)
            )
        ).all()
    )
    return render_template(
        "loyalty/tasks.html",
        tiers=tiers,
        title=_("Care tasks"),
        page=page,
        scope=scope,
        scopes=allowed,
        status=status,
        sort=sort,
        direction=direction,
        today=today,
        action_form=ActionForm(),
    )


@permission_required("loyalty.tasks")
def complete_task(task_id: str) -> str | Response:
    """Complete a task with notes; it is logged as an interaction on the customer's timeline."""
    task = get_or_404(CareTask, task_id)
    require(may_work_on(current_user, task))
    form = CompleteTaskForm()
    if request.method == "GET":
        form.kind.data = interaction_kind_for(task)
    if task.status == "open" and form.validate_on_submit():
        try:
            complete(task, current_user, form.kind.data, form.notes.data or "")
        except CareError as error:
            form.notes.errors = [*form.notes.errors, str(error)]
        else:
            db.session.commit()
            flash(
                _(
                    "Task done: %(name)s. It is on the customer's timeline.",
                    name=task.customer.name,
                ),
                "success",
            )
            return redirect(url_for("loyalty.tasks"))
    return render_template(
        "loyalty/complete_task.html",
        title=_("Care task: %(name)s", name=task.customer.name),
        task=task,
        form=form,
        preferences=preferences_of(task.customer_id),
        interactions=recent_interactions(task.customer_id, 5),
        value=db.session.get(CustomerValue, task.customer_id),
        today=dates.today(),
    )


@permission_required("loyalty.tasks")
def take_task(task_id: str) -> Response:
    """Take an unassigned task (the fallback role and managers)."""
    task = get_or_404(CareTask, task_id)
    require(may_work_on(current_user, task))
    if not ActionForm().validate_on_submit():
        abort(400)
    try:
        take(task, current_user)
    except CareError as error:
        flash(str(error), "error")
    else:
        db.session.commit()
        flash(_("The task for %(name)s is yours now.", name=task.customer.name), "success")
    return redirect(url_for("loyalty.tasks", scope="mine"))
