"""A customer's loyalty page, and recording preferences and interactions."""

from __future__ import annotations

import datetime as dt
from urllib.parse import urlparse

from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy import select
from werkzeug.wrappers import Response

from core import dates
from core.auth import permission_required, require
from core.db import db
from core.forms import ActionForm
from core.i18n import _
from core.models import Customer
from core.views.common import get_or_404
from plugins.loyalty import settings as loyalty_settings
from plugins.loyalty.access import can_remove_preference, can_see_value
from plugins.loyalty.forms import InteractionForm, PreferenceForm
from plugins.loyalty.labels import kind_label
from plugins.loyalty.lifecycle import explain
from plugins.loyalty.models import CareTask, CustomerValue, Preference, StageChange, TierChange
from plugins.loyalty.preferences import (
    NoteError,
    add_preference,
    log_interaction,
    preferences_of,
    product_categories,
    recent_interactions,
)
from plugins.loyalty.value import change, profit_by_month

HISTORY_ROWS = 50
VALUE_MONTHS = 24


def _safe_next(default: str) -> str:
    """The form's "next" address when it stays on this site, else the default."""
    target = request.form.get("next") or request.args.get("next") or ""
    parsed = urlparse(target)
    if target.startswith("/") and not target.startswith("//") and not parsed.netloc:
        return target
    return default


@permission_required("loyalty.view")
def customer(customer_id: str) -> str:
    """A customer's value by month and year, tier and stage history, preferences and contacts."""
    record = get_or_404(Customer, customer_id)
    require(can_see_value(current_user, record))
    value = db.session.get(CustomerValue, record.id)
    difference, fraction = change(value)
    today = dates.today()
    tier_history = db.session.scalars(
        select(TierChange)
        .where(TierChange.customer_id == record.id)
        .order_by(TierChange.id.desc())
        .limit(HISTORY_ROWS)
    )
    stage_history = db.session.scalars(
        select(StageChange)
        .where(StageChange.customer_id == record.id)
        .order_by(StageChange.id.desc())
        .limit(HISTORY_ROWS)
    )
    tasks = db.session.scalars(
        select(CareTask)
        .where(CareTask.customer_id == record.id)
        .order_by(CareTask.id.desc())
        .limit(HISTORY_ROWS)
    )
    return render_template(
        "loyalty/customer.html",
        title=_("Value of %(name)s", name=record.name),
        customer=record,
        value=value,
        difference=difference,
        fraction=fraction,
        profit=profit_by_month(record.id, VALUE_MONTHS, today),
        explanation=explain(value, today, loyalty_settings.current().lifecycle),
        tier_history=list(tier_history),
        stage_history=list(stage_history),
        tasks=list(tasks),
        preferences=preferences_of(record.id),
        interactions=recent_interactions(record.id, 20),
        today=today,
        action_form=ActionForm(),
    )


@permission_required("loyalty.notes")
def new_preference(customer_id: str) -> str | Response:
    """Add a preference (the banner on the customer page posts here; errors are shown here)."""
    record = get_or_404(Customer, customer_id)
    form = PreferenceForm()
    if form.validate_on_submit():
        try:
            add_preference(
                record,
                current_user,
                form.category.data or "",
                form.sentiment.data,
                form.text.data or "",
            )
        except NoteError as error:
            form.text.errors = [*form.text.errors, str(error)]
        else:
            db.session.commit()
            flash(_("Preference saved."), "success")
            return redirect(_safe_next(url_for("customers.detail", customer_id=record.id)))
    return render_template(
        "loyalty/preference_form.html",
        title=_("Preference of %(name)s", name=record.name),
        customer=record,
        form=form,
        categories=product_categories(),
        preferences=preferences_of(record.id),
        back=_safe_next(url_for("customers.detail", customer_id=record.id)),
    )


@permission_required("loyalty.notes")
def remove_preference(preference_id: str) -> Response:
    """Delete a preference that no longer holds."""
    preference = get_or_404(Preference, preference_id)
    record = db.session.get(Customer, preference.customer_id)
    if record is None:
        abort(404)
    require(can_remove_preference(current_user, record, preference))
    if not ActionForm().validate_on_submit():
        abort(400)
    db.session.delete(preference)
    db.session.commit()
    flash(_("Preference removed."), "success")
    return redirect(_safe_next(url_for("customers.detail", customer_id=record.id)))


def _moment(form: InteractionForm) -> dt.datetime | None:
    """The typed local time as naive UTC (as DateTime columns store it), or None for now."""
    typed = form.happened_at.data
    if typed is None:
        return None
    return dates.from_company_time(typed)


@permission_required("loyalty.notes")
def new_interaction(customer_id: str) -> str | Response:
    """Log a call, visit, e-mail or note."""
    record = get_or_404(Customer, customer_id)
    form = InteractionForm()
    if form.validate_on_submit():
        try:
            log_interaction(
                record, current_user, form.kind.data, form.summary.data or "", _moment(form)
            )
        except NoteError as error:
            target = form.happened_at if error.field == "happened_at" else form.summary
            target.errors = [*target.errors, str(error)]
        else:
            db.session.commit()
            flash(_("%(kind)s logged.", kind=kind_label(form.kind.data)), "success")
            return redirect(_safe_next(url_for("customers.detail", customer_id=record.id)))
    return render_template(
        "loyalty/interaction_form.html",
        title=_("Log a contact with %(name)s", name=record.name),
        customer=record,
        form=form,
        interactions=recent_interactions(record.id, 10),
        back=_safe_next(url_for("customers.detail", customer_id=record.id)),
    )
