"""The sales_commission plugin's hook implementations: thin, they call the modules beside them."""

from __future__ import annotations

from typing import Any

from core import dates
from core.i18n import _, _l
from core.models import Customer, Order, User
from core.plugins import NavItem, Panel, Permission, Setting, Widget, hookimpl
from plugins.sales_commission import accrual, approval, reports
from plugins.sales_commission import settings as commission_settings
from plugins.sales_commission.settings import current_rules


@hookimpl
def blueprints() -> list[Any]:
    """The commission pages: one Blueprint, its URL map in views.py."""
    from plugins.sales_commission.views import bp

    return [bp]


@hookimpl
def nav_items(user: User) -> list[NavItem]:
    """One "Sales commission" menu: statements, grades, leaderboard, splits and the rules."""
    return [
        NavItem(_l("Statements"), "sales_commission.index", "sales_commission.view_own", 40),
        NavItem(_l("Product grades"), "sales_commission.products", "sales_commission.view_own", 41),
        NavItem(_l("Leaderboard"), "sales_commission.leaderboard", "sales_commission.view_own", 42),
        NavItem(_l("Split an order"), "sales_commission.find_order", "sales_commission.split", 43),
        NavItem(
            _l("Commission rules"), "sales_commission.settings", "sales_commission.settings", 44
        ),
    ]


@hookimpl
def customer_panels(customer: Customer, user: User) -> list[Panel]:
    """Profit the customer brought and the commission on it (a salesperson sees their own)."""
    if not user.can("sales_commission.view_own"):
        return []
    everyone = user.can("sales_commission.view_all")
    figures = reports.customer_figures(customer.id, None if everyone else user.id)
    return [
        Panel(
            _("Commission"),
            "sales_commission/panel.html",
            {"figures": figures, "everyone": everyone},
            order=60,
        )
    ]


@hookimpl
def dashboard_widgets(user: User) -> list[Widget]:
    """This month's accrued commission for a salesperson; commission by tier for managers."""
    widgets: list[Widget] = []
    period = dates.period_of(dates.today())
    if user.can("sales_commission.view_own"):
        figures = reports.month_figures(period, user.id)
        if user.role == "sales" or figures["lines"]:
            previous = dates.period_of(dates.add_months(dates.today().replace(day=1), -1))
            mine: dict[str, Any] = {
                "figures": figures,
                "period": period,
                "previous": previous,
                "previous_figures": reports.month_figures(previous, user.id),
                "previous_status": approval.status_of(approval.statement_of(user.id, previous)),
            }
            widgets.append(
                Widget(
                    _("Your commission this month"),
                    "sales_commission/widget_mine.html",
                    mine,
                    order=20,
                    width=4,
                )
            )
    if user.can("sales_commission.view_all"):
        tiers: dict[str, Any] = {"tiers": reports.profit_by_tier(period, period), "period": period}
        widgets.append(
            Widget(
                _("Commission by tier this month"),
                "sales_commission/widget_tiers.html",
                tiers,
                order=21,
                width=4,
            )
        )
    return widgets


@hookimpl
def register_commands(cli: Any) -> None:
    """clientele sales_commission statement | approve | pay | recompute | rules."""
    from plugins.sales_commission.cli import group

    cli.add_command(group)


@hookimpl
def seed_demo(session: Any, rng: Any) -> None:
    """Rule versions, accrued history, a few splits, approved and paid months."""
    from plugins.sales_commission.demo import seed

    seed(session, rng)


@hookimpl
def plugin_settings() -> list[Setting]:
    """base, grade_by and tiers: the first version of the rules (see settings.py)."""
    return commission_settings.schema()


@hookimpl
def permissions() -> list[Permission]:
    """Who sees which statements, approves them, splits orders and changes the rules."""
    return [
        Permission(
            "sales_commission.view_own",
            "See one's own commission statements, product grades and the leaderboard",
            ("sales", "manager"),
        ),
        Permission(
            "sales_commission.view_all",
            "See every salesperson's statements and profit per grade",
            ("manager",),
        ),
        Permission(
            "sales_commission.approve",
            "Approve statements, mark them paid and recompute open months",
            ("manager",),
        ),
        Permission(
            "sales_commission.split",
            "Split an order's commission between salespeople",
            ("manager",),
        ),
        Permission("sales_commission.settings", "Change the commission rules", ()),
    ]


@hookimpl
def order_confirmed(order: Order) -> None:
    """Accrue one entry per line and salesperson share of the confirmed order."""
    accrual.reconcile_orders(current_rules(), [order.id], cancelled=False)


@hookimpl
def order_cancelled(order: Order) -> None:
    """Reverse the order's entries, dated the day of the cancellation."""
    accrual.record_cancellation(order)
    accrual.reconcile_orders(current_rules(), [order.id])


@hookimpl
def order_refunded(order: Order, lines: Any) -> None:
    """Reverse the refunded lines' entries, dated the refund day."""
    accrual.reconcile_orders(current_rules(), [order.id])


@hookimpl
def orders_imported(order_ids: Any) -> None:
    """Accrue (or re-accrue) imported orders set-based; frozen months get corrections instead."""
    accrual.reconcile_orders(current_rules(), order_ids)


# Hooks of other plugins (insights), in bridges.py; re-exported so they register with this module.
from plugins.sales_commission.bridges import insights_customer_costs  # noqa: E402, F401
