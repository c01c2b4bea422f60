"""The template filters the service desk's pages use (views.py registers them)."""

from __future__ import annotations

import datetime as dt

from plugins.service_desk.business_hours import local_time_text
from plugins.service_desk.settings import desk_calendar
from plugins.service_desk.sla import describe_minutes


def desk_time(instant: dt.datetime | None) -> str:
    """Jinja: a stored UTC instant in the company's time zone, "2026-03-02 10:00"."""
    return local_time_text(instant, desk_calendar().timezone)


def business_minutes(seconds: int | None) -> str:
    """Jinja: business seconds as "1 h 30 min"."""
    return describe_minutes(round((seconds or 0) / 60)) if seconds is not None else "–"
