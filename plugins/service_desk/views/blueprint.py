"""The service desk's one Blueprint at /service_desk and the template filters its pages use."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from flask import Blueprint

from plugins.service_desk.business_hours import local_time_text
from plugins.service_desk.settings import desk_calendar
from plugins.service_desk.sla import describe_minutes

bp = Blueprint(
    "service_desk",
    __name__,
    url_prefix="/service_desk",
    template_folder=str(Path(__file__).resolve().parent.parent / "templates"),
)


@bp.app_template_filter("desk_time")
def desk_time(instant: dt.datetime | None) -> str:
    """Jinja: a stored UTC instant in the company's time zone, "2026-03-02 10:00"."""
    return local_time_text(instant, desk_calendar().timezone)


@bp.app_template_filter("business_minutes")
def business_minutes(seconds: int | None) -> str:
    """Jinja: business seconds as "1 h 30 min"."""
    return describe_minutes(round((seconds or 0) / 60)) if seconds is not None else "–"
