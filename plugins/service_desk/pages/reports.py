"""Reports for managers: SLA per team, satisfaction (CSAT), and the process analysis with charts."""

from __future__ import annotations

import datetime as dt

from flask import flash, render_template, request

from core import dates
from core.auth import permission_required
from core.i18n import _, format_month
from core.models import utcnow
from plugins.service_desk import analysis, reports
from plugins.service_desk.models import KIND_LABELS, label, labels

DEFAULT_DAYS = 90


def _date_range() -> tuple[dt.date, dt.date]:
    """?from=&to= as dates; the last 90 days by default; a bad or reversed range falls back with a message."""
    today = dates.today()
    default = (today - dt.timedelta(days=DEFAULT_DAYS - 1), today)
    try:
        start = dates.parse_date(request.args["from"]) if request.args.get("from") else default[0]
        end = dates.parse_date(request.args["to"]) if request.args.get("to") else default[1]
    except ValueError as error:
        flash(
            _("%(error)s; showing the last %(days)s days.", error=error, days=DEFAULT_DAYS),
            "warning",
        )
        return default
    if start > end:
        flash(
            _("The start is after the end; showing the last %(days)s days.", days=DEFAULT_DAYS),
            "warning",
        )
        return default
    return start, end


@permission_required("service_desk.reports")
def sla_report() -> str:
    """Tickets opened in a month per team: targets met and breached, breach rate, with a chart."""
    period = request.args.get("period") or dates.period_of(dates.today())
    try:
        start, end = dates.parse_period(period)
    except ValueError as error:
        flash(str(error), "warning")
        period = dates.period_of(dates.today())
        start, end = dates.parse_period(period)
    rows = reports.sla_report(start, end)
    teams = [
        row for row in rows if row["team"] != reports.ALL_TEAMS and row["breach_rate"] is not None
    ]
    return render_template(
        "service_desk/report_sla.html",
        title=_("SLA report"),
        period=period,
        period_name=format_month(start),
        previous=dates.period_of(start - dt.timedelta(days=1)),
        previous_name=format_month(start - dt.timedelta(days=1)),
        following=dates.next_period(period),
        following_name=format_month(end + dt.timedelta(days=1)),
        rows=rows,
        chart_labels=[reports.group_label(row["team"]) for row in teams],
        chart_values=[row["breach_rate"] for row in teams],
    )


@permission_required("service_desk.reports")
def satisfaction_report() -> str:
    """CSAT per agent, team or category for resolutions in a date range."""
    start, end = _date_range()
    group_by = request.args.get("by", "agent")
    if group_by not in reports.CSAT_GROUPS:
        group_by = "agent"
    rows = reports.csat_report(start, end, group_by)
    rated = [row for row in rows if row["csat"] is not None]
    return render_template(
        "service_desk/report_csat.html",
        title=_("Satisfaction"),
        start=start,
        end=end,
        group_by=group_by,
        groups=reports.CSAT_GROUPS,
        rows=rows,
        chart_labels=[reports.group_label(row[group_by]) for row in rated],
        chart_values=[row["csat"] for row in rated],
    )


@permission_required("service_desk.reports")
def process_report() -> str:
    """Time in each step (average, p50, p90) per category or team, the longest step, complaint trend."""
    start, end = _date_range()
    group_by = request.args.get("by", "category")
    if group_by not in analysis.GROUPINGS:
        group_by = "category"
    kind = request.args.get("kind", "")
    if kind not in KIND_LABELS:
        kind = ""
    now = utcnow()
    overall = analysis.time_in_state(start, end, None, kind, now)
    longest = analysis.longest_step(overall)
    groups: dict[str, list[analysis.StepFigures]] = {}
    for figures in analysis.time_in_state(start, end, group_by, kind, now):
        groups.setdefault(figures.group, []).append(figures)
    months, trend = analysis.complaint_trend(start, end)
    month_names = [format_month(dt.date(int(key[:4]), int(key[5:]), 1)) for key in months]
    trend = {reports.group_label(name): counts for name, counts in trend.items()}
    return render_template(
        "service_desk/report_process.html",
        title=_("Process analysis"),
        start=start,
        end=end,
        group_by=group_by,
        kind=kind,
        kinds=labels("kind"),
        overall=overall,
        longest=longest,
        highlight=next((i for i, f in enumerate(overall) if f.state == longest), None),
        chart_labels=[label("state", figures.state) for figures in overall],
        groups=groups,
        longest_by_group={name: analysis.longest_step(rows) for name, rows in groups.items()},
        months=month_names,
        trend=trend,
    )
