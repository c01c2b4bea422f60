"""The template filters the service desk's pages use (views.py registers them)."""

from __future__ import annotations

import datetime as dt

from core.i18n import format_datetime
from plugins.service_desk.history import event_text
from plugins.service_desk.models import TicketEvent, label, policy_label
from plugins.service_desk.reports import group_label
from plugins.service_desk.settings import category_label
from plugins.service_desk.sla import describe_minutes


def desk_time(instant: dt.datetime | None) -> str:
    """Jinja: a stored UTC instant in the company's time zone, "2026-03-02 10:00" (2026年3月2日 10:00)."""
    return format_datetime(instant)


def desk_group(name: object) -> str:
    """Jinja: a report row's group, "All teams" and "No team" translated (reports.group_label)."""
    return group_label(name)


def desk_category(category: str) -> str:
    """Jinja: a ticket's category, the shipped ones translated (settings.category_label)."""
    return category_label(category)


def desk_policy(name: str) -> str:
    """Jinja: an SLA policy's name, "high" or "high / Gold", with the priority in the reader's words."""
    return policy_label(name)


def desk_event(event: TicketEvent) -> str:
    """Jinja: a history line in the reader's language (history.event_text)."""
    return event_text(event)


def desk_label(key: str, table: str) -> str:
    """Jinja: ``ticket.state|desk_label('state')``, a label of models.LABELS for the reader."""
    return label(table, key)


def business_minutes(seconds: int | None) -> str:
    """Jinja: business seconds as "1 h 30 min"."""
    return describe_minutes(round((seconds or 0) / 60)) if seconds is not None else "–"
