"""clientele loyalty recompute | tiers."""

from __future__ import annotations

import datetime as dt

import click
from flask.cli import with_appcontext

from core import dates
from core.cli.output import emit, format_option
from core.db import db
from core.i18n import _, _l
from plugins.loyalty.care import create_tasks
from plugins.loyalty.recompute import recompute_all
from plugins.loyalty.report import TIER_COLUMNS, tier_rows


@click.group("loyalty", help=_l("Customer value, tiers, lifecycle and care."))
def loyalty_group() -> None:
    """Customer value, tiers, lifecycle and care."""


@loyalty_group.command(
    "recompute",
    help=_l("Recompute every customer's value, tier and stage now (as the nightly job does)."),
)
@click.option("--no-tasks", is_flag=True, help=_l("Only recompute; do not create care tasks."))
@with_appcontext
def recompute_command(no_tasks: bool) -> None:
    """Recompute every customer's value, tier and stage now (as the nightly job does)."""
    result = recompute_all("recompute (command line)")
    click.echo(
        _(
            "Recomputed as of %(day)s: %(tiers)d tier change(s), %(stages)d stage change(s).",
            day=result.as_of,
            tiers=result.tier_changes,
            stages=result.stage_changes,
        )
    )
    if not no_tasks:
        tasks = create_tasks()
        click.echo(
            _(
                "Care tasks: %(created)d created, %(reactivations)d reactivation task(s) "
                "created, %(closed)d closed.",
                created=tasks.care_tasks,
                reactivations=tasks.reactivation_tasks,
                closed=tasks.closed,
            )
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


@loyalty_group.command(
    "tiers",
    help=_l(
        "Every customer's trailing-12-month profit, tier and stage as of a day "
        "(nothing is written)."
    ),
)
@click.option(
    "--as-of",
    "as_of",
    callback=_as_of,
    help=_l("Day the trailing 12 months end on (default today)."),
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
