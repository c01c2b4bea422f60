"""What every page shares: filters, the navigation, error pages."""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal
from typing import Any
from urllib.parse import urlencode

from flask import Flask, Response, g, render_template, request
from flask_login import current_user
from flask_wtf.csrf import CSRFError
from markupsafe import Markup, escape

from core.access import sees_costs
from core.i18n import (
    _,
    _l,
    format_date,
    format_datetime,
    format_money,
    format_number,
    format_percent,
    format_quantity,
)
from core.orders import status_label
from core.phones import display_phone, normalize_phone
from core.plugins import CORE, HookResult, NavItem, display_hook, plugin_system
from core.plugins._api import default_title
from core.roles import role_label
from core.views import charts

#: How a page names a job run's status and a timeline entry's kind (the stored values stay
#: English; an order's status and a role are named in core.orders and core.roles).
JOB_STATUS_LABELS = {
    "running": _l("running"),
    "ok": _l("ok"),
    "failed": _l("failed"),
    "interrupted": _l("interrupted"),
}
EVENT_KIND_LABELS = {"order": _l("order"), "refund": _l("refund"), "mail": _l("mail")}


#: Flask-WTF's reasons for refusing a form, as the error page says them.
CSRF_REASONS = {
    "The CSRF session token is missing.": _l("The CSRF session token is missing."),
    "The CSRF token has expired.": _l("The CSRF token has expired."),
    "The CSRF token is invalid.": _l("The CSRF token is invalid."),
    "The CSRF token is missing.": _l("The CSRF token is missing."),
    "The CSRF tokens do not match.": _l("The CSRF tokens do not match."),
}


def _labeller(labels: dict[str, Any]) -> Any:
    def label(value: str | None) -> str:
        return str(labels[value]) if value in labels else (value or "")

    return label


job_status_label = _labeller(JOB_STATUS_LABELS)
event_kind_label = _labeller(EVENT_KIND_LABELS)


def nav_entries() -> list[HookResult]:
    """The nav items the current user may see, sorted by (order, label); failures kept as errors."""
    if "nav_entries" in g:
        return list(g.nav_entries)
    entries: list[HookResult] = []
    if current_user.is_authenticated:
        for result in display_hook("nav_items", user=current_user):
            if result.error:
                entries.append(result)
                continue
            for item in result.value or []:
                if item.permission is None or current_user.can(item.permission):
                    entries.append(HookResult(result.plugin, item))
    entries.sort(
        key=lambda entry: (
            (entry.value.order, entry.value.label)
            if isinstance(entry.value, NavItem)
            else (10_000, entry.plugin)
        )
    )
    g.nav_entries = entries
    return entries


def nav_menu() -> list[tuple[str | None, list[HookResult]]]:
    """The nav entries as menus: core links stand alone; a plugin with several links gets one dropdown.

    Each menu is (title, entries); the title is None for a single link. A dropdown sits where
    its plugin's first link would be, and is titled with its manifest's title, in the reader's
    language ("service_desk" → "Service desk", 服务台).
    """
    titles = {plugin.name: plugin.manifest.display_title() for plugin in plugin_system().plugins}
    menus: list[tuple[str | None, list[HookResult]]] = []
    by_plugin: dict[str, list[HookResult]] = {}
    for entry in nav_entries():
        if entry.error or entry.plugin == CORE:
            menus.append((None, [entry]))
        elif entry.plugin in by_plugin:
            by_plugin[entry.plugin].append(entry)
        else:
            by_plugin[entry.plugin] = [entry]
            title = titles.get(entry.plugin) or default_title(entry.plugin)
            menus.append((title, by_plugin[entry.plugin]))
    return [(title if len(entries) > 1 else None, entries) for title, entries in menus]


def url_with(**changes: Any) -> str:
    """The current URL with some query arguments changed (None removes one)."""
    arguments = request.args.to_dict()
    for key, value in changes.items():
        if value is None:
            arguments.pop(key, None)
        else:
            arguments[key] = str(value)
    return f"{request.path}?{urlencode(arguments)}" if arguments else request.path


def money_filter(amount: Decimal | None, currency: bool = False) -> str:
    """Jinja: 1234.5 → "1,234.50" for the locale (with the company currency when asked: ¥1,234.50)."""
    from flask import current_app

    return format_money(amount, current_app.config["CLIENTELE"]["currency"] if currency else "")


def phone_link(e164: str | None, typed: str | None = "", empty: str = "") -> Markup:
    """Jinja: a phone number as a tel: link, shown in international form ("+49 30 947248").

    ``e164`` is the stored normalised number; without one (or when it is only the digits of
    an unverified number, core.quality), ``typed`` (what was entered) is read in the
    company's default region, and linked as typed if it still is not a number. Nothing to
    show gives ``empty``.
    """
    from core.customers import default_region

    if e164 and not e164.startswith("+"):
        e164 = ""
    number = e164 or normalize_phone(typed or "", default_region())
    if number:
        return Markup('<a class="text-nowrap" href="tel:{}">{}</a>').format(
            number, display_phone(number)
        )
    dialable = re.sub(r"[^\d+]", "", typed or "")
    if dialable:
        return Markup('<a class="text-nowrap" href="tel:{}">{}</a>').format(dialable, typed)
    return Markup(escape(empty))


def date_filter(value: dt.date | dt.datetime | None, with_time: bool = False) -> str:
    """Jinja: a date for the locale, 2026-03-31 or 2026年3月31日 (and 14:05 when with_time).

    The value is shown as given: a stored naive-UTC timestamp stays in UTC (pages say so).
    """
    if isinstance(value, dt.datetime) and with_time:
        return format_datetime(value, company_time=False)
    return format_date(value, company_time=False)


def init_app(app: Flask) -> None:
    """Install filters, globals and error handlers on the app."""
    app.jinja_env.filters.update(
        money=money_filter,
        percent=format_percent,
        quantity=format_quantity,
        phone=display_phone,
        date=date_filter,
        number=format_number,
    )
    app.jinja_env.globals.update(
        nav_entries=nav_entries,
        nav_menu=nav_menu,
        url_with=url_with,
        phone_link=phone_link,
        sees_costs=sees_costs,
        bar_chart=charts.bar_chart,
        line_chart=charts.line_chart,
        status_label=status_label,
        role_label=role_label,
        job_status_label=job_status_label,
        event_kind_label=event_kind_label,
    )

    @app.context_processor
    def company() -> dict[str, Any]:
        settings = app.config["CLIENTELE"]
        return {"company_name": settings["company"], "currency": settings["currency"]}

    def error_page(status: int, title: str, message: str) -> tuple[str, int]:
        return render_template(
            "errors/error.html", status=status, title=title, message=message
        ), status

    @app.errorhandler(403)
    def forbidden(error: Exception) -> tuple[str, int]:
        return error_page(
            403,
            _("Not allowed"),
            _("Your role does not allow this. Ask an admin if you need it."),
        )

    @app.errorhandler(404)
    def not_found(error: Exception) -> tuple[str, int]:
        return error_page(
            404, _("Not found"), _("There is nothing at this address, or it was removed.")
        )

    @app.errorhandler(400)
    def bad_request(error: Exception) -> tuple[str, int]:
        description = getattr(error, "description", "")
        return error_page(
            400, _("Bad request"), str(description) or _("The request was not understood.")
        )

    @app.errorhandler(CSRFError)
    def csrf_error(error: CSRFError) -> tuple[str, int]:
        return error_page(
            400,
            _("Form expired"),
            _(
                "%(reason)s Reload the page and try again.",
                reason=CSRF_REASONS.get(error.description, error.description),
            ),
        )

    @app.errorhandler(413)
    def too_large(error: Exception) -> tuple[str, int]:
        return error_page(
            413, _("File too large"), _("The upload is larger than the server accepts.")
        )

    @app.errorhandler(500)
    def server_error(error: Exception) -> tuple[str, int]:
        return error_page(
            500,
            _("Something went wrong"),
            _("The error was logged. Try again, and tell an admin if it persists."),
        )

    @app.after_request
    def security_headers(response: Response) -> Response:
        """Pages may not be framed or sniffed as another type, and do not leak their URL to other sites."""
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        response.headers.setdefault("X-Frame-Options", "DENY")
        response.headers.setdefault("Referrer-Policy", "same-origin")
        return response
