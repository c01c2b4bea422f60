"""SLA rules: which policy applies to a ticket, and where its two clocks stand (pure functions).

A policy gives two targets in business minutes: first response and resolution, both counted
from the moment the ticket was opened. The clocks run only in business hours (see
business_hours) and are paused while the ticket waits on the customer, and while it is
resolved or closed (a reopened ticket continues where its clock stopped). The first-response
clock stops at the first public reply, or at the resolution when nobody replied before.
A target is breached when it is reached before the clock stopped.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

from core.i18n import _
from plugins.service_desk.business_hours import BusinessCalendar

#: While a ticket is in one of these states its SLA clocks do not run.
PAUSING_STATES = frozenset({"waiting", "resolved", "closed"})

Interval = tuple[dt.datetime, dt.datetime | None]


@dataclass(frozen=True)
class Policy:
    """Targets for one priority, optionally only for customers of one tier."""

    priority: str
    first_response_minutes: int | None
    resolution_minutes: int | None
    tier: str | None = None

    @property
    def name(self) -> str:
        """ "high", or "high / Gold" for a tier override."""
        return f"{self.priority} / {self.tier}" if self.tier else self.priority


def choose_policy(policies: Sequence[Policy], priority: str, tier: str | None) -> Policy | None:
    """The policy for the customer's tier at this priority, else the priority's general one."""
    general = None
    for policy in policies:
        if policy.priority != priority:
            continue
        if tier is not None and policy.tier == tier:
            return policy
        if policy.tier is None:
            general = policy
    return general


@dataclass(frozen=True)
class Stay:
    """A ticket's stay in one state (left_at None: it is still there)."""

    state: str
    entered_at: dt.datetime
    left_at: dt.datetime | None


def pauses_of(stays: Sequence[Stay]) -> list[Interval]:
    """The intervals spent in pausing states, sorted, with touching intervals merged."""
    pauses: list[Interval] = []
    for stay in sorted(stays, key=lambda stay: stay.entered_at):
        if stay.state not in PAUSING_STATES:
            continue
        if pauses and pauses[-1][1] is not None and pauses[-1][1] >= stay.entered_at:
            start, end = pauses[-1]
            merged_end = None if stay.left_at is None else max(end or stay.left_at, stay.left_at)
            pauses[-1] = (start, merged_end)
        else:
            pauses.append((stay.entered_at, stay.left_at))
    return pauses


@dataclass(frozen=True)
class ClockReading:
    """Where one SLA clock stands at ``now``."""

    target_seconds: int
    #: When the target is (or was) reached; None while paused with time still left.
    due_at: dt.datetime | None
    #: When the warning before the breach is due (same rule, target minus the lead time).
    warn_at: dt.datetime | None
    elapsed_seconds: int
    paused: bool
    stopped_at: dt.datetime | None
    now: dt.datetime

    @property
    def remaining_seconds(self) -> int:
        """Business seconds left (negative when overdue)."""
        return self.target_seconds - self.elapsed_seconds

    @property
    def breached(self) -> bool:
        """True when the target was reached before the clock stopped (or before now)."""
        return self.due_at is not None and (self.stopped_at or self.now) > self.due_at

    @property
    def met(self) -> bool:
        """True when the clock stopped in time."""
        return self.stopped_at is not None and not self.breached


def running_segments(
    start: dt.datetime, pauses: Sequence[Interval], limit: dt.datetime, stopped: bool
) -> tuple[list[tuple[dt.datetime, dt.datetime]], dt.datetime | None]:
    """(finished running intervals, start of the open-ended one or None when paused now).

    Only pauses that began by ``limit`` (now, or when the clock stopped) count; after a
    stop the clock is treated as running, so the deadline stays where it was.
    """
    segments: list[tuple[dt.datetime, dt.datetime]] = []
    cursor: dt.datetime | None = start
    for pause_start, pause_end in pauses:
        if pause_start > limit or (pause_end is not None and pause_end <= start):
            continue
        if stopped and (pause_end is None or pause_end > limit):
            pause_end = limit
        assert cursor is not None
        if pause_start > cursor:
            segments.append((cursor, pause_start))
        if pause_end is None:
            cursor = None
            break
        cursor = max(cursor, pause_end)
    return segments, cursor


def _deadline(
    calendar: BusinessCalendar,
    segments: Sequence[tuple[dt.datetime, dt.datetime]],
    open_from: dt.datetime | None,
    target_seconds: int,
) -> dt.datetime | None:
    """When target_seconds of running business time are used up, or None if paused before that."""
    used = 0
    for segment_start, segment_end in segments:
        available = calendar.working_seconds(segment_start, segment_end)
        if used + available >= target_seconds:
            return calendar.add_working_seconds(segment_start, target_seconds - used)
        used += available
    if open_from is None:
        return None
    return calendar.add_working_seconds(open_from, target_seconds - used)


def read_clock(
    calendar: BusinessCalendar,
    start: dt.datetime,
    target_minutes: int,
    pauses: Sequence[Interval],
    now: dt.datetime,
    warn_before_minutes: int = 0,
    stopped_at: dt.datetime | None = None,
) -> ClockReading:
    """Read one clock: due and warning instants, business time used, paused or not.

    A lead time at least as long as the target puts the warning at the start.
    """
    target = target_minutes * 60
    limit = min(stopped_at, now) if stopped_at else now
    segments, open_from = running_segments(start, pauses, limit, stopped_at is not None)
    elapsed = sum(calendar.working_seconds(a, min(b, limit)) for a, b in segments if a < limit)
    if open_from is not None and open_from < limit:
        elapsed += calendar.working_seconds(open_from, limit)
    warn_target = max(target - warn_before_minutes * 60, 0)
    return ClockReading(
        target_seconds=target,
        due_at=_deadline(calendar, segments, open_from, target),
        warn_at=_deadline(calendar, segments, open_from, warn_target),
        elapsed_seconds=elapsed,
        paused=open_from is None,
        stopped_at=stopped_at,
        now=now,
    )


@dataclass(frozen=True)
class TicketClocks:
    """Both clocks of a ticket (None when its policy has no such target)."""

    first_response: ClockReading | None
    resolution: ClockReading | None

    @property
    def breached_targets(self) -> list[str]:
        """Names of the targets breached so far ("first_response", "resolution")."""
        return [
            name
            for name, reading in (
                ("first_response", self.first_response),
                ("resolution", self.resolution),
            )
            if reading is not None and reading.breached
        ]


def ticket_clocks(
    calendar: BusinessCalendar,
    created_at: dt.datetime,
    stays: Sequence[Stay],
    first_responded_at: dt.datetime | None,
    first_response_minutes: int | None,
    resolution_minutes: int | None,
    now: dt.datetime,
    warn_before_minutes: int = 0,
) -> TicketClocks:
    """Read a ticket's first-response and resolution clocks from its state history."""
    pauses = pauses_of(stays)
    first = None
    if first_response_minutes:
        first = read_clock(
            calendar,
            created_at,
            first_response_minutes,
            pauses,
            now,
            warn_before_minutes,
            stopped_at=first_responded_at,
        )
    resolution = None
    if resolution_minutes:
        resolution = read_clock(
            calendar, created_at, resolution_minutes, pauses, now, warn_before_minutes
        )
    return TicketClocks(first, resolution)


def describe_minutes(minutes: int) -> str:
    """90 → "1 h 30 min", 480 → "8 h", 45 → "45 min" (business time in pages and mails)."""
    sign = "−" if minutes < 0 else ""
    hours, rest = divmod(abs(minutes), 60)
    if hours and rest:
        return sign + _("%(hours)s h %(minutes)s min", hours=hours, minutes=rest)
    if hours:
        return sign + _("%(hours)s h", hours=hours)
    return sign + _("%(minutes)s min", minutes=rest)
