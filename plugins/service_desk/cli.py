"""clientele service_desk ...: the SLA and satisfaction reports, and the SLA check on demand."""

from __future__ import annotations

import click
from flask.cli import with_appcontext

from core.cli.output import emit, format_option
from core.dates import parse_period
from core.db import db
from core.i18n import _, _l
from plugins.service_desk import reports

SLA_COLUMNS = (
    "team", "tickets", "with_sla", "first_response_met", "first_response_breached",
    "resolution_met", "resolution_breached", "breached", "breach_rate",
)  # fmt: skip


def _period(value: str) -> tuple[str, tuple[object, object]]:
    """The period text and its first and last day; a clear error for anything else."""
    try:
        return value, parse_period(value)
    except ValueError as error:
        raise click.BadParameter(str(error), param_hint="--period") from None


@click.group("service_desk", help=_l("Service desk: tickets, SLA and satisfaction."))
def group() -> None:
    """Service desk: tickets, SLA and satisfaction."""


@group.command(
    "sla-report",
    help=_l(
        "Per team: tickets opened in the period, SLA targets met and breached, breach rate (%)."
    ),
)
@click.option("--period", required=True, help=_l("Month of the tickets' opening, YYYY-MM."))
@format_option
@with_appcontext
def sla_report_command(period: str, output_format: str) -> None:
    """Per team: tickets opened in the period, SLA targets met and breached, breach rate (%)."""
    text, (start, end) = _period(period)
    rows = reports.sla_report(start, end)  # type: ignore[arg-type]
    emit(output_format, rows, SLA_COLUMNS, {"period": text}, rows_key="teams")


@group.command(
    "csat-report",
    help=_l(
        "Surveys sent and answered, average rating and CSAT (% rated 4 or 5) per agent, team or "
        "category."
    ),
)
@click.option("--period", required=True, help=_l("Month of the resolutions, YYYY-MM."))
@click.option(
    "--by", "group_by", type=click.Choice(reports.CSAT_GROUPS), default="agent", show_default=True
)
@format_option
@with_appcontext
def csat_report_command(period: str, group_by: str, output_format: str) -> None:
    """Surveys sent and answered, average rating and CSAT (% rated 4 or 5) per agent, team or category."""
    text, (start, end) = _period(period)
    rows = reports.csat_report(start, end, group_by)  # type: ignore[arg-type]
    columns = (group_by, "sent", "answered", "response_rate", "average_rating", "csat")
    emit(output_format, rows, columns, {"period": text, "by": group_by}, rows_key="rows")


@group.command(
    "sla-check",
    help=_l("Run the SLA check and the auto-close now (the worker runs them on schedule)."),
)
@with_appcontext
def sla_check_command() -> None:
    """Run the SLA check and the auto-close now (the worker runs them on schedule)."""
    from plugins.service_desk.jobs import auto_close, check_sla

    warnings, breaches = check_sla()
    closed = auto_close()
    db.session.commit()
    click.echo(
        _(
            "%(warnings)s warning(s) sent, %(breaches)s breach(es) flagged, "
            "%(closed)s ticket(s) closed.",
            warnings=warnings,
            breaches=breaches,
            closed=closed,
        )
    )
