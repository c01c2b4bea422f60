"""`clientele demo` with the plugin: rule versions, accrued history, splits, approved and paid months."""

from sqlalchemy import func, select

from core import dates
from core.demo import DemoOptions, fill_database
from core.models import Order
from plugins.sales_commission.models import Entry, RuleVersion, Split, Statement
from plugins.sales_commission.recompute import recompute_period
from plugins.sales_commission.settings import current_rules


def test_demo_data(db):
    today = dates.today()
    fill_database(DemoOptions(customers=40, orders=250, seed=3), today)
    db.session.commit()
    assert db.session.scalar(select(func.count()).select_from(RuleVersion)) == 2
    counted = db.session.scalar(
        select(func.count()).select_from(Order).where(Order.status.in_(("confirmed", "refunded")))
    )
    assert counted > 0
    assert db.session.scalar(select(func.count()).select_from(Entry)) >= counted
    statuses = dict(
        db.session.execute(select(Statement.status, func.count()).group_by(Statement.status)).all()
    )
    assert statuses.get("paid", 0) > 0 and statuses.get("approved", 0) > 0
    # Last month and this month stay drafts, for the approval to be tried out.
    last_month = dates.period_of(dates.add_months(today.replace(day=1), -1))
    assert db.session.scalar(select(func.max(Statement.period))) < last_month
    assert db.session.scalar(select(func.count()).select_from(Split)) > 0
    # The open months are exactly what the rules give.
    before = db.session.scalar(select(func.count()).select_from(Entry))
    recompute_period(current_rules(), last_month)
    assert db.session.scalar(select(func.count()).select_from(Entry)) == before
