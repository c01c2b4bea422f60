"""Follow-ups on a customer (from the customer page), and the "forgotten" list."""

from __future__ import annotations

from typing import Any

from flask import flash, redirect, render_template, url_for
from flask_login import current_user
from sqlalchemy import func, select

from core.auth import permission_required, require
from core.db import db
from core.i18n import _
from core.models import Customer
from core.views.common import get_or_404, int_arg, paginate
from plugins.pipeline import access, followups
from plugins.pipeline import settings as pipeline_settings
from plugins.pipeline.forms import FollowUpForm

CUSTOMERS_SHOWN = 50


@permission_required("pipeline.deals")
def customer_follow_up(customer_id: str) -> Any:
    """Log a call, visit, meeting or e-mail with a customer."""
    customer = get_or_404(Customer, customer_id)
    require(access.can_follow_up_customer(current_user, customer))
    form = FollowUpForm()
    status = 200
    if form.validate_on_submit():
        try:
            followups.log_follow_up(
                form.kind.data,
                current_user,
                customer=customer,
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
            return redirect(url_for("customers.detail", customer_id=customer.id))
    if form.is_submitted():
        status = 400
    return render_template(
        "pipeline/follow_up_form.html",
        title=_("Follow-up with %(name)s", name=customer.name),
        form=form,
        deal=None,
        customer=customer,
    ), status


@permission_required("pipeline.deals")
def forgotten_page() -> str:
    """Open deals and customers nobody followed up for N days (?days=, default from the config)."""
    days = int_arg("days") or pipeline_settings.current().forgotten_days
    days = min(days, 3650)
    limit = followups.cutoff(days)
    owner_id = None if access.sees_all(current_user) else current_user.id
    deals_page = paginate(followups.forgotten_deals(limit, owner_id))
    customers_statement = followups.forgotten_customers(limit, owner_id)
    customers = db.session.execute(customers_statement.limit(CUSTOMERS_SHOWN)).all()
    customers_total = db.session.scalar(
        select(func.count()).select_from(customers_statement.order_by(None).subquery())
    )
    return render_template(
        "pipeline/forgotten.html",
        title=_("Forgotten"),
        days=days,
        page=deals_page,
        last_at=followups.last_deal_follow_ups([deal.id for deal in deals_page.items]),
        customers=customers,
        customers_total=customers_total,
    )
