"""Two clerks at once: an app on a scratch database whose commits are real, and threads that
each work in their own session and connection (so PostgreSQL sees two transactions)."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from tests.core.servers import scratch_database_url


@contextmanager
def committed_app(folder: Path, suffix: str, plugins: list[str] | None = None) -> Iterator[Any]:
    """A testing app on a migrated scratch database (SQLite, or PostgreSQL when configured)."""
    from core import create_app
    from core.db import db
    from core.migrate import upgrade

    app = create_app(
        "/dev/null",
        database_url=scratch_database_url(folder, suffix),
        plugins=plugins or [],
        testing=True,
        check_migrations=False,
        instance_path=str(folder / "instance"),
    )
    app.config["WTF_CSRF_ENABLED"] = False
    upgrade(app)
    try:
        yield app
    finally:
        with app.app_context():
            db.session.remove()
            db.engine.dispose()


class Worker(threading.Thread):
    """Runs func() in its own app context (own session, own connection); keeps result or error."""

    def __init__(self, app: Any, func: Callable[[], Any]) -> None:
        super().__init__(daemon=True)
        self.app = app
        self.func = func
        self.result: Any = None
        self.error: BaseException | None = None

    def run(self) -> None:
        from core.db import db

        with self.app.app_context():
            try:
                self.result = self.func()
            except BaseException as error:  # noqa: BLE001 - the test looks at it
                self.error = error
                db.session.rollback()
            finally:
                db.session.remove()

    def finish(self, timeout: float = 30) -> Any:
        """Wait for the thread; re-raise its error; return its result."""
        self.join(timeout)
        assert not self.is_alive(), "the worker is still waiting (a lock never released?)"
        if self.error is not None:
            raise self.error
        return self.result


def two_at_once(
    app: Any, load: Callable[[], Any], act: Callable[[Any], Any], hold: float = 0.3
) -> list[Any]:
    """Two clerks act on the same row: the second reads it after the first acted, before it committed.

    Returns each one's outcome: "ok" or the exception raised. The first holds its
    transaction open ``hold`` seconds after the second started, so the second's action runs
    while the first's change is uncommitted (and, with row locks, waits for it).
    """
    from core.db import db

    acted = threading.Event()
    second_started = threading.Event()

    def first() -> str:
        row = load()
        act(row)
        acted.set()
        second_started.wait(10)
        threading.Event().wait(hold)
        db.session.commit()
        return "ok"

    def second() -> str:
        acted.wait(10)
        row = load()
        second_started.set()
        act(row)
        db.session.commit()
        return "ok"

    workers = [Worker(app, first), Worker(app, second)]
    for worker in workers:
        worker.start()
    outcomes: list[Any] = []
    for worker in workers:
        worker.join(60)
        assert not worker.is_alive(), "a clerk is still waiting (a lock never released?)"
        outcomes.append(worker.error if worker.error is not None else worker.result)
    return outcomes


class HookLog:
    """A plugin object that records every order hook call: [(hook, order number)]."""

    def __init__(self) -> None:
        self.calls: list[tuple[str, str]] = []

    def register(self, app: Any) -> HookLog:
        from core.plugins import hookimpl

        log = self

        class Recorder:
            @hookimpl
            def order_confirmed(self, order: Any) -> None:
                log.calls.append(("order_confirmed", order.number))

            @hookimpl
            def order_cancelled(self, order: Any) -> None:
                log.calls.append(("order_cancelled", order.number))

            @hookimpl
            def order_refunded(self, order: Any, lines: Any) -> None:
                log.calls.append(("order_refunded", order.number))

        app.extensions["clientele"].pm.register(Recorder(), name="hook_log")
        return self
