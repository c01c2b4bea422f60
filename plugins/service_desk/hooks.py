"""The service desk's hook implementations: thin, they call the modules beside this one."""

from __future__ import annotations

import datetime as dt
from typing import Any, cast

from flask import url_for
from sqlalchemy import func, select

from core import dates
from core.db import db
from core.i18n import N_, _, _l, ngettext
from core.models import Customer, User, utcnow
from core.plugins import (
    Badge,
    Job,
    NavItem,
    Panel,
    Permission,
    Setting,
    TimelineEvent,
    Widget,
    hookimpl,
)
from plugins.service_desk import reports, segments, settings
from plugins.service_desk.access import visible_tickets
from plugins.service_desk.history import event_text
from plugins.service_desk.lookup import customer_tickets
from plugins.service_desk.models import OPEN_STATES, Ticket, TicketEvent

#: The title core.views.templating.nav_menu gives the plugin's menu, marked for the catalog.
MENU_TITLE = N_("Service desk")
TIMELINE_LIMIT = 200
MY_TICKETS = 6


@hookimpl
def blueprints() -> list[Any]:
    """The service desk pages."""
    from plugins.service_desk.views import bp

    return [bp]


@hookimpl
def permissions() -> list[Permission]:
    """Support works tickets, managers also see restricted teams and reports, sales reads and opens."""
    return [
        Permission("service_desk.view", "See tickets (sales: their customers' and their own)", ("manager", "support", "sales")),
        Permission("service_desk.create", "Open tickets", ("manager", "support", "sales")),
        Permission("service_desk.lookup", "Caller lookup", ("manager", "support", "sales")),
        Permission("service_desk.work", "Reply, add notes, change state, assign", ("manager", "support")),
        Permission("service_desk.all_teams", "Read and work tickets of restricted teams", ("manager",)),
        Permission("service_desk.reports", "SLA, satisfaction and process reports", ("manager",)),
        Permission("service_desk.teams", "Manage teams", ("manager",)),
    ]  # fmt: skip


@hookimpl
def plugin_settings() -> list[Setting]:
    """Categories, business hours, SLA policies, surveys, attachments (see settings.py)."""
    return settings.schema()


@hookimpl
def nav_items(user: User) -> list[NavItem]:
    """Tickets, caller lookup and reports."""
    return [
        NavItem(_l("Tickets"), "service_desk.index", "service_desk.view", 40),
        NavItem(_l("Caller lookup"), "service_desk.lookup", "service_desk.lookup", 41),
        NavItem(_l("Service reports"), "service_desk.sla_report", "service_desk.reports", 42),
    ]


@hookimpl
def customer_badges(customers: list[Customer], user: User | None) -> dict[int, list[Badge]]:
    """ "2 open tickets" and "Open complaint" for a page of customers, in one query.

    Only tickets the user may see are counted; a role without service_desk.view
    (marketing) gets no ticket badges at all.
    """
    if user is not None and not user.can("service_desk.view"):
        return {}
    ids = [customer.id for customer in customers]
    is_complaint = Ticket.kind == "complaint"
    statement = (
        select(Ticket.customer_id, func.count(), func.count().filter(is_complaint))
        .where(Ticket.customer_id.in_(ids), Ticket.state.in_(OPEN_STATES))
        .group_by(Ticket.customer_id)
    )
    if user is not None:
        statement = visible_tickets(statement, user)
    rows = db.session.execute(statement)
    badges: dict[int, list[Badge]] = {}
    for customer_id, open_count, complaints in rows:
        label = ngettext("%(num)d open ticket", "%(num)d open tickets", open_count)
        found = [Badge(label, "info", _("Service desk tickets not yet resolved"))]
        if complaints:
            title = _("%(count)s complaint(s) not yet resolved", count=complaints)
            found.append(Badge(_("Open complaint"), "danger", title))
        badges[cast(int, customer_id)] = found
    return badges


@hookimpl
def customer_panels(customer: Customer, user: User) -> list[Panel]:
    """The customer's tickets (open first) with a button to open one."""
    if not user.can("service_desk.view"):
        return []
    context = {"tickets": customer_tickets(customer.id, user), "customer_id": customer.id}
    return [Panel(_("Tickets"), "service_desk/panel.html", context, order=40)]


@hookimpl
def customer_timeline(
    customer: Customer, since: dt.datetime | None, user: User | None
) -> list[TimelineEvent]:
    """Every recorded change of the customer's tickets the viewer may see (never internal note text)."""
    statement = (
        select(TicketEvent, Ticket.subject)
        .join(Ticket, Ticket.id == TicketEvent.ticket_id)
        .where(Ticket.customer_id == customer.id)
    )
    if since is not None:
        statement = statement.where(TicketEvent.at >= since)
    if user is not None:
        if not user.can("service_desk.view"):
            return []
        statement = visible_tickets(statement, user)
    rows = db.session.execute(statement.order_by(TicketEvent.at.desc()).limit(TIMELINE_LIMIT))
    return [
        TimelineEvent(
            event.at,
            "ticket",
            _("Ticket #%(id)s: %(summary)s", id=event.ticket_id, summary=event_text(event)),
            subject,
            url_for("service_desk.ticket", ticket_id=event.ticket_id),
        )
        for event, subject in rows
    ]


@hookimpl
def dashboard_widgets(user: User) -> list[Widget]:
    """My open tickets for agents; breach rate per team (last 30 days) for managers."""
    from plugins.service_desk.queues import QueueFilters, queue_counts, queue_statement

    widgets = []
    if user.can("service_desk.work"):
        statement = queue_statement(QueueFilters(queue="mine"), user).order_by(
            func.coalesce(Ticket.resolution_due_at, dt.datetime(9999, 12, 31)), Ticket.id
        )
        context = {
            "tickets": list(db.session.scalars(statement.limit(MY_TICKETS))),
            "counts": queue_counts(user),
            "now": utcnow(),
        }
        widgets.append(
            Widget(
                _("My open tickets"),
                "service_desk/widget_my_tickets.html",
                context,
                order=40,
                width=6,
            )
        )
    if user.can("service_desk.reports"):
        today = dates.today()
        rows = reports.sla_report(today - dt.timedelta(days=29), today)
        teams = [
            row
            for row in rows
            if row["team"] != reports.ALL_TEAMS and row["breach_rate"] is not None
        ]
        context = {"rows": teams, "total": rows[-1] if rows else None}
        widgets.append(
            Widget(
                _("SLA breach rate per team, last 30 days"),
                "service_desk/widget_breach_rate.html",
                context,
                order=41,
                width=6,
            )
        )
    return widgets


@hookimpl
def scheduled_jobs() -> list[Job]:
    """Check SLA clocks every five minutes; close long-resolved tickets every hour."""
    from plugins.service_desk.jobs import auto_close, check_sla

    return [
        Job("service_desk.sla_check", "*/5 * * * *", check_sla),
        Job("service_desk.auto_close", "15 * * * *", auto_close),
    ]


@hookimpl
def register_commands(cli: Any) -> None:
    """clientele service_desk sla-report | csat-report | sla-check."""
    from plugins.service_desk.cli import group

    cli.add_command(group)


@hookimpl
def seed_demo(session: Any, rng: Any) -> None:
    """Teams, tickets with believable histories, SLA flags and survey answers."""
    from plugins.service_desk.demo import seed

    seed(session, rng)


@hookimpl(optionalhook=True)
def segment_criteria() -> list[dict[str, Any]]:
    """Marketing segment rules: "has an open complaint", "opened a ticket in the last N days"."""
    return segments.criteria()


# Hooks of other plugins (insights), in bridges.py; re-exported so they register with this module.
from plugins.service_desk.bridges import insights_customer_costs  # noqa: E402, F401
