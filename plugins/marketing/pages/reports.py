"""Report pages: attribution by channel and campaign, and the regional breakdown of a segment."""

from __future__ import annotations

import datetime as dt
from typing import Any

from flask import render_template, request
from sqlalchemy import select

from core.auth import permission_required
from core.dates import parse_period
from core.db import db
from core.i18n import _
from plugins.marketing import attribution, regions
from plugins.marketing import settings as marketing_settings
from plugins.marketing.models import Segment
from plugins.marketing.pages.common import catalog
from plugins.marketing.segments import SegmentError, compile_rule, rule_from_json

CHART_BARS = 12


def _period() -> tuple[str, dt.date | None, dt.date | None, str]:
    """(typed period, start, end, error) from ?period=YYYY-MM; empty means all time."""
    text = request.args.get("period", "").strip()
    if not text:
        return "", None, None, ""
    try:
        start, end = parse_period(text)
    except ValueError as error:
        return text, None, None, str(error)
    return text, start, end, ""


@permission_required("marketing.attribution")
def attribution_page() -> str:
    """Customers, net and profit by acquisition channel, and what each campaign brought."""
    period, start, end, error = _period()
    channels: list[attribution.ChannelFigures] = []
    campaign_rows: list[attribution.CampaignFigures] = []
    if not error:
        channels = attribution.channel_figures(start, end)
        campaign_rows = attribution.campaign_figures(
            marketing_settings.current().attribution_days, start, end
        )
    top = channels[:CHART_BARS]
    return render_template(
        "marketing/attribution.html",
        title=_("Attribution"),
        period=period,
        period_error=error,
        channels=channels,
        campaigns=campaign_rows,
        attribution_days=marketing_settings.current().attribution_days,
        chart_labels=[attribution.channel_label(row.channel) for row in top],
        chart_values=[row.profit for row in top],
    )


def _segment_condition(segment: Segment | None) -> tuple[Any, str]:
    """(SQL condition or None for everyone, problem text)."""
    if segment is None:
        return None, ""
    try:
        return compile_rule(rule_from_json(segment.definition), catalog()), ""
    except SegmentError as error:
        return None, " ".join(error.problems)


def _profit_percentages(result: regions.Breakdown | None, places: list[regions.Place]) -> list[Any]:
    """Each place's share of the segment's profit, in percent, for the chart."""
    if result is None:
        return []
    return [(result.profit_share(place) or 0) * 100 for place in places]


@permission_required("marketing.attribution")
def regions_page() -> str:
    """Where a segment's customers and profit are, by region or city, with a chart."""
    period, start, end, error = _period()
    segments = list(db.session.scalars(select(Segment).order_by(Segment.name)))
    chosen = request.args.get("segment", "")
    segment = next((item for item in segments if str(item.id) == chosen), None)
    level = request.args.get("level", "region")
    if level not in regions.LEVELS:
        level = "region"
    condition, problem = _segment_condition(segment)
    result = None
    if not error and not problem:
        result = regions.breakdown(condition, level, start, end)
    top = result.places[:CHART_BARS] if result else []
    return render_template(
        "marketing/regions.html",
        title=_("Regions"),
        period=period,
        period_error=error,
        segments=segments,
        segment=segment,
        level=level,
        problem=problem,
        result=result,
        chart_labels=[place.short_label for place in top],
        chart_values=_profit_percentages(result, top),
    )
