"""Statements of the hand-worked data set (figures in scenario.py)."""

from decimal import Decimal

import pytest
from sqlalchemy import select

from plugins.sales_commission.models import Entry
from plugins.sales_commission.settings import current_rules
from plugins.sales_commission.statements import period_summaries

from . import scenario


def D(text):
    return Decimal(text)


@pytest.fixture
def data(db, make_staff, make_product, make_order):
    return scenario.build(make_staff, make_product, make_order)


def summaries(period):
    return {
        summary.salesperson.email: summary for summary in period_summaries(period, current_rules())
    }


def test_march_statements_match_the_hand_worked_figures(data):
    march = summaries(scenario.MARCH)
    ann, ben = march["ann@example.com"], march["ben@example.com"]
    assert (ann.status, ann.lines, ann.net, ann.profit, ann.commission, ann.adjustments) == (
        "approved",
        8,
        D("400.14"),
        D("163.64"),
        D("26.21"),
        D("0.00"),
    )
    assert ann.by_tier == {"A": D("20.00"), "B": D("6.01"), "C": D("0.20")}
    assert (ben.status, ben.lines, ben.net, ben.profit, ben.commission, ben.adjustments) == (
        "approved",
        5,
        D("105.05"),
        D("31.55"),
        D("5.26"),
        D("0.00"),
    )
    assert ben.by_tier == {"A": D("4.00"), "B": D("0.26"), "C": D("1.00")}


def test_april_statements_carry_the_clawbacks_and_the_late_sale(data):
    april = summaries(scenario.APRIL)
    ann, ben = april["ann@example.com"], april["ben@example.com"]
    assert (ann.status, ann.lines, ann.net, ann.profit, ann.commission, ann.adjustments) == (
        "draft",
        4,
        D("-100.10"),
        D("-50.10"),
        D("-8.01"),
        D("-16.01"),
    )
    assert ann.by_tier == {"A": D("-8.00"), "B": D("-0.01"), "C": D("0.00")}
    assert (ben.lines, ben.net, ben.profit, ben.commission, ben.adjustments) == (
        1,
        D("-50.00"),
        D("-5.00"),
        D("-1.00"),
        D("-1.00"),
    )


def test_each_line_explains_itself(db, data):
    entries = db.session.scalars(
        select(Entry).where(Entry.salesperson_id == data.ann.id).order_by(Entry.id)
    ).all()
    by_line = {(entry.order_id, entry.line_position, entry.kind): entry for entry in entries}
    o2 = data.orders["O2"]
    discounted = by_line[(o2.id, 1, "sale")]
    assert (discounted.tier, discounted.rate, discounted.line_base, discounted.amount) == (
        "B",
        D("0.0500"),
        D("75.00"),
        D("3.75"),
    )
    assert discounted.margin == D("0.333333")
    assert (discounted.grading_revenue, discounted.grading_profit) == (D("75.00"), D("25.00"))
    below_cost = by_line[(o2.id, 2, "sale")]
    assert (below_cost.amount, below_cost.reason, below_cost.tier) == (
        D("0.00"),
        "sold below cost",
        None,
    )
    half_up = by_line[(o2.id, 3, "sale")]
    assert half_up.amount == D("0.51")
    clawback = by_line[(o2.id, 3, "refund")]
    assert (clawback.period, clawback.sale_period, clawback.amount) == (
        "2026-04",
        "2026-03",
        D("-0.51"),
    )
    split_line = by_line[(data.orders["O3"].id, 2, "sale")]
    assert (split_line.share, split_line.line_commission, split_line.amount) == (
        D("50.00"),
        D("0.51"),
        D("0.25"),
    )


def test_approved_statements_never_change(db, data, make_order, make_product):
    before = summaries(scenario.MARCH)["ann@example.com"]
    make_order(salesperson=data.ann, lines=[(make_product(), 3)], order_date=scenario.day("03-31"))
    after = summaries(scenario.MARCH)["ann@example.com"]
    assert (after.lines, after.commission) == (before.lines, before.commission) == (8, D("26.21"))
