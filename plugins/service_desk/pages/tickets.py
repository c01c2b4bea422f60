"""Ticket pages: open a ticket, one ticket with its conversation and history, files, a text export."""

from __future__ import annotations

from typing import Any

from flask import Response, abort, flash, redirect, render_template, request, send_file, url_for
from flask_login import current_user
from sqlalchemy import select
from werkzeug.wrappers import Response as BaseResponse

from core.access import visible_orders
from core.auth import permission_required, require
from core.customers import create_customer, default_region
from core.db import db
from core.i18n import N_, _, format_date
from core.models import Customer, Order, User, utcnow
from core.views.common import badge_results, get_or_404, int_arg, saving
from plugins.service_desk import attachments as files
from plugins.service_desk import settings as service_desk_settings
from plugins.service_desk.access import (
    can_read_internal,
    can_view_ticket,
    can_work_ticket,
    team_ids_of,
)
from plugins.service_desk.forms import LinkCustomerForm, MessageForm, TicketForm, TicketUpdateForm
from plugins.service_desk.history import events_of
from plugins.service_desk.models import Attachment, Team, Ticket, TicketMessage, label
from plugins.service_desk.pages.choices import (
    active_teams,
    agent_choices,
    agents,
    category_choices,
    instance_path,
    none,
    team_choices,
)
from plugins.service_desk.tickets import TRANSITIONS, NewTicket, TicketError, open_ticket
from plugins.service_desk.tracking import clocks_for

ORDER_CHOICES = 30


def _order_choices(customer: Customer | None) -> list[tuple[object, str]]:
    """The customer's latest orders the user may see, for the ticket form."""
    if customer is None:
        return [none()]
    statement = visible_orders(
        select(Order).where(Order.customer_id == customer.id), current_user
    ).order_by(Order.order_date.desc(), Order.id.desc())
    orders = db.session.scalars(statement.limit(ORDER_CHOICES))
    return [none()] + [
        (order.id, f"{order.number} · {format_date(order.order_date)} · {status_of(order)}")
        for order in orders
    ]


def status_of(order: Order) -> str:
    """An order's status in the reader's words."""
    return label("order_status", order.status)


def _fill_new_form(form: TicketForm, customer: Customer | None) -> None:
    """Choices, and on first display the values passed in the link (customer, order, kind, contact)."""
    teams = active_teams()
    form.order_id.choices = _order_choices(customer)
    form.category.choices = category_choices()
    form.team_id.choices = team_choices(teams)
    form.assignee_id.choices = agent_choices(agents())
    if request.method != "GET":
        return
    form.customer_id.data = str(customer.id) if customer else ""
    form.order_id.data = int_arg("order")
    if request.args.get("kind") in dict(form.kind.choices):
        form.kind.data = request.args["kind"]
    for name in ("contact_name", "contact_phone", "contact_email"):
        getattr(form, name).data = request.args.get(name, "")[:200]
    form.create_customer.data = request.args.get("create") == "1"
    own = team_ids_of(current_user)
    form.team_id.data = next((team.id for team in teams if team.id in own), None)
    if current_user.can("service_desk.work"):
        form.assignee_id.data = current_user.id


def _form_customer() -> Customer | None:
    """The customer the new ticket is for (from the form on POST, the link on GET), or None."""
    raw = (
        request.form.get("customer_id")
        if request.method == "POST"
        else request.args.get("customer")
    )
    if not raw:
        return None
    return get_or_404(Customer, raw)


def _new_ticket_data(form: TicketForm, customer: Customer | None) -> NewTicket:
    """The service's input from a validated form (order, team and assignee looked up and checked)."""
    order = db.session.get(Order, form.order_id.data) if form.order_id.data else None
    team = db.session.get(Team, form.team_id.data) if form.team_id.data else None
    assignee = db.session.get(User, form.assignee_id.data) if form.assignee_id.data else None
    return NewTicket(
        kind=form.kind.data,
        channel=form.channel.data,
        subject=form.subject.data or "",
        description=form.description.data or "",
        priority=form.priority.data,
        category=form.category.data or "",
        customer=customer,
        order=order,
        team=team,
        assignee=assignee,
        contact_name="" if customer else form.contact_name.data or "",
        contact_email="" if customer else form.contact_email.data or "",
        contact_phone="" if customer else form.contact_phone.data or "",
    )


@permission_required("service_desk.create")
def new_ticket() -> str | BaseResponse:
    """Open a ticket for a customer (prefilled from the lookup) or for a new contact."""
    customer = _form_customer()
    form = TicketForm(default_region=default_region())
    _fill_new_form(form, customer)
    if form.validate_on_submit():
        saved = _save_new_ticket(form, customer)
        if saved is not None:
            flash(_("Ticket #%(id)s opened.", id=saved.id), "success")
            return redirect(url_for("service_desk.ticket", ticket_id=saved.id))
    return render_template(
        "service_desk/new_ticket.html", title=_("New ticket"), form=form, customer=customer
    )


def _save_new_ticket(form: TicketForm, customer: Customer | None) -> Ticket | None:
    """Create the customer if asked, open the ticket, store its files; all or nothing."""
    stored: list[Attachment] = []
    with saving(_("Nothing was saved"), TicketError, files.AttachmentError) as saved:
        if customer is None and form.create_customer.data:
            customer = create_customer(
                name=form.contact_name.data, phone=form.contact_phone.data or "",
                email=form.contact_email.data or "", owner_id=None,
            )  # fmt: skip
        ticket = open_ticket(_new_ticket_data(form, customer), current_user)
        stored = _store_uploads(ticket, None, form.attachments.data)
    if saved:
        return ticket
    files.discard_files(instance_path(), stored)
    return None


def _store_uploads(ticket: Ticket, message: TicketMessage | None, uploads: Any) -> list[Attachment]:
    """Check and store every uploaded file; AttachmentError on the first bad one (after cleaning up)."""
    settings = service_desk_settings.current()
    stored: list[Attachment] = []
    now = utcnow()
    for upload in uploads or []:
        if not getattr(upload, "filename", ""):
            continue
        try:
            stored.append(
                files.store_attachment(
                    instance_path(),
                    ticket,
                    message,
                    upload.filename,
                    upload.read(),
                    current_user,
                    settings.attachment_types,
                    settings.attachment_max_bytes,
                    now,
                )  # fmt: skip
            )
        except files.AttachmentError:
            files.discard_files(instance_path(), stored)
            raise
    if stored:
        from plugins.service_desk.history import record_event, said

        if message is not None and message.internal:
            # The history is shown to everyone who sees the ticket: no names of internal files.
            summary = said(N_("%(count)s internal file(s) added with a note"), count=len(stored))
        else:
            names = ", ".join(item.original_name for item in stored)
            summary = said(N_("File(s) added: %(names)s"), names=names)
        record_event(ticket, "attachment", summary, current_user, now)
    return stored


def ticket_or_404(ticket_id: str) -> Ticket:
    """The ticket, if the user may see it (404 when it does not exist, 403 when not theirs)."""
    ticket = get_or_404(Ticket, ticket_id)
    require(can_view_ticket(current_user, ticket))
    return ticket


def conversation(ticket: Ticket, internal: bool) -> tuple[list[TicketMessage], list[Attachment]]:
    """Messages and files of the ticket; internal notes and their files only when ``internal``."""
    messages = select(TicketMessage).where(TicketMessage.ticket_id == ticket.id)
    attachments = select(Attachment).where(Attachment.ticket_id == ticket.id)
    if not internal:
        messages = messages.where(TicketMessage.kind != "note")
        attachments = attachments.where(Attachment.internal.is_(False))
    return (
        list(db.session.scalars(messages.order_by(TicketMessage.created_at, TicketMessage.id))),
        list(db.session.scalars(attachments.order_by(Attachment.id))),
    )


@permission_required("service_desk.view")
def ticket(ticket_id: str) -> str:
    """One ticket: facts, SLA clocks, conversation, files, history, and what the user may do."""
    ticket = ticket_or_404(ticket_id)
    member_of = team_ids_of(current_user)
    internal = can_read_internal(current_user, ticket, member_of)
    workable = can_work_ticket(current_user, ticket, member_of)
    messages, attachments = conversation(ticket, internal)
    update_form = TicketUpdateForm(obj=ticket, formdata=None)
    update_form.category.choices = category_choices(ticket.category)
    update_form.team_id.choices = team_choices(active_teams(), ticket.team)
    update_form.assignee_id.choices = agent_choices(agents())
    update_form.show(ticket)
    message_form = MessageForm(formdata=None)
    return render_template(
        "service_desk/ticket.html",
        title=f"#{ticket.id} {ticket.subject}",
        ticket=ticket,
        badges=badge_results([ticket.customer])[ticket.customer.id] if ticket.customer else [],
        messages=messages,
        attachments_by_message=_group_attachments(attachments),
        events=events_of(ticket.id),
        clocks=clocks_for(ticket, utcnow()),
        can_internal=internal,
        can_work=workable,
        transitions=list(TRANSITIONS[ticket.state]),
        update_form=update_form,
        message_form=message_form,
        link_form=LinkCustomerForm(formdata=None),
        now=utcnow(),
    )


def _group_attachments(attachments: list[Attachment]) -> dict[int | None, list[Attachment]]:
    """Files by the message they came with (None: added with the ticket)."""
    grouped: dict[int | None, list[Attachment]] = {}
    for attachment in attachments:
        grouped.setdefault(attachment.message_id, []).append(attachment)
    return grouped


@permission_required("service_desk.view")
def attachment(attachment_id: str) -> Response:
    """Download a file, only for users who may read it; always as a download, never rendered."""
    item = get_or_404(Attachment, attachment_id)
    ticket = ticket_or_404(str(item.ticket_id))
    if item.internal and not can_read_internal(current_user, ticket, team_ids_of(current_user)):
        abort(404)
    try:
        path = files.stored_path(instance_path(), item)
    except files.AttachmentError:
        abort(404)
    if not path.is_file():
        abort(404)
    response = send_file(
        path, mimetype=item.content_type, as_attachment=True, download_name=item.original_name
    )
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Content-Security-Policy"] = "default-src 'none'; sandbox"
    return response


@permission_required("service_desk.view")
def export_ticket(ticket_id: str) -> Response:
    """The ticket as a text file: facts, conversation (internal notes only for those who may read them), history."""
    ticket = ticket_or_404(ticket_id)
    internal = can_read_internal(current_user, ticket, team_ids_of(current_user))
    messages, _files = conversation(ticket, internal)
    text = render_template(
        "service_desk/ticket_export.txt",
        ticket=ticket,
        messages=messages,
        events=events_of(ticket.id),
    )
    return Response(
        text,
        mimetype="text/plain",
        headers={"Content-Disposition": f'attachment; filename="ticket-{ticket.id}.txt"'},
    )
