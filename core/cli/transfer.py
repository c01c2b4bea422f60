"""`clientele import` and `clientele export`: the CSV formats of docs/import.md in and out."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import click
from flask import current_app
from flask.cli import with_appcontext
from sqlalchemy.exc import SQLAlchemyError

from core.cli.options import option
from core.cli.schema import check_schema_or_fail
from core.db import db, tidy_tables
from core.i18n import _, _l
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


@click.command(
    "import",
    help=_l(
        "Import FILE (CSV or .xlsx, header row) as users, customers, products, orders or "
        "order-lines.\n\nImporting the same file again changes nothing. Every rejected row is "
        "listed with its line number and the reason. The columns and rules of each format are "
        "in docs/import.md."
    ),
)
@click.argument("kind", metavar="FORMAT", type=click.Choice(list(FORMATS)))
@click.argument("file", type=click.Path(exists=True, dir_okay=False, readable=True, path_type=Path))
@option(
    "--skip-invalid",
    is_flag=True,
    help=_l(
        "Import the valid rows and report the rejected ones (without it, one invalid row "
        "means nothing is imported)."
    ),
)
@option(
    "--errors",
    "errors_file",
    type=click.Path(dir_okay=False, writable=True, path_type=Path),
    help=_l("Write the rejected rows to this CSV file, each with a reason column."),
)
@option(
    "--check",
    "check_only",
    is_flag=True,
    help=_l("Check the file and say what the import would do, without saving anything."),
)
@with_appcontext
def import_command(
    kind: str, file: Path, skip_invalid: bool, errors_file: Path | None, check_only: bool
) -> None:
    if errors_file is not None and errors_file.resolve() == file.resolve():
        raise click.BadParameter(_("must not be the file being imported"), param_hint="--errors")
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
        raise click.ClickException(
            _("%(file)s: %(error)s. Nothing was imported.", file=file.name, error=error)
        ) from None
    except OSError as error:
        db.session.rollback()
        raise click.ClickException(
            _("cannot read %(file)s: %(error)s", file=file, error=error.strerror or error)
        ) from None
    except (PluginError, SQLAlchemyError) as error:
        db.session.rollback()
        ensure_schema()
        if isinstance(error, PluginError):
            raise click.ClickException(f"{file.name}: {error}") from None
        reason = str(getattr(error, "orig", error)).splitlines()[0]
        raise click.ClickException(
            _(
                "%(file)s: the database refused the import (%(reason)s). Nothing was imported.",
                file=file.name,
                reason=reason,
            )
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
            _(
                "Wrote %(count)s rejected row(s), each with a reason, to %(file)s.",
                count=count,
                file=errors_file,
            ),
            err=True,
        )
    if not result.written:
        raise click.ClickException(
            _(
                "%(file)s: %(count)s invalid row(s); nothing was imported. Fix them, or use "
                "--skip-invalid (with --errors FILE) to import the valid rows.",
                file=name,
                count=len(result.rejected),
            )
        )
    notes = result.notes
    for note in notes[:NOTES_SHOWN]:
        click.echo(note, err=True)
    if len(notes) > NOTES_SHOWN:
        click.echo(_("... and %(count)s more.", count=len(notes) - NOTES_SHOWN), err=True)
    summary = _(
        "%(file)s: %(rows)s row(s) read; %(counted)s: %(added)s added, %(changed)s changed, "
        "%(unchanged)s unchanged",
        file=name,
        rows=result.rows,
        counted=result.counted,
        added=result.added,
        changed=result.changed,
        unchanged=result.unchanged,
    )
    if result.rejected:
        summary += _("; %(count)s row(s) rejected", count=len(result.rejected))
    if result.flagged:
        summary += _(
            "; %(count)s row(s) kept with data to check (listed on the Data to check page)",
            count=len(result.flagged),
        )
    if result.skipped:
        summary += _("; %(count)s row(s) of merged customers skipped", count=len(result.skipped))
    if result.order_ids:
        summary += _("; plugins were told about %(count)s order(s)", count=len(result.order_ids))
    if check_only:
        summary += _(". Checked only: nothing was saved")
    click.echo(summary + _("."))


@click.command(
    "export",
    help=_l(
        "Write users, customers, products, orders or order-lines to FILE in the import "
        "format.\n\nThe file imports back unchanged. Customers without an external_id are "
        'given "CUST-<id>" first, so that orders can refer to them.'
    ),
)
@click.argument("kind", metavar="FORMAT", type=click.Choice(list(FORMATS)))
@click.argument("file", type=click.Path(dir_okay=False, writable=True, path_type=Path))
@with_appcontext
def export_command(kind: str, file: Path) -> None:
    from core.exporting import export_file, give_external_ids

    ensure_schema()
    if kind in ("customers", "orders"):
        given = give_external_ids()
        db.session.commit()
        if given:
            click.echo(
                _(
                    "Gave %(count)s customer(s) without an external_id the key CUST-<id>.",
                    count=given,
                )
            )
    bars = ProgressBars()
    try:
        count = export_file(kind, file, bars)
    except OSError as error:
        raise click.ClickException(
            _("cannot write %(file)s: %(error)s", file=file, error=error.strerror)
        ) from None
    finally:
        bars.close()
    db.session.rollback()
    click.echo(
        _("Exported %(count)s %(kind)s row(s) to %(file)s.", count=count, kind=kind, file=file)
    )
