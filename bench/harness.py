"""What a benchmark module gets: the app for a plugin set on the big data set, timing and reporting.

A module `bench/bench_<name>.py` exposes `PLUGINS` (the plugins it needs; the module is
skipped when one cannot be enabled) and `run(ctx: BenchContext) -> None`, which times the
real code path and the hand-written SQL that computes the same answer, and reports both:

    ctx.compare("loyalty_tiers", real, "sql_tiers", reference, goal=2.0, same=sorted)

Every figure is the median seconds per call of several runs after a warm-up (bench.timing).
"""

from __future__ import annotations

import datetime as dt
import functools
import json
import os
import re
import sys
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from decimal import Decimal
from fnmatch import fnmatchcase
from pathlib import Path
from typing import Any, NoReturn, TypeVar

from flask import Flask

from bench.data import Dataset, Scale
from bench.timing import Timing, measure, measure_pair

T = TypeVar("T")

#: A `:name` parameter (not a PostgreSQL `::type` cast).
PARAMETER = re.compile(r"(?<![:\w]):([A-Za-z_]\w*)")
RESULTS_DIR = Path(__file__).resolve().parent / "results"
#: Tryton 8.2 on a 2-core machine: invoices created and posted with commission accrual.
PEER_LINES_PER_SECOND = 65.0
#: What confirm_orders must reach at least: 10× the peer.
CONFIRM_TARGET_LINES_PER_SECOND = 10 * PEER_LINES_PER_SECOND


#: How many functions a PROFILE line lists.
PROFILE_TOP = 10


class SkipBenchmark(Exception):
    """Raised (via ctx.skip) when a benchmark cannot run here; the runner prints SKIP and goes on."""


class BenchMismatch(Exception):
    """A benchmark and its reference returned different answers, so the ratio would mean nothing."""


@dataclass
class Record:
    """One printed BENCH line, kept for the summary and bench/results/last-*.json."""

    name: str
    seconds: float
    ref_name: str
    ref_seconds: float
    goal: float
    module: str = ""
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def ratio(self) -> float:
        """Seconds over reference seconds (∞ when the reference took no measurable time)."""
        return self.seconds / self.ref_seconds if self.ref_seconds > 0 else float("inf")

    @property
    def met(self) -> bool:
        """True when the ratio is within the goal."""
        return self.ratio <= self.goal

    def line(self) -> str:
        """The machine-readable line: BENCH name Xs ref=name Ys ratio=x.xx goal=x.xx."""
        return (
            f"BENCH {self.name} {self.seconds:.6f}s ref={self.ref_name} {self.ref_seconds:.6f}s "
            f"ratio={self.ratio:.2f} goal={self.goal:.2f}"
        )


class BenchContext:
    """Everything a benchmark module needs; one per run of `python -m bench`."""

    def __init__(
        self,
        database: str,
        database_url: str,
        scale: Scale,
        dataset: Dataset,
        only: Sequence[str] = (),
        repeat: int = 5,
        instance_path: Path | None = None,
        profile: bool = False,
    ) -> None:
        #: "sqlite" or "postgresql".
        self.database = database
        #: SQLAlchemy URL of the working database (a fresh copy of the generated data set).
        self.database_url = database_url
        #: The stated scale (customers, order lines, ...) the data set was generated at.
        self.scale = scale
        #: What the generator wrote: counts, seed, the last order day (`end_date`), salespeople.
        self.dataset = dataset
        #: Runs per timed figure (the median is printed).
        self.repeat = repeat
        self.module = ""
        self.records: list[Record] = []
        self.notes: list[str] = []
        #: (name, value, limit, unit, met) of the LIMIT lines (memory).
        self.limits: list[tuple[str, float, float, str, bool]] = []
        self._only = list(only)
        self._apps: dict[str, Flask] = {}
        self._done: dict[str, Any] = {}
        self._instance_path = instance_path or RESULTS_DIR / "instance"
        #: With --profile, each benchmark's real path is run once more under pyinstrument.
        self.profiling = profile

    # -- choosing what runs -------------------------------------------------------------

    def wanted(self, name: str) -> bool:
        """True unless --only names something else (this module, or a benchmark name pattern)."""
        if not self._only or self.module in self._only or f"bench_{self.module}" in self._only:
            return True
        return any(fnmatchcase(name, pattern) for pattern in self._only)

    def skip(self, reason: str) -> NoReturn:
        """Stop the current module with a SKIP message (not an error)."""
        raise SkipBenchmark(reason)

    # -- the app ---------------------------------------------------------------------------

    def app(self, plugins: Sequence[str] = (), settings: Mapping[str, Any] | None = None) -> Flask:
        """The app with these plugins enabled on the working database, migrated for them.

        Apps are cached per plugin set and settings. A plugin that cannot be enabled (not
        installed, broken, bad settings) skips the calling module with the loader's message.
        """
        from core import create_app
        from core.migrate import upgrade
        from core.plugins import PluginError

        key = json.dumps([sorted(plugins), settings or {}], sort_keys=True, default=str)
        if key in self._apps:
            return self._apps[key]
        try:
            app = create_app(
                os.devnull,
                database_url=self.database_url,
                plugins=list(plugins),
                settings=dict(settings or {}),
                check_migrations=False,
                instance_path=str(self._instance_path),
                secret_key="bench-secret-key",
            )
        except PluginError as error:
            self.skip(f"cannot enable {', '.join(plugins)}: {error}")
        except Exception as error:  # a plugin broken in a way the loader did not foresee
            self.skip(f"cannot enable {', '.join(plugins)}: {type(error).__name__}: {error}")
        app.config["WTF_CSRF_ENABLED"] = False
        # Display hooks re-raise: a panel that fails must fail the benchmark, not be timed.
        app.config["RERAISE_HOOK_ERRORS"] = True
        upgrade(app)
        self._apps[key] = app
        return app

    def close(self) -> None:
        """Close every app's database connections (before the working copy is removed)."""
        from core.db import db

        for app in self._apps.values():
            with app.app_context():
                db.session.remove()
                db.engine.dispose()

    @contextmanager
    def using(
        self, plugins: Sequence[str] = (), settings: Mapping[str, Any] | None = None
    ) -> Iterator[Flask]:
        """`with ctx.using(["loyalty"]) as app:` — the app with its app context pushed."""
        app = self.app(plugins, settings)
        with app.app_context():
            yield app

    def once(self, key: str, func: Callable[[], T]) -> T:
        """Run func once per run of the suite (e.g. a plugin's full recompute) and keep its result."""
        if key not in self._done:
            start = time.perf_counter()
            self._done[key] = func()
            self.note(f"PREP {key} {time.perf_counter() - start:.2f}s")
        return self._done[key]

    def backfill(self, plugin: str, chunk: int = 5000) -> None:
        """Build a plugin's derived data for every order of the data set, once per run.

        Calls only that plugin's `orders_imported` implementation (the core's bulk contract:
        imported history counts as if confirmed one by one) over all order ids, in chunks,
        then commits. A plugin whose recompute is something else uses ctx.once instead.
        """

        def build() -> None:
            from sqlalchemy import select

            from core.db import db
            from core.models import Order

            with self.using([plugin]) as app:
                pm = app.extensions["clientele"].pm
                impls = [
                    impl
                    for impl in pm.hook.orders_imported.get_hookimpls()
                    if impl.plugin_name == plugin
                ]
                ids = list(db.session.scalars(select(Order.id).order_by(Order.id)))
                for start in range(0, len(ids), chunk):
                    for impl in impls:
                        impl.function(order_ids=ids[start : start + chunk])
                db.session.commit()

        self.once(f"backfill {plugin}", build)

    @contextmanager
    def hook_time(self, app: Flask, hook_names: Sequence[str]) -> Iterator[dict[str, float]]:
        """Inside the block, add up the seconds each plugin's implementations of these hooks take.

        Yields {plugin: seconds}, filled as the hooks run; the implementations are restored
        at the end. Use it to say which plugin an order action's time goes to.
        """
        pm = app.extensions["clientele"].pm
        spent: dict[str, float] = {}
        originals = []
        for hook_name in hook_names:
            for impl in getattr(pm.hook, hook_name).get_hookimpls():
                originals.append((impl, impl.function))
                impl.function = _timed(impl.function, impl.plugin_name, spent)
        try:
            yield spent
        finally:
            for impl, function in originals:
                impl.function = function

    # -- hand-written SQL ------------------------------------------------------------------

    def sql(self, statement: str, parameters: Mapping[str, Any] | None = None) -> list[Any]:
        """Run hand-written SQL on the driver's cursor of the current session's connection.

        The reference should cost what the SQL costs, so it skips SQLAlchemy: `:name`
        parameters are translated to the driver's style, and dates and Decimals are bound as
        SQLAlchemy binds them (ISO text and floats on SQLite). Returns all rows as tuples
        ([] for a statement that returns none).
        """
        from core.db import db

        connection: Any = db.session.connection().connection.driver_connection
        postgresql = self.database == "postgresql"
        cursor = connection.cursor()
        try:
            cursor.execute(
                _driver_statement(statement, postgresql),
                {key: _bind(value, postgresql) for key, value in (parameters or {}).items()},
            )
            return list(cursor.fetchall()) if cursor.description is not None else []
        finally:
            cursor.close()

    def sql_many(self, statement: str, rows: Sequence[Mapping[str, Any]]) -> None:
        """executemany of hand-written SQL (e.g. INSERTs) on the current session's connection."""
        from core.db import db

        connection: Any = db.session.connection().connection.driver_connection
        postgresql = self.database == "postgresql"
        cursor = connection.cursor()
        try:
            cursor.executemany(
                _driver_statement(statement, postgresql),
                [{key: _bind(value, postgresql) for key, value in row.items()} for row in rows],
            )
        finally:
            cursor.close()

    # -- timing and reporting --------------------------------------------------------------

    def measure(
        self, func: Callable[[], Any], repeat: int | None = None, number: int | None = None
    ) -> Timing:
        """Time one callable (median seconds per call after a warm-up call)."""
        return measure(func, repeat or self.repeat, number=number)

    def compare(
        self,
        name: str,
        func: Callable[[], Any],
        ref_name: str,
        reference: Callable[[], Any],
        goal: float,
        same: Callable[[Any], Any] | None = None,
        repeat: int | None = None,
        number: int | None = None,
    ) -> Record | None:
        """Time func against the hand-written reference and print the BENCH line.

        When `same` is given, `same(func())` must equal `same(reference())` (e.g. `sorted`,
        or a function picking ids) or BenchMismatch is raised: a ratio against SQL that
        computes another answer would be meaningless.
        """
        if not self.wanted(name):
            return None
        if same is not None:
            mine, theirs = same(func()), same(reference())
            if mine != theirs:
                raise BenchMismatch(
                    f"{name}: the benchmark and {ref_name} disagree:\n"
                    f"  {_preview(mine)}\n  {_preview(theirs)}"
                )
        timing, ref_timing = measure_pair(func, reference, repeat or self.repeat, number=number)
        self.profile(name, func)
        return self.report(name, timing.seconds, ref_name, ref_timing.seconds, goal)

    def report(
        self,
        name: str,
        seconds: float,
        ref_name: str,
        ref_seconds: float,
        goal: float,
        **extra: Any,
    ) -> Record:
        """Print and keep one BENCH line (for figures a module timed itself)."""
        record = Record(name, seconds, ref_name, ref_seconds, goal, self.module, dict(extra))
        self.records.append(record)
        print(record.line(), flush=True)
        return record

    def report_rate(
        self,
        name: str,
        items: int,
        seconds: float,
        ref_name: str,
        ref_seconds: float,
        goal: float,
        target_per_second: float | None = None,
        unit: str = "lines",
        peer: str = "",
    ) -> Record:
        """Report a throughput: the BENCH line (ratio against its goal) plus a RATE line.

        The goal is a ratio to the reference like any other; the RATE line gives the items
        per second of both and, for information, a target rate and the peer's.
        """
        rate = items / seconds
        ref_rate = items / ref_seconds
        target = f" target={target_per_second:.0f} {unit}/s" if target_per_second else ""
        self.note(
            f"RATE {name} {rate:.1f} {unit}/s ref={ref_name} {ref_rate:.1f} {unit}/s"
            + target
            + (f" peer={peer}" if peer else "")
        )
        return self.report(name, seconds, ref_name, ref_seconds, goal, items=items, rate=rate)

    def report_limit(self, name: str, value: float, limit: float, unit: str, how: str) -> None:
        """Print a LIMIT line (e.g. peak memory) and count it as missed when value > limit."""
        met = value <= limit
        self.limits.append((name, value, limit, unit, met))
        self.note(f"LIMIT {name} {value:.0f}{unit} limit={limit:.0f}{unit} {how}")

    def profile(self, name: str, func: Callable[[], Any]) -> None:
        """With --profile: run func once under pyinstrument, print its top functions, save the tree.

        A PROFILE line lists the functions with the most own time (time in the function's
        body, not in what it calls) as a share of the run, and
        bench/results/profiles/<name>.txt keeps the whole call tree. The run is not timed.
        """
        if not self.profiling:
            return
        from pyinstrument import Profiler

        profiler = Profiler(interval=0.0005)
        profiler.start()
        try:
            func()
        finally:
            session = profiler.stop()
        folder = RESULTS_DIR / "profiles"
        folder.mkdir(parents=True, exist_ok=True)
        (folder / f"{name}.txt").write_text(profiler.output_text(unicode=True, show_all=False))
        spent: dict[str, float] = {}
        stack = [session.root_frame()]
        while stack:
            frame = stack.pop()
            if frame is None:
                continue
            stack.extend(frame.children)
            if frame.function.startswith("["):  # pyinstrument's [self] / [await] frames
                continue
            key = f"{Path(frame.file_path or '?').name}:{frame.function}"
            spent[key] = spent.get(key, 0.0) + frame.total_self_time
        total = session.duration or 1.0
        top = sorted(spent.items(), key=lambda item: -item[1])[:PROFILE_TOP]
        listed = ", ".join(f"{key} {100 * seconds / total:.0f}%" for key, seconds in top)
        self.note(f"PROFILE {name} {total:.3f}s top: {listed}")

    def note(self, text: str) -> None:
        """Print an extra line (RATE, PREP, INFO ...) that is not a BENCH line."""
        self.notes.append(text)
        print(text, flush=True)

    def log(self, text: str) -> None:
        """Progress for the person watching, on stderr (not part of the parsed output)."""
        print(f"  … {text}", file=sys.stderr, flush=True)

    def save(self, path: Path) -> None:
        """Write the run's records and notes as JSON (bench/results/last-<db>-<scale>.json)."""
        path.parent.mkdir(parents=True, exist_ok=True)
        payload = {
            "database": self.database,
            "scale": asdict(self.scale),
            "dataset": self.dataset.to_json(),
            "records": [
                {**asdict(record), "ratio": record.ratio, "met": record.met}
                for record in self.records
            ],
            "notes": self.notes,
        }
        path.write_text(json.dumps(payload, indent=2, default=str))


def _timed(
    function: Callable[..., Any], plugin: str, spent: dict[str, float]
) -> Callable[..., Any]:
    """function, adding its run time to spent[plugin]."""

    @functools.wraps(function)
    def timed(*args: Any, **kwargs: Any) -> Any:
        start = time.perf_counter()
        try:
            return function(*args, **kwargs)
        finally:
            spent[plugin] = spent.get(plugin, 0.0) + time.perf_counter() - start

    return timed


@functools.lru_cache(maxsize=256)
def _driver_statement(statement: str, postgresql: bool) -> str:
    """`:name` parameters in psycopg's `%(name)s` style on PostgreSQL (sqlite3 reads `:name`)."""
    if not postgresql:
        return statement
    return PARAMETER.sub(r"%(\1)s", statement.replace("%", "%%"))


def _bind(value: Any, postgresql: bool) -> Any:
    """A parameter as SQLAlchemy would bind it for the driver."""
    if postgresql:
        return value
    if isinstance(value, dt.datetime):
        return value.strftime("%Y-%m-%d %H:%M:%S.%f")
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return float(value)
    return value


def _preview(value: Any, limit: int = 300) -> str:
    """A short repr for mismatch messages."""
    text = repr(value)
    return text if len(text) <= limit else text[:limit] + " …"
