"""check_plugin(name): the one-call contract test a plugin's test suite starts with.

It loads the plugin with only its dependencies (so hookimpls are checked against the specs
and the default settings are validated), runs its migrations base → head → base → head and
requires the migrated schema to match its models, checks its jobs and commands, and asks
every nav endpoint it adds as each role: 200 for a permitted role, 403 for the others.
"""

from __future__ import annotations

import os
import warnings
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from flask import Flask, url_for
from sqlalchemy import inspect as inspect_schema

from core.db import Base, db
from core.models import ROLES, User
from core.plugins import NavItem, call_each


class PluginCheckFailed(AssertionError):
    """The plugin breaks the contract; the message says how."""


@dataclass
class PluginCheckReport:
    """What check_plugin looked at, for tests that want to assert more."""

    plugin: str
    enabled: list[str]
    hooks: list[str]
    tables: list[str]
    nav_checks: list[tuple[str, str, int]] = field(default_factory=list)


def _plugin_tables(app: Flask, name: str) -> list[str]:
    """Tables defined by the plugin's models."""
    module = app.extensions["clientele"].get(name).available.module
    tables: set[str] = set()
    for mapper in Base.registry.mappers:
        owner = mapper.class_.__module__
        if owner == module or owner.startswith(module + "."):
            tables.update(table.name for table in mapper.tables)
    return sorted(tables)


def _diff_table(diff: Any) -> str:
    """The table a compare_metadata difference is about."""
    if isinstance(diff, list):
        diff = diff[0]
    for part in diff[1:]:
        if hasattr(part, "table") and hasattr(part.table, "name"):
            return str(part.table.name)
        if hasattr(part, "name") and hasattr(part, "columns") and not hasattr(part, "table"):
            return str(part.name)
    return str(diff[2]) if len(diff) > 2 and isinstance(diff[2], str) else ""


def _check_migrations(app: Flask, name: str, tables: list[str]) -> None:
    """base → head → base → head, with the tables appearing and disappearing, then no model drift."""
    from core.migrate import branches_to_upgrade, downgrade, upgrade

    upgrade(app)
    if name not in branches_to_upgrade(app.extensions["clientele"]):
        if tables:
            raise PluginCheckFailed(
                f"Plugin '{name}' defines tables {tables} but has no migrations branch labelled '{name}'."
            )
        return
    with app.app_context():
        downgrade(app, f"{name}@base")
        left = set(tables) & set(inspect_schema(db.engine).get_table_names())
        if left:
            raise PluginCheckFailed(
                f"Plugin '{name}': downgrade to base left tables {sorted(left)}."
            )
        upgrade(app)
        missing = set(tables) - set(inspect_schema(db.engine).get_table_names())
        if missing:
            raise PluginCheckFailed(
                f"Plugin '{name}': its migrations do not create {sorted(missing)}."
            )
        with db.engine.connect() as connection, warnings.catch_warnings():
            # SQLite cannot reflect expression indexes (the core has one); they are not the plugin's.
            warnings.filterwarnings("ignore", message=".*expression-based index.*")
            context = MigrationContext.configure(connection, opts={"compare_type": True})
            diffs = [
                diff
                for diff in compare_metadata(context, db.metadata)
                if _diff_table(diff).startswith(f"{name}_")
            ]
        if diffs:
            raise PluginCheckFailed(f"Plugin '{name}': models and migrated schema differ: {diffs}")


def _check_nav(app: Flask, name: str) -> list[tuple[str, str, int]]:
    """Each nav endpoint answers 200 to roles holding its permission and 403 to the others."""
    from core.permissions import role_has_permission

    checks = []
    with app.app_context():
        users = {}
        for role in ROLES:
            user = User(email=f"check-{role}@example.com", name=f"Check {role}", role=role)
            user.set_password("check-password")
            db.session.add(user)
            users[role] = user
        db.session.commit()
        items: dict[str, NavItem] = {}
        for user in users.values():
            for plugin, listed in call_each(app.extensions["clientele"].pm, "nav_items", user=user):
                if plugin == name:
                    items.update({item.endpoint: item for item in listed or []})
        with app.test_request_context():
            urls = {endpoint: url_for(endpoint) for endpoint in items}
        user_ids = {role: user.id for role, user in users.items()}
    for endpoint, item in sorted(items.items()):
        for role in ROLES:
            client = app.test_client()
            with client.session_transaction() as session:
                session["_user_id"] = str(user_ids[role])  # a bare id is session version 0
                session["_fresh"] = True
            status = client.get(urls[endpoint]).status_code
            with app.app_context():
                allowed = item.permission is None or role_has_permission(role, item.permission)
            expected = 200 if allowed else 403
            checks.append((endpoint, role, status))
            if status != expected:
                raise PluginCheckFailed(
                    f"Plugin '{name}': nav item {endpoint} answered {status} to role '{role}', expected {expected}."
                )
    return checks


def check_plugin(name: str, workdir: Path) -> PluginCheckReport:
    """Run the whole contract check for one plugin in a scratch SQLite database under workdir."""
    from core import create_app
    from core.jobs import collect_jobs

    app = create_app(
        os.devnull,
        database_url=f"sqlite:///{workdir / 'check.sqlite3'}",
        plugins=[name],
        settings={},
        testing=True,
        check_migrations=False,
        instance_path=str(workdir / "instance"),
    )
    app.config["WTF_CSRF_ENABLED"] = False
    system = app.extensions["clientele"]
    hooks = system.implemented_hooks(name)
    if "order_confirmed" in hooks and "orders_imported" not in hooks:
        raise PluginCheckFailed(
            f"Plugin '{name}' implements order_confirmed but not orders_imported, so imported orders would be missed."
        )
    if "register_commands" in hooks and name not in app.cli.commands:
        raise PluginCheckFailed(
            f"Plugin '{name}' implements register_commands but adds no '{name}' command group."
        )
    collect_jobs(app)
    tables = _plugin_tables(app, name)
    _check_migrations(app, name, tables)
    report = PluginCheckReport(name, system.names, hooks, tables)
    report.nav_checks = _check_nav(app, name)
    with app.app_context():
        db.engine.dispose()
    return report
