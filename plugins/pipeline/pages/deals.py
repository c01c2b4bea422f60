"""The deal page (history, time in stage, follow-ups, products, orders) and what changes a deal."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from flask import flash, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy import func, or_, select
from werkzeug.wrappers import Response

from core import dates
from core.auth import permission_required, require
from core.customers import create_customer
from core.db import db
from core.i18n import _
from core.models import Customer, Product, User
from core.views.common import get_or_404, saving
from plugins.pipeline import access, deals, followups, learning, pool, won
from plugins.pipeline import stages as stage_records
from plugins.pipeline.deals import DealError, DealInput, LineInput
from plugins.pipeline.forms import DealForm, FollowUpForm, LostForm, MoveForm
from plugins.pipeline.models import Opportunity, Stage
from plugins.pipeline.pages.common import (
    back_to,
    deal_or_404,
    find_customer,
    owner_choices,
    product_choices,
)

HUNDRED = Decimal("100")


def _lost_form() -> LostForm:
    form = LostForm()
    form.reason_id.choices = [(reason.id, reason.name) for reason in stage_records.lost_reasons()]
    return form


def _move_form(deal: Opportunity) -> MoveForm:
    form = MoveForm(stage_id=deal.stage_id)
    form.stage_id.choices = [
        (stage.id, stage.name) for stage in stage_records.all_stages(True) if stage.kind != "lost"
    ]
    return form


def duplicate_hints(deal: Opportunity) -> list[Customer]:
    """Customers a prospect may already be: the same e-mail, phone or name (at most five)."""
    if deal.customer_id is not None:
        return []
    conditions = []
    if deal.prospect_email:
        conditions.append(func.lower(Customer.email) == deal.prospect_email.lower())
    if deal.prospect_name:
        conditions.append(func.lower(Customer.name) == deal.prospect_name.lower())
    if deal.prospect_company:
        conditions.append(func.lower(Customer.company) == deal.prospect_company.lower())
    if deal.prospect_phone:
        digits = "".join(ch for ch in deal.prospect_phone if ch.isdigit())
        if len(digits) >= 6:
            conditions.append(Customer.phone_normalized.like(f"%{digits[-8:]}"))
    if not conditions:
        return []
    return list(db.session.scalars(select(Customer).where(or_(*conditions)).limit(5)))


def open_deal_hints(deal: Opportunity) -> list[Opportunity]:
    """Other open deals with the same customer, or a prospect of the same e-mail or company."""
    conditions = []
    if deal.customer_id is not None:
        conditions.append(Opportunity.customer_id == deal.customer_id)
    if deal.prospect_email:
        conditions.append(func.lower(Opportunity.prospect_email) == deal.prospect_email.lower())
    if deal.prospect_company:
        conditions.append(func.lower(Opportunity.prospect_company) == deal.prospect_company.lower())
    if not conditions:
        return []
    statement = (
        select(Opportunity)
        .join(Stage, Stage.id == Opportunity.stage_id)
        .where(Stage.kind == "open", Opportunity.id != deal.id, or_(*conditions))
        .limit(5)
    )
    return list(db.session.scalars(access.visible_deals(statement, current_user)))


@permission_required("pipeline.deals")
def deal_page(deal_id: str) -> str:
    """Everything about one deal."""
    deal = deal_or_404(deal_id)
    return render_template(
        "pipeline/deal.html",
        title=deal.title,
        deal=deal,
        history=deals.history(deal.id),
        stays=deals.time_in_stages(deal),
        follow_ups=followups.of_deal(deal.id),
        orders=won.orders_of(deal.id),
        follow_up_form=FollowUpForm(),
        move_form=_move_form(deal),
        lost_form=_lost_form(),
        duplicates=duplicate_hints(deal),
        similar=open_deal_hints(deal),
        today=dates.today(),
        can_edit=access.can_edit_deal(current_user, deal),
        pool_events=pool.events(deal_id=deal.id),
        learned=learning.explain(deal),
    )


def _deal_form(deal: Opportunity | None) -> DealForm:
    form = DealForm(obj=deal) if deal is not None else DealForm()
    if deal is not None and request.method == "GET":
        form.customer.data = (
            (deal.customer.external_id or deal.customer.email) if deal.customer else ""
        )
        form.owner_id.data = deal.owner_id or 0
        form.probability_percent.data = (
            deal.probability * HUNDRED if deal.probability_manual else None
        )
        for entry, line in zip(form.lines.entries, deal.lines, strict=False):
            entry.form.product_id.data = line.product_id
            entry.form.quantity.data = line.quantity
            entry.form.unit_price.data = line.unit_price
    elif deal is None and request.method == "GET":
        form.owner_id.data = current_user.id
        preset = request.args.get("customer", "")
        if preset:
            form.customer.data = preset
    owners = owner_choices()
    if not access.sees_all(current_user):
        owners = [(user_id, name) for user_id, name in owners if user_id == current_user.id]
    form.owner_id.choices = owners
    choices = product_choices()
    for entry in form.lines.entries:
        entry.form.product_id.choices = choices
    return form


def _input_of(form: DealForm) -> DealInput | None:
    """The form as a DealInput, or None with the problems written onto the form's fields."""
    customer = None
    if form.customer.data:
        customer = find_customer(form.customer.data)
        if customer is None:
            form.customer.errors = [_("No single customer has this e-mail or external id.")]
            return None
    owner = db.session.get(User, form.owner_id.data) if form.owner_id.data else None
    lines = []
    for position, entry in enumerate(form.lines.entries, start=1):
        product_id, quantity = entry.form.product_id.data, entry.form.quantity.data
        if not product_id and quantity is None:
            continue
        product = db.session.get(Product, product_id) if product_id else None
        if product is None or quantity is None:
            entry.form.quantity.errors = [
                _("Line %(n)s: choose a product and a quantity.", n=position)
            ]
            return None
        lines.append(LineInput(product, quantity, entry.form.unit_price.data))
    probability = form.probability_percent.data
    return DealInput(
        title=form.title.data or "",
        owner=owner,
        customer=customer,
        prospect_name=form.prospect_name.data or "",
        prospect_company=form.prospect_company.data or "",
        prospect_email=form.prospect_email.data or "",
        prospect_phone=form.prospect_phone.data or "",
        channel=form.channel.data or "",
        amount=form.amount.data,
        expected_close_on=form.expected_close_on.data,
        probability=None if probability is None else probability / HUNDRED,
        next_activity=form.next_activity.data or "",
        next_activity_on=form.next_activity_on.data,
        lines=lines,
    )


def _save(form: DealForm, deal: Opportunity | None) -> Response | None:
    if not form.validate_on_submit():
        return None
    data = _input_of(form)
    if data is None:
        return None
    if customer := data.customer:
        require(access.can_follow_up_customer(current_user, customer))
    try:
        if deal is None:
            deal = deals.open_deal(data, current_user)
            message = _("Deal opened.")
        else:
            deals.update_deal(deal, data)
            message = _("Deal saved.")
    except DealError as error:
        db.session.rollback()
        form.title.errors = [*form.title.errors, str(error)]
        return None
    db.session.commit()
    flash(message, "success")
    return redirect(url_for("pipeline.deal", deal_id=deal.id))


@permission_required("pipeline.deals")
def deal_new() -> Any:
    """Open a deal: for a customer (e-mail or external id) or a prospect."""
    form = _deal_form(None)
    saved = _save(form, None)
    if saved is not None:
        return saved
    status = 400 if request.method == "POST" else 200
    return render_template(
        "pipeline/deal_form.html", title=_("New deal"), form=form, deal=None
    ), status


@permission_required("pipeline.deals")
def deal_edit(deal_id: str) -> Any:
    """Change a deal (its stage moves on the board or the deal page)."""
    deal = deal_or_404(deal_id)
    require(access.can_edit_deal(current_user, deal))
    form = _deal_form(deal)
    saved = _save(form, deal)
    if saved is not None:
        return saved
    status = 400 if request.method == "POST" else 200
    return render_template(
        "pipeline/deal_form.html", title=_("Edit %(title)s", title=deal.title), form=form, deal=deal
    ), status


@permission_required("pipeline.deals")
def deal_move(deal_id: str) -> Response:
    """Move a deal to a stage (the board's form and its drag and drop both post here)."""
    deal = deal_or_404(deal_id)
    require(access.can_edit_deal(current_user, deal))
    form = MoveForm()
    form.stage_id.choices = [(stage.id, stage.name) for stage in stage_records.all_stages(True)]
    target = back_to(url_for("pipeline.board"))
    if not form.validate_on_submit():
        flash(_("Choose a stage to move the deal to."), "error")
        return redirect(target)
    stage = get_or_404(Stage, form.stage_id.data)
    if stage.kind == "lost":
        flash(_("Say why the deal was lost."), "info")
        return redirect(url_for("pipeline.deal", deal_id=deal.id) + "#lost")
    moved = False
    with saving(_("The deal was not moved"), DealError) as saved:
        moved = deals.move(deal, stage, current_user)
    if saved and moved:
        flash(_("%(title)s moved to %(stage)s.", title=deal.title, stage=stage.name), "success")
    return redirect(target)


@permission_required("pipeline.deals")
def deal_lose(deal_id: str) -> Response:
    """Mark a deal lost, with the reason from the list."""
    deal = deal_or_404(deal_id)
    require(access.can_edit_deal(current_user, deal))
    form = _lost_form()
    if not form.validate_on_submit():
        flash(_("Choose why the deal was lost."), "error")
        return redirect(url_for("pipeline.deal", deal_id=deal.id))
    reason = next(r for r in stage_records.lost_reasons() if r.id == form.reason_id.data)
    with saving(_("The deal was not marked lost"), DealError) as saved:
        deals.move(deal, stage_records.stage_of_kind("lost"), current_user, lost_reason=reason)
    if saved:
        flash(_("Deal marked lost: %(reason)s.", reason=reason.name), "success")
    return redirect(url_for("pipeline.deal", deal_id=deal.id))


@permission_required("pipeline.deals")
def deal_make_order(deal_id: str) -> Response:
    """One click: a draft order with the deal's products; confirming it wins the deal."""
    deal = deal_or_404(deal_id)
    require(access.can_edit_deal(current_user, deal) and current_user.can("orders.create"))
    with saving(_("No order was made"), DealError) as saved:
        order = won.make_order(deal, current_user)
    if not saved:
        return redirect(url_for("pipeline.deal", deal_id=deal.id))
    flash(
        _("Draft order %(number)s made; confirm it to win the deal.", number=order.number),
        "success",
    )
    return redirect(url_for("orders.detail", order_id=order.id))


@permission_required("pipeline.deals")
def deal_convert(deal_id: str) -> Response:
    """Make the prospect a customer in one step (or link the customer a hint pointed at)."""
    deal = deal_or_404(deal_id)
    require(access.can_edit_deal(current_user, deal) and current_user.can("customers.create"))
    if deal.customer_id is not None:
        flash(_("The deal already has a customer."), "info")
        return redirect(url_for("pipeline.deal", deal_id=deal.id))
    existing_id = request.form.get("customer_id", "")
    customer: Customer | None = None
    if existing_id:
        customer = get_or_404(Customer, existing_id)
        require(access.can_follow_up_customer(current_user, customer))
    with saving(_("The prospect was not made a customer"), ValueError) as saved:
        if customer is None:
            customer = create_customer(
                name=deal.prospect_name or deal.prospect_company,
                company=deal.prospect_company,
                email=deal.prospect_email,
                phone=deal.prospect_phone,
                channel=deal.channel,
                owner_id=deal.owner_id,
            )
        deal.customer = customer
        deal.customer_id = customer.id
        if not deal.channel:
            deal.channel = customer.channel
    if saved and customer is not None:
        flash(_("The deal is now with the customer %(name)s.", name=customer.name), "success")
    return redirect(url_for("pipeline.deal", deal_id=deal.id))


@permission_required("pipeline.deals")
def deal_follow_up(deal_id: str) -> Any:
    """Log a follow-up on the deal."""
    deal = deal_or_404(deal_id)
    require(access.can_edit_deal(current_user, deal))
    form = FollowUpForm()
    if form.validate_on_submit():
        try:
            followups.log_follow_up(
                form.kind.data,
                current_user,
                deal=deal,
                notes=form.notes.data or "",
                outcome=form.outcome.data or "",
                next_contact_on=form.next_contact_on.data,
            )
        except followups.FollowUpError as error:
            db.session.rollback()
            form.next_contact_on.errors = [str(error)]
        else:
            db.session.commit()
            flash(_("Follow-up logged."), "success")
            return redirect(url_for("pipeline.deal", deal_id=deal.id) + "#follow-ups")
    return render_template(
        "pipeline/follow_up_form.html",
        title=_("Follow-up on %(title)s", title=deal.title),
        form=form,
        deal=deal,
        customer=None,
    ), 400
