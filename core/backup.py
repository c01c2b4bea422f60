"""`clientele backup PATH` and `clientele restore PATH`: a consistent copy of the whole
database while everything runs, and putting one back.

SQLite uses its online backup API (pages copied under a read lock, so commits during the
copy are either in it or not, never half); PostgreSQL uses pg_dump's custom format and
pg_restore, which must be installed (the PostgreSQL client package) in the same major
version as the server or newer.
"""

from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
from pathlib import Path

from sqlalchemy.engine import URL

from core.db import db


class BackupError(Exception):
    """A backup or restore could not be done; the message says why and what to do."""


def _sqlite_file(url: URL) -> str:
    if not url.database or url.database == ":memory:":
        raise BackupError("An in-memory SQLite database cannot be backed up.")
    return url.database


def _libpq(url: URL) -> tuple[str, dict[str, str]]:
    """The URL for pg_dump/pg_restore (no driver name, no password) and the environment."""
    environment = dict(os.environ)
    if url.password:
        environment["PGPASSWORD"] = str(url.password)
    plain = url.set(drivername="postgresql", password=None)
    return plain.render_as_string(hide_password=False), environment


def _run(command: list[str], environment: dict[str, str]) -> None:
    if shutil.which(command[0]) is None:
        raise BackupError(
            f"{command[0]} is not installed. Install the PostgreSQL client tools "
            "(e.g. apt install postgresql-client) of the server's version or newer."
        )
    done = subprocess.run(command, env=environment, capture_output=True, text=True)
    if done.returncode != 0:
        detail = (done.stderr or done.stdout).strip().splitlines()
        raise BackupError(f"{command[0]} failed: {detail[-1] if detail else done.returncode}")


def backup(path: Path) -> None:
    """Write a consistent copy of the app's database to path (which must not exist)."""
    if path.exists():
        raise BackupError(f"{path} exists already; choose a new file name.")
    path.parent.mkdir(parents=True, exist_ok=True)
    url = db.engine.url
    if url.get_backend_name() == "sqlite":
        _sqlite_copy(_sqlite_file(url), str(path))
        return
    if url.get_backend_name() == "postgresql":
        libpq, environment = _libpq(url)
        _run(["pg_dump", "--format=custom", f"--file={path}", libpq], environment)
        return
    raise BackupError(f"Backups of {url.get_backend_name()} databases are not supported.")


def _sqlite_copy(source_file: str, target_file: str) -> None:
    """Copy one SQLite database file onto another with the online backup API (consistent)."""
    source = sqlite3.connect(source_file)
    target = sqlite3.connect(target_file)
    try:
        source.backup(target)
    finally:
        target.close()
        source.close()


def _check_sqlite_copy(path: Path) -> None:
    try:
        copy = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
        try:
            ok = copy.execute("PRAGMA integrity_check").fetchone()
            tables = {row[0] for row in copy.execute("SELECT name FROM sqlite_master")}
        finally:
            copy.close()
    except sqlite3.DatabaseError as error:
        raise BackupError(f"{path} is not a SQLite backup ({error}).") from None
    if ok != ("ok",) or "alembic_version" not in tables:
        raise BackupError(f"{path} is not a Clientele backup (no alembic_version table).")


def restore(path: Path) -> None:
    """Replace the app's whole database with the backup at path.

    Stop the web and the worker first: what they write meanwhile is lost.
    """
    if not path.is_file():
        raise BackupError(f"{path} does not exist.")
    url = db.engine.url
    db.session.remove()
    db.engine.dispose()
    if url.get_backend_name() == "sqlite":
        _check_sqlite_copy(path)
        _sqlite_copy(str(path), _sqlite_file(url))
        return
    if url.get_backend_name() == "postgresql":
        libpq, environment = _libpq(url)
        _run(["pg_restore", "--list", str(path)], environment)  # a readable dump, or stop here
        _run(
            [
                "pg_restore",
                "--clean",
                "--if-exists",
                "--no-owner",
                "--single-transaction",
                f"--dbname={libpq}",
                str(path),
            ],
            environment,
        )
        return
    raise BackupError(f"Restoring {url.get_backend_name()} databases is not supported.")
