"""`clientele demo` tells its story with the story's dates, through the services a clerk uses."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from sqlalchemy import select

from core import dates
from core.demo import DemoOptions, fill_database
from core.models import Customer, Order

PLUGINS = ["sales_commission", "loyalty", "service_desk", "marketing"]


@pytest.fixture
def clientele_plugins():
    return PLUGINS


def company_figures(period):
    """(commission, net) of every salesperson's statement of a month, added up."""
    from plugins.sales_commission.settings import current_rules
    from plugins.sales_commission.statements import period_summaries

    summaries = period_summaries(period, current_rules())
    return sum(s.commission for s in summaries), sum(s.net for s in summaries)


def check_story(db, started):
    from plugins.loyalty.models import StageChange, TierChange
    from plugins.sales_commission.models import Entry

    today = dates.today()
    this_month = dates.period_of(today)
    last_month = dates.period_of(dates.add_months(today.replace(day=1), -1))
    for period in (this_month, last_month):
        commission, net = company_figures(period)
        assert commission > 0 and net > 0, (period, commission, net)

    # Orders are confirmed and cancelled on their own days, never on the day the demo ran.
    for order in db.session.scalars(select(Order).where(Order.confirmed_at.is_not(None))):
        assert order.confirmed_at.date() == order.order_date or order.order_date == today
        assert order.confirmed_at < started
    cancelled = {
        order.id: order
        for order in db.session.scalars(select(Order).where(Order.status == "cancelled"))
    }
    assert cancelled
    for order in cancelled.values():
        assert order.cancelled_at < started
    # Each clawback is dated the day of its cancellation (the hook saw the story's clock).
    clawbacks = db.session.scalars(select(Entry).where(Entry.kind == "cancellation")).all()
    assert clawbacks
    for entry in clawbacks:
        order = cancelled[entry.order_id]
        assert entry.event_date == order.cancelled_at.date(), order.number

    # Tier and stage history: each change after the customer joined, in a chain, spread
    # over the story (not bunched on the day the demo ran).
    joined = dict(db.session.execute(select(Customer.id, Customer.created_at)).all())
    for model, before, after in (
        (StageChange, "from_stage", "to_stage"),
        (TierChange, "from_tier", "to_tier"),
    ):
        rows = db.session.scalars(select(model).order_by(model.customer_id, model.id)).all()
        assert rows
        last: dict[int, object] = {}
        for row in rows:
            assert joined[row.customer_id] <= row.changed_at <= dates.utcnow()
            if row.customer_id in last:
                assert getattr(row, before) == last[row.customer_id], row.customer_id
            last[row.customer_id] = getattr(row, after)
        recent = [row for row in rows if row.changed_at >= started - dt.timedelta(days=30)]
        assert len(recent) < len(rows) / 5, (model.__name__, len(recent), len(rows))


def test_a_fresh_demo_tells_its_story_with_its_dates(app, db):
    started = dates.utcnow()
    fill_database(DemoOptions(customers=120, orders=500, seed=3), dates.today())
    db.session.commit()
    check_story(db, started)


def test_a_demo_made_on_the_first_of_a_month_has_sales_in_it(app, db):
    with time_machine.travel(dt.datetime(2026, 3, 1, 6, 30, tzinfo=dt.UTC), tick=False):
        started = dates.utcnow()
        fill_database(DemoOptions(customers=80, orders=300, seed=11), dates.today())
        db.session.commit()
        check_story(db, started + dt.timedelta(minutes=1))
