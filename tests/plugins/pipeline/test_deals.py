"""Deals: stage moves with history, reopening, time in stage, probabilities typed by hand."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from core import dates
from plugins.pipeline import deals, followups
from plugins.pipeline import stages as stage_records
from plugins.pipeline.deals import DealError, DealInput, LineInput


def stage(name):
    return stage_records.stage_by_name(name)


def test_a_new_deal_takes_the_first_stage_and_its_probability(book, db):
    deal = deals.open_deal(
        DealInput("Jam", book.sam, customer=book.c1, lines=[LineInput(book.jam, Decimal("3"))]),
        book.sam,
    )
    assert deal.stage.name == "Prospecting"
    assert deal.probability == Decimal("0.1000")
    assert deal.probability_manual is False
    assert deal.amount == Decimal("30.00")  # 3 × 10.00 from the lines
    assert deal.channel == "web"  # from the customer
    [first] = deals.history(deal.id)
    assert (first.from_stage_id, first.to_stage.name, first.user_id) == (
        None,
        "Prospecting",
        book.sam.id,
    )


def test_moves_write_history_and_reopening_keeps_it(book, db):
    start = dt.datetime(2026, 3, 2, 9, 0)
    with dates.clock(start):
        deal = deals.open_deal(DealInput("Oil", book.sam, customer=book.c1), book.sam)
    with dates.clock(start + dt.timedelta(days=3)):
        assert deals.move(deal, stage("Engaging"), book.sam)
        assert deal.probability == Decimal("0.4000")
    price = stage_records.reason_named("Price")
    with dates.clock(start + dt.timedelta(days=5, hours=12)):
        deals.move(deal, stage("Lost"), book.manager, lost_reason=price)
    assert deal.lost_from_stage.name == "Engaging"
    assert deal.lost_reason.name == "Price"
    assert deal.closed_on == dt.date(2026, 3, 7)
    with dates.clock(start + dt.timedelta(days=8)):
        deals.move(deal, stage("Engaging"), book.sam)  # reopened
    assert deal.closed_on is None and deal.lost_reason is None
    moves = deals.history(deal.id)
    assert [(m.from_stage.name if m.from_stage else None, m.to_stage.name) for m in moves] == [
        (None, "Prospecting"),
        ("Prospecting", "Engaging"),
        ("Engaging", "Lost"),
        ("Lost", "Engaging"),
    ]
    stays = deals.time_in_stages(deal, now=start + dt.timedelta(days=10))
    # Prospecting 3 days; Engaging 2.5 days; Lost 2.5 days; Engaging again 2 days (still there).
    assert [(s.stage.name, s.seconds) for s in stays] == [
        ("Prospecting", 3 * 86400),
        ("Engaging", 2 * 86400 + 12 * 3600),
        ("Lost", 2 * 86400 + 12 * 3600),
        ("Engaging", 2 * 86400),
    ]


def test_a_probability_typed_by_hand_is_never_overwritten(book, db):
    deal = deals.open_deal(
        DealInput("Tea", book.sam, customer=book.c1, probability=Decimal("0.25")), book.sam
    )
    assert deal.probability == Decimal("0.25") and deal.probability_manual
    deals.move(deal, stage("Engaging"), book.sam)
    assert deal.probability == Decimal("0.25")
    deals.set_probability(deal, None)  # back to the stage's default
    assert deal.probability == Decimal("0.4000") and not deal.probability_manual
    deals.move(deal, stage("Prospecting"), book.sam)
    assert deal.probability == Decimal("0.1000")


def test_lost_needs_a_reason_and_unhappy_input_is_refused(book, db):
    deal = deals.open_deal(DealInput("Tea", book.sam, prospect_name="Pat Prospect"), book.sam)
    with pytest.raises(DealError, match="why the deal was lost"):
        deals.move(deal, stage("Lost"), book.sam)
    assert deal.stage.name == "Prospecting"
    assert len(deals.history(deal.id)) == 1
    with pytest.raises(DealError, match="customer, or name the prospect"):
        deals.open_deal(DealInput("Nobody", book.sam), book.sam)
    with pytest.raises(DealError, match="cannot be negative"):
        deals.open_deal(
            DealInput("Neg", book.sam, customer=book.c1, amount=Decimal("-1")), book.sam
        )
    with pytest.raises(DealError, match="fraction from 0 to 1"):
        deals.open_deal(
            DealInput("P", book.sam, customer=book.c1, probability=Decimal("1.5")), book.sam
        )
    assert deals.move(deal, stage("Prospecting"), book.sam) is False  # already there


def test_follow_ups_on_a_deal_belong_to_its_customer(book, db):
    deal = deals.open_deal(DealInput("Oil", book.sam, customer=book.c1), book.sam)
    entry = followups.log_follow_up(
        "call", book.sam, deal=deal, notes="Wants a sample", next_contact_on=dates.today()
    )
    assert entry.customer_id == book.c1.id
    assert deal.next_activity_on == dates.today()
    assert [e.notes for e in followups.of_customer(book.c1.id)] == ["Wants a sample"]
    with pytest.raises(followups.FollowUpError):
        followups.log_follow_up("fax", book.sam, deal=deal)
    with pytest.raises(followups.FollowUpError, match="before the follow-up"):
        followups.log_follow_up(
            "call", book.sam, deal=deal, next_contact_on=dates.today() - dt.timedelta(days=2)
        )
