"""Sending campaigns: exactly once per customer through retries, consent checked per batch, the buttons."""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal

import pytest
from sqlalchemy import func, select

from core.db import db
from core.models import OutboxMessage, utcnow
from core.outbox import build_email, queue_email
from plugins.marketing import campaigns, consent
from plugins.marketing.jobs import send_campaigns
from plugins.marketing.messages import Unsubscribe, read_token, unsubscribe_token
from plugins.marketing.models import Campaign, Recipient, Segment
from plugins.marketing.segments import Condition, Rule

TOPICS = ["newsletter", "offers", "events"]


@pytest.fixture
def clientele_settings():
    """Batches of two, so a handful of customers make several batches."""
    return {"marketing": {"batch_size": 2}}


def make_campaign(rule=None, topic="offers", status="scheduled", **fields):
    """A campaign to a new segment (everyone by default), due now unless said otherwise."""
    segment = Segment(name=f"Segment {utcnow().timestamp()}", definition=(rule or Rule()).to_json())
    campaign = Campaign(
        name=fields.pop("name", "Spring offers"),
        topic=topic,
        subject=fields.pop("subject", "{{ first_name }}, spring is here"),
        body=fields.pop("body", "Hello {{ name }} in {{ city }},\nour spring offers are in."),
        segment=segment,
        status=status,
        scheduled_at=utcnow() - dt.timedelta(minutes=1) if status == "scheduled" else None,
        **fields,
    )
    db.session.add(campaign)
    db.session.commit()
    return campaign


def outbox_for(campaign):
    """{customer_id: number of marketing messages} of a campaign, by its dedupe keys."""
    rows = db.session.execute(
        select(OutboxMessage.customer_id, func.count())
        .where(OutboxMessage.dedupe_key.like(f"marketing.campaign:{campaign.id}:%"))
        .group_by(OutboxMessage.customer_id)
    )
    return dict(rows.all())


def statuses(campaign):
    """{customer_id: recipient status}."""
    rows = db.session.execute(
        select(Recipient.customer_id, Recipient.status).where(Recipient.campaign_id == campaign.id)
    )
    return dict(rows.all())


@pytest.fixture
def crowd(shop, make_customer):
    """The shop plus three more customers with an address: seven customers, six with e-mail."""
    extra = [
        make_customer(name=f"Extra {number}", city="Bonn", email=f"extra{number}@example.com")
        for number in (1, 2, 3)
    ]
    return shop, extra


def test_opted_out_and_addressless_customers_are_skipped_and_counted(shop):
    consent.record_consent(shop.bob, "offers", False, "staff", TOPICS, note="phone")
    consent.record_consent(shop.dora, "all", False, "staff", TOPICS, note="letter")
    campaign = make_campaign()
    send_campaigns()
    db.session.refresh(campaign)
    assert campaign.status == "sent" and campaign.finished_at is not None
    assert statuses(campaign) == {
        shop.ada.id: "queued",
        shop.bob.id: "opted_out",  # offers only
        shop.cem.id: "no_address",
        shop.dora.id: "opted_out",  # everything
    }
    assert campaigns.progress(campaign.id) == {
        "pending": 0, "queued": 1, "opted_out": 2, "no_address": 1, "total": 4, "handled": 4, "percent": 100,
    }  # fmt: skip
    message = db.session.scalar(
        select(OutboxMessage).where(OutboxMessage.customer_id == shop.ada.id)
    )
    assert message.category == "marketing" and message.source == "marketing"
    assert message.dedupe_key == f"marketing.campaign:{campaign.id}:{shop.ada.id}"
    assert message.subject == "Ada, spring is here"
    assert message.body.startswith("Hello Ada Lovelace in Munich,\nour spring offers are in.")
    assert (
        "/marketing/unsubscribe/" in message.body and "Unsubscribe from offers mail" in message.body
    )
    recipient = db.session.scalar(select(Recipient).where(Recipient.customer_id == shop.ada.id))
    assert recipient.outbox_id == message.id and recipient.email == "ada@example.com"


def test_campaign_mail_carries_one_click_unsubscribe_headers(shop, app, tmp_path):
    campaign = make_campaign()
    send_campaigns()
    message = db.session.scalar(
        select(OutboxMessage).where(OutboxMessage.customer_id == shop.ada.id)
    )
    link = re.search(r"https?://\S+/marketing/unsubscribe/\S+", message.body).group(0)
    assert message.unsubscribe_url == link
    # The token carries a timestamp (a second may pass): compare what it says, not its text.
    token = link.rsplit("/", 1)[1]
    assert read_token(token, 1) == Unsubscribe(shop.ada.id, "offers", campaign.id)
    email = build_email(message, "Shop <shop@example.com>")
    assert email["List-Unsubscribe"] == f"<{link}>"
    assert email["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    # Transactional mail has no unsubscribe headers.
    receipt = queue_email("ada@example.com", "Your order", "Thanks", customer=shop.ada)
    db.session.flush()
    assert "List-Unsubscribe" not in build_email(receipt, "Shop <shop@example.com>")


def test_a_topic_opt_out_does_not_block_other_topics(shop):
    consent.record_consent(shop.bob, "offers", False, "staff", TOPICS, note="phone")
    campaign = make_campaign(topic="newsletter")
    send_campaigns()
    assert statuses(campaign)[shop.bob.id] == "queued"


def test_retrying_a_half_sent_campaign_sends_each_customer_exactly_once(crowd):
    campaign = make_campaign()
    send_campaigns(max_batches=1)  # the job stops after its first batch
    db.session.refresh(campaign)
    assert (
        campaign.status == "sending" and campaign.audience_size == 7 and campaign.batches_done == 1
    )
    assert sum(outbox_for(campaign).values()) == 2
    send_campaigns()  # the retry continues where the committed batch ended
    send_campaigns()  # and running it once more changes nothing
    db.session.refresh(campaign)
    assert campaign.status == "sent" and campaign.batches_done == 4  # 7 recipients in batches of 2
    sent = outbox_for(campaign)
    assert len(sent) == 6 and set(sent.values()) == {1}  # cem has no address


def test_a_crash_inside_a_batch_rolls_the_batch_back_and_the_retry_sends_once(crowd, monkeypatch):
    campaign = make_campaign()
    real_queue = campaigns.queue_email
    calls = []

    def failing_queue(*args, **kwargs):
        calls.append(1)
        if len(calls) == 3:  # the first message of the second batch
            raise OSError("disk full")
        return real_queue(*args, **kwargs)

    monkeypatch.setattr(campaigns, "queue_email", failing_queue)
    with pytest.raises(OSError):
        send_campaigns()
    db.session.rollback()  # what the job runner does
    assert sum(outbox_for(campaign).values()) == 2
    monkeypatch.setattr(campaigns, "queue_email", real_queue)
    send_campaigns()
    sent = outbox_for(campaign)
    assert len(sent) == 6 and set(sent.values()) == {1}


def test_the_outbox_key_protects_even_a_recipient_marked_pending_again(shop):
    campaign = make_campaign()
    send_campaigns()
    recipient = db.session.scalar(select(Recipient).where(Recipient.customer_id == shop.ada.id))
    recipient.status = "pending"  # as if a worker died between queueing and marking
    campaign.status = "sending"
    db.session.commit()
    send_campaigns()
    assert outbox_for(campaign) == {shop.ada.id: 1, shop.bob.id: 1, shop.dora.id: 1}


def test_an_unsubscribe_stops_the_next_batch_and_only_for_that_customer(crowd, client):
    shop, extra = crowd
    campaign = make_campaign()
    send_campaigns(max_batches=1)  # ada and bob (lowest ids) are handled
    token = unsubscribe_token(extra[0].id, "offers", campaign.id)
    # public: nobody is logged in
    page = client.post(f"/marketing/unsubscribe/{token}", data={"action": "topic"})
    assert page.status_code == 200 and b"unsubscribed from offers mail" in page.data
    send_campaigns()
    result = statuses(campaign)
    assert result[extra[0].id] == "opted_out"
    assert [result[customer.id] for customer in extra[1:]] == ["queued", "queued"]
    assert result[shop.dora.id] == "queued"
    db.session.refresh(campaign)
    assert campaign.status == "sent"


def test_the_audience_is_frozen_when_sending_starts(shop, make_customer):
    campaign = make_campaign(rule=Rule("all", (Condition("marketing.country", "DE"),)))
    send_campaigns(max_batches=0)  # freezes the audience, sends nothing yet
    make_customer(name="Late Comer", country="DE", email="late@example.com")
    send_campaigns()
    assert set(statuses(campaign)) == shop.ids("ada", "bob")


def test_a_future_schedule_waits_and_a_draft_is_never_sent(shop):
    later = make_campaign(name="Later")
    later.scheduled_at = utcnow() + dt.timedelta(hours=2)
    draft = make_campaign(name="Draft", status="draft")
    db.session.commit()
    send_campaigns()
    assert statuses(later) == {} and statuses(draft) == {}
    db.session.refresh(later)
    assert later.status == "scheduled"


def test_a_broken_segment_holds_sending_with_a_reason(shop):
    campaign = make_campaign(rule=Rule("all", (Condition("loyalty.tier", "Gold"),)))
    send_campaigns()
    db.session.refresh(campaign)
    assert campaign.status == "sending" and campaign.audience_size is None
    assert "'loyalty.tier' is not available" in campaign.problem


def test_cancel_stops_a_campaign_half_way(crowd):
    campaign = make_campaign()
    send_campaigns(max_batches=1)
    campaigns.cancel(campaign)
    db.session.commit()
    send_campaigns()
    assert campaigns.progress(campaign.id)["pending"] == 5
    with pytest.raises(campaigns.CampaignError, match="already cancelled"):
        campaigns.cancel(campaign)
    with pytest.raises(campaigns.CampaignError, match="no longer be scheduled"):
        campaigns.schedule(campaign, utcnow())


def test_send_now_button_runs_the_job(shop, client, login_as):
    login_as("marketing")
    campaign = make_campaign(status="draft")
    response = client.post(f"/marketing/campaigns/{campaign.id}/send-now")
    assert response.status_code == 302
    db.session.expire_all()
    assert campaign.status == "sent"
    assert len(outbox_for(campaign)) == 3
    page = client.get(f"/marketing/campaigns/{campaign.id}")
    assert page.status_code == 200
    assert b"Ada Lovelace" in page.data and b"no address" in page.data
    again = client.post(f"/marketing/campaigns/{campaign.id}/send-now", follow_redirects=True)
    assert b"it can no longer be scheduled" in again.data


def test_schedule_unschedule_and_cost_forms(shop, client, login_as):
    login_as("manager")
    campaign = make_campaign(status="draft")
    client.post(
        f"/marketing/campaigns/{campaign.id}/schedule", data={"send_at": "2030-05-01T09:30"}
    )
    db.session.expire_all()
    # The test company's time zone is UTC.
    assert campaign.status == "scheduled" and campaign.scheduled_at == dt.datetime(
        2030, 5, 1, 9, 30
    )
    bad = client.post(
        f"/marketing/campaigns/{campaign.id}/schedule",
        data={"send_at": "soon"},
        follow_redirects=True,
    )
    assert b"Give the date and time" in bad.data
    client.post(f"/marketing/campaigns/{campaign.id}/unschedule")
    db.session.expire_all()
    assert campaign.status == "draft" and campaign.scheduled_at is None
    client.post(f"/marketing/campaigns/{campaign.id}/cost", data={"cost": "120.50"})
    db.session.expire_all()
    assert campaign.cost == Decimal("120.50")
    wrong = client.post(
        f"/marketing/campaigns/{campaign.id}/cost", data={"cost": "1.005"}, follow_redirects=True
    )
    assert b"at most two decimals" in wrong.data
    db.session.expire_all()
    assert campaign.cost == Decimal("120.50")


def test_campaign_form_checks_merge_fields_and_keeps_what_was_typed(shop, client, login_as):
    login_as("marketing")
    segment = Segment(name="Everyone", definition=Rule().to_json())
    db.session.add(segment)
    db.session.commit()
    data = {
        "name": "Autumn", "topic": "offers", "segment_id": str(segment.id),
        "subject": "Hi {{ nickname }}", "body": "Hello {{ first_name }}", "cost": "-3",
    }  # fmt: skip
    page = client.post("/marketing/campaigns/new", data=data)
    assert page.status_code == 200
    assert "Unknown placeholder {{ nickname }}." in page.get_data(as_text=True)
    assert b"Autumn" in page.data
    assert b"Number must be at least 0" in page.data
    assert db.session.scalar(select(func.count()).select_from(Campaign)) == 0
    data.update(subject="Hi {{ first_name }}", cost="25.00")
    created = client.post("/marketing/campaigns/new", data=data)
    assert created.status_code == 302
    campaign = db.session.scalar(select(Campaign))
    assert campaign.status == "draft" and campaign.cost == Decimal("25.00")
    preview = client.get(f"/marketing/campaigns/{campaign.id}")
    assert b"Hi Ada" in preview.data  # the message as the first customer with an address gets it


def test_single_brace_merge_fields_are_refused_with_the_known_ones(shop, client, login_as):
    login_as("marketing")
    segment = Segment(name="Everyone", definition=Rule().to_json())
    db.session.add(segment)
    db.session.commit()
    data = {
        "name": "Autumn", "topic": "offers", "segment_id": str(segment.id),
        "subject": "Hi {first_name}", "body": "Hello {{ first_name }}", "cost": "0",
    }  # fmt: skip
    page = client.post("/marketing/campaigns/new", data=data).get_data(as_text=True)
    assert "{first_name} is not filled in" in page
    assert "Known placeholders: {{ name }}, {{ first_name }}, {{ company }}" in page
    assert db.session.scalar(select(func.count()).select_from(Campaign)) == 0


def test_the_preview_is_for_a_customer_who_would_really_get_the_mail(shop, client, login_as):
    consent.record_consent(shop.ada, "offers", False, "staff", TOPICS, note="phone")
    campaign = make_campaign(status="draft")
    login_as("marketing")
    page = client.get(f"/marketing/campaigns/{campaign.id}").get_data(as_text=True)
    # Ada (the first customer) opted out of offers: the preview is Bob's, filled in.
    assert "Message as Bob Brown will get it" in page
    assert "Bob, spring is here" in page and "Hello Bob Brown in Berlin," in page
    consent.record_consent(shop.bob, "all", False, "staff", TOPICS, note="letter")
    consent.record_consent(shop.dora, "all", False, "staff", TOPICS, note="letter")
    page = client.get(f"/marketing/campaigns/{campaign.id}").get_data(as_text=True)
    assert "Nobody would get this mail" in page


def test_a_campaign_saved_with_an_unknown_placeholder_is_never_sent(shop, client, login_as):
    """Texts saved before placeholders were checked: refused when scheduling, held when sending."""
    campaign = make_campaign(status="draft", subject="Hi {{ nickname }}")
    login_as("marketing")
    refused = client.post(
        f"/marketing/campaigns/{campaign.id}/send-now", follow_redirects=True
    ).get_data(as_text=True)
    assert "Edit the message first: Unknown placeholder {{ nickname }}." in refused
    db.session.refresh(campaign)
    assert campaign.status == "draft"
    campaign.status = "sending"
    db.session.commit()
    send_campaigns()
    db.session.refresh(campaign)
    assert campaign.status == "sending" and "{{ nickname }}" in campaign.problem
    assert outbox_for(campaign) == {}


def test_a_sent_campaign_cannot_be_edited(shop, client, login_as):
    login_as("marketing")
    campaign = make_campaign()
    send_campaigns()
    response = client.get(f"/marketing/campaigns/{campaign.id}/edit", follow_redirects=True)
    assert b"only its cost can still change" in response.data


def test_new_campaign_needs_a_segment(client, login_as):
    login_as("marketing")
    response = client.get("/marketing/campaigns/new")
    assert response.status_code == 302 and response.location.endswith("/marketing/segments/new")


@pytest.mark.parametrize("role", ["sales", "support"])
def test_campaign_pages_are_for_marketing_and_managers(shop, client, login_as, role):
    campaign = make_campaign(status="draft")
    login_as(role)
    assert client.get("/marketing/campaigns/").status_code == 403
    assert client.post(f"/marketing/campaigns/{campaign.id}/send-now").status_code == 403
    db.session.expire_all()
    assert campaign.status == "draft"


def test_unknown_campaign_is_404(client, login_as):
    login_as("marketing")
    assert client.get("/marketing/campaigns/999").status_code == 404
    assert client.get("/marketing/campaigns/abc").status_code == 404
