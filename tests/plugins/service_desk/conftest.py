"""Service desk tests run with only service_desk enabled, on SQLite or $CLIENTELE_TEST_DATABASE_URL.

The company works Monday to Friday 09:00–17:00 in Europe/Berlin (CET = UTC+1 in winter,
CEST = UTC+2 in summer) with German public holidays; SLA targets are set per test.
Stored instants are naive UTC, so "09:00 Berlin" in January is dt.datetime(…, 8, 0).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from core.db import db
from plugins.service_desk.models import Team, TeamMember, Ticket
from plugins.service_desk.tickets import NewTicket, open_ticket

from .helpers import POLICIES


@pytest.fixture
def clientele_plugins() -> list[str]:
    """Only service_desk."""
    return ["service_desk"]


@pytest.fixture
def clientele_settings() -> dict[str, Any]:
    """Small round targets so the arithmetic in the tests stays easy to follow."""
    return {"service_desk": {"sla_policies": POLICIES, "warn_before_minutes": 15}}


@pytest.fixture
def app(make_app: Any, clientele_plugins: list[str], clientele_settings: dict[str, Any]) -> Any:
    """The app as usual, for a company in Berlin (German holidays come from default_region "DE")."""
    return make_app(
        plugins=clientele_plugins, settings=clientele_settings, timezone="Europe/Berlin"
    )


@pytest.fixture
def make_team(app: Any) -> Any:
    """make_team(name, restricted=False, members=[users]) → a saved Team."""

    def factory(name: str = "Front desk", restricted: bool = False, members: Any = ()) -> Team:
        team = Team(name=name, restricted=restricted)
        db.session.add(team)
        db.session.flush()
        for user in members:
            db.session.add(TeamMember(team_id=team.id, user_id=user.id))
        db.session.commit()
        db.session.expire(team, ["members"])
        return team

    return factory


@pytest.fixture
def make_ticket(app: Any, make_customer: Any) -> Any:
    """make_ticket(customer=..., by=None, now=None, **fields) → a committed Ticket opened through the service."""

    def factory(by: Any = None, now: dt.datetime | None = None, **fields: Any) -> Ticket:
        fields.setdefault("kind", "complaint")
        fields.setdefault("channel", "phone")
        fields.setdefault("subject", "Parcel arrived broken")
        if "customer" not in fields:
            fields["customer"] = make_customer()
        ticket = open_ticket(NewTicket(**fields), by, now)
        db.session.commit()
        return ticket

    return factory
