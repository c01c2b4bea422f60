"""The pool: deals and customers nobody owns any more, and claiming them."""

from __future__ import annotations

from flask import flash, redirect, render_template, url_for
from flask_login import current_user
from sqlalchemy import func, select
from werkzeug.wrappers import Response

from core.auth import permission_required
from core.db import db
from core.i18n import _
from core.models import Customer
from core.views.common import action_form_expired, get_or_404, paginate, saving
from plugins.pipeline import pool
from plugins.pipeline import settings as pipeline_settings
from plugins.pipeline.models import Opportunity

CUSTOMERS_SHOWN = 50


@permission_required("pipeline.deals")
def pool_page() -> str:
    """Open deals without an owner and released customers, with a claim button each."""
    config = pipeline_settings.current()
    customers_statement = pool.pool_customers()
    return render_template(
        "pipeline/pool.html",
        title=_("Pool"),
        page=paginate(pool.pool_deals()),
        customers=list(db.session.scalars(customers_statement.limit(CUSTOMERS_SHOWN))),
        customers_total=db.session.scalar(
            select(func.count()).select_from(customers_statement.order_by(None).subquery())
        ),
        config=config,
        owned=pool.open_deals_owned(current_user),
    )


@permission_required("pipeline.deals")
def claim_deal(deal_id: str) -> Response:
    """Take a deal from the pool."""
    deal = get_or_404(Opportunity, deal_id)
    if action_form_expired():
        return redirect(url_for("pipeline.pool"))
    with saving(_("Not claimed"), pool.PoolError) as saved:
        pool.claim_deal(deal, current_user)
    if not saved:
        return redirect(url_for("pipeline.pool"))
    flash(_("%(title)s is yours now.", title=deal.title), "success")
    return redirect(url_for("pipeline.deal", deal_id=deal.id))


@permission_required("pipeline.deals")
def claim_customer(customer_id: str) -> Response:
    """Take a customer from the pool."""
    customer = get_or_404(Customer, customer_id)
    if action_form_expired():
        return redirect(url_for("pipeline.pool"))
    with saving(_("Not claimed"), pool.PoolError) as saved:
        pool.claim_customer(customer, current_user)
    if not saved:
        return redirect(url_for("pipeline.pool"))
    flash(_("%(name)s is yours now.", name=customer.name), "success")
    return redirect(url_for("customers.detail", customer_id=customer.id))
