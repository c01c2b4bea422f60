"""What loyalty shows on other pages: badges, customer panels, timeline entries, dashboard widgets.

Each function makes a fixed number of queries whatever the number of customers or rows.
"""

from __future__ import annotations

import datetime as dt
import re
from collections import defaultdict
from collections.abc import Sequence
from typing import Any

from flask import request, url_for
from sqlalchemy import func, select

from core import dates
from core.access import can_read_mail, sees_only_own_orders, sees_orders
from core.db import db
from core.i18n import _, ngettext
from core.models import Customer, User
from core.plugins import Badge, Panel, TimelineEvent, Widget
from plugins.loyalty import settings as loyalty_settings
from plugins.loyalty.access import can_see_value, can_write_notes
from plugins.loyalty.forms import InteractionForm, PreferenceForm
from plugins.loyalty.labels import kind_label, occasion_label, reason_text
from plugins.loyalty.lifecycle import explain, stage_label
from plugins.loyalty.models import (
    CareTask,
    CustomerValue,
    Greeting,
    Interaction,
    Preference,
    StageChange,
    TierChange,
)
from plugins.loyalty.preferences import (
    describe,
    most_important_first,
    preferences_of,
    product_categories,
    recent_interactions,
)
from plugins.loyalty.tiers import badge_colour
from plugins.loyalty.value import change, profit_by_month, stage_distribution, tier_distribution

TIMELINE_LIMIT = 200
STAGE_BADGES = {"at_risk": "danger", "churned": "dark", "new": "info", "reactivated": "success"}
WIDGET_TASKS = 6
#: "order SO-000042" in a tier or stage change's reason.
ORDER_NUMBER = re.compile(r"\border \S+")


def customer_badges(customers: Sequence[Customer]) -> dict[int, list[Badge]]:
    """Tier, notable stage and a preferences badge (its title holds the text), one query for the page."""
    ids = [customer.id for customer in customers]
    if not ids:
        return {}
    statement = (
        select(Customer.id, CustomerValue.tier, CustomerValue.stage, Preference)
        .outerjoin(CustomerValue, CustomerValue.customer_id == Customer.id)
        .outerjoin(Preference, Preference.customer_id == Customer.id)
        .where(Customer.id.in_(ids))
        .order_by(Customer.id, Preference.id)
    )
    facts: dict[int, tuple[str | None, str | None]] = {}
    preferences: dict[int, list[Preference]] = defaultdict(list)
    for customer_id, tier, stage, preference in db.session.execute(statement):
        facts[customer_id] = (tier, stage)
        if preference is not None:
            preferences[customer_id].append(preference)
    rules = loyalty_settings.current().tiers
    result: dict[int, list[Badge]] = {}
    for customer_id, (tier, stage) in facts.items():
        badges = []
        if tier:
            badges.append(
                Badge(
                    tier,
                    badge_colour(tier, rules),
                    _(
                        "Loyalty tier %(tier)s; stage %(stage)s",
                        tier=tier,
                        stage=stage_label(stage),
                    ),
                )
            )
        if stage in STAGE_BADGES:
            badges.append(
                Badge(
                    stage_label(stage),
                    STAGE_BADGES[stage],
                    _("Lifecycle stage: %(stage)s", stage=stage_label(stage)),
                )
            )
        if preferences[customer_id]:
            ordered = most_important_first(preferences[customer_id])
            text = "; ".join(describe(preference) for preference in ordered)
            count = len(preferences[customer_id])
            label = "♥ " + ngettext("%(num)d preference", "%(num)d preferences", count)
            badges.append(Badge(label, "light", text))
        if badges:
            result[customer_id] = badges
    return result


def customer_panels(customer: Customer, user: User) -> list[Panel]:
    """The preferences banner (everyone), the value panel and the open care tasks."""
    panels = [_preferences_panel(customer, user)]
    if can_see_value(user, customer):
        panels.append(_value_panel(customer))
    if user.can("loyalty.tasks"):
        tasks = _open_tasks_for(customer, user)
        if tasks:
            panels.append(
                Panel(
                    _("Care tasks"),
                    "loyalty/panel_tasks.html",
                    {"tasks": tasks, "today": dates.today()},
                    order=30,
                )
            )
    return panels


def _open_tasks_for(customer: Customer, user: User) -> list[CareTask]:
    """The customer's open tasks the user may work on (all of them for managers), one query."""
    statement = select(CareTask).where(
        CareTask.customer_id == customer.id, CareTask.status == "open"
    )
    if not user.can("loyalty.tasks_all"):
        mine = CareTask.assignee_id == user.id
        if user.role == loyalty_settings.current().task_fallback_role:
            mine = mine | CareTask.assignee_id.is_(None)
        statement = statement.where(mine)
    return list(db.session.scalars(statement.order_by(CareTask.due_on)))


def _preferences_panel(customer: Customer, user: User) -> Panel:
    """The banner at the top of the customer page: preferences, last contacts, quick forms."""
    writable = can_write_notes(user)
    context: dict[str, Any] = {
        "customer": customer,
        "preferences": preferences_of(customer.id),
        "interactions": recent_interactions(customer.id, 3),
        "can_write": writable,
    }
    if writable:
        here = request.full_path.rstrip("?") if request else ""
        context["preference_form"] = PreferenceForm(formdata=None, next=here)
        context["interaction_form"] = InteractionForm(formdata=None, next=here)
        context["categories"] = product_categories()
    return Panel(_("Remember"), "loyalty/panel_preferences.html", context, order=5)


def _value_panel(customer: Customer) -> Panel:
    """Trailing-12-month profit, change, tier, stage and a small monthly chart."""
    value = db.session.get(CustomerValue, customer.id)
    difference, fraction = change(value)
    today = dates.today()
    profit = profit_by_month(customer.id, today=today)
    context = {
        "value": value,
        "difference": difference,
        "fraction": fraction,
        "profit": profit,
        # "2026-03" → "26-03" so twelve labels fit the side column.
        "month_labels": [period[2:] for period, _ in profit.months],
        "explanation": explain(value, today, loyalty_settings.current().lifecycle),
        "badge": badge_colour(value.tier if value else None, loyalty_settings.current().tiers),
    }
    return Panel(_("Customer value"), "loyalty/panel_value.html", context, order=20)


def customer_timeline(
    customer: Customer, since: dt.datetime | None, user: User | None
) -> list[TimelineEvent]:
    """Interactions (completed care tasks marked), tier and stage moves, greetings: four queries."""
    events = []
    interactions = (
        select(Interaction, CareTask.id)
        .outerjoin(CareTask, CareTask.interaction_id == Interaction.id)
        .where(Interaction.customer_id == customer.id)
    )
    if since is not None:
        interactions = interactions.where(Interaction.happened_at >= since)
    for interaction, task_id in db.session.execute(
        interactions.order_by(Interaction.happened_at.desc()).limit(TIMELINE_LIMIT)
    ):
        who = interaction.user.name if interaction.user else _("someone")
        kind = kind_label(interaction.kind)
        title = (
            _("%(kind)s by %(who)s (care task)", kind=kind, who=who)
            if task_id
            else _("%(kind)s by %(who)s", kind=kind, who=who)
        )
        events.append(
            TimelineEvent(interaction.happened_at, interaction.kind, title, interaction.summary)
        )
    events += _changes(customer, since, user)
    greetings = select(Greeting).where(Greeting.customer_id == customer.id)
    if since is not None:
        greetings = greetings.where(Greeting.created_at >= since)
    # A greeting is marketing mail: its subject only for those who read marketing mail.
    viewer = user
    subjects = viewer is None or can_read_mail(viewer, "marketing")
    for greeting in db.session.scalars(
        greetings.order_by(Greeting.id.desc()).limit(TIMELINE_LIMIT)
    ):
        title = _("%(occasion)s greeting", occasion=occasion_label(greeting.occasion))
        events.append(
            TimelineEvent(
                greeting.created_at,
                "greeting",
                f"{title}: {greeting.subject}" if subjects else title,
                _("Queued in the outbox."),
            )
        )
    return events


def _changes(
    customer: Customer, since: dt.datetime | None, viewer: User | None
) -> list[TimelineEvent]:
    """Tier and stage moves as timeline entries (two queries), linked for those who may see the value."""
    url = (
        url_for("loyalty.customer", customer_id=customer.id)
        if viewer is not None and can_see_value(viewer, customer)
        else None
    )
    events = []
    tiers = select(TierChange).where(TierChange.customer_id == customer.id)
    stages = select(StageChange).where(StageChange.customer_id == customer.id)
    if since is not None:
        tiers, stages = (
            tiers.where(TierChange.changed_at >= since),
            stages.where(StageChange.changed_at >= since),
        )
    # A move's reason may name the order that caused it ("order SO-000042 confirmed"): only
    # viewers who see every order read the number; others read "an order confirmed".
    viewer_sees_orders = viewer is None or not viewer.is_authenticated or sees_all_orders(viewer)

    def reason(text: str) -> str:
        return reason_text(text if viewer_sees_orders else ORDER_NUMBER.sub("an order", text))

    for move in db.session.scalars(tiers.order_by(TierChange.id.desc()).limit(TIMELINE_LIMIT)):
        title = _(
            "Tier %(from)s → %(to)s",
            **{"from": move.from_tier or _("none"), "to": move.to_tier or _("none")},
        )
        events.append(TimelineEvent(move.changed_at, "tier", title, reason(move.reason), url))
    for step in db.session.scalars(stages.order_by(StageChange.id.desc()).limit(TIMELINE_LIMIT)):
        title = (
            _(
                "Stage %(from)s → %(to)s",
                **{"from": stage_label(step.from_stage), "to": stage_label(step.to_stage)},
            )
            if step.from_stage
            else _("Stage %(stage)s", stage=stage_label(step.to_stage))
        )
        events.append(TimelineEvent(step.changed_at, "stage", title, reason(step.reason), url))
    return events


def sees_all_orders(user: User) -> bool:
    """orders.view without the salesperson's own-orders rule (admin, manager, support)."""
    return sees_orders(user) and not sees_only_own_orders(user)


def dashboard_widgets(user: User) -> list[Widget]:
    """Overdue and due care tasks for the user (all for managers), and the tier/stage picture."""
    widgets = []
    if user.can("loyalty.tasks"):
        widgets.append(
            Widget(
                _("Care tasks"),
                "loyalty/widget_tasks.html",
                _task_figures(user),
                order=40,
                width=6,
            )
        )
    if user.can("loyalty.view"):
        context = {"tiers": tier_distribution(user), "stages": dict(stage_distribution(user))}
        widgets.append(
            Widget(_("Customer tiers"), "loyalty/widget_tiers.html", context, order=41, width=6)
        )
    return widgets


def _task_figures(user: User) -> dict[str, Any]:
    """Open and overdue counts and the most urgent open tasks (two queries)."""
    today = dates.today()
    everyone = user.can("loyalty.tasks_all")
    scope = select(CareTask).where(CareTask.status == "open")
    if not everyone:
        scope = scope.where(CareTask.assignee_id == user.id)
    counts = db.session.execute(
        scope.with_only_columns(func.count(), func.count().filter(CareTask.due_on < today))
    ).one()
    urgent = list(
        db.session.scalars(scope.order_by(CareTask.due_on, CareTask.id).limit(WIDGET_TASKS))
    )
    return {
        "open": counts[0],
        "overdue": counts[1],
        "tasks": urgent,
        "today": today,
        "everyone": everyone,
    }
