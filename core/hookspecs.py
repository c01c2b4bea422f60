"""Every hook the core calls. This file is the whole plugin surface; docs/hooks.md is generated from it.

Hooks are called with keyword arguments. Implementations run core first, then plugins in
dependency order. Display hooks are isolated: each implementation is called on its own and
one that raises shows an error box instead of breaking the page. Transactional hooks run
inside the database transaction of the action: raising rolls the whole action back.
"""

# ruff: noqa: ARG001
# mypy: disable-error-code="empty-body"
from __future__ import annotations

import datetime as dt
import random
from collections.abc import Sequence
from typing import TYPE_CHECKING

from core.plugins._api import hookspec

if TYPE_CHECKING:
    import click
    from flask import Blueprint
    from sqlalchemy.orm import Session

    from core.models import Customer, Order, OrderLine, User
    from core.plugins._api import (
        Badge,
        Job,
        NavItem,
        Panel,
        Permission,
        Setting,
        TimelineEvent,
        Widget,
    )


@hookspec
def blueprints() -> list[Blueprint]:
    """Return the Flask Blueprints this plugin serves.

    Called once at app start, not isolated (a failure stops start-up). Each blueprint must be
    named after the plugin and mounted at url_prefix "/<plugin name>".
    """


@hookspec
def nav_items(user: User) -> list[NavItem]:
    """Return NavItem(label, endpoint, permission, order) links for the top navigation.

    Called on each page render for the logged-in ``user``; isolated. The core hides items
    whose permission the user lacks and sorts by (order, label).
    """


@hookspec
def customer_panels(customer: Customer, user: User) -> list[Panel]:
    """Return Panel(title, template, context, order) boxes for the customer page.

    Called when ``user`` opens ``customer``'s page; isolated (a raising panel becomes an
    error box). Keep to a fixed number of queries per panel.
    """


@hookspec
def customer_badges(customers: Sequence[Customer], user: User | None) -> dict[int, list[Badge]]:
    """Return {customer_id: [Badge]} for a whole page of ``customers`` (a list).

    Called by customer lists and caller lookup for the logged-in ``user`` (None outside a
    request); isolated. Show only what the user may see. Answer with one query for all
    customers, never one per customer.
    """


@hookspec
def customer_timeline(
    customer: Customer, since: dt.datetime | None, user: User | None
) -> list[TimelineEvent]:
    """Return TimelineEvent(at, kind, title, detail, url) entries for ``customer`` after ``since``.

    Called when ``user`` opens the customer page; ``since`` is a datetime or None (everything);
    isolated. Show only what the user may see. The core merges all entries newest first.
    """


@hookspec
def dashboard_widgets(user: User) -> list[Widget]:
    """Return Widget(title, template, context, order, width) cards for ``user``'s dashboard.

    Called when the dashboard renders; isolated. Show only what the user may see.
    """


@hookspec
def order_confirmed(order: Order) -> None:
    """React to ``order`` having been confirmed (cost snapshot taken, status "confirmed").

    Called inside the same database transaction as the confirmation; not isolated: raising
    aborts the confirmation and nothing is written. No I/O here: queue mail in the outbox.
    """


@hookspec
def order_cancelled(order: Order) -> None:
    """React to ``order`` having been cancelled (its previous status was "confirmed" or "draft").

    Called inside the same database transaction as the cancellation; not isolated: raising
    aborts the cancellation. No I/O here: queue mail in the outbox.
    """


@hookspec
def order_refunded(order: Order, lines: list[OrderLine]) -> None:
    """React to ``lines`` (a list of OrderLine) of ``order`` having been refunded.

    Called inside the same database transaction as the refund, after each line's refunded_on
    is set; not isolated: raising aborts the refund. No I/O here: queue mail in the outbox.
    """


@hookspec
def orders_imported(order_ids: list[int]) -> None:
    """React to ``clientele import`` having written the orders with these ids (a list).

    The bulk path: imported history must count everywhere as if each order had been confirmed
    one by one, so work set-based over the ids. It is called again for the same ids when a
    later file changes them (order lines replace an order's lines), so replace what you
    derived for those orders. Called inside the import's transaction; not isolated: raising
    aborts the import of the file.
    """


@hookspec
def customer_created(customer: Customer, user: User | None) -> None:
    """React to ``customer`` having been created (it has an id) by ``user``.

    ``user`` is the logged-in user who made it, or None for the command line and imports.

    Called inside the same database transaction; not isolated: raising aborts the creation.
    """


@hookspec
def customer_updated(
    customer: Customer, changes: dict[str, tuple[object, object]], user: User | None
) -> None:
    """React to ``customer`` having been edited by ``user``; ``changes`` is {field: (old, new)}.

    ``user`` is the logged-in user who edited it, or None for the command line and imports.

    Called inside the same database transaction; not isolated: raising aborts the edit.
    """


@hookspec
def customers_merged(kept: Customer, merged: Customer) -> None:
    """React to ``merged`` being merged into ``kept`` (two records of one customer).

    Called inside the merge's transaction, after the core moved the merged customer's orders
    and outbox mail to ``kept`` and before it moves every other row that still refers to
    ``merged`` (a plain ``UPDATE ... SET customer_id = kept``; a row whose unique key
    ``kept`` already has is dropped as a duplicate). Move or combine here what such a plain
    move would get wrong (one row per customer that must be added up, keys holding the id);
    afterwards ``merged`` is deleted, and ``orders_imported`` is called with the moved orders
    so figures derived from orders are worked out again for ``kept``. Not isolated: raising
    aborts the whole merge.
    """


@hookspec
def permissions() -> list[Permission]:
    """Return the Permission(name, label, roles) objects this plugin defines.

    Called once at app start; not isolated. Names start with "<plugin>."; ``roles`` are the
    roles that hold the permission by default (admin holds every permission).
    """


@hookspec
def plugin_settings() -> list[Setting]:
    """Return the Setting(key, type, default, help, choices, check) schema of [plugins.<name>].

    Called once at app start; not isolated. The config table is validated against it: an
    unknown key or a wrong value stops start-up with a message naming the key.
    """


@hookspec
def register_commands(cli: click.Group) -> None:
    """Add this plugin's click group, named after the plugin, to ``cli``.

    Called once when the app is made (so at CLI start); not isolated; must not touch the
    database.
    """


@hookspec
def scheduled_jobs() -> list[Job]:
    """Return Job(name, cron, func) entries the worker runs on schedule.

    Called at worker start; not isolated. Names look like "<plugin>.<job>"; cron times are in
    the company's time zone ([clientele].timezone). Each run gets its own app context and
    transaction, and a failure is logged and recorded while other jobs go on. Jobs must be
    idempotent (running twice does no harm); avoid 02:00-03:00, which daylight saving time
    skips or repeats once a year.
    """


@hookspec
def seed_demo(session: Session, rng: random.Random) -> None:
    """Add this plugin's demo data with ``session`` (db.session), drawing randomness from ``rng``.

    Called by ``clientele demo`` after the core's customers, products and orders exist, in
    dependency order, inside the demo's transaction; not isolated.
    """
