"""Report pages: funnel, win rate and forecast for managers; counts by channel for marketing."""

from __future__ import annotations

from flask import render_template, request

from core import dates
from core.auth import permission_required
from core.db import db
from core.i18n import _
from plugins.pipeline import learning, reports
from plugins.pipeline import stages as stage_records


def _day(name: str) -> tuple[str, object, str]:
    text = request.args.get(name, "").strip()
    if not text:
        return "", None, ""
    try:
        return text, dates.parse_date(text), ""
    except ValueError as error:
        return text, None, str(error)


@permission_required("pipeline.reports")
def reports_page() -> str:
    """The funnel, the win rate by owner, product, channel or month, and the forecast."""
    by = request.args.get("by", "owner")
    if by not in reports.DIMENSIONS:
        by = "owner"
    first_text, first, first_error = _day("from")
    last_text, last, last_error = _day("to")
    error = first_error or last_error
    stage_records.ensure_stages()
    db.session.commit()  # the stages may just have been seeded
    funnel = reports.funnel()
    rates = []
    if not error:
        try:
            rates = reports.winrate(by, first, last)  # type: ignore[arg-type]
        except reports.ReportError as problem:
            error = str(problem)
    forecast = reports.forecast()
    learned = learning.learned_forecast()
    for row in forecast:
        row["learned_amount"] = learned.get(row["month"]) if learned else None
    return render_template(
        "pipeline/reports.html",
        title=_("Pipeline reports"),
        funnel=funnel,
        rates=rates,
        forecast=forecast,
        learned_forecast=bool(learned),
        stage_times=learning.time_in_stage(),
        by=by,
        dimensions=reports.DIMENSIONS,
        first=first_text,
        last=last_text,
        error=error,
        funnel_labels=[row.stage.name for row in funnel if row.stage.kind == "open"],
        funnel_values=[row.open_amount for row in funnel if row.stage.kind == "open"],
        rate_labels=[row["key"] or _("(none)") for row in rates[:12]],
        rate_values=[(row["win_rate"] or 0) * 100 for row in rates[:12]],
    )


@permission_required("pipeline.channels")
def channels_page() -> str:
    """Deals by channel: open, won and lost counts, no amounts and no names."""
    return render_template(
        "pipeline/channels.html", title=_("Deals by channel"), rows=reports.channel_counts()
    )
