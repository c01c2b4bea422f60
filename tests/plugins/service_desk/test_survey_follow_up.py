"""A company that wants a low rating to reopen the ticket (low_rating_follow_up = "reopen")."""

from __future__ import annotations

import datetime as dt

import pytest

from plugins.service_desk.ratings import answer_survey

from .helpers import POLICIES
from .test_surveys import RESOLVED, frozen, link_token, resolved  # noqa: F401  (fixture)


@pytest.fixture
def clientele_settings():
    """Reopen on a low rating."""
    return {"service_desk": {"sla_policies": POLICIES, "low_rating_follow_up": "reopen"}}


def test_low_rating_reopens_the_ticket(db, resolved):  # noqa: F811
    with frozen(RESOLVED + dt.timedelta(hours=1)):
        answer_survey(link_token(db), 1, "Nothing works")
        db.session.commit()
    assert resolved.state == "open"
    assert resolved.reopen_count == 1
