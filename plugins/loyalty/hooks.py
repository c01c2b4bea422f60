"""The loyalty plugin's hook implementations: thin, they call the modules that do the work."""

from __future__ import annotations

from typing import Any

from core.i18n import _l
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
from plugins.loyalty import display, recompute, segments
from plugins.loyalty import settings as loyalty_settings


@hookimpl
def blueprints() -> list[Any]:
    """The loyalty pages."""
    from plugins.loyalty.views import bp

    return [bp]


@hookimpl
def permissions() -> list[Permission]:
    """Loyalty's permissions and the roles that hold them by default (admin holds all)."""
    return [
        Permission(
            "loyalty.view",
            "See customer value, tiers, matrix and lifecycle (sales: own customers)",
            ("manager", "sales", "marketing"),
        ),
        Permission(
            "loyalty.notes", "Record preferences and interactions", ("manager", "sales", "support")
        ),
        Permission(
            "loyalty.tasks", "Work on the care tasks given to you", ("manager", "sales", "support")
        ),
        Permission(
            "loyalty.tasks_all", "See, take and complete everyone's care tasks", ("manager",)
        ),
        Permission("loyalty.admin", "Edit greeting templates and recompute tiers now", ()),
    ]


@hookimpl
def plugin_settings() -> list[Setting]:
    """The [plugins.loyalty] schema."""
    return loyalty_settings.schema()


@hookimpl
def nav_items(user: Any) -> list[NavItem]:
    """Links to the loyalty pages."""
    return [
        NavItem(_l("Customer value"), "loyalty.tiers", "loyalty.view", 200),
        NavItem(_l("Care tasks"), "loyalty.tasks", "loyalty.tasks", 210),
        NavItem(_l("Greetings"), "loyalty.templates", "loyalty.admin", 220),
    ]


@hookimpl
def customer_panels(customer: Any, user: Any) -> list[Panel]:
    """Preferences banner, customer value and open care tasks."""
    return display.customer_panels(customer, user)


@hookimpl
def customer_badges(customers: Any) -> dict[int, list[Badge]]:
    """Tier, stage and preferences badges for a page of customers."""
    return display.customer_badges(customers)


@hookimpl
def customer_timeline(customer: Any, since: Any, user: Any) -> list[TimelineEvent]:
    """Interactions, care tasks done, tier and stage moves, greetings."""
    return display.customer_timeline(customer, since, user)


@hookimpl
def dashboard_widgets(user: Any) -> list[Widget]:
    """Care tasks due and the tier picture."""
    return display.dashboard_widgets(user)


@hookimpl
def order_confirmed(order: Any) -> None:
    """Recompute the customer's value, tier and stage."""
    recompute.recompute_customers([order.customer_id], f"order {order.number} confirmed")


@hookimpl
def order_cancelled(order: Any) -> None:
    """Recompute the customer: a cancelled order counts nowhere."""
    recompute.recompute_customers([order.customer_id], f"order {order.number} cancelled")


@hookimpl
def order_refunded(order: Any, lines: Any) -> None:
    """Recompute the customer: the refund lowers the profit on its date."""
    recompute.recompute_customers([order.customer_id], f"refund on order {order.number}")


@hookimpl
def orders_imported(order_ids: Any) -> None:
    """Recompute the customers of imported orders (again when a later file changes them)."""
    recompute.recompute_for_orders(list(order_ids), "order import")


@hookimpl
def customer_created(customer: Any) -> None:
    """A new customer starts as a prospect."""
    recompute.start_as_prospect(customer)


@hookimpl
def customer_updated(customer: Any, changes: Any) -> None:
    """Open care tasks follow the customer to a new account owner."""
    if "owner_id" in changes:
        from plugins.loyalty.care import follow_owner_change

        follow_owner_change(customer, changes["owner_id"][0])


@hookimpl
def register_commands(cli: Any) -> None:
    """clientele loyalty recompute | tiers."""
    from plugins.loyalty.cli import loyalty_group

    cli.add_command(loyalty_group)


@hookimpl
def scheduled_jobs() -> list[Job]:
    """The nightly recompute with care tasks, and the morning greetings."""
    from plugins.loyalty.jobs import morning_greetings, nightly, nightly_recompute

    return [
        Job("loyalty.nightly", "30 3 * * *", nightly, replay=nightly_recompute),
        Job("loyalty.greetings", "0 8 * * *", morning_greetings),
    ]


@hookimpl
def seed_demo(session: Any, rng: Any) -> None:
    """Preferences, interactions, tiers and care tasks for the demo customers."""
    from plugins.loyalty.demo import seed

    seed(session, rng)


@hookimpl(optionalhook=True)
def segment_criteria() -> list[dict[str, Any]]:
    """Marketing: tier is, lifecycle stage is, has a preference matching, profit at least."""
    return segments.segment_criteria()


@hookimpl(optionalhook=True)
def recommendation_exclusions(customer_ids: Any) -> dict[int, set[str]]:
    """Marketing: product categories each customer avoids."""
    from plugins.loyalty.preferences import avoided_categories

    return avoided_categories(list(customer_ids))


@hookimpl(optionalhook=True)
def sla_customer_tiers(customer_ids: Any) -> dict[int, str]:
    """Service desk: each customer's current tier."""
    return segments.current_tiers(list(customer_ids))


# Hooks of other plugins (insights), in bridges.py; re-exported so they register with this module.
from plugins.loyalty.bridges import (  # noqa: E402, F401
    insights_best_customers,
    insights_customer_moves,
)
