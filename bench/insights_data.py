"""Set-up of the insights benchmarks that read other plugins' figures through the insights hooks.

Deals (pipeline) and tickets (service_desk) are written by those plugins' own benchmark
seeders under the same ``ctx.once`` keys, so a run writes them once whoever asks first;
commission entries come from ``ctx.backfill("sales_commission")`` and tiers from loyalty's
full recompute. What no other benchmark writes is written here, deterministic from the data
set's seed, and removed again by ``remove_seeded`` so the modules that run later see the
tables as their own set-up leaves them:

- marketing campaigns: one a month over the data set's months (on the 15th), each mailed to
  5 % of the customers (a few of them opted out, so not queued) with a cost of its own in
  odd cents (so the shares have remainders); one campaign costs nothing;
- loyalty stage moves: 10 % of the customers churned at a random moment of the period,
  half of them reactivated later, at any time of day.
"""

from __future__ import annotations

import datetime as dt
import random
from decimal import Decimal

from sqlalchemy import delete, insert, select

from bench.harness import BenchContext
from core.db import db

SEEDED_BY = "bench insights"
SEGMENT_NAME = "Bench insights audience"


def seed_campaigns(ctx: BenchContext) -> tuple[int, int]:
    """Write the campaigns and their recipients in bulk; (campaigns, recipients)."""
    from plugins.marketing.models import Campaign, Recipient, Segment

    rng = random.Random(ctx.dataset.seed + 14)
    segment = Segment(name=SEGMENT_NAME, definition='{"match": "all", "conditions": []}')
    db.session.add(segment)
    db.session.flush()
    customers = [row[0] for row in ctx.sql("SELECT id FROM customer ORDER BY id")]
    day = ctx.dataset.start_date.replace(day=15)
    if day < ctx.dataset.start_date:
        day = (day + dt.timedelta(days=31)).replace(day=15)
    campaigns, recipients = [], []
    number = 0
    while day <= ctx.dataset.end_date:
        number += 1
        cost = (
            Decimal(0)
            if number == 3
            else Decimal(rng.randint(20000, 300000)) / 100 + Decimal("0.01")
        )
        sent = dt.datetime.combine(day, dt.time(8))
        campaigns.append({
            "name": f"Bench campaign {number:02d}", "topic": "offers", "subject": f"Offer {number}",
            "body": "", "segment_id": segment.id, "status": "sent", "scheduled_at": sent,
            "cost": cost, "created_at": sent, "started_at": sent, "finished_at": sent,
            "audience_size": 0, "batches_done": 0, "problem": "",
        })  # fmt: skip
        for customer_id in sorted(rng.sample(customers, len(customers) // 20)):
            queued = rng.random() >= 0.04
            recipients.append({
                "campaign_id": number, "customer_id": customer_id,
                "status": "queued" if queued else "opted_out", "email": "",
                "processed_at": sent, "received_on": day if queued else None,
            })  # fmt: skip
        day = (day + dt.timedelta(days=31)).replace(day=15)
    ids = list(
        db.session.scalars(
            insert(Campaign).returning(Campaign.id, sort_by_parameter_order=True), campaigns
        )
    )
    for row in recipients:
        row["campaign_id"] = ids[row["campaign_id"] - 1]
    db.session.execute(insert(Recipient), recipients)
    db.session.commit()
    return len(campaigns), len(recipients)


def seed_moves(ctx: BenchContext) -> int:
    """Write churned and reactivated moves of the loyalty lifecycle; how many."""
    from plugins.loyalty.models import StageChange

    rng = random.Random(ctx.dataset.seed + 41)
    customers = [row[0] for row in ctx.sql("SELECT id FROM customer ORDER BY id")]
    start = dt.datetime.combine(ctx.dataset.start_date, dt.time())
    minutes = int((ctx.dataset.end_date - ctx.dataset.start_date).days * 24 * 60)
    moves = []
    for customer_id in sorted(rng.sample(customers, len(customers) // 10)):
        churned = start + dt.timedelta(minutes=rng.randint(0, minutes))
        moves.append({"customer_id": customer_id, "from_stage": "dormant", "to_stage": "churned",
                      "changed_at": churned, "reason": SEEDED_BY})  # fmt: skip
        if rng.random() < 0.5:
            back = churned + dt.timedelta(minutes=rng.randint(60, 200 * 24 * 60))
            moves.append({"customer_id": customer_id, "from_stage": "churned",
                          "to_stage": "reactivated", "changed_at": back, "reason": SEEDED_BY})  # fmt: skip
    db.session.execute(insert(StageChange), moves)
    db.session.commit()
    return len(moves)


def remove_seeded() -> None:
    """Remove the campaigns, their recipients and the stage moves written here."""
    from plugins.loyalty.models import StageChange
    from plugins.marketing.models import Campaign, Recipient, Segment

    segment = select(Segment.id).where(Segment.name == SEGMENT_NAME).scalar_subquery()
    campaigns = select(Campaign.id).where(Campaign.segment_id == segment)
    db.session.execute(delete(Recipient).where(Recipient.campaign_id.in_(campaigns)))
    db.session.execute(delete(Campaign).where(Campaign.segment_id == segment))
    db.session.execute(delete(Segment).where(Segment.name == SEGMENT_NAME))
    db.session.execute(delete(StageChange).where(StageChange.reason == SEEDED_BY))
    db.session.commit()
