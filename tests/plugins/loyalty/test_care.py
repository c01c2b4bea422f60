"""Care tasks: per-tier cadence, no duplicates, skipped after a recent contact, reactivation, completion."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
import time_machine
from sqlalchemy import func, select

from core.customers import update_customer
from core.db import db
from plugins.loyalty.care import CareError, complete, create_tasks, may_work_on, take
from plugins.loyalty.models import CareTask, Interaction
from plugins.loyalty.preferences import log_interaction
from plugins.loyalty.recompute import recompute_all

TODAY = dt.date(2026, 3, 31)


def at(day: dt.date):
    """Freeze the clock at noon UTC on a day."""
    return time_machine.travel(dt.datetime.combine(day, dt.time(12), tzinfo=dt.UTC), tick=False)


@pytest.fixture
def clientele_settings():
    """Gold: visit every 30 days; Silver: call every 60 days; Bronze: no care plan."""
    return {
        "loyalty": {
            "tiers": [
                {"name": "Gold", "min_profit": 200, "care": "visit", "every_days": 30},
                {"name": "Silver", "min_profit": 80, "care": "call", "every_days": 60},
                {"name": "Bronze", "min_profit": Decimal("0.01")},
            ],
            "care_lead_days": 7,
        }
    }


def tasks_of(customer, kind=None):
    """The customer's tasks (optionally of one kind), oldest first."""
    statement = select(CareTask).where(CareTask.customer_id == customer.id).order_by(CareTask.id)
    if kind:
        statement = statement.where(CareTask.kind == kind)
    db.session.expire_all()
    return list(db.session.scalars(statement))


def gold_customer(make_customer, sell, owner=None, **fields):
    """A customer with 5 × 40.00 = 200.00 profit this month (Gold)."""
    customer = make_customer(owner_id=owner.id if owner else None, **fields)
    with at(TODAY):
        sell(customer, dt.date(2026, 3, 20), 5)
    return customer


def test_a_task_for_the_owner_and_no_duplicate_when_the_job_runs_twice(
    make_customer, make_user, sell, app
):
    owner = make_user("sales")
    customer = gold_customer(make_customer, sell, owner)
    bronze = make_customer(owner_id=owner.id)
    with at(TODAY):
        sell(bronze, dt.date(2026, 3, 20))
        first = create_tasks()
        db.session.commit()
        second = create_tasks()
        db.session.commit()
    assert (first.care_tasks, second.care_tasks) == (1, 0)
    [task] = tasks_of(customer)
    assert (task.kind, task.assignee_id, task.status, task.due_on) == (
        "visit",
        owner.id,
        "open",
        TODAY,
    )
    assert task.reason == "Gold care plan: visit every 30 days"
    assert tasks_of(bronze) == []


def test_a_recent_contact_skips_the_task_and_sets_the_due_date(make_customer, make_user, sell, app):
    owner = make_user("sales")
    recent, older = (
        gold_customer(make_customer, sell, owner),
        gold_customer(make_customer, sell, owner),
    )
    with at(TODAY - dt.timedelta(days=23)):
        log_interaction(recent, owner, "call", "Talked about spring.")  # 23 days ago: inside 30 − 7
    with at(TODAY - dt.timedelta(days=24)):
        log_interaction(older, owner, "visit", "Tasting.")  # 24 days ago: the task window is open
    with at(TODAY):
        log_interaction(recent, owner, "note", "A note is not a contact.")
        create_tasks()
    assert tasks_of(recent) == []
    [task] = tasks_of(older)
    assert task.due_on == TODAY + dt.timedelta(days=6)  # last contact (24 days ago) + 30 days


def test_an_overdue_contact_gives_a_task_due_today(make_customer, make_user, sell, app):
    owner = make_user("sales")
    customer = gold_customer(make_customer, sell, owner)
    with at(TODAY - dt.timedelta(days=100)):
        log_interaction(customer, owner, "visit", "Long ago.")
    with at(TODAY):
        create_tasks()
    assert [task.due_on for task in tasks_of(customer)] == [TODAY]


def test_unowned_customers_get_unassigned_tasks_for_the_fallback_role(
    make_customer, make_user, sell, app
):
    customer = gold_customer(make_customer, sell)
    with at(TODAY):
        create_tasks()
    [task] = tasks_of(customer)
    assert task.assignee_id is None
    manager, support, sales = make_user("manager"), make_user("support"), make_user("sales")
    assert may_work_on(manager, task)
    assert not may_work_on(support, task)
    assert not may_work_on(sales, task)
    take(task, manager)
    assert task.assignee_id == manager.id
    with pytest.raises(CareError):
        take(task, make_user("manager"))


def test_only_the_assignee_or_managers_work_on_a_task(make_customer, make_user, sell, app):
    owner, other = make_user("sales"), make_user("sales")
    customer = gold_customer(make_customer, sell, owner)
    with at(TODAY):
        create_tasks()
    [task] = tasks_of(customer)
    assert may_work_on(owner, task)
    assert not may_work_on(other, task)
    assert may_work_on(make_user("manager"), task)
    assert not may_work_on(make_user("marketing"), task)


def test_completing_logs_an_interaction_and_the_next_run_respects_it(
    make_customer, make_user, sell, app
):
    owner = make_user("sales")
    customer = gold_customer(make_customer, sell, owner)
    with at(TODAY):
        create_tasks()
        [task] = tasks_of(customer)
        interaction = complete(
            task, owner, "visit", "Brought the new catalogue; likes the Riesling."
        )
        db.session.commit()
        assert create_tasks().care_tasks == 0
    assert (task.status, task.open_key, task.interaction_id) == ("done", None, interaction.id)
    assert (interaction.kind, interaction.summary, interaction.user_id) == (
        "visit",
        "Brought the new catalogue; likes the Riesling.",
        owner.id,
    )
    with pytest.raises(CareError, match="already done"):
        complete(task, owner, "call", "again")
    # 30 − 7 = 23 days later the next visit is planned, due 30 days after the completed one.
    with at(TODAY + dt.timedelta(days=22)):
        assert create_tasks().care_tasks == 0
    with at(TODAY + dt.timedelta(days=24)):
        assert create_tasks().care_tasks == 1
    assert [task.due_on for task in tasks_of(customer) if task.status == "open"] == [
        TODAY + dt.timedelta(days=30)
    ]


def test_the_database_refuses_a_second_open_task(make_customer, make_user, sell, app):
    from sqlalchemy.exc import IntegrityError

    customer = gold_customer(make_customer, sell)
    with at(TODAY):
        create_tasks()
    [task] = tasks_of(customer)
    db.session.add(
        CareTask(
            customer_id=customer.id,
            kind="call",
            reason="twin",
            due_on=TODAY,
            open_key=task.open_key,
        )
    )
    with pytest.raises(IntegrityError):
        db.session.flush()
    db.session.rollback()


def test_reactivation_tasks_once_per_stage_and_closed_when_the_customer_returns(
    make_customer, make_user, sell, app
):
    owner = make_user("sales")
    customer = make_customer(owner_id=owner.id)
    with at(dt.date(2026, 1, 1)):
        sell(customer, dt.date(2026, 1, 1))
    with at(dt.date(2026, 7, 1)):  # 181 days after the only order → at risk
        recompute_all()
        assert create_tasks().reactivation_tasks == 1
        assert create_tasks().reactivation_tasks == 0
    [task] = tasks_of(customer, "reactivation")
    assert (task.assignee_id, task.reason, task.due_on) == (
        owner.id,
        "At risk: ordering less than usual",
        dt.date(2026, 7, 1),
    )
    with at(dt.date(2026, 7, 2)):
        complete(task, owner, "call", "Will order after the holidays.")
        recompute_all()
        assert create_tasks().reactivation_tasks == 0  # contacted since becoming at risk
    with at(dt.date(2026, 12, 28)):  # 361 days → churned: a new stage, a new task
        recompute_all()
        assert create_tasks().reactivation_tasks == 1
    churned = tasks_of(customer, "reactivation")[-1]
    assert (churned.reason, churned.status) == ("Churned: win the customer back", "open")
    with at(dt.date(2027, 1, 5)):
        sell(customer, dt.date(2027, 1, 5))  # back: reactivated
        result = create_tasks()
    assert result.closed == 1
    assert tasks_of(customer, "reactivation")[-1].status == "closed"
    assert tasks_of(customer, "reactivation")[-1].open_key is None


class TestWithoutReactivationTasks:
    """reactivation_tasks = false."""

    @pytest.fixture
    def clientele_settings(self):
        return {"loyalty": {"reactivation_tasks": False}}

    def test_no_reactivation_task(self, make_customer, sell, app):
        customer = make_customer()
        with at(dt.date(2026, 1, 1)):
            sell(customer, dt.date(2026, 1, 1))
        with at(dt.date(2026, 7, 1)):
            recompute_all()
            assert create_tasks().reactivation_tasks == 0
        assert tasks_of(customer) == []


def test_open_tasks_follow_a_new_account_owner(make_customer, make_user, sell, app):
    old, new = make_user("sales"), make_user("sales")
    customer = gold_customer(make_customer, sell, old)
    with at(TODAY):
        create_tasks()
    update_customer(customer, owner_id=new.id)
    db.session.commit()
    assert [task.assignee_id for task in tasks_of(customer)] == [new.id]


def test_many_customers_take_a_fixed_number_of_statements(
    make_customer, make_user, sell, count_queries, app
):
    owner = make_user("sales")
    for _ in range(4):
        gold_customer(make_customer, sell, owner)
    with at(TODAY), count_queries() as statements:
        result = create_tasks()
    assert result.care_tasks == 4
    # Gold and Silver plans, closing resolved reactivations, creating reactivations.
    assert len(statements) == 4
    assert db.session.scalar(select(func.count()).select_from(Interaction)) == 0
