"""The example plugin's hook implementations: thin, they call counting.py."""

from __future__ import annotations

from typing import Any

from clientele_example import counting
from core.plugins import NavItem, Panel, Permission, hookimpl


@hookimpl
def blueprints() -> list[Any]:
    from clientele_example.views import bp

    return [bp]


@hookimpl
def permissions() -> list[Permission]:
    return [Permission("example.view", "See the example page", ("manager", "sales"))]


@hookimpl
def nav_items(user: Any) -> list[NavItem]:
    return [NavItem("Example", "example.index", "example.view", 500)]


@hookimpl
def customer_panels(customer: Any) -> list[Panel]:
    return [
        Panel(
            "Example", "example/panel.html", {"count": counting.count_for(customer.id)}, order=500
        )
    ]


@hookimpl
def order_confirmed(order: Any) -> None:
    counting.record(order)


@hookimpl
def orders_imported(order_ids: Any) -> None:
    counting.record_many(order_ids)
