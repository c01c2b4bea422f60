"""Cancellation days in the company's time zone."""

import datetime as dt
from decimal import Decimal

import time_machine
from sqlalchemy import select

from core import orders
from plugins.sales_commission.models import Cancellation, Entry


def test_a_cancellation_is_dated_in_the_company_time_zone(
    make_app, make_staff, make_product, make_order
):
    make_app(plugins=["sales_commission"], timezone="Europe/Berlin")
    seller = make_staff("sales")
    order = make_order(
        salesperson=seller,
        lines=[(make_product("10.00", "7.00"), 1)],
        order_date=dt.date(2026, 3, 20),
    )
    # 23:30 UTC on 31 March is 01:30 on 1 April in Berlin (summer time): the reversal is April's.
    with time_machine.travel(dt.datetime(2026, 3, 31, 23, 30, tzinfo=dt.UTC), tick=False):
        orders.cancel(order)
    from core.db import db

    db.session.commit()
    assert db.session.get(Cancellation, order.id).cancelled_on == dt.date(2026, 4, 1)
    reversal = db.session.scalar(select(Entry).where(Entry.kind == "cancellation"))
    assert (reversal.period, reversal.sale_period, reversal.amount) == (
        "2026-04",
        "2026-03",
        Decimal("-0.50"),
    )
