"""clientele loyalty recompute | tiers."""

from __future__ import annotations

import datetime as dt

import click
from flask.cli import with_appcontext

from core import dates
from core.cli.output import emit, format_option
from core.db import db
from plugins.loyalty.care import create_tasks
from plugins.loyalty.recompute import recompute_all
from plugins.loyalty.report import TIER_COLUMNS, tier_rows


@click.group("loyalty")
def loyalty_group() -> None:
    """Customer value, tiers, lifecycle and care."""


@loyalty_group.command("recompute")
@click.option("--no-tasks", is_flag=True, help="Only recompute; do not create care tasks.")
@with_appcontext
def recompute_command(no_tasks: bool) -> None:
    """Recompute every customer's value, tier and stage now (as the nightly job does)."""
    result = recompute_all("recompute (command line)")
    click.echo(
        f"Recomputed as of {result.as_of}: {result.tier_changes} tier change(s), "
        f"{result.stage_changes} stage change(s)."
    )
    if not no_tasks:
        tasks = create_tasks()
        click.echo(
            f"Care tasks: {tasks.care_tasks} created, {tasks.reactivation_tasks} reactivation "
            f"task(s) created, {tasks.closed} closed."
        )
    db.session.commit()


def _as_of(context: click.Context, parameter: click.Parameter, value: str | None) -> dt.date:
    """--as-of YYYY-MM-DD, today by default."""
    if not value:
        return dates.today()
    try:
        return dates.parse_date(value)
    except ValueError as error:
        raise click.BadParameter(str(error)) from None


@loyalty_group.command("tiers")
@click.option(
    "--as-of", "as_of", callback=_as_of, help="Day the trailing 12 months end on (default today)."
)
@format_option
@with_appcontext
def tiers_command(as_of: dt.date, output_format: str) -> None:
    """Every customer's trailing-12-month profit, tier and stage as of a day (nothing is written)."""
    rows = tier_rows(as_of)
    emit(
        output_format,
        rows,
        TIER_COLUMNS,
        envelope={"as_of": as_of.isoformat()},
        rows_key="customers",
    )
