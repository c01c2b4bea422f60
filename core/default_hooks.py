"""The core's own hook implementations, registered like a plugin named "core" and called first."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from flask import Blueprint, current_app, url_for
from flask_login import current_user
from sqlalchemy import func, select

from core import dates
from core.access import (
    readable_mail,
    sees_costs,
    sees_only_own_orders,
    sees_orders,
    visible_orders,
)
from core.db import db, tidy_tables
from core.i18n import _, _l, format_money, format_month
from core.jobs import prune_job_runs
from core.ledger import sales_movements
from core.models import Customer, Order, OrderLine, OutboxMessage, User
from core.money import round_money
from core.orders import OrderNet, order_nets, status_label
from core.outbox import deliver_pending
from core.plugins import CORE, Job, NavItem, Permission, TimelineEvent, Widget, hookimpl
from core.quality import FIELD_LABELS, open_counts
from core.roles import ROLES

ZERO = Decimal("0.00")
#: A mail's category and status as the customer's timeline names them (stored in English).
MAIL_LABELS = {
    "transactional": _l("transactional"),
    "marketing": _l("marketing"),
    "pending": _l("pending"),
    "sent": _l("sent"),
    "failed": _l("failed"),
}


@hookimpl
def blueprints() -> list[Blueprint]:
    """The core's pages."""
    from core.views import (
        admin,
        auth,
        customers,
        dashboard,
        imports,
        orders,
        products,
        public,
        quality,
        users,
    )

    return [
        auth.bp,
        dashboard.bp,
        customers.bp,
        quality.bp,
        imports.bp,
        products.bp,
        orders.bp,
        users.bp,
        admin.bp,
        public.bp,
    ]


@hookimpl
def permissions() -> list[Permission]:
    """The core's permissions (docs/permissions.md has the full matrix)."""
    return [
        Permission("customers.view", "See customers", ROLES),
        Permission("customers.create", "Create customers", ("manager", "sales", "support")),
        Permission(
            "customers.edit",
            "Edit customers (sales: only their own)",
            ("manager", "sales", "support"),
        ),
        Permission(
            "customers.review",
            "Check the data kept as typed, find duplicates and merge customers",
            ("manager",),
        ),
        Permission(
            "data.import",
            "Import files on the import page (staff users: admins only)",
            ("manager",),
        ),
        Permission("products.view", "See products", ROLES),
        Permission("products.edit", "Create and edit products", ("manager",)),
        Permission(
            "orders.view", "See orders (sales: only their own)", ("manager", "sales", "support")
        ),
        Permission("orders.create", "Create orders", ("manager", "sales")),
        Permission(
            "orders.confirm", "Confirm orders (sales: only their own)", ("manager", "sales")
        ),
        Permission("orders.cancel", "Cancel orders (sales: only their own)", ("manager", "sales")),
        Permission("orders.refund", "Refund order lines", ("manager", "support")),
        Permission("users.admin", "Manage staff users", ()),
        Permission("plugins.admin", "See plugins and job runs", ()),
    ]


@hookimpl
def nav_items(user: User) -> list[NavItem]:
    """Links to the core's pages."""
    return [
        NavItem(_l("Dashboard"), "dashboard.index", None, 0),
        NavItem(_l("Customers"), "customers.index", "customers.view", 10),
        NavItem(_l("Orders"), "orders.index", "orders.view", 20),
        NavItem(_l("Products"), "products.index", "products.view", 30),
        NavItem(_l("Data to check"), "quality.check", "customers.review", 40),
        NavItem(_l("Import"), "imports.upload", "data.import", 45),
        NavItem(_l("Users"), "users.index", "users.admin", 900),
        NavItem(_l("Plugins"), "admin.plugins", "plugins.admin", 910),
    ]


@hookimpl
def customer_timeline(customer: Customer, since: dt.datetime | None) -> list[TimelineEvent]:
    """Orders the current user may see (none without orders.view) and mail whose subject they may read.

    Order totals and refund days come from two grouped queries over the shown orders, not
    from loading every line: a busy customer's 200 orders would otherwise load thousands.
    """
    orders = select(
        Order.id,
        Order.number,
        Order.status,
        Order.order_date,
        Order.confirmed_at,
        Order.cancelled_at,
    ).where(Order.customer_id == customer.id)
    viewer = current_user if current_user and current_user.is_authenticated else None
    if viewer is not None:
        orders = visible_orders(orders, viewer)
    if since is not None:
        orders = orders.where(Order.created_at >= since)
    rows = (
        db.session.execute(orders.order_by(Order.id.desc()).limit(200)).all()
        if viewer is None or sees_orders(viewer)
        else []
    )
    nets, refund_days = _order_nets_and_refund_days([row.id for row in rows])
    events = []
    for row in rows:
        url = url_for("orders.detail", order_id=row.id)
        day = dt.datetime.combine(row.order_date, dt.time())
        net = nets.get(row.id, OrderNet(ZERO))
        if net.refunded:
            detail = _(
                "%(net)s net after %(refunded)s refunded",
                net=format_money(net.net),
                refunded=format_money(net.refunded),
            )
        else:
            detail = _("%(net)s net", net=format_money(net.net))
        events.append(
            TimelineEvent(
                row.confirmed_at or day,
                "order",
                _(
                    "Order %(number)s (%(status)s)",
                    number=row.number,
                    status=status_label(row.status),
                ),
                detail,
                url,
            )
        )
        if row.cancelled_at:
            events.append(
                TimelineEvent(
                    row.cancelled_at,
                    "order",
                    _("Order %(number)s cancelled", number=row.number),
                    "",
                    url,
                )
            )
        for refund_day, refunded in sorted(refund_days.get(row.id, {}).items()):
            events.append(
                TimelineEvent(
                    dt.datetime.combine(refund_day, dt.time(12)),
                    "refund",
                    _("Refund on order %(number)s", number=row.number),
                    _("%(amount)s net refunded", amount=format_money(refunded)),
                    url,
                )
            )
    messages = select(OutboxMessage).where(OutboxMessage.customer_id == customer.id)
    if viewer is not None:
        messages = readable_mail(messages, viewer)
    if since is not None:
        messages = messages.where(OutboxMessage.created_at >= since)
    for message in db.session.scalars(messages.order_by(OutboxMessage.id.desc()).limit(200)):
        events.append(
            TimelineEvent(
                message.created_at,
                "mail",
                _("E-mail: %(subject)s", subject=message.subject),
                _(
                    "%(category)s, %(status)s",
                    category=MAIL_LABELS.get(message.category, message.category),
                    status=MAIL_LABELS.get(message.status, message.status),
                ),
            )
        )
    return events


def _order_nets_and_refund_days(
    order_ids: list[int],
) -> tuple[dict[int, OrderNet], dict[int, dict[dt.date, Decimal]]]:
    """{order id: its net sold and refunded} and {order id: {refund day: net refunded}}, in two queries."""
    if not order_ids:
        return {}, {}
    nets = order_nets(order_ids)
    refund_days: dict[int, dict[dt.date, Decimal]] = {}
    for order_id, refund_day, refunded in db.session.execute(
        select(OrderLine.order_id, OrderLine.refunded_on, func.sum(OrderLine.net_amount))
        .where(OrderLine.order_id.in_(order_ids), OrderLine.refunded_on.is_not(None))
        .group_by(OrderLine.order_id, OrderLine.refunded_on)
    ):
        if refund_day is not None:  # excluded by the query; narrows the type
            amount = round_money(Decimal(str(refunded or 0)))
            refund_days.setdefault(order_id, {})[refund_day] = amount
    return nets, refund_days


@hookimpl
def dashboard_widgets(user: User) -> list[Widget]:
    """This month's figures, recent orders, and the outbox for admins."""
    widgets = []
    if user.can("orders.view"):
        widgets.append(
            Widget(_("This month"), "widgets/month.html", _month_figures(user), order=0, width=6)
        )
        recent = visible_orders(select(Order), user).order_by(Order.id.desc()).limit(8)
        widgets.append(
            Widget(
                _("Recent orders"),
                "widgets/recent_orders.html",
                {"orders": list(db.session.scalars(recent))},
                order=1,
                width=6,
            )
        )
    if user.can("customers.review"):
        widgets.append(
            Widget(
                _("Data to check"),
                "widgets/data_to_check.html",
                {"counts": open_counts(), "labels": FIELD_LABELS},
                order=800,
                width=4,
            )
        )
    if user.can("plugins.admin"):
        counts = dict(
            db.session.execute(
                select(OutboxMessage.status, func.count()).group_by(OutboxMessage.status)
            ).all()
        )
        context = {
            "pending": counts.get("pending", 0),
            "failed": counts.get("failed", 0),
            "smtp": bool(current_app.config["CLIENTELE"]["smtp_host"]),
        }
        widgets.append(Widget(_("Outbox"), "widgets/outbox.html", context, order=900, width=4))
    return widgets


def _month_figures(user: User) -> dict[str, Any]:
    """Orders, net and profit this month so far (own sales for salespeople), after refunds."""
    today = dates.today()
    start = today.replace(day=1)
    movements = sales_movements(start, today)
    statement = select(
        func.count(func.distinct(movements.c.order_id)).filter(movements.c.sign > 0),
        func.coalesce(func.sum(movements.c.net), 0),
        func.coalesce(func.sum(movements.c.cost), 0),
    )
    own = sees_only_own_orders(user)
    if own:
        statement = statement.where(movements.c.salesperson_id == user.id)
    orders, net, cost = db.session.execute(statement).one()
    return {
        "orders": orders,
        "net": net,
        "profit": net - cost if sees_costs(user) else None,
        "period": format_month(start),
        "scope": _("Your sales") if own else _("All sales"),
    }


@hookimpl
def scheduled_jobs() -> list[Job]:
    """The core's own jobs: deliver the outbox every minute; nightly, planner statistics (and
    VACUUM on PostgreSQL) and pruning old job runs (both after 03:00, clear of the hour
    daylight saving skips or repeats).
    """
    return [
        Job(f"{CORE}.deliver_outbox", "* * * * *", deliver_pending),
        Job(f"{CORE}.planner_statistics", "10 4 * * *", tidy_tables),
        Job(f"{CORE}.prune_job_runs", "40 4 * * *", prune_job_runs),
    ]
