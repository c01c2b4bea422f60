"""`clientele import` and `clientele export`: the CSV formats of docs/import.md in and out."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import click
from flask import current_app
from flask.cli import with_appcontext
from sqlalchemy.exc import SQLAlchemyError

from core.cli.schema import check_schema_or_fail
from core.db import db, tidy_tables
from core.importing import FORMATS, ImportFileError, ImportResult, import_file, write_errors
from core.plugins import PluginError


def ensure_schema() -> None:
    """Stop with the loader's message when migrations are missing.

    Testing apps are skipped: their fixture migrates the database and binds the session to
    one connection, which the check (it opens its own connection) cannot use.
    """
    app = current_app._get_current_object()  # type: ignore[attr-defined]
    if not app.testing:
        check_schema_or_fail(app)


class ProgressBars:
    """Shows each phase of an import or export as a click progress bar (just its label when not a terminal)."""

    def __init__(self) -> None:
        self.bar: Any = None

    def phase(self, label: str, total: int) -> None:
        """Close the previous bar and open one for this phase (none for an empty phase)."""
        self.close()
        if total > 0:
            self.bar = click.progressbar(length=total, label=label, file=sys.stderr)
            self.bar.__enter__()

    def advance(self, done: int) -> None:
        """Move the bar on."""
        if self.bar is not None and done > 0:
            self.bar.update(done)

    def close(self) -> None:
        """Finish the current bar."""
        if self.bar is not None:
            self.bar.__exit__(None, None, None)
            self.bar = None


#: Kept-as-typed notes printed one by one; the summary counts the rest.
NOTES_SHOWN = 20


@click.command("import")
@click.argument("kind", metavar="FORMAT", type=click.Choice(list(FORMATS)))
@click.argument("file", type=click.Path(exists=True, dir_okay=False, readable=True, path_type=Path))
@click.option(
    "--skip-invalid",
    is_flag=True,
    help="Import the valid rows and report the rejected ones (without it, one invalid row "
    "means nothing is imported).",
)
@click.option(
    "--errors",
    "errors_file",
    type=click.Path(dir_okay=False, writable=True, path_type=Path),
    help="Write the rejected rows to this CSV file, each with a reason column.",
)
@click.option(
    "--check",
    "check_only",
    is_flag=True,
    help="Check the file and say what the import would do, without saving anything.",
)
@with_appcontext
def import_command(
    kind: str, file: Path, skip_invalid: bool, errors_file: Path | None, check_only: bool
) -> None:
    """Import FILE (CSV or .xlsx, header row) as users, customers, products, orders or order-lines.

    Importing the same file again changes nothing. Every rejected row is listed with its
    line number and the reason. The columns and rules of each format are in docs/import.md.
    """
    if errors_file is not None and errors_file.resolve() == file.resolve():
        raise click.BadParameter("must not be the file being imported", param_hint="--errors")
    result = _run_import(kind, file, skip_invalid, check_only)
    _report(result, errors_file, check_only)


def _run_import(kind: str, file: Path, skip_invalid: bool, check_only: bool) -> ImportResult:
    """Import the file and commit (roll back for --check), or roll back and stop with one clear line.

    The schema check runs only when something failed: missing migrations are the usual
    cause of a database error here, and checking first would cost every import its time.
    """
    bars = ProgressBars()
    try:
        result = import_file(kind, file, skip_invalid, bars)
    except ImportFileError as error:
        db.session.rollback()
        raise click.ClickException(f"{file.name}: {error}. Nothing was imported.") from None
    except OSError as error:
        db.session.rollback()
        raise click.ClickException(f"cannot read {file}: {error.strerror or error}") from None
    except (PluginError, SQLAlchemyError) as error:
        db.session.rollback()
        ensure_schema()
        if isinstance(error, PluginError):
            raise click.ClickException(f"{file.name}: {error}") from None
        reason = str(getattr(error, "orig", error)).splitlines()[0]
        raise click.ClickException(
            f"{file.name}: the database refused the import ({reason}). Nothing was imported."
        ) from None
    finally:
        bars.close()
    if result.written and not check_only:
        db.session.commit()
        tidy_tables()  # a big import changes the tables' sizes and leaves dead rows
    else:
        db.session.rollback()
    return result


def _report(result: ImportResult, errors_file: Path | None, check_only: bool) -> None:
    """List the rejected rows, write the errors file, and say what was imported."""
    name = result.path.name
    for problem in result.problems:
        click.echo(problem, err=True)
    if errors_file is not None and result.rejected:
        count = write_errors(result, errors_file)
        click.echo(
            f"Wrote {count} rejected row(s), each with a reason, to {errors_file}.", err=True
        )
    if not result.written:
        raise click.ClickException(
            f"{name}: {len(result.rejected)} invalid row(s); nothing was imported. Fix them, "
            "or use --skip-invalid (with --errors FILE) to import the valid rows."
        )
    notes = result.notes
    for note in notes[:NOTES_SHOWN]:
        click.echo(note, err=True)
    if len(notes) > NOTES_SHOWN:
        click.echo(f"... and {len(notes) - NOTES_SHOWN} more.", err=True)
    summary = (
        f"{name}: {result.rows} row(s) read; {result.counted}: {result.added} added, "
        f"{result.changed} changed, {result.unchanged} unchanged"
    )
    if result.rejected:
        summary += f"; {len(result.rejected)} row(s) rejected"
    if result.flagged:
        summary += (
            f"; {len(result.flagged)} row(s) kept with data to check "
            "(listed on the Data to check page)"
        )
    if result.skipped:
        summary += f"; {len(result.skipped)} row(s) of merged customers skipped"
    if result.order_ids:
        summary += f"; plugins were told about {len(result.order_ids)} order(s)"
    if check_only:
        summary += ". Checked only: nothing was saved"
    click.echo(summary + ".")


@click.command("export")
@click.argument("kind", metavar="FORMAT", type=click.Choice(list(FORMATS)))
@click.argument("file", type=click.Path(dir_okay=False, writable=True, path_type=Path))
@with_appcontext
def export_command(kind: str, file: Path) -> None:
    """Write users, customers, products, orders or order-lines to FILE in the import format.

    The file imports back unchanged. Customers without an external_id are given "CUST-<id>"
    first, so that orders can refer to them.
    """
    from core.exporting import export_file, give_external_ids

    ensure_schema()
    if kind in ("customers", "orders"):
        given = give_external_ids()
        db.session.commit()
        if given:
            click.echo(f"Gave {given} customer(s) without an external_id the key CUST-<id>.")
    bars = ProgressBars()
    try:
        count = export_file(kind, file, bars)
    except OSError as error:
        raise click.ClickException(f"cannot write {file}: {error.strerror}") from None
    finally:
        bars.close()
    db.session.rollback()
    click.echo(f"Exported {count} {kind} row(s) to {file}.")
