"""Queues: my tickets, my teams, unassigned, breached, all; filters, sorting, pages, bulk assign, CSV."""

from __future__ import annotations

from typing import Any

from flask import Response, flash, redirect, render_template, request, url_for
from flask_login import current_user
from werkzeug.wrappers import Response as BaseResponse

from core.auth import permission_required
from core.csvfiles import csv_download
from core.db import db
from core.i18n import _, ngettext
from core.models import User, utcnow
from core.validation import parse_id
from core.views.common import int_arg, paginate, sorting
from plugins.service_desk import queues as queue_service
from plugins.service_desk.business_hours import local_time_text
from plugins.service_desk.forms import BulkAssignForm
from plugins.service_desk.models import PRIORITIES, Team, Ticket, labels
from plugins.service_desk.pages.choices import (
    active_teams,
    agent_choices,
    agents,
    category_choices,
    team_choices,
)
from plugins.service_desk.settings import desk_calendar

EXPORT_LIMIT = 10_000


def _filters() -> queue_service.QueueFilters:
    """The queue and filters from the query string; unknown values are ignored."""
    # Agents start on their own tickets; those who only read (sales) on all they may see.
    default = "mine" if current_user.can("service_desk.work") else "all"
    queue = request.args.get("queue", default)
    return queue_service.QueueFilters(
        queue=queue if queue in queue_service.QUEUES else default,
        state=request.args.get("state", ""),
        kind=request.args.get("kind", ""),
        priority=request.args.get("priority", ""),
        category=request.args.get("category", ""),
        team_id=int_arg("team"),
        assignee_id=int_arg("assignee"),
        customer_id=int_arg("customer"),
        text=request.args.get("q", "")[:200],
    )


def _sort() -> tuple[str, str, Any]:
    """(sort key, direction, ORDER BY) from the query string; newest first by default."""
    return sorting(queue_service.SORTS, "created", "desc")


@permission_required("service_desk.view")
def index() -> str:
    """A queue of tickets with filters, sorting and pages; agents can tick tickets and assign them."""
    filters = _filters()
    now = utcnow()
    sort, direction, order_by = _sort()
    statement = queue_service.queue_statement(filters, current_user, now)
    page = paginate(statement.order_by(order_by, Ticket.id.desc()))
    form = BulkAssignForm(formdata=None)
    teams = active_teams()
    form.assignee_id.choices = agent_choices(agents())
    form.team_id.choices = team_choices(teams)
    return render_template(
        "service_desk/queue.html",
        title=_(queue_service.QUEUES[filters.queue]),
        page=page,
        filters=filters,
        queues={key: _(name) for key, name in queue_service.QUEUES.items()},
        counts=queue_service.queue_counts(current_user, now),
        sort=sort,
        direction=direction,
        form=form,
        teams=teams,
        agents=agents(),
        categories=category_choices()[1:],
        states=labels("state"),
        kinds=labels("kind"),
        priorities=PRIORITIES,
        now=now,
    )


@permission_required("service_desk.work")
def bulk_assign() -> BaseResponse:
    """Assign the ticked tickets to an agent and/or a team; tickets the user cannot work are reported."""
    form = BulkAssignForm()
    form.assignee_id.choices = agent_choices(agents())
    form.team_id.choices = team_choices(active_teams())
    back = request.form.get("next", "")
    target = back if back.startswith("/service_desk/") else url_for("service_desk.index")
    ids = [number for number in map(parse_id, request.form.getlist("ticket_ids")) if number]
    if not form.validate_on_submit():
        flash(_("The form expired or a choice was not valid; nothing changed."), "error")
        return redirect(target)
    unassign = request.form.get("unassign") == "1"
    if not ids or not (form.assignee_id.data or form.team_id.data or unassign):
        flash(_("Tick at least one ticket and choose an agent or a team."), "warning")
        return redirect(target)
    assignee = db.session.get(User, form.assignee_id.data) if form.assignee_id.data else None
    team = db.session.get(Team, form.team_id.data) if form.team_id.data else None
    changed, problems = queue_service.bulk_assign(ids, assignee, team, current_user, unassign)
    db.session.commit()
    flash(
        ngettext("%(num)d ticket changed.", "%(num)d tickets changed.", changed),
        "success",
    )
    for problem in problems:
        flash(problem, "warning")
    return redirect(target)


@permission_required("service_desk.view")
def export_queue() -> Response:
    """The current queue as CSV (facts only: no conversation and no internal notes)."""
    filters = _filters()
    _, _, order_by = _sort()
    statement = queue_service.queue_statement(filters, current_user)
    tickets = db.session.scalars(statement.order_by(order_by, Ticket.id.desc()).limit(EXPORT_LIMIT))
    timezone = desk_calendar().timezone
    header = [
            "id",
            "opened_at",
            "type",
            "channel",
            "customer",
            "subject",
            "priority",
            "category",
            "state",
            "team",
            "assignee",
            "resolution_due_at",
    ]  # fmt: skip
    rows = (
        [
            ticket.id,
            local_time_text(ticket.created_at, timezone),
            ticket.kind,
            ticket.channel,
            ticket.contact_label,
            ticket.subject,
            ticket.priority,
            ticket.category,
            ticket.state,
            ticket.team.name if ticket.team else "",
            ticket.assignee.email if ticket.assignee else "",
            local_time_text(ticket.resolution_due_at, timezone) if ticket.resolution_due_at else "",
        ]  # fmt: skip
        for ticket in tickets
    )
    return csv_download(f"tickets-{filters.queue}.csv", header, rows)
