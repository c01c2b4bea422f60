"""The one Flask-SQLAlchemy instance every model uses, and per-dialect connection set-up."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any

from flask import has_request_context, request
from flask_sqlalchemy import SQLAlchemy
from sqlalchemy import MetaData, event, text
from sqlalchemy.engine import Engine
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import DeclarativeBase

#: Stable constraint names, so SQLite batch migrations can find and alter constraints.
NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    """Declarative base whose metadata carries the naming convention."""

    metadata = MetaData(naming_convention=NAMING_CONVENTION)


db = SQLAlchemy(model_class=Base)

#: Set while code runs that will write (a job run): SQLite transactions then begin IMMEDIATE.
_write_intent: ContextVar[bool] = ContextVar("clientele_write_intent", default=False)
#: Requests with these methods only read (the app changes state by POST only).
READING_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


def unreachable_message(error: DBAPIError, url: Any) -> str:
    """One line for a database that cannot be opened: which one (no password), why, what to check."""
    text = str(error.orig or error).strip()
    reason = text.splitlines()[0] if text else type(error.orig).__name__
    return (
        f"Cannot use the database {url.render_as_string(hide_password=True)}: {reason}. Check "
        "[clientele].database_url (or CLIENTELE_DATABASE_URL) and that the database server runs."
    )


def is_sqlite(engine_or_connection: Any) -> bool:
    """True when the bind talks to SQLite (some SQL differs, e.g. date functions)."""
    return bool(engine_or_connection.dialect.name == "sqlite")


def refresh_planner_statistics() -> None:
    """Give the database's query planner fresh statistics on every table (ANALYZE).

    Without them, after a big import, SQLite and PostgreSQL guess table sizes and may scan
    where an index would do. Run nightly by the core.planner_statistics job and after
    `clientele import` and `clientele demo`. On SQLite ``analysis_limit`` makes ANALYZE
    sample each index instead of reading it whole, so it takes milliseconds at any size;
    PostgreSQL samples by itself.
    """
    if is_sqlite(db.session.get_bind()):
        db.session.execute(text("PRAGMA analysis_limit=1000"))
    db.session.execute(text("ANALYZE"))


def reclaim_dead_rows() -> None:
    """PostgreSQL: VACUUM (ANALYZE) every table, so the rows updates and deletes left behind
    stop slowing reads. Call it after a commit.

    A demo or a big import updates some rows many times over (loyalty's customer values are
    rewritten with every order): each update leaves a dead row that index scans must still
    visit until VACUUM reclaims it. Measured on the demo company with autovacuum off:
    139,318 dead rows beside 300 live ones in loyalty_customer_value, and the dashboard's
    tier count took 242 ms before VACUUM, 2 ms after. Autovacuum would get there in its own
    time; this makes the first pages fast at once. VACUUM cannot run inside a transaction, so
    it runs on a connection of its own in autocommit. Nothing to do on SQLite (its rows are
    rewritten in place), nor when the session is bound to one connection rather than an
    engine (the test suite's outer transaction).
    """
    bind = db.session.get_bind()
    if is_sqlite(bind) or not isinstance(bind, Engine):
        return
    with bind.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
        connection.execute(text("VACUUM (ANALYZE)"))


def tidy_tables() -> None:
    """The nightly upkeep: fresh planner statistics, then dead rows reclaimed (PostgreSQL)."""
    refresh_planner_statistics()
    db.session.commit()
    reclaim_dead_rows()


@event.listens_for(Engine, "connect")
def _sqlite_on_connect(dbapi_connection: Any, connection_record: Any) -> None:
    """Turn on foreign keys, WAL and a busy timeout for SQLite; leave transactions to SQLAlchemy.

    pysqlite's own transaction handling breaks SAVEPOINT; with isolation_level None and an
    explicit BEGIN (below) nested transactions behave as on PostgreSQL.
    """
    module = type(dbapi_connection).__module__
    if not module.startswith("sqlite3"):
        return
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA busy_timeout=10000")
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()


@contextmanager
def writing() -> Iterator[None]:
    """Within the block, SQLite transactions take the write lock when they begin.

    A job run uses it: its transactions wait (up to the busy timeout) for other writers
    instead of reading first and then failing with "database is locked" when another
    connection committed in between. No effect on PostgreSQL.
    """
    token = _write_intent.set(True)
    try:
        yield
    finally:
        _write_intent.reset(token)


def wants_write_lock() -> bool:
    """True when the transaction about to begin will write: a job run, or a POST request."""
    if _write_intent.get():
        return True
    return has_request_context() and request.method not in READING_METHODS


@event.listens_for(Engine, "begin")
def _sqlite_on_begin(connection: Any) -> None:
    """Open the transaction ourselves on SQLite (see _sqlite_on_connect).

    One writer at a time: a transaction that will write begins IMMEDIATE, taking SQLite's
    write lock before it reads, so it waits its turn (busy timeout) and never finds its
    snapshot outdated at its first write; reading transactions begin DEFERRED and run
    beside it (WAL).
    """
    if connection.dialect.name == "sqlite":
        connection.exec_driver_sql("BEGIN IMMEDIATE" if wants_write_lock() else "BEGIN")
