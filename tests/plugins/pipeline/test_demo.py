"""The demo pipeline: deals in every state on the story's dates, deterministic, no order added."""

from __future__ import annotations

import datetime as dt
import random

from sqlalchemy import func, select

from core import dates
from core.db import db
from core.models import Order
from plugins.pipeline import hooks, reports
from plugins.pipeline.models import FollowUp, Opportunity, OpportunityOrder, Stage, StageMove


def _shop(book, make_order):
    today = dates.today()
    for number in range(12):
        make_order(
            book.c1 if number % 2 else book.c2,
            book.sam if number % 3 else book.sue,
            [(book.jam, number + 1), (book.oil, 2)],
            today - dt.timedelta(days=20 * number + 5),
        )


def _state():
    # Stage names, not ids: PostgreSQL does not roll its id sequences back.
    return db.session.execute(
        select(Opportunity.title, Stage.name, Opportunity.opened_on, Opportunity.amount)
        .join(Stage, Stage.id == Opportunity.stage_id)
        .order_by(Opportunity.id)
    ).all()


def test_seed_demo_makes_a_believable_pipeline(book, make_order, db):
    _shop(book, make_order)
    orders_before = db.session.scalar(select(func.count()).select_from(Order))
    hooks.seed_demo(session=db.session, rng=random.Random(3))
    db.session.commit()
    assert db.session.scalar(select(func.count()).select_from(Order)) == orders_before
    kinds = dict(
        db.session.execute(
            select(Stage.kind, func.count())
            .join(Opportunity, Opportunity.stage_id == Stage.id)
            .group_by(Stage.kind)
        ).all()
    )
    assert kinds == {"won": 12, "lost": 25, "open": 36}
    # every won deal is linked to the order that won it, and won on that order's day or later
    for deal, order in db.session.execute(
        select(Opportunity, Order)
        .join(OpportunityOrder, OpportunityOrder.opportunity_id == Opportunity.id)
        .join(Order, Order.id == OpportunityOrder.order_id)
    ):
        assert deal.stage.kind == "won" and deal.opened_on < order.order_date <= deal.closed_on
    first_move = db.session.scalar(select(func.min(StageMove.at)))
    assert first_move < dates.utcnow() - dt.timedelta(days=30)  # the story's dates, not today's
    assert db.session.scalar(select(func.count()).select_from(FollowUp)) > 30
    assert any(row["won"] for row in reports.winrate("owner"))
    prospects = db.session.scalar(select(func.count()).where(Opportunity.customer_id.is_(None)))
    assert prospects == 6


def test_seed_demo_is_deterministic(book, make_order, db):
    _shop(book, make_order)
    hooks.seed_demo(session=db.session, rng=random.Random(3))
    first = _state()
    db.session.rollback()
    hooks.seed_demo(session=db.session, rng=random.Random(3))
    assert _state() == first
