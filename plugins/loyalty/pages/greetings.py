"""Greeting templates: the list and the edit page with a preview."""

from __future__ import annotations

import datetime as dt

from flask import abort, flash, redirect, render_template, url_for
from flask_login import current_user
from sqlalchemy import func, select
from werkzeug.wrappers import Response

from core import dates
from core.auth import permission_required
from core.db import db
from core.i18n import _
from core.models import Customer
from plugins.loyalty.forms import GreetingTemplateForm
from plugins.loyalty.greetings import (
    PLACEHOLDERS,
    placeholder_values,
    preview_recipient,
    render,
    save_template,
    templates,
)
from plugins.loyalty.labels import occasion_label
from plugins.loyalty.models import OCCASIONS, Greeting


@permission_required("loyalty.admin")
def template_list() -> str:
    """Both greeting templates and how many greetings went out in the last 365 days."""
    since = dt.datetime.combine(dates.today() - dt.timedelta(days=365), dt.time())
    counts = dict(
        db.session.execute(
            select(Greeting.occasion, func.count())
            .join(Customer, Customer.id == Greeting.customer_id)
            .where(Greeting.created_at >= since)
            .group_by(Greeting.occasion)
        ).all()
    )
    return render_template(
        "loyalty/templates.html",
        title=_("Greetings"),
        templates=templates(),
        counts=counts,
        placeholders=PLACEHOLDERS,
    )


@permission_required("loyalty.admin")
def edit_template(occasion: str) -> str | Response:
    """Edit the subject and text of a greeting; unknown placeholders are refused with a message."""
    if occasion not in OCCASIONS:
        abort(404)
    template = templates()[occasion]
    form = GreetingTemplateForm(obj=template)
    preview, recipient = None, None
    if form.validate_on_submit():
        save_template(
            occasion,
            form.subject.data or "",
            form.body.data or "",
            bool(form.active.data),
            current_user,
        )
        db.session.commit()
        flash(
            _("The %(occasion)s greeting is saved.", occasion=occasion_label(occasion).lower()),
            "success",
        )
        return redirect(url_for("loyalty.templates"))
    found = preview_recipient(occasion, dates.today())
    if found is not None and not form.errors:
        recipient, holiday = found
        values = placeholder_values(recipient, holiday, dates.today())
        preview = (render(form.subject.data or "", values), render(form.body.data or "", values))
    return render_template(
        "loyalty/template_form.html",
        title=_("%(occasion)s greeting", occasion=occasion_label(occasion)),
        occasion=occasion,
        form=form,
        preview=preview,
        recipient=recipient,
        placeholders=PLACEHOLDERS,
    )
