"""Care tasks: the visits and calls each tier's care plan asks for, and reactivation contacts.

The nightly job creates them set-based, one INSERT … SELECT per tier with a care plan and one
for reactivations, so running it twice never makes a second task: a customer has at most
one open care-plan task and one open reactivation task (the unique ``open_key`` enforces
it), and a care-plan task is only made when the last contact (a call, visit or e-mail in
the interaction log, completed tasks included) is older than the plan's cadence minus
``care_lead_days``. Its due date is the last contact + the cadence, or today when that has
passed or there was no contact. Tasks go to the customer's account owner; tasks of customers
without an owner stay unassigned and are shown to the ``task_fallback_role`` (default
manager), who can take them.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from sqlalchemy import String, and_, case, cast, func, insert, literal, select, update

from core import dates
from core.db import db
from core.i18n import _
from core.models import Customer, User, utcnow
from core.sql import date_plus_days
from plugins.loyalty import settings as loyalty_settings
from plugins.loyalty.labels import status_label
from plugins.loyalty.lifecycle import LAPSED_STAGES
from plugins.loyalty.models import CONTACT_KINDS, CareTask, CustomerValue, Interaction
from plugins.loyalty.settings import TierRule

CARE_GROUP = "care"
REACTIVATION_GROUP = "reactivation"
TASK_COLUMNS = [
    "customer_id",
    "assignee_id",
    "kind",
    "reason",
    "due_on",
    "status",
    "open_key",
    "created_at",
]


class CareError(Exception):
    """A task action is not allowed; the message is for the user."""


@dataclass
class CareRunResult:
    """What one run of the care job did."""

    care_tasks: int
    reactivation_tasks: int
    closed: int


def _open_key(group: str) -> Any:
    """SQL: "<customer id>:<group>", the key that keeps one open task per customer and group."""
    return cast(CustomerValue.customer_id, String) + literal(f":{group}")


def _last_contact() -> Any:
    """Correlated SQL: when the customer was last called, visited or e-mailed."""
    return (
        select(func.max(Interaction.happened_at))
        .where(
            Interaction.customer_id == CustomerValue.customer_id,
            Interaction.kind.in_(CONTACT_KINDS),
        )
        .scalar_subquery()
    )


def _open_task_exists(group_kinds: tuple[str, ...]) -> Any:
    """SQL: the customer already has an open task of one of these kinds."""
    return (
        select(CareTask.id)
        .where(
            CareTask.customer_id == CustomerValue.customer_id,
            CareTask.status == "open",
            CareTask.kind.in_(group_kinds),
        )
        .exists()
    )


def _create_plan_tasks(rule: TierRule, today: dt.date, lead_days: int) -> int:
    """Tasks for the tier's customers whose last contact is older than the cadence minus the lead."""
    assert rule.every_days is not None and rule.care is not None
    window = max(rule.every_days - lead_days, 0)
    recent_since = dt.datetime.combine(today - dt.timedelta(days=window), dt.time())
    last_contact = _last_contact()
    due = date_plus_days(last_contact, rule.every_days)
    reason = f"{rule.name} care plan: {rule.care} every {rule.every_days} days"
    rows = (
        select(
            CustomerValue.customer_id,
            Customer.owner_id,
            literal(rule.care),
            literal(reason),
            case((last_contact.is_(None), today), (due < today, today), else_=due),
            literal("open"),
            _open_key(CARE_GROUP),
            literal(utcnow()),
        )
        .join(Customer, Customer.id == CustomerValue.customer_id)
        .where(
            CustomerValue.tier == rule.name,
            ~_open_task_exists(("visit", "call")),
            func.coalesce(last_contact, dt.datetime(1900, 1, 1)) < recent_since,
        )
    )
    result = db.session.execute(
        insert(CareTask.__table__)
        .from_select(TASK_COLUMNS, rows)
        .execution_options(preserve_rowcount=True)
    )
    return int(result.rowcount or 0)  # type: ignore[attr-defined]


def _create_reactivation_tasks(today: dt.date) -> int:
    """A task per at-risk or churned customer, once per stage entered, unless contacted since."""
    contacted_since_stage = (
        select(Interaction.id)
        .where(
            Interaction.customer_id == CustomerValue.customer_id,
            Interaction.kind.in_(CONTACT_KINDS),
            Interaction.happened_at >= CustomerValue.stage_since,
        )
        .exists()
    )
    asked_since_stage = (
        select(CareTask.id)
        .where(
            CareTask.customer_id == CustomerValue.customer_id,
            CareTask.kind == "reactivation",
            CareTask.created_at >= CustomerValue.stage_since,
        )
        .exists()
    )
    reason = case(
        (CustomerValue.stage == "churned", "Churned: win the customer back"),
        else_="At risk: ordering less than usual",
    )
    rows = (
        select(
            CustomerValue.customer_id,
            Customer.owner_id,
            literal("reactivation"),
            reason,
            literal(today),
            literal("open"),
            _open_key(REACTIVATION_GROUP),
            literal(utcnow()),
        )
        .join(Customer, Customer.id == CustomerValue.customer_id)
        .where(
            CustomerValue.stage.in_(LAPSED_STAGES),
            ~_open_task_exists(("reactivation",)),
            ~asked_since_stage,
            ~contacted_since_stage,
        )
    )
    result = db.session.execute(
        insert(CareTask.__table__)
        .from_select(TASK_COLUMNS, rows)
        .execution_options(preserve_rowcount=True)
    )
    return int(result.rowcount or 0)  # type: ignore[attr-defined]


def _close_resolved_reactivations() -> int:
    """Close open reactivation tasks of customers who are no longer at risk or churned."""
    back = select(CustomerValue.customer_id).where(CustomerValue.stage.not_in(LAPSED_STAGES))
    # The Core table, not the entity, so the row count comes back on every driver.
    result = db.session.execute(
        update(CareTask.__table__)
        .where(
            CareTask.kind == "reactivation",
            CareTask.status == "open",
            CareTask.customer_id.in_(back),
        )
        .values(
            status="closed",
            open_key=None,
            completed_at=utcnow(),
            notes="Closed by the system: the customer ordered again.",
        )
    )
    return int(result.rowcount or 0)  # type: ignore[attr-defined]


def create_tasks(today: dt.date | None = None) -> CareRunResult:
    """The nightly care run: plan tasks per tier, reactivation tasks, closing resolved ones."""
    today = today or dates.today()
    settings = loyalty_settings.current()
    db.session.flush()
    created = sum(
        _create_plan_tasks(rule, today, settings.care_lead_days)
        for rule in settings.tiers
        if rule.care is not None
    )
    closed = _close_resolved_reactivations()
    reactivations = _create_reactivation_tasks(today) if settings.reactivation_tasks else 0
    return CareRunResult(created, reactivations, closed)


def interaction_kind_for(task: CareTask) -> str:
    """The interaction a completed task is logged as by default (a reactivation is a call)."""
    return task.kind if task.kind in CONTACT_KINDS else "call"


def may_work_on(user: User, task: CareTask) -> bool:
    """The assignee, anyone allowed to see all tasks, or the fallback role for unassigned tasks."""
    if user.can("loyalty.tasks_all"):
        return True
    if not user.can("loyalty.tasks"):
        return False
    if task.assignee_id is None:
        return user.role == loyalty_settings.current().task_fallback_role
    return task.assignee_id == user.id


def complete(
    task: CareTask, user: User, kind: str, notes: str, happened_at: dt.datetime | None = None
) -> Interaction:
    """Mark a task done and log it as an interaction (so it shows on the customer timeline)."""
    if task.status != "open":
        raise CareError(_("This task is already %(status)s.", status=status_label(task.status)))
    if kind not in CONTACT_KINDS:
        raise CareError(
            _(
                "A completed task is a %(kinds)s; not %(kind)s.",
                kinds=", ".join(CONTACT_KINDS),
                kind=repr(kind),
            )
        )
    now = utcnow()
    interaction = Interaction(
        customer_id=task.customer_id,
        user_id=user.id,
        kind=kind,
        happened_at=happened_at or now,
        summary=notes.strip() or f"{task.kind.title()} done ({task.reason})",
        created_at=now,
    )
    db.session.add(interaction)
    db.session.flush()
    task.status = "done"
    task.open_key = None
    task.completed_at = now
    task.completed_by_id = user.id
    task.notes = notes.strip()
    task.interaction_id = interaction.id
    return interaction


def take(task: CareTask, user: User) -> None:
    """Assign an unassigned open task to the user."""
    if task.status != "open":
        raise CareError(_("This task is already %(status)s.", status=status_label(task.status)))
    if task.assignee_id is not None and task.assignee_id != user.id:
        raise CareError(_("This task already has someone working on it."))
    task.assignee_id = user.id


def follow_owner_change(customer: Customer, old_owner_id: int | None) -> None:
    """Move the customer's open tasks that followed the old owner (or nobody) to the new owner."""
    db.session.execute(
        update(CareTask)
        .where(
            CareTask.customer_id == customer.id,
            CareTask.status == "open",
            and_(
                CareTask.assignee_id.is_(None)
                if old_owner_id is None
                else CareTask.assignee_id == old_owner_id
            ),
        )
        .values(assignee_id=customer.owner_id)
        .execution_options(synchronize_session=False)
    )
