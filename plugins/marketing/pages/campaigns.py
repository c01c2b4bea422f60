"""Campaign pages: list with progress, write and edit, schedule or send now, recipients, cost."""

from __future__ import annotations

import datetime as dt
import logging
from typing import Any

from flask import flash, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy import func, select
from werkzeug.wrappers import Response

from core import dates
from core.auth import permission_required
from core.db import db
from core.i18n import _, format_datetime
from core.jobs import run_soon
from core.models import Customer, OutboxMessage, utcnow
from core.views.common import get_or_404, paginate, saving, sorting
from plugins.marketing import attribution, campaigns, messages
from plugins.marketing import settings as marketing_settings
from plugins.marketing.consent import opted_out
from plugins.marketing.forms import CampaignForm, CostForm, ScheduleForm
from plugins.marketing.jobs import SEND_JOB, send_settings
from plugins.marketing.labels import campaign_status
from plugins.marketing.models import RECIPIENT_STATUSES, Campaign, Recipient, Segment
from plugins.marketing.pages.common import catalog
from plugins.marketing.segments import SegmentError, compile_rule, rule_from_json

log = logging.getLogger("clientele.marketing")

CAMPAIGN_SORTS = {
    "created": Campaign.id,
    "name": func.lower(Campaign.name),
    "status": Campaign.status,
}
RECIPIENT_SORTS = {
    "id": Recipient.id,
    "name": func.lower(Customer.name),
    "status": Recipient.status,
}


def company_time(value: dt.datetime | None) -> str:
    """A stored UTC datetime in the company's time zone, for the locale (2026-03-31 14:05)."""
    return format_datetime(value)


@permission_required("marketing.campaigns")
def campaigns_list() -> str:
    """Campaigns, newest first, with how far sending got (one grouped query for the page)."""
    sort, direction, order_by = sorting(CAMPAIGN_SORTS, "created", "desc")
    page = paginate(select(Campaign).order_by(order_by, Campaign.id.desc()))
    ids = [campaign.id for campaign in page.items]
    counts: dict[int, dict[str, int]] = {identifier: {} for identifier in ids}
    if ids:
        rows = db.session.execute(
            select(Recipient.campaign_id, Recipient.status, func.count())
            .where(Recipient.campaign_id.in_(ids))
            .group_by(Recipient.campaign_id, Recipient.status)
        )
        for campaign_id, status, count in rows:
            counts[campaign_id][status] = count
    return render_template(
        "marketing/campaigns.html",
        title=_("Campaigns"),
        page=page,
        counts=counts,
        sort=sort,
        direction=direction,
    )


def _campaign_form(campaign: Campaign | None) -> CampaignForm:
    """The form with topics and segments to choose from."""
    form = CampaignForm(obj=campaign)
    form.topic.choices = [(topic, topic) for topic in marketing_settings.current().topics]
    form.segment_id.choices = [
        (segment.id, segment.name)
        for segment in db.session.scalars(select(Segment).order_by(Segment.name))
    ]
    if campaign is None and request.method == "GET" and request.args.get("segment", "").isdigit():
        form.segment_id.data = int(request.args["segment"])
    return form


def _save(form: CampaignForm, campaign: Campaign | None) -> Campaign:
    """Write the form to a (new) campaign and commit."""
    campaign = campaign or Campaign(created_by_id=current_user.id, status="draft")
    campaign.name = form.name.data.strip()
    campaign.topic = form.topic.data
    campaign.segment_id = form.segment_id.data
    campaign.subject = form.subject.data.strip()
    campaign.body = form.body.data
    if form.cost.data is not None:
        campaign.cost = form.cost.data
    db.session.add(campaign)
    db.session.commit()
    return campaign


@permission_required("marketing.campaigns")
def campaign_new() -> str | Response:
    """Write a campaign (saved as a draft)."""
    form = _campaign_form(None)
    if not form.segment_id.choices:
        flash(_("Save a segment first: a campaign is sent to a segment."), "warning")
        return redirect(url_for("marketing.segment_new"))
    if form.validate_on_submit():
        campaign = _save(form, None)
        flash(_("Campaign %(name)s saved as a draft.", name=campaign.name), "success")
        return redirect(url_for("marketing.campaign_detail", campaign_id=campaign.id))
    return render_template(
        "marketing/campaign_form.html", title=_("New campaign"), form=form, campaign=None
    )


@permission_required("marketing.campaigns")
def campaign_edit(campaign_id: str) -> str | Response:
    """Change a campaign that has not started sending."""
    campaign = get_or_404(Campaign, campaign_id)
    if not campaign.editable:
        flash(
            _(
                "The campaign is %(status)s; only its cost can still change.",
                status=campaign_status(campaign.status),
            ),
            "warning",
        )
        return redirect(url_for("marketing.campaign_detail", campaign_id=campaign.id))
    form = _campaign_form(campaign)
    if form.validate_on_submit():
        _save(form, campaign)
        flash(_("Campaign saved."), "success")
        return redirect(url_for("marketing.campaign_detail", campaign_id=campaign.id))
    return render_template(
        "marketing/campaign_form.html",
        title=_("Edit %(name)s", name=campaign.name),
        form=form,
        campaign=campaign,
    )


def _sample_message(campaign: Campaign) -> dict[str, Any]:
    """The message as the first customer who would really get it sees it, or why there is none.

    That customer is in the segment, has an e-mail address and has not opted out of marketing
    or of the campaign's topic: the same rules the send job applies.
    """
    problems = campaigns.text_problems(campaign)
    if problems:
        return {"problem": " ".join(problems)}
    try:
        condition = compile_rule(rule_from_json(campaign.segment.definition), catalog())
    except SegmentError as error:
        return {"problem": " ".join(error.problems)}
    customer = db.session.scalar(
        select(Customer)
        .where(condition, Customer.email != "", ~opted_out(campaign.topic))
        .order_by(Customer.id)
        .limit(1)
    )
    if customer is None:
        return {
            "problem": _(
                "Nobody would get this mail: no customer of the segment has an e-mail "
                "address and accepts %(topic)s mail.",
                topic=campaign.topic,
            )
        }
    settings = send_settings()
    link = campaigns.unsubscribe_url(settings.base_url, customer.id, campaign.topic, campaign.id)
    subject, body = messages.compose(
        campaign.subject, campaign.body, customer, campaign.topic, link, settings.company
    )
    return {"customer": customer, "subject": subject, "body": body}


@permission_required("marketing.campaigns")
def campaign_detail(campaign_id: str) -> str:
    """A campaign: message preview, progress, attributed results, recipients with their status."""
    campaign = get_or_404(Campaign, campaign_id)
    status = request.args.get("status", "")
    statement = (
        select(Recipient)
        .join(Customer, Customer.id == Recipient.customer_id)
        .where(Recipient.campaign_id == campaign.id)
    )
    if status in RECIPIENT_STATUSES:
        statement = statement.where(Recipient.status == status)
    sort, direction, order_by = sorting(RECIPIENT_SORTS, "id")
    page = paginate(statement.order_by(order_by, Recipient.id))
    outbox_ids = [recipient.outbox_id for recipient in page.items if recipient.outbox_id]
    delivery = dict(
        db.session.execute(
            select(OutboxMessage.id, OutboxMessage.status).where(OutboxMessage.id.in_(outbox_ids))
        ).all()
    )
    figures = attribution.campaign_figures(
        marketing_settings.current().attribution_days, campaign_ids=[campaign.id]
    )
    schedule_form = ScheduleForm()
    cost_form = CostForm(cost=campaign.cost)
    return render_template(
        "marketing/campaign_detail.html",
        title=campaign.name,
        campaign=campaign,
        progress=campaigns.progress(campaign.id),
        sample=_sample_message(campaign) if campaign.editable else None,
        figures=figures[0] if figures else None,
        attribution_days=marketing_settings.current().attribution_days,
        page=page,
        rows=[(recipient, delivery.get(recipient.outbox_id)) for recipient in page.items],
        status=status,
        statuses=RECIPIENT_STATUSES,
        sort=sort,
        direction=direction,
        schedule_form=schedule_form,
        cost_form=cost_form,
    )


def _back(campaign: Campaign) -> Response:
    """Redirect to the campaign page."""
    return redirect(url_for("marketing.campaign_detail", campaign_id=campaign.id))


def _wake_worker() -> None:
    """Ask the worker to run the send job now; if it cannot be reached, the minute schedule catches up."""
    try:
        run_soon(SEND_JOB)
    except (
        Exception
    ):  # the queue (Redis or the SQLite file) being unavailable must not lose the click
        log.exception("marketing: could not ask the worker to send now")
        flash(_("The worker could not be reached now; sending starts on its next run."), "warning")


@permission_required("marketing.campaigns")
def campaign_send_now(campaign_id: str) -> Response:
    """Start sending at once (the send job does the work, in batches)."""
    campaign = get_or_404(Campaign, campaign_id)
    with saving(_("Nothing changed"), campaigns.CampaignError) as saved:
        campaigns.schedule(campaign, utcnow())
    if not saved:
        return _back(campaign)
    _wake_worker()
    flash(_("Campaign %(name)s is being sent.", name=campaign.name), "success")
    return _back(campaign)


@permission_required("marketing.campaigns")
def campaign_schedule(campaign_id: str) -> Response:
    """Schedule sending for a time in the company's time zone."""
    campaign = get_or_404(Campaign, campaign_id)
    form = ScheduleForm()
    if not form.validate_on_submit():
        flash(_("Give the date and time to send at."), "error")
        return _back(campaign)
    when = dates.from_company_time(form.send_at.data)
    with saving(_("Nothing changed"), campaigns.CampaignError) as saved:
        campaigns.schedule(campaign, when)
    if not saved:
        return _back(campaign)
    flash(_("Campaign scheduled for %(when)s.", when=company_time(when)), "success")
    return _back(campaign)


@permission_required("marketing.campaigns")
def campaign_unschedule(campaign_id: str) -> Response:
    """Back to draft."""
    campaign = get_or_404(Campaign, campaign_id)
    with saving(_("Nothing changed"), campaigns.CampaignError) as saved:
        campaigns.unschedule(campaign)
    if not saved:
        return _back(campaign)
    flash(_("The campaign is a draft again."), "success")
    return _back(campaign)


@permission_required("marketing.campaigns")
def campaign_cancel(campaign_id: str) -> Response:
    """Stop the campaign; nobody not yet handled gets it."""
    campaign = get_or_404(Campaign, campaign_id)
    with saving(_("Nothing changed"), campaigns.CampaignError) as saved:
        campaigns.cancel(campaign)
    if not saved:
        return _back(campaign)
    flash(_("Campaign cancelled."), "success")
    return _back(campaign)


@permission_required("marketing.campaigns")
def campaign_cost(campaign_id: str) -> Response:
    """Record what the campaign cost (any time, also after sending)."""
    campaign = get_or_404(Campaign, campaign_id)
    form = CostForm()
    if not form.validate_on_submit():
        problems = " ".join(str(error) for error in form.cost.errors or [_("enter an amount")])
        flash(_("Cost: %(problems)s", problems=problems), "error")
        return _back(campaign)
    campaign.cost = form.cost.data
    db.session.commit()
    flash(_("Cost saved."), "success")
    return _back(campaign)
