"""Values and small helpers the service desk tests share."""

from __future__ import annotations

import datetime as dt

#: Targets used by most tests: normal priority, 60 business minutes to respond, 240 to resolve.
POLICIES = [
    {"priority": "urgent", "first_response_minutes": 30, "resolution_minutes": 120},
    {"priority": "high", "first_response_minutes": 45, "resolution_minutes": 180},
    {"priority": "normal", "first_response_minutes": 60, "resolution_minutes": 240},
    {"priority": "normal", "tier": "Gold", "first_response_minutes": 15, "resolution_minutes": 60},
]


def utc(text: str) -> dt.datetime:
    """ "2026-01-05 08:00" → a naive UTC datetime."""
    return dt.datetime.fromisoformat(text)
