"""What agents do on a ticket page: change its state, write, assign and re-classify, link a customer."""

from __future__ import annotations

from flask import flash, redirect, request, url_for
from flask_login import current_user
from werkzeug.wrappers import Response

from core.auth import permission_required, require
from core.db import db
from core.i18n import _
from core.models import User
from core.views.common import action_form_expired, saving
from plugins.service_desk import attachments as files
from plugins.service_desk import lookup as caller_lookup
from plugins.service_desk.access import can_work_ticket, team_ids_of
from plugins.service_desk.forms import LinkCustomerForm, MessageForm, TicketUpdateForm
from plugins.service_desk.models import Attachment, Team, Ticket, label
from plugins.service_desk.pages.choices import (
    active_teams,
    agent_choices,
    agents,
    category_choices,
    instance_path,
    team_choices,
)
from plugins.service_desk.pages.tickets import _store_uploads, ticket_or_404
from plugins.service_desk.tickets import (
    TicketError,
    add_message,
    change_state,
    claim,
    update_ticket,
)


def _workable(ticket_id: str) -> Ticket:
    """The ticket, if the user may work on it (403 otherwise)."""
    ticket = ticket_or_404(ticket_id)
    require(can_work_ticket(current_user, ticket, team_ids_of(current_user)))
    return ticket


def _back(ticket: Ticket) -> Response:
    """Back to the ticket page."""
    return redirect(url_for("service_desk.ticket", ticket_id=ticket.id))


@permission_required("service_desk.work")
def change_ticket_state(ticket_id: str) -> Response:
    """Move the ticket to the state of the button pressed."""
    ticket = _workable(ticket_id)
    if action_form_expired():
        return _back(ticket)
    with saving(_("Nothing changed"), TicketError) as saved:
        change_state(ticket, request.form.get("state", ""), current_user)
    if saved:
        state = label("state", ticket.state).lower()
        flash(_("Ticket #%(id)s is now %(state)s.", id=ticket.id, state=state), "success")
    return _back(ticket)


@permission_required("service_desk.work")
def post_message(ticket_id: str) -> Response:
    """Add a reply, a note or a customer's message, with files; all or nothing."""
    ticket = _workable(ticket_id)
    form = MessageForm()
    if not form.validate_on_submit():
        problems = [error for errors in form.errors.values() for error in errors]
        flash(
            _(
                "%(failure)s: %(reason)s",
                failure=_("Nothing was saved"),
                reason="; ".join(map(str, problems)),
            ),
            "error",
        )
        return _back(ticket)
    stored: list[Attachment] = []
    with saving(_("Nothing was saved"), TicketError, files.AttachmentError) as saved:
        message = add_message(ticket, form.kind.data or "", form.body.data or "", current_user)
        stored = _store_uploads(ticket, message, form.attachments.data)
    if saved:
        done = {
            "reply": _("Reply sent."),
            "note": _("Note added."),
            "customer": _("Message logged."),
        }
        flash(done[message.kind], "success")
    else:
        files.discard_files(instance_path(), stored)
    return _back(ticket)


@permission_required("service_desk.work")
def claim_ticket(ticket_id: str) -> Response:
    """Take an unassigned ticket; of two agents pressing at once, one gets it."""
    ticket = _workable(ticket_id)
    if action_form_expired():
        return _back(ticket)
    with saving(_("Nothing changed"), TicketError) as saved:
        claim(ticket, current_user)
    if saved:
        flash(_("Ticket #%(id)s is yours now.", id=ticket.id), "success")
    return _back(ticket)


@permission_required("service_desk.work")
def update(ticket_id: str) -> Response:
    """Change type, priority, category, team and assignee."""
    ticket = _workable(ticket_id)
    form = TicketUpdateForm()
    form.category.choices = category_choices(ticket.category)
    form.team_id.choices = team_choices(active_teams(), ticket.team)
    form.assignee_id.choices = agent_choices(agents())
    if not form.validate_on_submit():
        problems = [
            f"{name}: {', '.join(map(str, errors))}" for name, errors in form.errors.items()
        ]
        flash(
            _("%(failure)s: %(reason)s", failure=_("Nothing changed"), reason="; ".join(problems)),
            "error",
        )
        return _back(ticket)
    team = db.session.get(Team, form.team_id.data) if form.team_id.data else None
    assignee = db.session.get(User, form.assignee_id.data) if form.assignee_id.data else None
    with saving(_("Nothing changed"), TicketError) as saved:
        said = update_ticket(
            ticket,
            current_user,
            seen=form.seen(),
            kind=form.kind.data,
            priority=form.priority.data,
            category=form.category.data or "",
            team=team,
            assignee=assignee,
        )
    if saved:
        flash("; ".join(said) if said else _("Nothing changed."), "success")
    return _back(ticket)


@permission_required("service_desk.work")
def link_customer(ticket_id: str) -> Response:
    """Attach a new contact's ticket to the one existing customer the text finds."""
    ticket = _workable(ticket_id)
    form = LinkCustomerForm()
    if not form.validate_on_submit():
        flash(_("Type the customer's phone, name or e-mail."), "error")
        return _back(ticket)
    matches, more = caller_lookup.find_callers(form.customer_query.data or "")
    if len(matches) != 1:
        count = f"{len(matches)}{'+' if more else ''}"
        flash(
            _("%(count)s customers match; type something that finds exactly one.", count=count),
            "error",
        )
        return _back(ticket)
    with saving(_("Nothing changed"), TicketError) as saved:
        said = update_ticket(ticket, current_user, customer=matches[0])
    if saved:
        flash("; ".join(said), "success")
    return _back(ticket)
