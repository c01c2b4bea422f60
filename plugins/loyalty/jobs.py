"""The scheduled jobs: the nightly recompute with care tasks, and the morning greetings.

Both are idempotent: a second run on the same day changes nothing and mails nobody twice.
"""

from __future__ import annotations

import logging

from plugins.loyalty.care import create_tasks
from plugins.loyalty.greetings import send_greetings
from plugins.loyalty.recompute import recompute_all

log = logging.getLogger("clientele.loyalty")


def nightly() -> None:
    """Recompute every customer (at-risk and churned stages move with the calendar), then care tasks."""
    result = recompute_all("nightly recompute")
    tasks = create_tasks()
    log.info(
        "loyalty: nightly recompute as of %s: %s tier and %s stage changes; %s care and %s "
        "reactivation tasks created, %s closed",
        result.as_of,
        result.tier_changes,
        result.stage_changes,
        tasks.care_tasks,
        tasks.reactivation_tasks,
        tasks.closed,
    )


def nightly_recompute() -> None:
    """The nightly recompute alone: what `clientele demo` replays for each night of its story.

    Tiers and stages (at risk, churned) then change on the night they did in the story; care
    tasks are left out, as nobody would have worked the past ones.
    """
    recompute_all("nightly recompute")


def morning_greetings() -> None:
    """Queue today's birthday and holiday greetings."""
    result = send_greetings()
    log.info(
        "loyalty: %s birthday and %s holiday greetings queued", result.birthday, result.holiday
    )
