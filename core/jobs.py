"""Scheduled jobs on Huey: SQLite storage in the instance folder, or Redis when configured.

`clientele worker` starts the consumer. Every job from scheduled_jobs() becomes a periodic
task; each run gets its own app context and transaction, is recorded in job_run, and a
failure is logged and recorded while the other jobs go on. Two runs of one job never
overlap: a run that finds the job still running is skipped (a run_soon one retries).

Cron times are read in the company's time zone ([clientele].timezone), whatever the
server's clock says: "0 7 * * *" is seven in the morning where the company is, summer and
winter. Huey keeps its own clock in UTC. On the night the clocks go forward a time inside
the skipped hour does not happen, and on the night they go back one inside the repeated
hour happens twice (jobs are idempotent, so that is harmless). A day of the month and a
weekday given together must both match (Huey's reading; classic cron takes either).
"""

from __future__ import annotations

import datetime as dt
import logging
import os
import re
import socket
import threading
import traceback
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from flask import Flask, current_app
from huey import RedisHuey, SqliteHuey, crontab
from huey.api import Huey
from huey.consumer import Consumer
from sqlalchemy import delete, event, or_, select, update
from sqlalchemy.orm import Session, SessionTransaction

from core.db import db, writing
from core.models import JobRun, WorkerProcess, utcnow
from core.plugins import Job, PluginError, call_each

log = logging.getLogger("clientele.jobs")

#: The five cron fields in order, with the values each accepts (weekday 0 and 7 are Sunday).
CRON_FIELDS = (
    ("minute", 0, 59),
    ("hour", 0, 23),
    ("day", 1, 31),
    ("month", 1, 12),
    ("weekday", 0, 7),
)
CRON_PIECE = re.compile(r"^(\*|\d+(-\d+)?)(/\d+)?$")
JOB_PART = re.compile(r"^[a-z][a-z0-9_]*$")
#: Huey's queue name (Redis keys start with "huey.redis.clientele"; SQLite rows carry it).
QUEUE_NAME = "clientele"
#: The Huey SQLite file in the instance folder (apart from the app's database).
QUEUE_FILE = "huey.sqlite3"
RUN_NOW_TASK = "core.run_job_now"
#: How long job_run rows are kept.
KEEP_JOB_RUNS = dt.timedelta(days=30)
#: How long a stopping worker waits for running jobs (a delivery run takes at most ~75 s).
SHUTDOWN_TIMEOUT_SECONDS = 90
#: A running worker updates its worker_process row this often ...
HEARTBEAT_SECONDS = 15
#: ... and counts as gone when it has not done so for this long.
WORKER_GONE_AFTER = dt.timedelta(seconds=60)
#: The error text of a job run whose worker stopped before the run finished.
INTERRUPTED = (
    "The worker running this job stopped before the run finished (killed or crashed); "
    "it was marked interrupted when a worker started again."
)
WORKER_ID = "clientele.worker_id"
AFTER_COMMIT = "clientele.after_commit"
WROTE = "clientele.wrote"
_huey_lock = threading.Lock()


@dataclass(frozen=True)
class RunResult:
    """What one run of a job did: its job_run id, "ok" or "failed", and the error text."""

    run_id: int
    name: str
    status: str
    error: str = ""


def parse_cron(text: str) -> Callable[[dt.datetime], bool]:
    """ "*/5 * * * *" → Huey's test of a wall-clock time; ValueError naming the bad field."""
    fields = text.split() if isinstance(text, str) else []
    if len(fields) != len(CRON_FIELDS):
        raise ValueError(
            f"'{text}' is not a cron schedule (five fields: minute hour day month weekday)"
        )
    for value, (field, low, high) in zip(fields, CRON_FIELDS, strict=True):
        for piece in value.split(","):
            match = CRON_PIECE.match(piece)
            numbers = (
                [int(number) for number in re.findall(r"\d+", match.group(1))] if match else []
            )
            step = int(match.group(3)[1:]) if match and match.group(3) else 1
            if not match or step == 0 or any(not low <= number <= high for number in numbers):
                raise ValueError(
                    f"cron '{text}': the {field} field '{value}' is not valid "
                    f"(use *, a number from {low} to {high}, a range a-b, a list a,b or a step */n)"
                )
    try:
        return crontab(*fields, strict=True)
    except ValueError as error:
        raise ValueError(f"cron '{text}': {error}") from None


def company_schedule(cron: str, zone: ZoneInfo) -> Callable[[dt.datetime], bool]:
    """A test for Huey's UTC clock that matches `cron` read in the company's time zone."""
    matches = parse_cron(cron)

    def due(utc_time: dt.datetime) -> bool:
        return matches(utc_time.replace(tzinfo=dt.UTC).astimezone(zone))

    return due


def collect_jobs(app: Flask) -> dict[str, Job]:
    """Every job by name: the core's and each enabled plugin's, names and schedules checked."""
    jobs: dict[str, Job] = {}
    for plugin, listed in call_each(app.extensions["clientele"].pm, "scheduled_jobs"):
        if not isinstance(listed, list | tuple):
            raise PluginError(
                plugin,
                f"scheduled_jobs() returned {type(listed).__name__}, not a list.",
                "Return a list of Job(name, cron, func).",
            )
        for job in listed:
            _check_job(plugin, job, jobs)
            jobs[job.name] = job
    return jobs


def _check_job(plugin: str, job: Any, jobs: dict[str, Job]) -> None:
    """Raise PluginError when a listed job is not a Job, is misnamed, duplicated or badly timed."""
    if not isinstance(job, Job) or not callable(job.func):
        raise PluginError(
            plugin,
            f"scheduled_jobs() listed {job!r}, which is not a Job with a callable func.",
            "Return Job(name, cron, func) entries from core.plugins.",
        )
    prefix, _, rest = str(job.name).partition(".")
    if prefix != plugin or not JOB_PART.match(rest):
        raise PluginError(
            plugin,
            f"job '{job.name}' must be named '{plugin}.<job>' (lower case letters, digits and _).",
            "Rename it.",
        )
    if job.name in jobs:
        raise PluginError(plugin, f"job '{job.name}' is defined twice.", "Rename one of them.")
    try:
        parse_cron(job.cron)
    except ValueError as error:
        raise PluginError(plugin, f"job '{job.name}': {error}.", "Fix its cron field.") from None


def run_job(app: Flask, job: Job) -> RunResult:
    """Run one job in its own app context and transaction, recording the run in job_run."""
    with app.app_context(), writing():
        worker_id = app.extensions.get(WORKER_ID)
        run = JobRun(name=job.name, started_at=utcnow(), status="running", worker_id=worker_id)
        db.session.add(run)
        db.session.commit()
        run_id = run.id
        error = ""
        try:
            job.func()
            db.session.commit()
        except Exception:
            db.session.rollback()
            log.exception("job %s failed", job.name)
            error = traceback.format_exc(limit=30)[-20_000:]
        status = "failed" if error else "ok"
        run = db.session.get(JobRun, run_id) or run
        run.status = status
        run.error = error
        run.finished_at = utcnow()
        db.session.commit()
        return RunResult(run_id, job.name, status, error)


def lock_name(name: str) -> str:
    """The Huey lock that keeps two runs of one job from overlapping."""
    return f"job.{name}"


def run_locked(app: Flask, huey: Huey, name: str) -> str:
    """Run the named job unless a run of it is going on (then Huey's TaskLockedException)."""
    job = collect_jobs(app).get(name)
    if job is None:
        log.error("job %s: no enabled plugin defines it; the run is dropped", name)
        return "unknown"
    with huey.lock_task(lock_name(name)):
        return run_job(app, job).status


def make_huey(app: Flask, immediate: bool | None = None) -> Huey:
    """A Huey for the app: Redis when redis_url is set, else SQLite in the instance folder.

    ``immediate`` (default: the app's testing flag) runs each task as soon as it is queued,
    in memory, which is how tests see run_soon() work without a worker.
    """
    settings = app.config["CLIENTELE"]
    immediate = bool(settings["testing"]) if immediate is None else immediate
    # utc=True: Huey's own clock is UTC; company_schedule() converts for cron times.
    options: dict[str, Any] = {"results": False, "utc": True, "immediate": immediate}
    if settings["redis_url"]:
        huey: Huey = RedisHuey(QUEUE_NAME, url=settings["redis_url"], **options)
    else:
        Path(app.instance_path).mkdir(parents=True, exist_ok=True)
        path = str(Path(app.instance_path) / QUEUE_FILE)
        huey = SqliteHuey(QUEUE_NAME, filename=path, **options)

    # A job asked for by run_soon() that is running already is tried again every 5 s for a minute.
    @huey.task(name=RUN_NOW_TASK, retries=12, retry_delay=5)
    def run_job_now(name: str) -> str:
        return run_locked(app, huey, name)

    app.extensions["clientele.run_job_now"] = run_job_now
    return huey


def huey_of(app: Flask) -> Huey:
    """The app's Huey, made on first use (the worker, and web processes that call run_soon)."""
    with _huey_lock:
        if "clientele.huey" not in app.extensions:
            app.extensions["clientele.huey"] = make_huey(app)
        return app.extensions["clientele.huey"]


def schedule_jobs(app: Flask, huey: Huey) -> list[Job]:
    """Register every job as a Huey periodic task on the company's clock; returns them."""
    zone = ZoneInfo(app.config["CLIENTELE"]["timezone"])
    jobs = list(collect_jobs(app).values())
    for job in jobs:
        huey.lock_task(lock_name(job.name))  # known locks are flushed when the worker starts

        def task(name: str = job.name) -> str:
            return run_locked(app, huey, name)

        huey.periodic_task(company_schedule(job.cron, zone), name=job.name)(task)
    return jobs


def run_soon(name: str) -> None:
    """Ask the worker to run a job now, once the current transaction commits if it wrote anything.

    So a view may call it before or after its commit: the worker never starts before the
    rows the job needs are there, and a rolled-back action asks for nothing. Under testing
    the job runs in this process at that moment. A queue that cannot be reached is logged
    (the job still runs at its scheduled time).
    """
    app = current_app._get_current_object()  # type: ignore[attr-defined]
    if name not in collect_jobs(app):
        raise PluginError(
            None, f"There is no job called '{name}'.", "See `clientele worker --list`."
        )
    session = db.session()
    if session.new or session.dirty or session.deleted or session.info.get(WROTE):
        after_commit(session, f"run_soon:{name}", lambda: enqueue_job(app, name))
    else:
        enqueue_job(app, name)


def enqueue_job(app: Flask, name: str) -> None:
    """Put a run of the job on the queue now; log instead of failing when the queue is down."""
    try:
        huey_of(app)
        app.extensions["clientele.run_job_now"](name)
    except Exception:
        log.exception("job %s: could not reach the queue; it runs at its scheduled time", name)


def after_commit(session: Session, key: str, callback: Callable[[], Any]) -> None:
    """Call callback once after the session's transaction commits; forget it on rollback.

    Callbacks with the same key run once. A savepoint that rolls back does not cancel them:
    they only ever start idempotent work, so one run too many is harmless.
    """
    session.info.setdefault(AFTER_COMMIT, {})[key] = callback


@event.listens_for(Session, "after_commit")
def _run_after_commit(session: Session) -> None:
    """Run the callbacks when the outermost transaction commits (not a savepoint)."""
    if session.in_nested_transaction():
        return
    session.info.pop(WROTE, None)
    for key, callback in session.info.pop(AFTER_COMMIT, {}).items():
        try:
            callback()
        except Exception:
            log.exception("after commit: %s failed", key)


@event.listens_for(Session, "after_transaction_end")
def _forget_after_rollback(session: Session, transaction: SessionTransaction) -> None:
    """Drop the callbacks of an outermost transaction that ended without a commit."""
    if transaction.parent is None:
        session.info.pop(AFTER_COMMIT, None)
        session.info.pop(WROTE, None)


@event.listens_for(Session, "after_flush")
def _remember_flush(session: Session, flush_context: Any) -> None:
    """Note that this transaction wrote rows (run_soon then waits for the commit)."""
    session.info[WROTE] = True


@event.listens_for(Session, "do_orm_execute")
def _remember_statement(orm_execute_state: Any) -> None:
    """Note INSERT/UPDATE/DELETE statements run through the session, as flushes are noted."""
    if orm_execute_state.is_insert or orm_execute_state.is_update or orm_execute_state.is_delete:
        orm_execute_state.session.info[WROTE] = True


def prune_job_runs() -> None:
    """Delete job_run rows older than KEEP_JOB_RUNS (the admin page shows the latest)."""
    db.session.execute(delete(JobRun).where(JobRun.started_at < utcnow() - KEEP_JOB_RUNS))


def queue_description(app: Flask) -> str:
    """Where the queue lives, for the worker's first line (a Redis password is hidden)."""
    url = app.config["CLIENTELE"]["redis_url"]
    if not url:
        return f"SQLite {Path(app.instance_path) / QUEUE_FILE}"
    return f"Redis {without_password(url)}"


def without_password(url: str) -> str:
    """The URL with its password replaced by ***."""
    parts = urlsplit(url)
    if not parts.password:
        return url
    host = parts.hostname or ""
    netloc = f"{parts.username or ''}:***@{host}" + (f":{parts.port}" if parts.port else "")
    return urlunsplit(parts._replace(netloc=netloc))


def start_worker(app: Flask, workers: int, periodic: bool) -> Consumer:
    """Make the Huey consumer for `clientele worker`: queue reachable, jobs scheduled.

    Raises WorkerError with the reason when the time zone is unknown or Redis cannot be reached.
    """
    zone_name = app.config["CLIENTELE"]["timezone"]
    try:
        ZoneInfo(zone_name)
    except (ZoneInfoNotFoundError, ValueError):
        raise WorkerError(
            f"[clientele].timezone '{zone_name}' is not a time zone; use a name such as Europe/Berlin."
        ) from None
    huey = make_huey(app, immediate=False)
    if app.config["CLIENTELE"]["redis_url"]:
        try:
            huey.storage.conn.ping()
        except Exception as error:
            raise WorkerError(
                f"Redis at {without_password(app.config['CLIENTELE']['redis_url'])} cannot be "
                f"reached ({error}). "
                "Start Redis or correct CLIENTELE_REDIS_URL / [clientele].redis_url."
            ) from None
    app.extensions["clientele.huey"] = huey
    if periodic:
        schedule_jobs(app, huey)
    # Locks are flushed by the scheduling worker only: a stale one is left by a killed worker.
    return Consumer(
        huey,
        workers=workers,
        worker_type="thread",
        periodic=periodic,
        max_delay=2.0,
        flush_locks=periodic,
        shutdown_timeout=SHUTDOWN_TIMEOUT_SECONDS,
    )


def register_worker(app: Flask) -> int:
    """Record this worker process (its heartbeat row); returns the row's id."""
    with app.app_context(), writing():
        now = utcnow()
        worker = WorkerProcess(
            host=socket.gethostname()[:255], pid=os.getpid(), started_at=now, seen_at=now
        )
        db.session.add(worker)
        db.session.commit()
        return int(worker.id)


def beat(app: Flask, worker_id: int, stopped: bool = False) -> None:
    """Say the worker is alive (or, with stopped, that it stopped cleanly)."""
    with app.app_context(), writing():
        now = utcnow()
        values: dict[str, Any] = {"seen_at": now}
        if stopped:
            values["stopped_at"] = now
        db.session.execute(
            update(WorkerProcess).where(WorkerProcess.id == worker_id).values(**values)
        )
        db.session.commit()


class Heartbeat:
    """A thread that calls beat() every HEARTBEAT_SECONDS until stop() (which beats "stopped")."""

    def __init__(self, app: Flask, worker_id: int, seconds: float = HEARTBEAT_SECONDS) -> None:
        self.app, self.worker_id, self.seconds = app, worker_id, seconds
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="clientele-heartbeat", daemon=True)

    def start(self) -> None:
        self._thread.start()

    def _run(self) -> None:
        while not self._stop.wait(self.seconds):
            try:
                beat(self.app, self.worker_id)
            except Exception:
                log.exception("worker heartbeat failed; trying again in %s s", self.seconds)

    def stop(self) -> None:
        self._stop.set()
        self._thread.join(timeout=self.seconds + 5)
        beat(self.app, self.worker_id, stopped=True)


def live_worker_ids(now: dt.datetime | None = None) -> set[int]:
    """The workers that have not stopped and said they are alive within WORKER_GONE_AFTER."""
    now = now or utcnow()
    return set(
        db.session.scalars(
            select(WorkerProcess.id).where(
                WorkerProcess.stopped_at.is_(None),
                WorkerProcess.seen_at >= now - WORKER_GONE_AFTER,
            )
        )
    )


def worker_running() -> bool:
    """True when at least one worker is alive (the dashboard warns otherwise)."""
    return bool(live_worker_ids())


def mark_interrupted(app: Flask, worker_id: int | None = None) -> list[str]:
    """Mark "running" job runs that no live worker holds as interrupted; returns their job names.

    A run held by a live worker (another one, or this one) is left alone. A run without a
    worker (from a web process) counts as held by nobody once it is older than
    WORKER_GONE_AFTER.
    """
    with app.app_context(), writing():
        now = utcnow()
        alive = live_worker_ids(now) | ({worker_id} if worker_id else set())
        orphaned = or_(
            JobRun.worker_id.is_(None) & (JobRun.started_at < now - WORKER_GONE_AFTER),
            JobRun.worker_id.is_not(None) & JobRun.worker_id.not_in(alive or {0}),
        )
        runs = list(db.session.scalars(select(JobRun).where(JobRun.status == "running", orphaned)))
        for run in runs:
            run.status = "interrupted"
            run.finished_at = now
            run.error = INTERRUPTED
            log.warning("job %s: run %d was interrupted; marked so", run.name, run.id)
        db.session.commit()
        return sorted({run.name for run in runs})


def recover_interrupted(app: Flask, worker_id: int) -> list[str]:
    """At worker start: mark orphaned runs interrupted and queue a fresh run of each such job.

    Jobs are idempotent, so a rerun finishes what the interrupted run left undone (mail not
    yet sent stays pending in the outbox, a half-made batch was rolled back). Returns the
    names of the jobs queued again.
    """
    names = mark_interrupted(app, worker_id)
    known = collect_jobs(app)
    again = [name for name in names if name in known]
    for name in again:
        enqueue_job(app, name)
        log.info("job %s: queued again after an interrupted run", name)
    return again


class WorkerError(Exception):
    """The worker cannot start; the message says why and what to change."""
