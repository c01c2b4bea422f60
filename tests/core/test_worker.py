"""`clientele worker` as a real process on a real database: it delivers mail queued by another
process to a loopback SMTP server within seconds (SQLite queue or Redis), records its runs,
stops cleanly on SIGINT, and refuses to start while migrations are missing."""

from __future__ import annotations

import datetime as dt
import signal
import time
from pathlib import Path

import pytest
from sqlalchemy import select

from core.db import db
from core.jobs import worker_running
from core.models import JobRun, OutboxMessage, WorkerProcess, utcnow
from core.outbox import queue_email
from core.plugins import PluginError
from tests.core.servers import (
    ADMIN_EMAIL,
    ADMIN_PASSWORD,
    free_port,
    make_instance,
    program,
    running,
    smtp_server,
    wait_until,
)

ROOT = Path(__file__).resolve().parents[2]
REDIS_URL = "redis://127.0.0.1:6379/13"  # a database number of its own, emptied by the test


@pytest.fixture
def smtp():
    """A real SMTP server on 127.0.0.1."""
    with smtp_server() as server:
        yield server


@pytest.fixture
def installation(tmp_path, smtp):
    """A company's installation delivering to the loopback server, initialised by `clientele init`."""
    instance = make_instance(tmp_path, "worker", smtp_host="127.0.0.1", smtp_port=smtp.port)
    result = instance.run("init", "--admin-email", ADMIN_EMAIL, "--admin-password", ADMIN_PASSWORD)
    assert f"Admin login: {ADMIN_EMAIL}" in result.stdout
    return instance


def queue_one(app, subject: str) -> int:
    """Queue a message from this process (as the web app would) and commit it."""
    with app.app_context():
        message = queue_email("ada@example.com", subject, "Thank you, Ada.", source="test")
        db.session.commit()
        return message.id


def status_of(app, message_id: int) -> str:
    """The message's status as the database has it now (a fresh session each time)."""
    with app.app_context():
        return db.session.get(OutboxMessage, message_id).status


def check_worker_delivers(instance, smtp, **overrides) -> None:
    """Start the worker, queue two messages from here, see them arrive by SMTP, stop with SIGINT."""
    environment = instance.environment(
        **({"CLIENTELE_REDIS_URL": overrides["redis_url"]} if "redis_url" in overrides else {})
    )
    app = instance.app(**overrides)
    command = [program("clientele"), "worker", "--workers", "2"]
    with running(command, environment, instance.folder) as worker:
        worker.wait_for_output("Worker started", timeout=30)
        first = queue_one(app, "Your order SO-000001 is confirmed")
        [received] = smtp.inbox.wait_for(1, timeout=10)
        assert (received["To"], received["Subject"]) == (
            "ada@example.com",
            "Your order SO-000001 is confirmed",
        )
        assert received["From"] == "Ops Test Foods <shop@ops-test.example.com>"
        assert received.get_content() == "Thank you, Ada.\n"
        wait_until(lambda: status_of(app, first) == "sent", 5, "the message marked sent")

        # The schedule's next delivery is up to a minute away: this one arrives because the
        # commit asked the worker for a run.
        asked = time.monotonic()
        second = queue_one(app, "Your order SO-000002 is confirmed")
        smtp.inbox.wait_for(2, timeout=10)
        assert time.monotonic() - asked < 10
        wait_until(lambda: status_of(app, second) == "sent", 5, "the second message marked sent")

        assert worker.stop(signal.SIGINT) == 0, worker.output
    assert "Worker stopped." in worker.output
    assert "Traceback" not in worker.output
    with app.app_context():
        statuses = set(
            db.session.scalars(select(JobRun.status).where(JobRun.name == "core.deliver_outbox"))
        )
        assert statuses == {"ok"}
        db.engine.dispose()


def test_the_worker_delivers_queued_mail_with_the_sqlite_queue(installation, smtp):
    check_worker_delivers(installation, smtp)
    assert (installation.instance_path / "huey.sqlite3").exists()


def test_the_worker_delivers_queued_mail_with_redis(installation, smtp):
    redis = pytest.importorskip("redis")
    client = redis.Redis.from_url(REDIS_URL, socket_connect_timeout=1)
    try:
        client.ping()
    except redis.exceptions.ConnectionError as error:
        pytest.skip(f"Redis is not reachable at {REDIS_URL}: {error}")
    client.flushdb()
    try:
        check_worker_delivers(installation, smtp, redis_url=REDIS_URL)
    finally:
        client.flushdb()
        client.close()
    assert not (installation.instance_path / "huey.sqlite3").exists()


def test_worker_and_web_app_refuse_an_empty_database_and_say_what_to_run(tmp_path):
    instance = make_instance(tmp_path, "empty")

    result = instance.run("worker", check=False)

    assert result.returncode == 1
    assert "The core's tables are missing or out of date" in result.stderr
    assert "Run: clientele db upgrade" in result.stderr
    assert "Traceback" not in result.stderr
    with pytest.raises(PluginError, match="Run: clientele db upgrade"):
        instance.app()


def test_worker_and_web_app_refuse_an_enabled_plugin_without_its_tables(installation):
    installation.write_config(plugins=["example"])

    result = installation.run("worker", check=False)

    assert result.returncode == 1
    assert (
        "Plugin 'example': Tables of plugin 'example' are missing or out of date" in result.stderr
    )
    assert "Run: clientele db upgrade" in result.stderr
    with pytest.raises(PluginError, match="Tables of plugin 'example' are missing"):
        installation.app()

    upgraded = installation.run("db", "upgrade")
    assert "upgrading example@head" in upgraded.stdout
    app = installation.app()  # starts now
    with app.app_context():
        db.engine.dispose()


def test_a_started_worker_marks_a_killed_workers_run_interrupted_and_runs_it_again(installation):
    """A worker killed mid-run left its job run "running"; the next worker to start finds that
    no live worker holds it, marks it interrupted, runs the job again, and beats while it runs."""
    app = installation.app()
    with app.app_context():
        long_ago = utcnow() - dt.timedelta(minutes=10)
        killed = WorkerProcess(host="shop", pid=1, started_at=long_ago, seen_at=long_ago)
        db.session.add(killed)
        db.session.flush()
        stale = JobRun(
            name="core.prune_job_runs", status="running", started_at=long_ago, worker_id=killed.id
        )
        db.session.add(stale)
        db.session.commit()
        stale_id, killed_id = stale.id, killed.id
        db.engine.dispose()

    command = [program("clientele"), "worker", "--workers", "2"]
    with running(command, installation.environment(), installation.folder) as worker:
        worker.wait_for_output("Worker started", timeout=30)
        assert "Interrupted job runs found; queued again: core.prune_job_runs." in worker.output

        def runs():
            with app.app_context():
                rows = db.session.execute(
                    select(JobRun.name, JobRun.status).where(JobRun.name == "core.prune_job_runs")
                ).all()
                db.engine.dispose()
                return rows

        wait_until(lambda: len(runs()) == 2 and runs()[1][1] == "ok", 10, "the job run again")
        with app.app_context():
            assert db.session.get(JobRun, stale_id).status == "interrupted"
            assert worker_running() is True
            db.engine.dispose()
        assert worker.stop(signal.SIGINT) == 0, worker.output
    with app.app_context():
        assert worker_running() is False  # stopped cleanly: the dashboard says so at once
        [row] = db.session.scalars(select(WorkerProcess).where(WorkerProcess.id != killed_id))
        assert row.stopped_at is not None
        db.engine.dispose()


def test_run_with_worker_serves_pages_and_runs_the_worker_until_ctrl_c(installation):
    """`make run` runs `clientele run --with-worker`: one command, the web and the worker, and
    one SIGINT (what Ctrl-C sends) stops both, the worker cleanly."""
    import urllib.request

    assert "clientele run --with-worker" in (ROOT / "Makefile").read_text()
    port = free_port()
    command = [program("clientele"), "run", "--with-worker", "--port", str(port)]
    app = installation.app()
    with running(command, installation.environment(), installation.folder) as server:
        server.wait_for_output("Worker started", timeout=30)

        def answers() -> bool:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/login", timeout=2) as page:
                    return page.status == 200
            except OSError:
                return False

        wait_until(answers, 15, "the web server answering")
        with app.app_context():
            assert worker_running() is True
            db.engine.dispose()
        assert server.stop(signal.SIGINT, timeout=40) == 0, server.output
    assert "Worker stopped." in server.output
    assert "Traceback" not in server.output
    with app.app_context():
        assert worker_running() is False
        assert db.session.scalar(select(WorkerProcess.stopped_at)) is not None
        db.engine.dispose()
