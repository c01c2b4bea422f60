"""The demo data: believable, deterministic, and every demo segment usable."""

from __future__ import annotations

import random

from sqlalchemy import func, select

from core.db import db
from plugins.marketing import attribution, hooks
from plugins.marketing.jobs import current_catalog
from plugins.marketing.models import Campaign, ConsentEvent, Recipient, Segment
from plugins.marketing.segments import count_customers, rule_from_json


def test_seed_demo(shop, make_customer):
    for number in range(40):
        make_customer(name=f"Demo {number}", country="DE")
    hooks.seed_demo(session=db.session, rng=random.Random(7))
    db.session.commit()
    segments = list(db.session.scalars(select(Segment).order_by(Segment.id)))
    assert [segment.name for segment in segments][:2] == ["Big spenders", "Lapsed customers"]
    catalog = current_catalog()
    for segment in segments:
        count_customers(rule_from_json(segment.definition), catalog)  # none is broken
    sent = db.session.scalar(select(Campaign).where(Campaign.status == "sent"))
    recipients = db.session.scalar(select(func.count()).where(Recipient.campaign_id == sent.id))
    assert recipients == sent.audience_size > 0
    assert attribution.campaign_figures(30)[0].recipients > 0
    assert db.session.scalar(select(func.count()).select_from(ConsentEvent)) > 0


def test_seed_demo_is_deterministic(shop, make_customer):
    for number in range(40):
        make_customer(name=f"Demo {number}", country="DE")
    hooks.seed_demo(session=db.session, rng=random.Random(7))
    first = (
        db.session.execute(select(Recipient.customer_id).order_by(Recipient.customer_id))
        .scalars()
        .all()
    )
    events = db.session.execute(select(ConsentEvent.customer_id, ConsentEvent.topic)).all()
    db.session.rollback()
    hooks.seed_demo(session=db.session, rng=random.Random(7))
    assert (
        db.session.execute(select(Recipient.customer_id).order_by(Recipient.customer_id))
        .scalars()
        .all()
        == first
    )
    assert len(
        db.session.execute(select(ConsentEvent.customer_id, ConsentEvent.topic)).all()
    ) == len(events)
