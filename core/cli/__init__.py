"""The `clientele` command: set-up, database, plugins, users, worker, and each plugin's own group."""

from __future__ import annotations

import secrets
import signal
import subprocess
import sys
from pathlib import Path
from typing import Any

import click
from flask import Flask, current_app
from flask.cli import FlaskGroup, NoAppException, ScriptInfo, shell_command, with_appcontext
from sqlalchemy import func, select
from sqlalchemy.engine import make_url
from sqlalchemy.exc import InterfaceError, OperationalError

from core.cli import demo, transfer
from core.cli.schema import check_schema_or_fail
from core.config import ConfigError, load_config
from core.db import db, unreachable_message
from core.models import ROLES, User
from core.plugins import PluginError


def _create_app_for_cli() -> Flask:
    """The app without the migrations check (init and db upgrade must run before it passes)."""
    from core import create_app

    try:
        return create_app(check_migrations=False)
    except (PluginError, ConfigError) as error:
        raise NoAppException(str(error)) from None


class ClienteleGroup(FlaskGroup):
    """FlaskGroup whose app commands (the plugins' groups) fail with one clear line."""

    def invoke(self, ctx: click.Context) -> Any:
        """Run the command; a database that cannot be opened is one line, not a traceback."""
        try:
            return super().invoke(ctx)
        except (OperationalError, InterfaceError) as error:
            if error.statement is not None:
                raise  # the database answered a statement: a bug, not a config problem
            app = ctx.ensure_object(ScriptInfo).load_app()
            url = make_url(app.config["SQLALCHEMY_DATABASE_URI"])
            raise click.ClickException(unreachable_message(error, url)) from None

    def get_command(self, ctx: click.Context, name: str) -> click.Command | None:
        command = click.Group.get_command(self, ctx, name)
        if command is not None:
            return command
        app = ctx.ensure_object(ScriptInfo).load_app()
        if not current_app or current_app._get_current_object() is not app:  # type: ignore[attr-defined]
            ctx.with_resource(app.app_context())
        return app.cli.get_command(ctx, name)


@click.group(
    cls=ClienteleGroup,
    create_app=_create_app_for_cli,
    add_default_commands=False,
    load_dotenv=False,
)
def main() -> None:
    """Clientele: customers, products and orders, extended by plugins.

    The config file is $CLIENTELE_CONFIG, else config/default.toml.
    """


main.add_command(shell_command)


def login_file(app: Flask) -> Path:
    """Where `clientele init` keeps the generated admin login for `make run` to print."""
    return Path(app.instance_path) / "admin-login.txt"


@main.command("init")
@click.option(
    "--admin-email",
    default="admin@example.com",
    show_default=True,
    help="E-mail of the first admin.",
)
@click.option(
    "--admin-password", default=None, help="Password of the first admin (generated when left out)."
)
@with_appcontext
def init_command(admin_email: str, admin_password: str | None) -> None:
    """Create or upgrade the database and add the first admin if there is no user yet."""
    from core.migrate import upgrade

    app = current_app._get_current_object()  # type: ignore[attr-defined]
    upgrade(app, click.echo)
    if db.session.scalar(select(func.count()).select_from(User)):
        click.echo("Users exist already; no admin was added.")
        return
    password = admin_password or secrets.token_urlsafe(12)
    user = User(email=admin_email.strip().lower(), name="Administrator", role="admin")
    user.set_password(password)
    db.session.add(user)
    db.session.commit()
    path = login_file(app)
    # On PostgreSQL with CLIENTELE_SECRET_KEY set nothing else has made the instance folder yet.
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(f"{user.email} {password}\n")
    path.chmod(0o600)
    click.echo(f"Admin login: {user.email} / {password}  (also in {path})")


@main.command("run")
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=5000, show_default=True, type=int)
@click.option(
    "--with-worker",
    is_flag=True,
    help="Also start `clientele worker` (mail, scheduled jobs); Ctrl-C stops both.",
)
@with_appcontext
def run_command(host: str, port: int, with_worker: bool) -> None:
    """Serve the web pages with the development server (use gunicorn in production)."""
    from werkzeug.serving import run_simple

    app = current_app._get_current_object()  # type: ignore[attr-defined]
    check_schema_or_fail(app)
    worker = start_worker_process() if with_worker else None
    try:
        # Not app.run(): under a Flask CLI group it only prints a warning and returns.
        run_simple(host, port, app, use_reloader=False, threaded=True)
    except KeyboardInterrupt:
        pass
    finally:
        if worker is not None:
            stop_worker_process(worker)


#: How long `clientele run --with-worker` waits for its worker to finish running jobs.
WORKER_STOP_SECONDS = 30


def start_worker_process() -> subprocess.Popen[bytes]:
    """Start `clientele worker` as a child process with this process's settings."""
    command = [sys.executable, "-c", "from core.cli import main; main()", "worker"]
    worker = subprocess.Popen(command)
    click.echo(f"Started the job worker (process {worker.pid}); Ctrl-C stops it with the server.")
    return worker


def stop_worker_process(worker: subprocess.Popen[bytes]) -> None:
    """Stop the child worker like Ctrl-C would (running jobs finish), killing it if it hangs."""
    if worker.poll() is None:
        worker.send_signal(signal.SIGINT)  # a Ctrl-C in the terminal has sent it already
    try:
        worker.wait(timeout=WORKER_STOP_SECONDS)
    except subprocess.TimeoutExpired:
        click.echo(f"The worker did not stop within {WORKER_STOP_SECONDS} s; killing it.")
        worker.kill()
        worker.wait()


@main.group("db")
def db_group() -> None:
    """Database migrations: core and each enabled plugin have their own branch."""


@db_group.command("upgrade")
@with_appcontext
def db_upgrade() -> None:
    """Apply core@head, then each enabled plugin's branch in dependency order."""
    from core.migrate import upgrade

    branches = upgrade(current_app._get_current_object(), click.echo)  # type: ignore[attr-defined]
    click.echo(f"Database is up to date ({', '.join(branches)}).")


@db_group.command("current")
@with_appcontext
def db_current() -> None:
    """Show the revisions the database is at and whether each enabled branch is applied."""
    from core.migrate import branch_states, current_revisions

    app = current_app._get_current_object()  # type: ignore[attr-defined]
    click.echo("Database revisions: " + (", ".join(current_revisions(app)) or "(none)"))
    for state in branch_states(app):
        click.echo(
            f"  {state.branch:<20} head {state.code_head}  {'applied' if state.applied else 'NOT APPLIED: run clientele db upgrade'}"
        )


@db_group.command("history")
def db_history() -> None:
    """List every known revision of every installed plugin."""
    from core.migrate import history

    for line in history():
        click.echo(line)


@main.command("backup")
@click.argument("path", type=click.Path(dir_okay=False, path_type=Path))
@with_appcontext
def backup_command(path: Path) -> None:
    """Write a consistent copy of the whole database to PATH while everything runs.

    SQLite: the online backup API (a SQLite file). PostgreSQL: pg_dump --format=custom.
    """
    from core.backup import BackupError, backup

    try:
        backup(path)
    except BackupError as error:
        raise click.ClickException(str(error)) from None
    click.echo(f"Backed up the database to {path} ({path.stat().st_size:,} bytes).")


@main.command("restore")
@click.argument("path", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--yes", is_flag=True, help="Do not ask before replacing the database.")
@with_appcontext
def restore_command(path: Path, yes: bool) -> None:
    """Replace the whole database with the backup at PATH (stop the web and the worker first)."""
    from core.backup import BackupError, restore

    url = db.engine.url.render_as_string(hide_password=True)
    if not yes:
        click.confirm(
            f"Replace every row of {url} with the backup {path}? What is not in it is lost",
            abort=True,
        )
    try:
        restore(path)
    except BackupError as error:
        raise click.ClickException(f"{error} The database was not changed.") from None
    click.echo(f"Restored {url} from {path}. Run `clientele db current` to check it.")


@main.group("plugin")
def plugin_group() -> None:
    """Start a new plugin."""


@plugin_group.command("new", with_appcontext=False)
@click.argument("name")
@click.option(
    "--path",
    type=click.Path(file_okay=False, path_type=Path),
    default=None,
    help="The folder to write (new or empty); default ./clientele-NAME.",
)
def plugin_new(name: str, path: Path | None) -> None:
    """Write a new plugin package NAME in the one shape, with its tests (docs/plugins.md)."""
    from core.scaffold import ScaffoldError, write_plugin

    folder = path or Path(f"clientele-{name.replace('_', '-')}")
    try:
        written = write_plugin(name, folder)
    except ScaffoldError as error:
        raise click.ClickException(str(error)) from None
    for file in written:
        click.echo(f"  wrote {file}")
    click.echo(
        f'Plugin {name} written to {folder}. Next: pip install -e {folder}, add "{name}" to '
        "[clientele].plugins, run clientele db upgrade; its tests run with pytest in that folder."
    )


@main.group("plugins")
def plugins_group() -> None:
    """Installed plugins."""


@plugins_group.command("list")
def plugins_list() -> None:
    """Show every installed plugin: available or enabled, version, depends, hooks it implements."""
    from core.plugins._report import plugin_rows

    try:
        configured = load_config().core["plugins"]
    except ConfigError as error:
        raise click.ClickException(str(error)) from None
    enabled = _enabled_with_dependencies(configured)
    for row in plugin_rows(enabled):
        click.echo(
            f"{row.name} {row.version} [{row.status}{' (' + row.reason + ')' if row.reason and row.reason != 'configured' else ''}]"
        )
        if row.summary:
            click.echo(f"    {row.summary}")
        if row.error:
            click.echo(f"    error: {row.error}")
        click.echo(
            f"    depends: {', '.join(row.depends) or '-'}   uses: {', '.join(row.uses) or '-'}   ({row.distribution})"
        )
        click.echo(f"    hooks: {', '.join(row.hooks) or '-'}")


def _enabled_with_dependencies(configured: list[str]) -> dict[str, str]:
    """Configured names plus their dependencies, read from manifests (without loading an app)."""
    from core.plugins._discovery import available_plugins, import_plugin

    available = available_plugins()
    enabled: dict[str, str] = {}
    queue = [(name, "configured") for name in configured]
    while queue:
        name, reason = queue.pop(0)
        if name in enabled or name not in available:
            continue
        enabled[name] = reason
        try:
            _, manifest = import_plugin(available[name])
        except PluginError:
            continue
        queue += [(dependency, f"needed by {name}") for dependency in manifest.depends]
    return enabled


@main.group("users")
def users_group() -> None:
    """Staff users."""


@users_group.command("add")
@click.argument("email")
@click.option("--role", required=True, type=click.Choice(ROLES))
@click.option("--name", default=None, help="Full name (default: the part of the e-mail before @).")
@click.option("--password", default=None, help="Prompted for when left out.")
@with_appcontext
def users_add(email: str, role: str, name: str | None, password: str | None) -> None:
    """Add a staff user, or update the role, name and password of an existing one."""
    from email_validator import EmailNotValidError, validate_email

    try:
        email = validate_email(email.strip(), check_deliverability=False).normalized.lower()
    except EmailNotValidError as error:
        raise click.BadParameter(str(error), param_hint="EMAIL") from None
    if password is None:
        password = click.prompt("Password", hide_input=True, confirmation_prompt=True)
    if len(password) < 8:
        raise click.BadParameter("use at least 8 characters", param_hint="--password")
    user = db.session.scalar(select(User).where(User.email == email))
    created = user is None
    user = user or User(email=email)
    user.role = role
    user.name = name or user.name or email.split("@")[0]
    user.set_password(password)
    db.session.add(user)
    db.session.commit()
    click.echo(f"{'Added' if created else 'Updated'} {email} ({role}).")


@main.command("worker")
@click.option(
    "--workers",
    default=2,
    show_default=True,
    type=click.IntRange(1, 64),
    help="Threads running jobs.",
)
@click.option("--list", "list_only", is_flag=True, help="Only list the scheduled jobs.")
@click.option(
    "--no-periodic",
    is_flag=True,
    help="Only run jobs others queue (run_soon, mail); leave the schedule to one other worker.",
)
@with_appcontext
def worker_command(workers: int, list_only: bool, no_periodic: bool) -> None:
    """Run scheduled jobs and deliver the outbox (Huey consumer; Redis if configured).

    Cron times are in [clientele].timezone. Stop it with SIGINT (Ctrl-C, or KillSignal=SIGINT
    under systemd): running jobs finish first. SIGTERM stops at once.
    """
    import logging

    from core.jobs import (
        WORKER_ID,
        Heartbeat,
        WorkerError,
        collect_jobs,
        queue_description,
        recover_interrupted,
        register_worker,
        start_worker,
    )

    app = current_app._get_current_object()  # type: ignore[attr-defined]
    try:
        jobs = collect_jobs(app)
    except PluginError as error:
        raise click.ClickException(str(error)) from None
    if list_only:
        for job in jobs.values():
            click.echo(f"{job.name:<40} {job.cron}")
        return
    check_schema_or_fail(app)
    if not logging.getLogger().handlers:
        logging.basicConfig(
            level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s"
        )
    try:
        consumer = start_worker(app, workers, periodic=not no_periodic)
    except WorkerError as error:
        raise click.ClickException(str(error)) from None
    worker_id = register_worker(app)
    app.extensions[WORKER_ID] = worker_id
    again = recover_interrupted(app, worker_id)
    if again:
        click.echo(f"Interrupted job runs found; queued again: {', '.join(again)}.")
    heartbeat = Heartbeat(app, worker_id)
    heartbeat.start()
    schedule = "no schedule (--no-periodic)" if no_periodic else f"{len(jobs)} scheduled job(s)"
    click.echo(f"Worker started: {schedule}, queue on {queue_description(app)}.")
    try:
        consumer.run()
    finally:
        heartbeat.stop()
    click.echo("Worker stopped.")


main.add_command(demo.demo_command)
main.add_command(transfer.import_command)
main.add_command(transfer.export_command)
