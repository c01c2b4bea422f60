"""A worker's heartbeat, job runs left "running" by a killed worker marked interrupted and run
again, and SQLite taking one writer at a time (no "database is locked" between job threads)."""

from __future__ import annotations

import datetime as dt
import threading
import time

import pytest
from sqlalchemy import func, select, text

from core.db import db, writing
from core.jobs import (
    INTERRUPTED,
    WORKER_GONE_AFTER,
    mark_interrupted,
    recover_interrupted,
    worker_running,
)
from core.models import Customer, JobRun, WorkerProcess, utcnow
from core.testing import build_app


def add_worker(seen_ago: dt.timedelta, stopped: bool = False) -> int:
    """A worker_process row last seen seen_ago (stopped cleanly if stopped)."""
    seen = utcnow() - seen_ago
    worker = WorkerProcess(
        host="shop", pid=4242, started_at=seen, seen_at=seen, stopped_at=seen if stopped else None
    )
    db.session.add(worker)
    db.session.flush()
    return worker.id


def add_run(name: str, worker_id: int | None, started_ago: dt.timedelta) -> int:
    run = JobRun(
        name=name, status="running", started_at=utcnow() - started_ago, worker_id=worker_id
    )
    db.session.add(run)
    db.session.flush()
    return run.id


def test_worker_running_follows_the_heartbeat(app):
    assert worker_running() is False  # no worker ever started
    gone = add_worker(WORKER_GONE_AFTER + dt.timedelta(seconds=5))
    add_worker(dt.timedelta(seconds=1), stopped=True)
    assert worker_running() is False  # one killed long ago, one stopped cleanly
    db.session.get(WorkerProcess, gone).seen_at = utcnow()
    db.session.flush()
    assert worker_running() is True


def test_runs_of_a_dead_worker_are_interrupted_and_those_of_a_live_one_kept(app):
    dead = add_worker(dt.timedelta(minutes=5))
    alive = add_worker(dt.timedelta(seconds=3))
    starting = add_worker(dt.timedelta(seconds=0))
    killed_run = add_run("core.deliver_outbox", dead, dt.timedelta(minutes=6))
    held_run = add_run("core.planner_statistics", alive, dt.timedelta(minutes=6))
    web_run_old = add_run("core.prune_job_runs", None, dt.timedelta(minutes=10))
    web_run_new = add_run("core.prune_job_runs", None, dt.timedelta(seconds=2))
    finished = JobRun(name="core.deliver_outbox", status="ok", worker_id=dead, started_at=utcnow())
    db.session.add(finished)
    db.session.flush()

    assert mark_interrupted(app, starting) == ["core.deliver_outbox", "core.prune_job_runs"]

    def state(run_id):
        run = db.session.get(JobRun, run_id)
        return run.status, run.error == INTERRUPTED, run.finished_at is not None

    assert state(killed_run) == ("interrupted", True, True)
    assert state(web_run_old) == ("interrupted", True, True)
    assert state(held_run) == ("running", False, False)
    assert state(web_run_new) == ("running", False, False)
    assert db.session.get(JobRun, finished.id).status == "ok"
    assert mark_interrupted(app, starting) == []  # nothing twice


def test_an_interrupted_job_runs_again_at_worker_start(app):
    dead = add_worker(dt.timedelta(minutes=5))
    starting = add_worker(dt.timedelta(seconds=0))
    add_run("core.prune_job_runs", dead, dt.timedelta(minutes=6))
    add_run("gone_plugin.nightly", dead, dt.timedelta(minutes=6))  # no longer defined: not rerun

    assert recover_interrupted(app, starting) == ["core.prune_job_runs"]

    runs = db.session.execute(
        select(JobRun.name, JobRun.status).order_by(JobRun.id)
    ).all()  # under testing the queued run ran at once
    assert runs == [
        ("core.prune_job_runs", "interrupted"),
        ("gone_plugin.nightly", "interrupted"),
        ("core.prune_job_runs", "ok"),
    ]


@pytest.fixture
def sqlite_app(tmp_path):
    """An app on a SQLite file of its own (two real connections, not one test transaction)."""
    app = build_app(f"sqlite:///{tmp_path / 'shop.sqlite3'}", tmp_path / "instance")
    yield app
    with app.app_context():
        db.engine.dispose()


def test_two_job_threads_writing_at_once_wait_their_turn_on_sqlite(sqlite_app):
    """The job read, another thread committed, then the job wrote: with a deferred BEGIN the
    job's snapshot is stale and SQLite refuses at once ("database is locked")."""
    read_done = threading.Event()
    errors: list[BaseException] = []

    def job_that_reads_then_writes():
        try:
            with sqlite_app.app_context(), writing():
                db.session.scalar(select(func.count(Customer.id)))
                read_done.set()
                time.sleep(0.5)
                db.session.add(Customer(name="Ada Lovelace"))
                db.session.commit()
        except BaseException as error:  # noqa: BLE001 - reported by the assertion below
            errors.append(error)
            read_done.set()

    def other_writer():
        try:
            read_done.wait(5)
            with sqlite_app.app_context(), writing():
                db.session.add(Customer(name="Grace Hopper"))
                db.session.commit()
        except BaseException as error:  # noqa: BLE001
            errors.append(error)

    threads = [
        threading.Thread(target=job_that_reads_then_writes),
        threading.Thread(target=other_writer),
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(20)
    assert errors == []
    with sqlite_app.app_context():
        names = list(db.session.scalars(select(Customer.name).order_by(Customer.id)))
        assert names == ["Ada Lovelace", "Grace Hopper"]
        assert db.session.execute(text("PRAGMA busy_timeout")).scalar() == 10000


def test_a_post_request_takes_the_sqlite_write_lock_first(sqlite_app):
    """Web requests that change state (POST) begin IMMEDIATE; GET requests do not."""
    seen: list[str] = []
    from sqlalchemy import event

    with sqlite_app.app_context():
        engine = db.engine

    def record(connection, cursor, statement, *args):
        if statement.startswith("BEGIN"):
            seen.append(statement)

    event.listen(engine, "before_cursor_execute", record)
    try:
        with sqlite_app.test_request_context("/", method="POST"):
            db.session.scalar(select(func.count(Customer.id)))
            db.session.rollback()
        with sqlite_app.test_request_context("/", method="GET"):
            db.session.scalar(select(func.count(Customer.id)))
            db.session.rollback()
    finally:
        event.remove(engine, "before_cursor_execute", record)
    assert seen == ["BEGIN IMMEDIATE", "BEGIN"]


def test_the_dashboard_tells_an_admin_when_no_worker_runs(app, client, login_as):
    login_as("admin")
    page = client.get("/").get_data(as_text=True)
    assert "The job worker is not running." in page
    assert "The job worker is not running." in client.get("/admin/plugins").get_data(as_text=True)

    add_worker(dt.timedelta(seconds=2))
    assert "The job worker is not running." not in client.get("/").get_data(as_text=True)
    assert "The job worker is not running." not in client.get("/admin/plugins").get_data(
        as_text=True
    )


def test_staff_who_cannot_start_the_worker_are_not_told(client, login_as):
    login_as("sales")
    assert "The job worker is not running." not in client.get("/").get_data(as_text=True)
