"""The pipeline plugin's hook implementations: thin, they call the modules beside them."""

from __future__ import annotations

import datetime as dt
from typing import Any

from flask import Blueprint, url_for

from core.auth import acting_user
from core.i18n import _, _l
from core.models import Customer, Order, User
from core.plugins import Job, NavItem, Panel, Permission, Setting, TimelineEvent, hookimpl
from plugins.pipeline import followups, won
from plugins.pipeline.settings import SETTINGS


@hookimpl
def blueprints() -> list[Blueprint]:
    """The board, the deal pages, follow-ups and the reports."""
    from plugins.pipeline.views import bp

    return [bp]


@hookimpl
def permissions() -> list[Permission]:
    """Sales work on their own deals, managers on all; marketing reads counts by channel; only
    admins edit the stages."""
    return [
        Permission("pipeline.deals", "Work on deals and log follow-ups", ("sales", "manager")),
        Permission("pipeline.all", "See and change every salesperson's deals", ("manager",)),
        Permission("pipeline.reports", "Read the funnel, win rate and forecast", ("manager",)),
        Permission("pipeline.channels", "Read deal counts by channel", ("marketing", "manager")),
        Permission("pipeline.stages", "Add, rename, reorder and retire the stages", ()),
    ]


@hookimpl
def nav_items(user: Any) -> list[NavItem]:
    """Deals (the board), the reports, for marketing the counts by channel, for admins the stages."""
    return [
        NavItem(_l("Deals"), "pipeline.board", "pipeline.deals", 300),
        NavItem(_l("Pipeline reports"), "pipeline.reports", "pipeline.reports", 305),
        NavItem(_l("Deals by channel"), "pipeline.channels", "pipeline.channels", 306),
        NavItem(_l("Pipeline stages"), "pipeline.stages", "pipeline.stages", 307),
    ]


@hookimpl
def plugin_settings() -> list[Setting]:
    """[plugins.pipeline]: stages, lost reasons, forgotten days, the pool's rules, board size."""
    return SETTINGS


@hookimpl
def register_commands(cli: Any) -> None:
    """clientele pipeline import | winrate | funnel | forecast."""
    from plugins.pipeline.cli import pipeline

    cli.add_command(pipeline)


@hookimpl
def scheduled_jobs() -> list[Job]:
    """Nightly at 01:20 company time: deals and customers nobody followed up go to the pool."""
    from plugins.pipeline.jobs import RELEASE_JOB, release_to_pool

    return [Job(RELEASE_JOB, "20 1 * * *", release_to_pool)]


@hookimpl
def order_confirmed(order: Order) -> None:
    """A confirmed order wins the deal it was made from."""
    won.order_confirmed(order)


@hookimpl
def orders_imported(order_ids: list[int]) -> None:
    """Imported confirmed orders win their deals too."""
    won.orders_imported(order_ids)


@hookimpl
def order_cancelled(order: Order) -> None:
    """A deal whose orders are all cancelled is lost ("Order cancelled")."""
    won.order_cancelled(order)


@hookimpl
def customer_panels(customer: Customer, user: User) -> list[Panel]:
    """Before you call: the last follow-ups with the customer and their open deals."""
    from plugins.pipeline.pages.customers import before_you_call

    context = before_you_call(customer, user)
    if context is None:
        return []
    return [Panel(_("Before you call"), "pipeline/panel_customer.html", context, order=20)]


@hookimpl
def customer_timeline(customer: Customer, since: dt.datetime | None) -> list[TimelineEvent]:
    """Every follow-up with the customer (for those who work on deals: not support)."""
    user = acting_user()
    if user is not None and not user.can("pipeline.deals"):
        return []
    events = []
    for entry in followups.of_customer(customer.id, since, limit=200):
        who = f" ({entry.user.name})" if entry.user else ""
        detail = " · ".join(part for part in (entry.outcome, entry.notes) if part)
        url = (
            url_for("pipeline.deal", deal_id=entry.opportunity_id) if entry.opportunity_id else None
        )
        events.append(
            TimelineEvent(
                entry.at,
                "follow-up",
                _("Follow-up: %(kind)s", kind=followups.kind_label(entry.kind)) + who,
                detail,
                url,
            )
        )
    return events


@hookimpl
def seed_demo(session: Any, rng: Any) -> None:
    """A believable pipeline: deals in every stage, follow-ups, won deals with their orders."""
    from plugins.pipeline.demo import seed

    seed(session, rng)


# Hooks of other plugins (insights), in bridges.py; re-exported so they register with this module.
from plugins.pipeline.bridges import insights_deals  # noqa: E402, F401
