"""Alembic branches: one for the core and one per plugin, sharing one version table.

`upgrade` runs core@head, then <plugin>@head for each enabled plugin in dependency order,
never "heads", so installed but disabled plugins are left alone. `version_locations` list
every installed plugin's migrations, enabled or not, so a disabled plugin's revision in the
version table is never "unknown".
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config as AlembicConfig
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from alembic.util import CommandError
from flask import Flask
from sqlalchemy.engine import Connection
from sqlalchemy.exc import InterfaceError, OperationalError

from core.db import db, unreachable_message
from core.plugins import CORE, PluginError, PluginSystem
from core.plugins._discovery import available_plugins

MIGRATIONS_DIR = Path(__file__).resolve().parent / "migrations"


def alembic_config(connection: Connection | None = None) -> AlembicConfig:
    """An Alembic config for the core and every installed plugin's migrations folder."""
    config = AlembicConfig()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    config.set_main_option("path_separator", "os")
    locations = [str(MIGRATIONS_DIR / "versions")]
    locations += [
        str(plugin.migrations_path)
        for plugin in available_plugins().values()
        if plugin.migrations_path
    ]
    config.set_main_option("version_locations", os.pathsep.join(locations))
    if connection is not None:
        config.attributes["connection"] = connection
    return config


def branches_to_upgrade(system: PluginSystem) -> list[str]:
    """core, then each enabled plugin that has migrations, in dependency order."""
    script = ScriptDirectory.from_config(alembic_config())
    labels = {label for revision in script.walk_revisions() for label in revision.branch_labels}
    return [CORE] + [name for name in system.names if name in labels]


@contextmanager
def _connection(app: Flask) -> Iterator[Connection]:
    """A connection in a transaction on the app's database (committed when the block ends)."""
    with app.app_context(), db.engine.begin() as connection:
        yield connection


def upgrade(app: Flask, echo: Callable[[str], Any] = lambda _: None) -> list[str]:
    """Upgrade core@head, then each enabled plugin's branch; returns the branches upgraded."""
    branches = branches_to_upgrade(app.extensions["clientele"])
    with _connection(app) as connection:
        config = alembic_config(connection)
        for branch in branches:
            echo(f"upgrading {branch}@head")
            command.upgrade(config, f"{branch}@head")
    return branches


def downgrade(app: Flask, target: str) -> None:
    """Downgrade to target (e.g. "loyalty@base"); used by check_plugin and by operators."""
    with _connection(app) as connection:
        command.downgrade(alembic_config(connection), target)


@dataclass(frozen=True)
class BranchState:
    """Where one branch stands: the head in the code and whether the database has it."""

    branch: str
    code_head: str
    applied: bool


def branch_states(app: Flask) -> list[BranchState]:
    """For core and each enabled plugin with migrations: is its head applied to the database?"""
    system: PluginSystem = app.extensions["clientele"]
    script = ScriptDirectory.from_config(alembic_config())
    try:
        with app.app_context(), db.engine.connect() as connection:
            current = MigrationContext.configure(connection).get_current_heads()
    except (OperationalError, InterfaceError) as error:
        with app.app_context():
            raise PluginError(None, unreachable_message(error, db.engine.url)) from None
    try:
        applied = {revision.revision for revision in script.iterate_revisions(current, "base")}
    except CommandError as error:
        raise PluginError(
            None,
            f"The database holds a revision no installed plugin provides ({error}).",
            "Reinstall the plugin it belongs to (see `clientele db current`).",
        ) from None
    states = []
    for branch in branches_to_upgrade(system):
        head = script.get_revision(f"{branch}@head")
        assert head is not None
        states.append(BranchState(branch, head.revision, head.revision in applied))
    return states


def check_schema(app: Flask) -> None:
    """Refuse to start when the core's or an enabled plugin's migrations are not applied."""
    for state in branch_states(app):
        if not state.applied:
            who = (
                "The core's tables are"
                if state.branch == CORE
                else f"Tables of plugin '{state.branch}' are"
            )
            raise PluginError(
                None if state.branch == CORE else state.branch,
                f"{who} missing or out of date (code head {state.code_head} is not applied).",
                "Run: clientele db upgrade",
            )


def current_revisions(app: Flask) -> list[str]:
    """The revisions recorded in the database's version table."""
    with app.app_context(), db.engine.connect() as connection:
        return list(MigrationContext.configure(connection).get_current_heads())


def history() -> list[str]:
    """Every known revision, newest first, as 'branch: id message'."""
    script = ScriptDirectory.from_config(alembic_config())
    lines = []
    for revision in script.walk_revisions():
        labels = ",".join(sorted(revision.branch_labels)) or "-"
        lines.append(f"{revision.revision} ({labels}) {revision.doc}")
    return lines
