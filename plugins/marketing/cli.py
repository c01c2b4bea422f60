"""`clientele marketing ...`: count a segment, attribution reports, import consent evidence."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path
from typing import Any

import click
from flask.cli import with_appcontext
from sqlalchemy import select

from core.cli.output import emit, format_option
from core.dates import parse_period
from core.db import db
from core.i18n import _, _l
from core.money import round_percent
from core.plugins import plugin_system
from plugins.marketing import attribution
from plugins.marketing import settings as marketing_settings
from plugins.marketing.consent_import import ImportProblem, import_consent
from plugins.marketing.models import Segment
from plugins.marketing.segments import (
    SegmentError,
    collect_criteria,
    count_customers,
    rule_from_json,
)

CHANNEL_COLUMNS = (
    "channel", "customers", "new_customers", "buyers", "net", "profit",
    "profit_share_percent", "profit_per_buyer",
)  # fmt: skip
CAMPAIGN_COLUMNS = (
    "campaign_id", "name", "topic", "status", "recipients", "buyers", "orders", "acquired",
    "net", "profit", "cost", "cost_per_acquired", "return_on_cost_percent",
)  # fmt: skip


@click.group("marketing", help=_l("Segments, attribution and consent of the marketing plugin."))
def marketing() -> None:
    """Segments, attribution and consent of the marketing plugin."""


@marketing.command(
    "segment-count", help=_l("Print how many customers the saved segment NAME has now.")
)
@click.argument("name")
@with_appcontext
def segment_count(name: str) -> None:
    """Print how many customers the saved segment NAME has now."""
    segment = db.session.scalar(select(Segment).where(Segment.name == name))
    if segment is None:
        names = list(db.session.scalars(select(Segment.name).order_by(Segment.name)))
        known = ", ".join(names) if names else _("none yet")
        raise click.ClickException(
            _(
                "There is no segment called '%(name)s' (segments: %(known)s).",
                name=name,
                known=known,
            )
        )
    try:
        count = count_customers(
            rule_from_json(segment.definition), collect_criteria(plugin_system().pm)
        )
    except SegmentError as error:
        raise click.ClickException(
            _("Segment '%(name)s' cannot be counted: %(error)s", name=name, error=error)
        ) from None
    click.echo(count)


def _percent(fraction: Decimal | None) -> Decimal | None:
    """A fraction as a percentage with two places (0.33333 → 33.33)."""
    return None if fraction is None else round_percent(fraction * 100)


def _channel_rows(start: Any, end: Any) -> list[dict[str, Any]]:
    """Channel figures as report rows."""
    return [
        {
            "channel": row.channel, "customers": row.customers, "new_customers": row.new_customers,
            "buyers": row.buyers, "net": row.net, "profit": row.profit,
            "profit_share_percent": _percent(row.profit_share), "profit_per_buyer": row.profit_per_buyer,
        }
        for row in attribution.channel_figures(start, end)
    ]  # fmt: skip


def _campaign_rows(start: Any, end: Any) -> list[dict[str, Any]]:
    """Campaign figures as report rows."""
    return [
        {
            "campaign_id": row.campaign_id, "name": row.name, "topic": row.topic, "status": row.status,
            "recipients": row.recipients, "buyers": row.buyers, "orders": row.orders,
            "acquired": row.acquired, "net": row.net, "profit": row.profit, "cost": row.cost,
            "cost_per_acquired": row.cost_per_acquired,
            "return_on_cost_percent": _percent(row.return_on_cost),
        }
        for row in attribution.campaign_figures(marketing_settings.current().attribution_days, start, end)
    ]  # fmt: skip


@marketing.command(
    "attribution", help=_l("Customers, net and profit by acquisition channel or by campaign.")
)
@click.option("--period", default="", help=_l("A month, YYYY-MM; without it, all time."))
@click.option(
    "--by",
    type=click.Choice(["channel", "campaign"]),
    default="channel",
    show_default=True,
    help=_l("Rows per acquisition channel, or per campaign mailed in the period."),
)
@format_option
@with_appcontext
def attribution_command(period: str, by: str, output_format: str) -> None:
    """Customers, net and profit by acquisition channel or by campaign."""
    start = end = None
    if period:
        try:
            start, end = parse_period(period)
        except ValueError as error:
            raise click.BadParameter(str(error), param_hint="--period") from None
    envelope = {
        "period": period or None,
        "currency": marketing_settings.current().currency,
        "attribution_days": marketing_settings.current().attribution_days,
    }
    if by == "channel":
        emit(output_format, _channel_rows(start, end), CHANNEL_COLUMNS, envelope, "channels")
    else:
        emit(output_format, _campaign_rows(start, end), CAMPAIGN_COLUMNS, envelope, "campaigns")


@marketing.command(
    "consent-import",
    help=_l(
        "Record opt-ins and opt-outs from a CSV file (external_id,topic,status,at,note) as evidence."
    ),
)
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@with_appcontext
def consent_import(file: Path) -> None:
    """Record opt-ins and opt-outs from a CSV file (external_id,topic,status,at,note) as evidence."""
    try:
        changed, unchanged = import_consent(file, marketing_settings.current().topics)
    except ImportProblem as problem:
        db.session.rollback()
        for line in problem.lines:
            click.echo(line, err=True)
        raise click.ClickException(_("Nothing was imported.")) from None
    db.session.commit()
    click.echo(
        _(
            "%(changed)s consent change(s) recorded; %(unchanged)s row(s) were already so.",
            changed=changed,
            unchanged=unchanged,
        )
    )


@marketing.command(
    "refresh-recommendations",
    help=_l("Recompute which products are bought together (the nightly job does it too)."),
)
@with_appcontext
def refresh_recommendations_command() -> None:
    """Recompute which products are bought together (the nightly job does it too)."""
    import time

    from plugins.marketing.jobs import refresh_recommendations

    started = time.perf_counter()
    pairs, similarities = refresh_recommendations()
    seconds = f"{time.perf_counter() - started:.1f}"
    click.echo(
        _(
            "%(pairs)s customer-product pairs, %(similarities)s product similarities kept "
            "in %(seconds)ss.",
            pairs=pairs,
            similarities=similarities,
            seconds=seconds,
        )
    )
