"""Consent on the customer page: staff record an opt-in or opt-out with how they know, and read the evidence."""

from __future__ import annotations

from flask import flash, redirect, render_template, url_for
from flask_login import current_user
from sqlalchemy import select
from werkzeug.wrappers import Response

from core.auth import permission_required
from core.db import db
from core.i18n import _
from core.models import Customer
from core.views.common import get_or_404, paginate
from plugins.marketing import consent
from plugins.marketing import settings as marketing_settings
from plugins.marketing.forms import ConsentForm
from plugins.marketing.models import ALL_TOPICS, ConsentEvent


def consent_form() -> ConsentForm:
    """The form with the configured topics and "all marketing"."""
    form = ConsentForm()
    form.topic.choices = [
        (topic, _("%(topic)s mail", topic=topic)) for topic in marketing_settings.current().topics
    ] + [(ALL_TOPICS, _("all marketing mail"))]
    return form


@permission_required("marketing.consent")
def consent_record(customer_id: str) -> Response:
    """Record a consent change a customer told staff about."""
    customer = get_or_404(Customer, customer_id)
    form = consent_form()
    target = url_for("customers.detail", customer_id=customer.id) + "#marketing-consent"
    if not form.validate_on_submit():
        problems = [
            f"{getattr(form, name).label.text}: {' '.join(errors)}"
            for name, errors in form.errors.items()
        ]
        flash(_("Consent not recorded. %(problems)s", problems=" ".join(problems)), "error")
        return redirect(target)
    event = consent.record_consent(
        customer,
        form.topic.data,
        form.choice.data == "in",
        "staff",
        marketing_settings.current().topics,
        note=form.note.data,
        user=current_user,
    )
    db.session.commit()
    if event is None:
        flash(_("Nothing changed: that was already the customer's choice."), "info")
    else:
        flash(_("Consent recorded."), "success")
    return redirect(target)


@permission_required("marketing.consent")
def consent_history(customer_id: str) -> str:
    """All the consent evidence of a customer, newest first."""
    customer = get_or_404(Customer, customer_id)
    statement = (
        select(ConsentEvent)
        .where(ConsentEvent.customer_id == customer.id)
        .order_by(ConsentEvent.at.desc(), ConsentEvent.id.desc())
    )
    return render_template(
        "marketing/consent_history.html",
        title=_("Consent of %(name)s", name=customer.name),
        customer=customer,
        page=paginate(statement),
        state=consent.states([customer.id])[customer.id],
        topics=marketing_settings.current().topics,
    )
