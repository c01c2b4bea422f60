"""Demo data for marketing: segments from the demo's real facts, one sent and one draft campaign, opt-outs."""

from __future__ import annotations

import datetime as dt
import random
from decimal import Decimal
from typing import Any

from sqlalchemy import func, select

from core import dates
from core.models import Customer, Product, utcnow
from plugins.marketing import settings as marketing_settings
from plugins.marketing.models import (
    ALL_TOPICS,
    Campaign,
    ConsentEvent,
    Recipient,
    Segment,
    TopicOptOut,
)
from plugins.marketing.recommendations import refresh
from plugins.marketing.segments import Condition, Rule


def _segments(session: Any, today: dt.date) -> list[Segment]:
    """Four segments a marketing team would keep, built on the demo's own countries and categories."""
    country = session.scalar(
        select(Customer.country).where(Customer.country != "").group_by(Customer.country)
        .order_by(func.count().desc(), Customer.country).limit(1)
    ) or "DE"  # fmt: skip
    category = session.scalar(
        select(Product.category).where(Product.category != "").order_by(Product.category).limit(1)
    ) or "General"  # fmt: skip
    lapsed_since = (today - dt.timedelta(days=180)).isoformat()
    definitions = [
        ("Big spenders", "Net sales of 1,000 or more.",
         Rule("all", (Condition("marketing.spent_at_least", "1000"),))),
        ("Lapsed customers", "Bought before, but not in the last six months.",
         Rule("all", (Condition("marketing.last_order_before", lapsed_since),))),
        (f"{category} lovers in {country}", f"Bought {category} and live in {country}.",
         Rule("all", (Condition("marketing.bought_category", category),
                      Condition("marketing.country", country)))),
        ("Regulars or VIPs", "Five orders or more, or tagged vip.",
         Rule("any", (Condition("marketing.orders_at_least", "5"), Condition("marketing.tag", "vip")))),
    ]  # fmt: skip
    segments = [
        Segment(name=name, description=description, definition=rule.to_json())
        for name, description, rule in definitions
    ]
    session.add_all(segments)
    session.flush()
    return segments


def _sent_campaign(session: Any, rng: random.Random, segment: Segment, today: dt.date) -> None:
    """A campaign mailed 90 days ago to a sample of customers, with its cost, for attribution."""
    topic = marketing_settings.current().topics[0]
    received = today - dt.timedelta(days=90)
    started = dt.datetime.combine(received, dt.time(9))
    campaign = Campaign(
        name="We miss you", topic=topic, subject="{{ first_name }}, we miss you",
        body="Hello {{ first_name }},\n\nit has been a while. Come and see what is new.\n",
        segment=segment, status="sent", cost=Decimal("450.00"), scheduled_at=started,
        started_at=started, finished_at=started + dt.timedelta(minutes=4), batches_done=1,
    )  # fmt: skip
    session.add(campaign)
    session.flush()
    customers = session.execute(select(Customer.id, Customer.email).order_by(Customer.id)).all()
    chosen = [row for row in customers if rng.random() < 0.4]
    for customer_id, email in chosen:
        session.add(
            Recipient(
                campaign_id=campaign.id, customer_id=customer_id,
                status="queued" if email else "no_address", email=email or "",
                processed_at=started, received_on=received if email else None,
            )
        )  # fmt: skip
    campaign.audience_size = len(chosen)


def _opt_outs(session: Any, rng: random.Random) -> None:
    """About one customer in twenty unsubscribed from a topic by link, one in fifty from everything."""
    topics = marketing_settings.current().topics
    now = utcnow()
    for customer in session.scalars(select(Customer).order_by(Customer.id)):
        draw = rng.random()
        at = max(now - dt.timedelta(days=rng.randint(1, 300)), customer.created_at)
        if draw < 0.02:
            customer.marketing_opt_out = True
            session.add(ConsentEvent(customer_id=customer.id, topic=ALL_TOPICS, opted_in=False,
                                     at=at, source="staff", note="Asked on the phone."))  # fmt: skip
        elif draw < 0.07:
            topic = rng.choice(topics)
            session.add(TopicOptOut(customer_id=customer.id, topic=topic, since=at))
            session.add(ConsentEvent(customer_id=customer.id, topic=topic, opted_in=False,
                                     at=at, source="link", note="Unsubscribe link."))  # fmt: skip


def seed(session: Any, rng: random.Random) -> None:
    """Marketing's demo data on top of the core demo."""
    today = dates.today()
    # The team set up its segments and wrote the campaign four months ago.
    with dates.clock(dt.datetime.combine(today - dt.timedelta(days=120), dt.time(10))):
        segments = _segments(session, today)
        _sent_campaign(session, rng, segments[1], today)
        session.flush()
    session.add(
        Campaign(
            name="Summer tasting", topic=marketing_settings.current().topics[-1], segment=segments[2], status="draft",
            subject="A summer tasting for you, {{ first_name }}",
            body="Hello {{ first_name }},\n\nwe are opening our summer tasting in {{ city }}.\n",
            cost=Decimal("0.00"),
        )
    )  # fmt: skip
    _opt_outs(session, rng)
    session.flush()
    refresh(marketing_settings.current().similar_products)
