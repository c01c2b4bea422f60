"""Badges, panels, timeline and widgets: one query per page, and only what each user may see."""

from __future__ import annotations

import datetime as dt
import random

import time_machine
from flask_login import login_user
from sqlalchemy import func, select

from core.db import db
from core.jobs import collect_jobs, run_job
from core.models import JobRun
from plugins.loyalty import hooks
from plugins.loyalty.care import create_tasks
from plugins.loyalty.models import CareTask, CustomerValue, Interaction, Preference
from plugins.loyalty.preferences import add_preference, log_interaction
from plugins.loyalty.recompute import recompute_all

NOON = dt.datetime(2026, 3, 31, 12, 0, tzinfo=dt.UTC)


def test_badges_for_a_page_in_one_query(make_customer, make_user, sell, count_queries, app):
    author = make_user("support")
    customers = [make_customer(name=f"C{number}") for number in range(6)]
    with time_machine.travel(NOON, tick=False):
        sell(customers[0], dt.date(2026, 3, 1), 60)  # Gold
        sell(customers[1], dt.date(2025, 1, 1))  # one order long ago: churned, 0.00 now
        recompute_all()
    for customer in customers[:3]:
        add_preference(customer, author, "Food", "likes", "fish")
    add_preference(customers[0], author, "Food", "avoids", "nuts")
    db.session.commit()
    customers = [db.session.get(type(customers[0]), customer.id) for customer in customers]
    with count_queries() as statements:
        badges = hooks.customer_badges(customers=customers)
    assert len(statements) == 1
    labels = {
        customer.name: [badge.label for badge in badges.get(customer.id, [])]
        for customer in customers
    }
    assert labels == {
        "C0": ["Gold", "New", "♥ 2 preferences"],
        "C1": ["Churned", "♥ 1 preference"],
        "C2": ["♥ 1 preference"],
        "C3": [],
        "C4": [],
        "C5": [],
    }
    # Avoids come first in the title, the text staff read on the caller lookup.
    title = next(badge.title for badge in badges[customers[0].id] if badge.label.startswith("♥"))
    assert title == "Avoids (Food): nuts; Likes (Food): fish"
    assert hooks.customer_badges(customers=[]) == {}


def test_panels_depend_on_the_user(make_customer, make_user, sell, app):
    owner, other = make_user("sales"), make_user("sales")
    customer = make_customer(owner_id=owner.id)
    with time_machine.travel(NOON, tick=False):
        sell(customer, dt.date(2026, 3, 1), 60)
        create_tasks()
    for user, expected in (
        (owner, ["Remember", "Customer value", "Care tasks"]),
        (other, ["Remember"]),  # another salesperson's customer: no figures, not their task
        (make_user("manager"), ["Remember", "Customer value", "Care tasks"]),
        (make_user("support"), ["Remember"]),
        (make_user("marketing"), ["Remember", "Customer value"]),
    ):
        with app.test_request_context("/"):
            login_user(user)
            titles = [panel.title for panel in hooks.customer_panels(customer=customer, user=user)]
        assert titles == expected, user.role
    with app.test_request_context("/"):
        login_user(owner)
        [banner] = [
            panel
            for panel in hooks.customer_panels(customer=customer, user=owner)
            if panel.order < 10
        ]
    assert banner.context["can_write"] is True


def test_timeline_links_tier_moves_only_for_those_who_see_the_value(
    make_customer, make_user, sell, app
):
    owner = make_user("sales")
    customer = make_customer(owner_id=owner.id)
    with time_machine.travel(NOON, tick=False):
        sell(customer, dt.date(2026, 3, 1), 60)
        log_interaction(customer, owner, "note", "Likes long lunches.")
        db.session.commit()
    with app.test_request_context("/"):
        events = hooks.customer_timeline(customer=customer, since=None, user=owner)
        assert {event.kind for event in events} == {"tier", "stage", "note"}
        assert all(event.url for event in events if event.kind == "tier")
    support = make_user("support")
    with app.test_request_context("/"):
        events = hooks.customer_timeline(customer=customer, since=None, user=support)
        assert [event.url for event in events if event.kind == "tier"] == [None]
        later = hooks.customer_timeline(
            customer=customer, since=dt.datetime(2030, 1, 1), user=support
        )
        assert later == []


def test_widgets_by_role(make_customer, make_user, sell, app):
    owner = make_user("sales")
    customer = make_customer(owner_id=owner.id)
    with time_machine.travel(NOON, tick=False):
        sell(customer, dt.date(2026, 3, 1), 60)
        create_tasks()
    with time_machine.travel(NOON + dt.timedelta(days=2), tick=False):
        [tasks, tiers] = hooks.dashboard_widgets(user=owner)
        assert (tasks.context["open"], tasks.context["overdue"]) == (1, 1)
        assert tiers.context["stages"]["new"] == 1
        [support_tasks] = hooks.dashboard_widgets(user=make_user("support"))
        assert support_tasks.context["open"] == 0
        manager_tasks = hooks.dashboard_widgets(user=make_user("manager"))[0]
        assert manager_tasks.context["everyone"] and manager_tasks.context["open"] == 1
    assert [widget.title for widget in hooks.dashboard_widgets(user=make_user("marketing"))] == [
        "Customer tiers"
    ]


def test_jobs_run_through_the_worker_and_are_idempotent(make_customer, make_user, sell, app):
    owner = make_user("sales")
    customer = make_customer(owner_id=owner.id, birthday=dt.date(1980, 3, 31))
    with time_machine.travel(NOON, tick=False):
        sell(customer, dt.date(2026, 3, 1), 60)
        jobs = collect_jobs(app)
        assert {"loyalty.nightly", "loyalty.greetings"} <= set(jobs)
        for _ in range(2):
            assert run_job(app, jobs["loyalty.nightly"]).status == "ok"
            assert run_job(app, jobs["loyalty.greetings"]).status == "ok"
    assert db.session.scalar(select(func.count()).select_from(CareTask)) == 1
    assert (
        db.session.scalar(select(func.count()).select_from(JobRun).where(JobRun.status == "ok"))
        == 4
    )


def test_demo_data(make_customer, make_user, make_product, sell, app):
    owner = make_user("sales")
    make_user("manager")
    make_product(category="Cheese")
    customers = [make_customer(owner_id=owner.id if number % 2 else None) for number in range(30)]
    with time_machine.travel(NOON, tick=False):
        for number, customer in enumerate(customers[:20]):
            sell(customer, dt.date(2026, 3, 1) - dt.timedelta(days=number * 15), number + 1)
        hooks.seed_demo(session=db.session, rng=random.Random(7))
    assert db.session.scalar(select(func.count()).select_from(Preference)) > 0
    assert db.session.scalar(select(func.count()).select_from(Interaction)) > 0
    assert (
        db.session.scalar(
            select(func.count()).select_from(CustomerValue).where(CustomerValue.tier.is_not(None))
        )
        == 20
    )
    assert db.session.scalar(select(func.count()).select_from(CareTask)) > 0
