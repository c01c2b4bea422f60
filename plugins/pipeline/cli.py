"""`clientele pipeline import | winrate | funnel | forecast` (reports take --format table|csv|json).

Amounts are strings with two places ("12.30"); win_rate has four places ("0.6667") and
avg_cycle_days one ("12.5"), both strings too, as every Clientele report writes fractions.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path
from typing import Any

import click
from flask.cli import with_appcontext

from core import dates
from core.cli.output import emit, format_option
from core.db import db
from plugins.pipeline import reports
from plugins.pipeline.importing import ImportProblem, import_file


def _fixed(value: Decimal | None, places: int) -> str | None:
    return None if value is None else f"{value:.{places}f}"


def _day(value: str | None, option: str) -> dt.date | None:
    if not value:
        return None
    try:
        return dates.parse_date(value)
    except ValueError as error:
        raise click.BadParameter(str(error), param_hint=option) from None


def _month_start(value: str | None, option: str, end: bool = False) -> dt.date | None:
    if not value:
        return None
    try:
        first, last = dates.parse_period(value)
    except ValueError:
        return _day(value, option)
    return last if end else first


@click.group("pipeline")
def pipeline() -> None:
    """Deals: import them, and the win-rate, funnel and forecast reports."""


@pipeline.command("import")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@with_appcontext
def import_command(file: Path) -> None:
    """Import deals from a CSV or xlsx file (idempotent on external_id, all or nothing)."""
    try:
        result = import_file(file)
    except ImportProblem as problem:
        db.session.rollback()
        for line in problem.lines:
            click.echo(line, err=True)
        raise click.ClickException(
            f"Nothing was imported: {len(problem.lines)} problem(s) in {file.name}."
        ) from None
    db.session.commit()
    click.echo(
        f"Imported {file.name}: {result.created} created, {result.updated} updated, "
        f"{result.unchanged} unchanged."
    )
    if result.reasons_added:
        click.echo("Lost reasons added: " + ", ".join(result.reasons_added))


@pipeline.command("winrate")
@click.option("--by", type=click.Choice(reports.DIMENSIONS), required=True, help="Group by.")
@click.option("--from", "first", metavar="YYYY-MM-DD", help="Closed on or after.")
@click.option("--to", "last", metavar="YYYY-MM-DD", help="Closed on or before.")
@format_option
@with_appcontext
def winrate_command(by: str, first: str | None, last: str | None, output_format: str) -> None:
    """Won, lost, win rate, won amount and average cycle days of the deals closed in the dates."""
    start, end = _day(first, "--from"), _day(last, "--to")
    try:
        rows = reports.winrate(by, start, end)
    except reports.ReportError as error:
        raise click.BadParameter(str(error), param_hint="--from/--to") from None
    emit(
        output_format,
        [
            row
            | {
                "win_rate": _fixed(row["win_rate"], 4),
                "avg_cycle_days": _fixed(row["avg_cycle_days"], 1),
            }
            for row in rows
        ],
        reports.WINRATE_COLUMNS,
    )


@pipeline.command("funnel")
@format_option
@with_appcontext
def funnel_command(output_format: str) -> None:
    """Per stage: open deals and their amount, weighted amount, won and lost deals."""
    rows: list[dict[str, Any]] = [row.as_dict() for row in reports.funnel()]
    db.session.commit()  # the stages may just have been seeded from the config
    emit(output_format, rows, reports.FUNNEL_COLUMNS)


@pipeline.command("forecast")
@click.option("--from", "first", metavar="YYYY-MM", help="First month (or a date).")
@click.option("--to", "last", metavar="YYYY-MM", help="Last month (or a date).")
@format_option
@with_appcontext
def forecast_command(first: str | None, last: str | None, output_format: str) -> None:
    """Per month: open deals by expected close (amount, weighted) against what was won."""
    rows = reports.forecast(_month_start(first, "--from"), _month_start(last, "--to", end=True))
    emit(output_format, rows, reports.FORECAST_COLUMNS)
