"""Plugins catch up on the order events they missed while disabled.

Orders confirmed, cancelled or refunded while a plugin was disabled never reached its
hooks. The table plugin_state remembers, per plugin, whether the last process that started
had it enabled and since when. When a process starts (web, gunicorn worker, job worker) with
a plugin enabled that was recorded disabled, the plugin gets the orders whose state changed
since through ``orders_imported`` (the bulk hook every order-aware plugin implements, which
replaces what it derived for those orders), in one transaction, once: the process that flips
the row does it, the others see it flipped.
"""

from __future__ import annotations

import datetime as dt
import logging

from flask import Flask
from sqlalchemy import or_, select, update
from sqlalchemy.exc import IntegrityError

from core.db import db, writing
from core.models import Order, OrderLine, PluginState, utcnow
from core.plugins import PluginError, PluginSystem

log = logging.getLogger("clientele.catch_up")
CATCH_UP_HOOK = "orders_imported"


def missed_order_ids(since: dt.datetime) -> list[int]:
    """Orders confirmed, cancelled or with a line refunded at or after since."""
    refunded = select(OrderLine.order_id).where(OrderLine.refunded_on >= since.date())
    return list(
        db.session.scalars(
            select(Order.id)
            .where(
                or_(
                    Order.confirmed_at >= since,
                    Order.cancelled_at >= since,
                    Order.id.in_(refunded),
                ),
                Order.status != "draft",
            )
            .order_by(Order.id)
        )
    )


def catch_up_plugin(system: PluginSystem, name: str, since: dt.datetime) -> int:
    """Give one plugin the orders it missed since; returns how many (0 if it has no such hook)."""
    implementations = [
        impl
        for impl in getattr(system.pm.hook, CATCH_UP_HOOK).get_hookimpls()
        if impl.plugin_name == name and not (impl.hookwrapper or impl.wrapper)
    ]
    if not implementations:
        return 0
    order_ids = missed_order_ids(since)
    if order_ids:
        for impl in implementations:
            try:
                impl.function(order_ids=order_ids)
            except Exception as error:
                raise PluginError(
                    name,
                    f"catching up on {len(order_ids)} order(s) missed while disabled failed: "
                    f"{type(error).__name__}: {error}",
                    "Nothing was changed; it is tried again at the next start.",
                ) from error
    return len(order_ids)


def sync_plugin_states(app: Flask) -> dict[str, int]:
    """Record which plugins are enabled; catch up those enabled again. Returns {plugin: orders}."""
    system: PluginSystem = app.extensions["clientele"]
    enabled = set(system.names)
    caught_up: dict[str, int] = {}
    with app.app_context(), writing():
        now = utcnow()
        states = {state.name: state for state in db.session.scalars(select(PluginState))}
        for name in sorted(enabled - states.keys()):
            try:
                with db.session.begin_nested():
                    db.session.add(PluginState(name=name, enabled=True, changed_at=now))
            except IntegrityError:
                pass  # another process recorded it at the same moment
        for name, state in states.items():
            if name in enabled and not state.enabled:
                since = state.changed_at
                try:
                    with db.session.begin_nested():
                        flipped = db.session.execute(
                            update(PluginState)
                            .where(PluginState.name == name, PluginState.enabled.is_(False))
                            .values(enabled=True, changed_at=now)
                        )
                        if flipped.rowcount:  # type: ignore[attr-defined]
                            caught_up[name] = catch_up_plugin(system, name, since)
                except PluginError:
                    # The plugin stays recorded as disabled, so the next start tries again.
                    log.exception("plugin %s: catching up failed", name)
                    continue
                if name in caught_up:
                    log.info(
                        "plugin %s: enabled again; caught up on %d order(s) since %s",
                        name,
                        caught_up[name],
                        since,
                    )
            elif name not in enabled and state.enabled:
                db.session.execute(
                    update(PluginState)
                    .where(PluginState.name == name, PluginState.enabled.is_(True))
                    .values(enabled=False, changed_at=now)
                )
        db.session.commit()
    return caught_up
