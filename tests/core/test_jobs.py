"""Scheduled jobs: names and cron checked, runs recorded, failures contained, company time,
run_soon after commit, no overlapping runs, a real Huey queue in the instance folder."""

from __future__ import annotations

import datetime as dt
import logging
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import func, select

from core.config import ConfigError
from core.db import db as core_db
from core.jobs import (
    WorkerError,
    collect_jobs,
    company_schedule,
    lock_name,
    make_huey,
    prune_job_runs,
    queue_description,
    run_job,
    run_soon,
    schedule_jobs,
    start_worker,
)
from core.models import Customer, JobRun, utcnow
from core.plugins import Job, PluginError, hookimpl
from tests.core.concurrency import committed_app
from tests.core.servers import free_port
from tests.core.statistics import customer_heap_fetches, planner_knows_customer_rows

BERLIN = ZoneInfo("Europe/Berlin")


@pytest.fixture
def app(make_app):
    """The company of these tests is in Berlin."""
    return make_app(timezone="Europe/Berlin")


def record_customer() -> None:
    """A job that writes a row (so a test can see whether its transaction was kept)."""
    from core.db import db

    db.session.add(Customer(name="Written by timing.ok"))


def fail_after_writing() -> None:
    """A job that writes a row, then fails: the row must be rolled back."""
    from core.db import db

    db.session.add(Customer(name="Written by timing.fail"))
    db.session.flush()
    raise ValueError("the supplier's price list is missing")


class Timing:
    """A plugin with one job that works and one that fails, both at 07:00 company time."""

    def __init__(self, jobs=None) -> None:
        self.jobs = jobs

    @hookimpl
    def scheduled_jobs(self):
        if self.jobs is not None:
            return self.jobs
        return [
            Job("timing.ok", "0 7 * * *", record_customer),
            Job("timing.fail", "0 7 * * *", fail_after_writing),
        ]


def runs(db) -> list[tuple[str, str]]:
    """(name, status) of every job run, oldest first."""
    return [
        tuple(row)
        for row in db.session.execute(select(JobRun.name, JobRun.status).order_by(JobRun.id))
    ]


def customer_names(db) -> list[str]:
    return db.session.scalars(select(Customer.name).order_by(Customer.id)).all()


def test_the_core_delivers_mail_every_minute_and_prunes_job_runs_nightly(app):
    jobs = collect_jobs(app)
    assert {name: job.cron for name, job in jobs.items()} == {
        "core.deliver_outbox": "* * * * *",
        "core.planner_statistics": "10 4 * * *",
        "core.prune_job_runs": "40 4 * * *",
    }


@pytest.mark.parametrize(
    ("jobs", "message"),
    [
        (
            [Job("tick", "* * * * *", record_customer)],
            "Plugin 'timing': job 'tick' must be named 'timing.<job>'",
        ),
        (
            [Job("loyalty.tick", "* * * * *", record_customer)],
            "job 'loyalty.tick' must be named 'timing.<job>'",
        ),
        (
            [Job("timing.Tick", "* * * * *", record_customer)],
            "job 'timing.Tick' must be named 'timing.<job>' (lower case letters, digits and _). Rename it.",
        ),
        (
            [Job("timing.tick", "* * * * *", record_customer)] * 2,
            "job 'timing.tick' is defined twice. Rename one of them.",
        ),
        (
            [Job("timing.tick", "* * * *", record_customer)],
            "job 'timing.tick': '* * * *' is not a cron schedule (five fields: minute hour day month weekday). Fix its cron field.",
        ),
        (
            [Job("timing.tick", "0 24 * * *", record_customer)],
            "the hour field '24' is not valid (use *, a number from 0 to 23",
        ),
        (
            [Job("timing.tick", "*/0 * * * *", record_customer)],
            "the minute field '*/0' is not valid",
        ),
        (
            [Job("timing.tick", "0 7 * * mon", record_customer)],
            "the weekday field 'mon' is not valid (use *, a number from 0 to 7",
        ),
        (
            [Job("timing.tick", "0 7 * * */2", record_customer)],
            "cron '0 7 * * */2': Cannot perform this kind of matching on day-of-week.",
        ),
        (
            [("timing.tick", "* * * * *", record_customer)],
            "scheduled_jobs() listed ('timing.tick', '* * * * *', <function record_customer",
        ),
        (
            [Job("timing.tick", "* * * * *", "not callable")],
            "which is not a Job with a callable func",
        ),
        (None, "scheduled_jobs() returned NoneType, not a list."),
    ],
)
def test_bad_jobs_stop_with_a_message_naming_the_plugin_and_the_fix(
    app, temp_plugin, jobs, message
):
    temp_plugin(NoneJobs() if jobs is None else Timing(jobs), name="timing")
    with pytest.raises(PluginError) as raised:
        collect_jobs(app)
    assert str(raised.value).startswith("Plugin 'timing': ")
    assert message in str(raised.value)


class NoneJobs:
    """A plugin whose scheduled_jobs() forgets to return its list."""

    @hookimpl
    def scheduled_jobs(self):
        return None


def test_cron_times_are_the_company_time_zone_summer_and_winter():
    seven = company_schedule("0 7 * * *", BERLIN)
    assert seven(dt.datetime(2026, 1, 15, 6, 0))  # 07:00 CET = 06:00 UTC
    assert not seven(dt.datetime(2026, 1, 15, 7, 0))
    assert seven(dt.datetime(2026, 7, 15, 5, 0))  # 07:00 CEST = 05:00 UTC
    assert not seven(dt.datetime(2026, 7, 15, 6, 0))
    # Monday 00:30 in Berlin is still Sunday in UTC: the weekday is the company's too.
    monday = company_schedule("30 0 * * 1", BERLIN)
    assert monday(dt.datetime(2026, 1, 11, 23, 30))  # Sunday 11 January 2026, 23:30 UTC
    assert not monday(dt.datetime(2026, 1, 12, 0, 30))
    sunday = company_schedule("0 12 * * 7", BERLIN)  # 7 and 0 are both Sunday
    assert sunday(dt.datetime(2026, 1, 11, 11, 0))


def test_daylight_saving_nights_skip_or_repeat_a_time_as_documented():
    half_past_two = company_schedule("30 2 * * *", BERLIN)
    spring = [dt.datetime(2026, 3, 29, 0, 0) + dt.timedelta(minutes=m) for m in range(180)]
    autumn = [dt.datetime(2026, 10, 25, 0, 0) + dt.timedelta(minutes=m) for m in range(180)]
    assert [moment for moment in spring if half_past_two(moment)] == []
    assert [moment for moment in autumn if half_past_two(moment)] == [
        dt.datetime(2026, 10, 25, 0, 30),  # 02:30 CEST
        dt.datetime(2026, 10, 25, 1, 30),  # 02:30 CET, an hour later
    ]


def test_a_run_is_recorded_and_a_failing_run_is_rolled_back_logged_and_recorded(
    app, db, temp_plugin, caplog
):
    temp_plugin(Timing(), name="timing")
    jobs = collect_jobs(app)

    ok = run_job(app, jobs["timing.ok"])
    with caplog.at_level(logging.ERROR, logger="clientele.jobs"):
        failed = run_job(app, jobs["timing.fail"])

    assert (ok.status, ok.error) == ("ok", "")
    assert failed.status == "failed"
    assert "ValueError: the supplier's price list is missing" in failed.error
    assert "fail_after_writing" in failed.error  # the traceback says where
    assert "job timing.fail failed" in caplog.text
    assert customer_names(db) == ["Written by timing.ok"]
    rows = db.session.scalars(select(JobRun).order_by(JobRun.id)).all()
    assert [(row.name, row.status) for row in rows] == [
        ("timing.ok", "ok"),
        ("timing.fail", "failed"),
    ]
    assert rows[1].error == failed.error
    assert all(row.finished_at >= row.started_at for row in rows)


def test_one_worker_runs_a_failing_and_a_succeeding_job_from_a_real_queue(app, db, temp_plugin):
    temp_plugin(Timing(), name="timing")
    huey = make_huey(app, immediate=False)  # SQLite file in the instance folder
    schedule_jobs(app, huey)

    # What the consumer's scheduler does at 07:00 Berlin in winter, then what its workers do.
    due = huey.read_periodic(dt.datetime(2026, 1, 15, 6, 0))
    assert sorted(task.name for task in due) == ["core.deliver_outbox", "timing.fail", "timing.ok"]
    for task in due:
        huey.enqueue(task)
    assert huey.pending_count() == 3
    while (task := huey.dequeue()) is not None:
        huey.execute(task)

    assert sorted(runs(db)) == [
        ("core.deliver_outbox", "ok"),
        ("timing.fail", "failed"),
        ("timing.ok", "ok"),
    ]
    assert customer_names(db) == ["Written by timing.ok"]
    assert huey.storage.filename.endswith("/huey.sqlite3")
    assert huey.storage.filename.startswith(app.instance_path)


def test_a_job_still_running_is_not_started_again(app, db, temp_plugin):
    temp_plugin(Timing(), name="timing")
    huey = make_huey(app, immediate=False)
    schedule_jobs(app, huey)
    lock = huey.lock_task(lock_name("timing.ok"))
    lock.acquire()  # as if another worker were in the middle of timing.ok

    [periodic] = [
        task
        for task in huey.read_periodic(dt.datetime(2026, 1, 15, 6, 0))
        if task.name == "timing.ok"
    ]
    huey.execute(periodic)
    asked = app.extensions["clientele.run_job_now"].s("timing.ok")
    huey.execute(asked)

    assert runs(db) == []
    # The scheduled run is skipped; the one asked for by run_soon is tried again in 5 s.
    assert [task.name for task in huey.scheduled()] == ["core.run_job_now"]
    lock.release()
    [retry] = huey.scheduled()
    huey.execute(retry, timestamp=retry.eta)
    assert runs(db) == [("timing.ok", "ok")]


def test_run_soon_runs_at_once_when_nothing_was_written(app, db, temp_plugin):
    temp_plugin(Timing(), name="timing")
    run_soon("timing.ok")
    assert runs(db) == [("timing.ok", "ok")]


def test_run_soon_waits_for_the_commit_of_what_the_caller_wrote(app, db, temp_plugin):
    temp_plugin(Timing(), name="timing")
    db.session.add(Customer(name="Campaign target"))
    run_soon("timing.ok")
    run_soon("timing.ok")  # asked twice in one transaction: one run
    assert runs(db) == []
    db.session.commit()
    assert runs(db) == [("timing.ok", "ok")]


def test_run_soon_after_a_flush_also_waits_and_a_rollback_cancels_it(app, db, temp_plugin):
    temp_plugin(Timing(), name="timing")
    db.session.add(Customer(name="Never saved"))
    db.session.flush()
    run_soon("timing.ok")
    db.session.rollback()
    db.session.commit()
    assert runs(db) == []
    assert customer_names(db) == []


def test_run_soon_of_an_unknown_job_says_where_to_look(app):
    with pytest.raises(
        PluginError, match=r"There is no job called 'timing.nope'. See `clientele worker --list`."
    ):
        run_soon("timing.nope")


def test_job_runs_older_than_30_days_are_pruned(app, db):
    now = utcnow()
    for days in (31, 29, 0):
        db.session.add(
            JobRun(
                name="core.deliver_outbox", started_at=now - dt.timedelta(days=days), status="ok"
            )
        )
    db.session.commit()
    prune_job_runs()
    db.session.commit()
    kept = db.session.scalars(select(JobRun.started_at).order_by(JobRun.started_at)).all()
    assert kept == [now - dt.timedelta(days=29), now]
    assert db.session.scalar(select(func.count()).select_from(JobRun)) == 2


def test_the_nightly_planner_statistics_job_counts_the_rows(app, db):
    db.session.add_all(Customer(name=f"Customer {number}") for number in range(25))
    db.session.commit()
    result = run_job(app, collect_jobs(app)["core.planner_statistics"])
    assert (result.status, result.error) == ("ok", "")
    assert planner_knows_customer_rows(db) == 25


def test_the_nightly_job_reclaims_the_rows_updates_left_behind(tmp_path):
    """PostgreSQL: after the job an index-only count reads nothing from the table itself."""
    with committed_app(tmp_path, "vacuum") as app, app.app_context():
        core_db.session.add_all(Customer(name=f"Customer {number}") for number in range(300))
        core_db.session.commit()
        for customer in core_db.session.scalars(select(Customer)):
            customer.city = "Berlin"  # every row updated once: 300 dead versions
        core_db.session.commit()
        postgresql = core_db.engine.dialect.name == "postgresql"
        if postgresql:
            assert customer_heap_fetches(core_db) >= 300
        result = run_job(app, collect_jobs(app)["core.planner_statistics"])
        assert (result.status, result.error) == ("ok", "")
        assert planner_knows_customer_rows(core_db) == 300
        if postgresql:
            assert customer_heap_fetches(core_db) == 0


def test_worker_list_shows_every_job_and_its_schedule(app, cli, temp_plugin):
    temp_plugin(Timing(), name="timing")
    result = cli.invoke(["worker", "--list"])
    assert result.exit_code == 0, result.output
    # (temp_plugin registers after the core, so its jobs may come first in this listing)
    assert sorted(result.output.splitlines()) == [
        f"{'core.deliver_outbox':<40} * * * * *",
        f"{'core.planner_statistics':<40} 10 4 * * *",
        f"{'core.prune_job_runs':<40} 40 4 * * *",
        f"{'timing.fail':<40} 0 7 * * *",
        f"{'timing.ok':<40} 0 7 * * *",
    ]


def test_worker_list_refuses_bad_jobs_with_the_plugins_message(app, cli, temp_plugin):
    temp_plugin(Timing([Job("tick", "* * * * *", record_customer)]), name="timing")
    result = cli.invoke(["worker", "--list"])
    assert result.exit_code == 1
    assert "Error: Plugin 'timing': job 'tick' must be named 'timing.<job>'" in result.output


def test_the_queue_is_described_without_the_redis_password(make_app):
    app = make_app(redis_url="redis://:s3cret@127.0.0.1:6379/2")
    assert queue_description(app) == "Redis redis://:***@127.0.0.1:6379/2"
    plain = make_app()
    assert queue_description(plain) == f"SQLite {plain.instance_path}/huey.sqlite3"


def test_the_worker_does_not_start_with_an_unknown_time_zone_or_unreachable_redis(make_app):
    with pytest.raises(ConfigError, match="unknown time zone 'Mars/Olympus'"):
        make_app(timezone="Mars/Olympus")  # the config check refuses it first
    wrong_zone = make_app()
    wrong_zone.config["CLIENTELE"]["timezone"] = "Mars/Olympus"
    with pytest.raises(WorkerError, match="'Mars/Olympus' is not a time zone"):
        start_worker(wrong_zone, workers=1, periodic=True)
    app = make_app(redis_url=f"redis://127.0.0.1:{free_port()}/0")
    with pytest.raises(WorkerError, match="cannot be reached"):
        start_worker(app, workers=1, periodic=True)


def test_a_day_and_a_weekday_must_both_match_unlike_classic_cron():
    # Huey's reading, documented in docs/operations.md: the 1st of the month AND a Monday.
    first_monday = company_schedule("0 9 1 * 1", BERLIN)
    assert first_monday(dt.datetime(2026, 6, 1, 7, 0))  # Monday 1 June, 09:00 CEST
    assert not first_monday(dt.datetime(2026, 6, 8, 7, 0))  # a Monday, not the 1st
    assert not first_monday(dt.datetime(2026, 7, 1, 7, 0))  # the 1st, a Wednesday
