"""Where the data set lives: generated once per scale and seed, then copied fresh for each run.

SQLite: the generated file is cached as bench/results/sqlite-<scale>-s<seed>.sqlite3 (with a
.json of what it holds); each run works on its own copy, work-sqlite-<scale>-s<seed>-<pid>.sqlite3.
PostgreSQL: the generated data set is the database clientele_bench_<scale>_s<seed> (what it
holds is its COMMENT); each run works on clientele_bench_run<pid>, made from it as a template.
Runs may therefore write (confirm orders, import files, migrate plugins) without ever
changing the cached data set, and several runs may go on at once (a lock file serialises
generating and copying). Working copies are removed when the run ends, and copies left by
runs that died are removed by the next run.
"""

from __future__ import annotations

import datetime as dt
import fcntl
import json
import os
import re
import shutil
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy import create_engine, text
from sqlalchemy.engine import URL, make_url

from bench.data import GENERATOR_VERSION, Dataset, Scale, generate

RESULTS_DIR = Path(__file__).resolve().parent / "results"
DEFAULT_POSTGRESQL_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/clientele_bench"
POSTGRESQL_URL_ENV = "CLIENTELE_BENCH_POSTGRESQL_URL"


def _log(text_: str) -> None:
    """Progress on stderr."""
    print(f"  … {text_}", file=sys.stderr, flush=True)


def _alive(pid: int) -> bool:
    """True when a process with this id exists (a run that may still use its working copy)."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


@contextmanager
def _locked(name: str) -> Iterator[None]:
    """Hold an exclusive lock file while generating or copying one data set."""
    RESULTS_DIR.mkdir(parents=True, exist_ok=True)
    with (RESULTS_DIR / f".{name}.lock").open("w") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def _migrate_and_generate(url: str, scale: Scale, seed: int) -> Dataset:
    """Create the core schema at url through the migrations, then write the data set into it."""
    from core import create_app
    from core.db import db
    from core.migrate import upgrade

    app = create_app(
        os.devnull,
        database_url=url,
        plugins=[],
        check_migrations=False,
        instance_path=str(RESULTS_DIR / "instance"),
        secret_key="bench-secret-key",
    )
    upgrade(app)
    _log(f"generating the {scale.name} data set (seed {seed}) …")
    with app.app_context():
        with db.engine.begin() as connection:
            dataset = generate(connection, scale, seed, dt.date.today())
        if db.engine.dialect.name == "postgresql":
            with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as auto:
                auto.execute(text("VACUUM ANALYZE"))
        db.engine.dispose()
    _log(
        f"generated {dataset.customers} customers, {dataset.orders} orders, "
        f"{dataset.order_lines} lines in {dataset.seconds:.0f}s"
    )
    return dataset


def _valid(dataset: Dataset | None, scale: Scale, seed: int) -> bool:
    """True when a cached data set was made by this generator at this scale and seed."""
    return (
        dataset is not None
        and dataset.generator_version == GENERATOR_VERSION
        and dataset.scale == scale.name
        and dataset.seed == seed
    )


def prepare_sqlite(scale: Scale, seed: int, regenerate: bool = False) -> tuple[str, Dataset]:
    """The URL of this run's fresh copy of the cached SQLite data set (generated when missing)."""
    key = f"sqlite-{scale.name}-s{seed}"
    cached, meta = RESULTS_DIR / f"{key}.sqlite3", RESULTS_DIR / f"{key}.json"
    with _locked(key):
        _remove_stale_sqlite(key)
        dataset = Dataset.from_json(json.loads(meta.read_text())) if meta.exists() else None
        if regenerate or not cached.exists() or not _valid(dataset, scale, seed):
            building = RESULTS_DIR / f"{key}.building.sqlite3"
            _remove_sqlite(building)
            dataset = _migrate_and_generate(f"sqlite:///{building}", scale, seed)
            _checkpoint(building)
            _remove_sqlite(cached)
            building.rename(cached)
            meta.write_text(json.dumps(dataset.to_json(), indent=2))
        assert dataset is not None
        working = sqlite_working_copy(key)
        started = time.perf_counter()
        shutil.copyfile(cached, working)
    _log(f"copied the data set to {working.name} in {time.perf_counter() - started:.1f}s")
    return f"sqlite:///{working}", dataset


def sqlite_working_copy(key: str, pid: int | None = None) -> Path:
    """This run's (or pid's) working copy of a cached SQLite data set."""
    return RESULTS_DIR / f"work-{key}-{pid or os.getpid()}.sqlite3"


def _remove_stale_sqlite(key: str) -> None:
    """Delete working copies left by runs that are no longer running."""
    for path in RESULTS_DIR.glob(f"work-{key}-*.sqlite3"):
        match = re.fullmatch(rf"work-{re.escape(key)}-(\d+)\.sqlite3", path.name)
        if match and not _alive(int(match.group(1))):
            _remove_sqlite(path)


def remove_sqlite_working_copy(scale: Scale, seed: int) -> None:
    """Delete this run's working copy (at the end of the run)."""
    _remove_sqlite(sqlite_working_copy(f"sqlite-{scale.name}-s{seed}"))


def _checkpoint(path: Path) -> None:
    """Fold the WAL into the database file so one file copy is the whole data set."""
    engine = create_engine(f"sqlite:///{path}")
    with engine.connect() as connection:
        connection.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
    engine.dispose()


def _remove_sqlite(path: Path) -> None:
    """Delete a SQLite file with its -wal and -shm companions."""
    for suffix in ("", "-wal", "-shm"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)


def postgresql_url(explicit: str | None = None) -> URL:
    """The working database's URL: --postgresql-url, $CLIENTELE_BENCH_POSTGRESQL_URL or the default."""
    return make_url(explicit or os.environ.get(POSTGRESQL_URL_ENV) or DEFAULT_POSTGRESQL_URL)


def working_database(url: URL, pid: int | None = None) -> str:
    """The name of this run's (or pid's) working PostgreSQL database."""
    return f"{url.database}_run{pid or os.getpid()}"


def prepare_postgresql(
    scale: Scale, seed: int, url: URL, regenerate: bool = False
) -> tuple[str, Dataset]:
    """The URL of this run's fresh copy of the cached data set (generated when missing)."""
    template = f"{url.database}_{scale.name}_s{seed}"
    working = working_database(url)
    admin = create_engine(url.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with _locked(f"postgresql-{template}"), admin.connect() as connection:
        for (name,) in connection.execute(
            text("SELECT datname FROM pg_database WHERE datname LIKE :prefix"),
            {"prefix": f"{url.database}_run%"},
        ):
            pid = name.rsplit("_run", 1)[1]
            if pid.isdigit() and not _alive(int(pid)):
                connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        comment = connection.scalar(
            text(
                "SELECT shobj_description(oid, 'pg_database') FROM pg_database WHERE datname = :n"
            ),
            {"n": template},
        )
        dataset = Dataset.from_json(json.loads(comment)) if comment else None
        if regenerate or not comment or not _valid(dataset, scale, seed):
            connection.execute(text(f'DROP DATABASE IF EXISTS "{template}" WITH (FORCE)'))
            connection.execute(text(f'CREATE DATABASE "{template}"'))
            target = url.set(database=template).render_as_string(hide_password=False)
            dataset = _migrate_and_generate(target, scale, seed)
            payload = json.dumps(dataset.to_json()).replace("'", "''")
            connection.execute(text(f"COMMENT ON DATABASE \"{template}\" IS '{payload}'"))
        assert dataset is not None
        started = time.perf_counter()
        connection.execute(text(f'DROP DATABASE IF EXISTS "{working}" WITH (FORCE)'))
        connection.execute(text(f'CREATE DATABASE "{working}" TEMPLATE "{template}"'))
        _log(f"copied {template} to {working} in {time.perf_counter() - started:.1f}s")
    admin.dispose()
    return url.set(database=working).render_as_string(hide_password=False), dataset


def remove_postgresql_working_database(url: URL) -> None:
    """Drop this run's working database (at the end of the run)."""
    admin = create_engine(url.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'DROP DATABASE IF EXISTS "{working_database(url)}" WITH (FORCE)'))
    admin.dispose()
