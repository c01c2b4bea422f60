"""Sending campaigns: freeze the audience, then queue mail through the outbox in committed batches.

Exactly-once comes from two keys: one ``marketing_recipient`` row per (campaign, customer)
(unique), created once when sending starts, and the outbox ``dedupe_key``
``marketing.campaign:<id>:<customer id>``. A batch takes pending recipients, checks consent
at that moment (so an unsubscribe counts for the very next batch), queues the messages and
marks the rows in the same transaction. A job that stops half-way, is retried, or runs
twice therefore continues where the last committed batch ended and mails nobody twice.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, insert, literal, select

from core import dates
from core.db import db
from core.i18n import _
from core.locking import change_state
from core.models import Customer, utcnow
from core.money import percent
from core.outbox import queue_email
from plugins.marketing import messages
from plugins.marketing.consent import opted_out
from plugins.marketing.labels import campaign_status
from plugins.marketing.models import RECIPIENT_STATUSES, Campaign, Recipient
from plugins.marketing.segments import Catalog, SegmentError, compile_rule, rule_from_json


class CampaignError(ValueError):
    """A campaign action is not allowed now; the message is for the page."""


@dataclass(frozen=True)
class SendSettings:
    """What sending needs from the app: links, sender company, batch size."""

    base_url: str
    company: str
    batch_size: int


def dedupe_key(campaign_id: int, customer_id: int) -> str:
    """The outbox key that makes a campaign's message to a customer unique."""
    return f"marketing.campaign:{campaign_id}:{customer_id}"


def unsubscribe_url(base_url: str, customer_id: int, topic: str, campaign_id: int | None) -> str:
    """The public link that unsubscribes the customer from the topic."""
    token = messages.unsubscribe_token(customer_id, topic, campaign_id)
    return f"{base_url.rstrip('/')}/marketing/unsubscribe/{token}"


def text_problems(campaign: Campaign) -> list[str]:
    """What keeps the campaign's subject or body from being filled for a recipient."""
    return messages.problems(campaign.subject) + messages.problems(campaign.body)


def _changed_meanwhile(campaign: Campaign) -> str:
    """The message for the loser of two simultaneous actions (the campaign was re-read)."""
    return _(
        "Someone else changed the campaign a moment ago: it is %(status)s now. Nothing changed.",
        status=campaign_status(campaign.status),
    )


def schedule(campaign: Campaign, when: dt.datetime) -> None:
    """Let the send job start the campaign at ``when`` (UTC); only before sending, with a valid text."""
    if not campaign.editable:
        raise CampaignError(
            _(
                "The campaign is %(status)s; it can no longer be scheduled.",
                status=campaign_status(campaign.status),
            )
        )
    problems = text_problems(campaign)
    if problems:
        raise CampaignError(_("Edit the message first: %(problems)s", problems=" ".join(problems)))
    if not change_state(campaign, ("draft", "scheduled"), "scheduled"):
        raise CampaignError(_changed_meanwhile(campaign))
    campaign.scheduled_at = when


def unschedule(campaign: Campaign) -> None:
    """Back to draft, so it can be changed without being sent."""
    if campaign.status != "scheduled":
        raise CampaignError(_("Only a scheduled campaign can be put back to draft."))
    if not change_state(campaign, ("scheduled",), "draft"):
        raise CampaignError(_changed_meanwhile(campaign))
    campaign.scheduled_at = None


def cancel(campaign: Campaign) -> None:
    """Stop a campaign; recipients not yet handled get nothing (those already queued keep theirs)."""
    if campaign.status in ("sent", "cancelled"):
        raise CampaignError(
            _("The campaign is already %(status)s.", status=campaign_status(campaign.status))
        )
    if not change_state(campaign, ("draft", "scheduled", "sending"), "cancelled"):
        raise CampaignError(_changed_meanwhile(campaign))
    campaign.finished_at = utcnow()


def start_due(now: dt.datetime) -> list[int]:
    """Move scheduled campaigns whose time has come to "sending"; their ids."""
    due = db.session.scalars(
        select(Campaign).where(Campaign.status == "scheduled", Campaign.scheduled_at <= now)
    ).all()
    started = [
        campaign for campaign in due if change_state(campaign, ("scheduled",), "sending")
    ]  # a campaign put back to draft or cancelled meanwhile stays as it is now
    for campaign in started:
        campaign.started_at = campaign.started_at or now
    return [campaign.id for campaign in started]


def freeze_audience(campaign: Campaign, catalog: Catalog) -> bool:
    """Create one pending recipient per customer of the segment, once; False when the segment is broken."""
    if campaign.audience_size is not None:
        return True
    try:
        condition = compile_rule(rule_from_json(campaign.segment.definition), catalog)
    except SegmentError as error:
        campaign.problem = " ".join(error.problems)
        return False
    already = select(Recipient.customer_id).where(Recipient.campaign_id == campaign.id)
    chosen = select(literal(campaign.id), Customer.id, literal("pending"), literal("")).where(
        condition, Customer.id.not_in(already)
    )
    db.session.execute(
        insert(Recipient).from_select(["campaign_id", "customer_id", "status", "email"], chosen)
    )
    campaign.audience_size = db.session.scalar(
        select(func.count()).where(Recipient.campaign_id == campaign.id)
    )
    campaign.problem = ""
    return True


def _pending_batch(campaign: Campaign, size: int) -> list[Recipient]:
    """The next pending recipients, locked (SKIP LOCKED) so two workers never take the same ones."""
    statement = (
        select(Recipient)
        .where(Recipient.campaign_id == campaign.id, Recipient.status == "pending")
        .order_by(Recipient.id)
        .limit(size)
        .with_for_update(skip_locked=True, of=Recipient)
    )
    return list(db.session.scalars(statement))


def send_batch(campaign: Campaign, settings: SendSettings) -> int:
    """Handle the next batch of pending recipients (not committed); how many were handled."""
    batch = _pending_batch(campaign, settings.batch_size)
    if not batch:
        return 0
    ids = [recipient.customer_id for recipient in batch]
    blocked = set(
        db.session.scalars(
            select(Customer.id).where(Customer.id.in_(ids), opted_out(campaign.topic))
        )
    )
    now, today = utcnow(), dates.today()
    for recipient in batch:
        customer = recipient.customer
        recipient.processed_at = now
        if customer.id in blocked:
            recipient.status = "opted_out"
        elif not customer.email:
            recipient.status = "no_address"
        else:
            link = unsubscribe_url(settings.base_url, customer.id, campaign.topic, campaign.id)
            subject, body = messages.compose(
                campaign.subject, campaign.body, customer, campaign.topic, link, settings.company
            )
            message = queue_email(
                customer.email,
                subject,
                body,
                customer=customer,
                source="marketing",
                category="marketing",
                dedupe_key=dedupe_key(campaign.id, customer.id),
                unsubscribe_url=link,
            )
            db.session.flush()
            recipient.status = "queued"
            recipient.email = customer.email
            recipient.received_on = today
            recipient.outbox_id = message.id if message is not None else None
    campaign.batches_done += 1
    return len(batch)


def send_campaign(
    campaign: Campaign, catalog: Catalog, settings: SendSettings, max_batches: int | None = None
) -> None:
    """Freeze the audience, then send batch after batch, committing each; finish when none is left."""
    if campaign.status != "sending":
        return
    problems = text_problems(campaign)
    if problems:  # never mail a placeholder: hold the campaign and say why on its page
        campaign.problem = " ".join(problems)
        db.session.commit()
        return
    if not freeze_audience(campaign, catalog):
        db.session.commit()
        return
    db.session.commit()
    batches = 0
    while max_batches is None or batches < max_batches:
        if campaign.status != "sending":  # cancelled by someone while we were sending
            return
        handled = send_batch(campaign, settings)
        db.session.commit()
        if not handled:
            break
        batches += 1
    remaining = db.session.scalar(
        select(func.count()).where(
            Recipient.campaign_id == campaign.id, Recipient.status == "pending"
        )
    )
    if not remaining and change_state(campaign, ("sending",), "sent"):
        campaign.finished_at = utcnow()
        db.session.commit()


def run_due(catalog: Catalog, settings: SendSettings, max_batches: int | None = None) -> list[int]:
    """The send job: start due campaigns and continue every campaign that is sending; their ids."""
    start_due(utcnow())
    db.session.commit()
    sending = db.session.scalars(
        select(Campaign).where(Campaign.status == "sending").order_by(Campaign.id)
    ).all()
    for campaign in sending:
        send_campaign(campaign, catalog, settings, max_batches)
    return [campaign.id for campaign in sending]


def progress(campaign_id: int) -> dict[str, Any]:
    """Recipients by status and the share handled, in one query."""
    counts = dict(
        db.session.execute(
            select(Recipient.status, func.count())
            .where(Recipient.campaign_id == campaign_id)
            .group_by(Recipient.status)
        ).all()
    )
    figures = {status: int(counts.get(status, 0)) for status in RECIPIENT_STATUSES}
    total = sum(figures.values())
    handled = total - figures["pending"]
    figures.update(
        total=total, handled=handled, percent=int(percent(handled, total, places=0) or 0)
    )
    return figures
