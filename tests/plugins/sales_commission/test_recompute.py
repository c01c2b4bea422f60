"""Recompute and orders_imported give exactly what the hooks gave (on the data set of scenario.py)."""

import pytest
from sqlalchemy import delete, select

from core.models import Order
from core.plugins import run_hook
from plugins.sales_commission.models import Entry
from plugins.sales_commission.recompute import PeriodClosed, recompute_period
from plugins.sales_commission.settings import current_rules

from . import scenario

#: Every stored column except the id and the time the row was written.
COMPARED = [
    column.name for column in Entry.__table__.columns if column.name not in ("id", "created_at")
]


def snapshot(db, with_ids=False):
    """All entries as sorted tuples of their columns."""
    rows = db.session.execute(select(Entry.__table__)).mappings().all()
    keys = COMPARED + (["id"] if with_ids else [])
    return sorted(tuple(str(row[key]) for key in keys) for row in rows)


@pytest.fixture
def data(db, make_staff, make_product, make_order):
    return scenario.build(make_staff, make_product, make_order)


def test_recompute_of_an_untouched_month_changes_nothing(db, data):
    before = snapshot(db, with_ids=True)
    recompute_period(current_rules(), scenario.APRIL)
    assert snapshot(db, with_ids=True) == before


def test_recompute_rebuilds_a_wiped_month_exactly(db, data):
    before = snapshot(db)
    april_entries = db.session.scalar(
        select(Entry.id).where(Entry.period == scenario.APRIL).limit(1)
    )
    assert april_entries is not None
    db.session.execute(delete(Entry).where(Entry.period == scenario.APRIL))
    recompute_period(current_rules(), scenario.APRIL)
    assert snapshot(db) == before


def test_a_month_with_approved_statements_cannot_be_recomputed(db, data):
    with pytest.raises(PeriodClosed, match="2026-03 has 2 approved statement"):
        recompute_period(current_rules(), scenario.MARCH)


def test_orders_imported_is_idempotent(db, data):
    before = snapshot(db, with_ids=True)
    ids = list(db.session.scalars(select(Order.id)))
    run_hook("orders_imported", order_ids=ids)
    run_hook("orders_imported", order_ids=ids)
    assert snapshot(db, with_ids=True) == before


def test_bulk_accrual_equals_the_hooks_one_by_one(db, make_staff, make_product, make_order):
    scenario.build(make_staff, make_product, make_order, stop_after_march=True)
    before = snapshot(db)
    db.session.execute(delete(Entry))
    run_hook("orders_imported", order_ids=list(db.session.scalars(select(Order.id))))
    assert snapshot(db) == before


def test_recompute_repairs_only_what_differs(db, data):
    """A changed, a missing and a stray entry are put right; the other entries keep their ids."""
    before = snapshot(db)
    april = db.session.scalars(
        select(Entry).where(Entry.period == scenario.APRIL).order_by(Entry.id)
    ).all()
    assert len(april) >= 3
    changed, missing, kept = april[0], april[1], april[2:]
    changed.amount += 1
    stray = Entry(**{name: getattr(kept[0], name) for name in COMPARED if name != "corrects_id"})
    stray.event_date = stray.event_date.replace(day=1)
    db.session.add(stray)
    db.session.delete(missing)
    db.session.flush()
    recompute_period(current_rules(), scenario.APRIL)
    db.session.expire_all()
    assert snapshot(db) == before
    assert all(db.session.get(Entry, entry.id) is not None for entry in kept)


def test_recompute_deletes_a_stray_entry_of_an_otherwise_right_month(db, data):
    """Every desired row is stored, but one entry too many: the count tells them apart."""
    before = snapshot(db)
    entry = db.session.scalars(select(Entry).where(Entry.period == scenario.APRIL)).first()
    stray = Entry(**{name: getattr(entry, name) for name in COMPARED if name != "corrects_id"})
    stray.tier = "Z"
    db.session.add(stray)
    db.session.flush()
    recompute_period(current_rules(), scenario.APRIL)
    db.session.expire_all()
    assert snapshot(db) == before
