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
from core.cli.options import option
from core.cli.schema import check_schema_or_fail
from core.config import ConfigError, load_config
from core.db import db, unreachable_message
from core.i18n import _, _l
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
            _speak_the_company_language(ctx)
            return command
        app = ctx.ensure_object(ScriptInfo).load_app()
        _push_context(ctx, app)
        return app.cli.get_command(ctx, name)


def _push_context(ctx: click.Context, app: Flask) -> None:
    if not current_app or current_app._get_current_object() is not app:  # type: ignore[attr-defined]
        ctx.with_resource(app.app_context())


def _speak_the_company_language(ctx: click.Context) -> None:
    """Core commands explain themselves and answer in [clientele].language, so the app's context
    is pushed before their help is shown. When the app cannot load (a broken config file) they
    speak English, and the command itself then says what is wrong."""
    try:
        app = ctx.ensure_object(ScriptInfo).load_app()
    except NoAppException:
        return
    _push_context(ctx, app)


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


@main.command(
    "init",
    help=_l("Create or upgrade the database and add the first admin if there is no user yet."),
)
@option(
    "--admin-email",
    default="admin@example.com",
    show_default=True,
    help=_l("E-mail of the first admin."),
)
@option(
    "--admin-password",
    default=None,
    help=_l("Password of the first admin (generated when left out)."),
)
@with_appcontext
def init_command(admin_email: str, admin_password: str | None) -> None:
    from core.migrate import upgrade

    app = current_app._get_current_object()  # type: ignore[attr-defined]
    upgrade(app, click.echo)
    if db.session.scalar(select(func.count()).select_from(User)):
        click.echo(_("Users exist already; no admin was added."))
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
    click.echo(
        _(
            "Admin login: %(email)s / %(password)s  (also in %(path)s)",
            email=user.email,
            password=password,
            path=path,
        )
    )


@main.command(
    "run",
    help=_l("Serve the web pages with the development server (use gunicorn in production)."),
)
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=5000, show_default=True, type=int)
@option(
    "--with-worker",
    is_flag=True,
    help=_l("Also start `clientele worker` (mail, scheduled jobs); Ctrl-C stops both."),
)
@with_appcontext
def run_command(host: str, port: int, with_worker: bool) -> None:
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
    click.echo(
        _(
            "Started the job worker (process %(pid)s); Ctrl-C stops it with the server.",
            pid=worker.pid,
        )
    )
    return worker


def stop_worker_process(worker: subprocess.Popen[bytes]) -> None:
    """Stop the child worker like Ctrl-C would (running jobs finish), killing it if it hangs."""
    if worker.poll() is None:
        worker.send_signal(signal.SIGINT)  # a Ctrl-C in the terminal has sent it already
    try:
        worker.wait(timeout=WORKER_STOP_SECONDS)
    except subprocess.TimeoutExpired:
        click.echo(
            _(
                "The worker did not stop within %(seconds)s s; killing it.",
                seconds=WORKER_STOP_SECONDS,
            )
        )
        worker.kill()
        worker.wait()


@main.group(
    "db", help=_l("Database migrations: core and each enabled plugin have their own branch.")
)
def db_group() -> None:
    """The group of its commands; its help is above, translatable."""


@db_group.command(
    "upgrade", help=_l("Apply core@head, then each enabled plugin's branch in dependency order.")
)
@with_appcontext
def db_upgrade() -> None:
    from core.migrate import upgrade

    branches = upgrade(current_app._get_current_object(), click.echo)  # type: ignore[attr-defined]
    click.echo(_("Database is up to date (%(branches)s).", branches=", ".join(branches)))


@db_group.command(
    "current",
    help=_l("Show the revisions the database is at and whether each enabled branch is applied."),
)
@with_appcontext
def db_current() -> None:
    from core.migrate import branch_states, current_revisions

    app = current_app._get_current_object()  # type: ignore[attr-defined]
    revisions = ", ".join(current_revisions(app)) or _("(none)")
    click.echo(_("Database revisions: %(revisions)s", revisions=revisions))
    for state in branch_states(app):
        click.echo(
            f"  {state.branch:<20} head {state.code_head}  "
            + (_("applied") if state.applied else _("NOT APPLIED: run clientele db upgrade"))
        )


@db_group.command("history", help=_l("List every known revision of every installed plugin."))
def db_history() -> None:
    from core.migrate import history

    for line in history():
        click.echo(line)


@main.command(
    "backup",
    help=_l(
        "Write a consistent copy of the whole database to PATH while everything runs.\n\n"
        "SQLite: the online backup API (a SQLite file). PostgreSQL: pg_dump --format=custom."
    ),
)
@click.argument("path", type=click.Path(dir_okay=False, path_type=Path))
@with_appcontext
def backup_command(path: Path) -> None:
    from core.backup import BackupError, backup

    try:
        backup(path)
    except BackupError as error:
        raise click.ClickException(str(error)) from None
    size = f"{path.stat().st_size:,}"
    click.echo(_("Backed up the database to %(path)s (%(size)s bytes).", path=path, size=size))


@main.command(
    "restore",
    help=_l(
        "Replace the whole database with the backup at PATH (stop the web and the worker first)."
    ),
)
@click.argument("path", type=click.Path(dir_okay=False, path_type=Path))
@option("--yes", is_flag=True, help=_l("Do not ask before replacing the database."))
@with_appcontext
def restore_command(path: Path, yes: bool) -> None:
    from core.backup import BackupError, restore

    url = db.engine.url.render_as_string(hide_password=True)
    if not yes:
        click.confirm(
            _(
                "Replace every row of %(url)s with the backup %(path)s? What is not in it is lost",
                url=url,
                path=path,
            ),
            abort=True,
        )
    try:
        restore(path)
    except BackupError as error:
        raise click.ClickException(
            _("%(error)s The database was not changed.", error=error)
        ) from None
    click.echo(
        _(
            "Restored %(url)s from %(path)s. Run `clientele db current` to check it.",
            url=url,
            path=path,
        )
    )


@main.group("plugin", help=_l("Start a new plugin."))
def plugin_group() -> None:
    """The group of its commands; its help is above, translatable."""


@plugin_group.command(
    "new",
    with_appcontext=False,
    help=_l("Write a new plugin package NAME in the one shape, with its tests (docs/plugins.md)."),
)
@click.argument("name")
@option(
    "--path",
    type=click.Path(file_okay=False, path_type=Path),
    default=None,
    help=_l("The folder to write (new or empty); default ./clientele-NAME."),
)
def plugin_new(name: str, path: Path | None) -> None:
    from core.scaffold import ScaffoldError, write_plugin

    folder = path or Path(f"clientele-{name.replace('_', '-')}")
    try:
        written = write_plugin(name, folder)
    except ScaffoldError as error:
        raise click.ClickException(str(error)) from None
    for file in written:
        click.echo(_("  wrote %(file)s", file=file))
    click.echo(
        _(
            'Plugin %(name)s written to %(folder)s. Next: pip install -e %(folder)s, add "%(name)s" '
            "to [clientele].plugins, run clientele db upgrade; its tests run with pytest in that "
            "folder.",
            name=name,
            folder=folder,
        )
    )


@main.group("plugins", help=_l("Installed plugins."))
def plugins_group() -> None:
    """The group of its commands; its help is above, translatable."""


@plugins_group.command(
    "list",
    help=_l(
        "Show every installed plugin: available or enabled, version, depends, hooks it implements."
    ),
)
def plugins_list() -> None:
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


@main.group("users", help=_l("Staff users."))
def users_group() -> None:
    """The group of its commands; its help is above, translatable."""


@users_group.command(
    "add",
    help=_l("Add a staff user, or update the role, name and password of an existing one."),
)
@click.argument("email")
@click.option("--role", required=True, type=click.Choice(ROLES))
@option("--name", default=None, help=_l("Full name (default: the part of the e-mail before @)."))
@option("--password", default=None, help=_l("Prompted for when left out."))
@with_appcontext
def users_add(email: str, role: str, name: str | None, password: str | None) -> None:
    from email_validator import EmailNotValidError, validate_email

    try:
        email = validate_email(email.strip(), check_deliverability=False).normalized.lower()
    except EmailNotValidError as error:
        raise click.BadParameter(str(error), param_hint="EMAIL") from None
    if password is None:
        password = click.prompt(_("Password"), hide_input=True, confirmation_prompt=True)
    if len(password) < 8:
        raise click.BadParameter(_("use at least 8 characters"), param_hint="--password")
    user = db.session.scalar(select(User).where(User.email == email))
    created = user is None
    user = user or User(email=email)
    user.role = role
    user.name = name or user.name or email.split("@")[0]
    user.set_password(password)
    db.session.add(user)
    db.session.commit()
    done = _("Added %(email)s (%(role)s).") if created else _("Updated %(email)s (%(role)s).")
    click.echo(done % {"email": email, "role": role})


@main.command(
    "worker",
    help=_l(
        "Run scheduled jobs and deliver the outbox (Huey consumer; Redis if configured).\n\n"
        "Cron times are in [clientele].timezone. Stop it with SIGINT (Ctrl-C, or "
        "KillSignal=SIGINT under systemd): running jobs finish first. SIGTERM stops at once."
    ),
)
@option(
    "--workers",
    default=2,
    show_default=True,
    type=click.IntRange(1, 64),
    help=_l("Threads running jobs."),
)
@option("--list", "list_only", is_flag=True, help=_l("Only list the scheduled jobs."))
@option(
    "--no-periodic",
    is_flag=True,
    help=_l("Only run jobs others queue (run_soon, mail); leave the schedule to one other worker."),
)
@with_appcontext
def worker_command(workers: int, list_only: bool, no_periodic: bool) -> None:
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
        click.echo(_("Interrupted job runs found; queued again: %(jobs)s.", jobs=", ".join(again)))
    heartbeat = Heartbeat(app, worker_id)
    heartbeat.start()
    schedule = (
        _("no schedule (--no-periodic)")
        if no_periodic
        else _("%(count)s scheduled job(s)", count=len(jobs))
    )
    click.echo(
        _(
            "Worker started: %(schedule)s, queue on %(queue)s.",
            schedule=schedule,
            queue=queue_description(app),
        )
    )
    try:
        consumer.run()
    finally:
        heartbeat.stop()
    click.echo(_("Worker stopped."))


main.add_command(demo.demo_command)
main.add_command(transfer.import_command)
main.add_command(transfer.export_command)
