"""The dashboard: the core's figures and every plugin's widgets."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, render_template
from flask_login import current_user, login_required

from core.i18n import _
from core.jobs import worker_running
from core.plugins import display_hook

bp = Blueprint("dashboard", __name__)


@bp.route("/")
@login_required
def index() -> str:
    """Widgets from the core and plugins, sorted by (order, plugin); a failing one shows an error box."""
    widgets: list[tuple[int, str, Any]] = []
    for result in display_hook("dashboard_widgets", user=current_user):
        if result.error:
            widgets.append((0, result.plugin, result.error))
            continue
        widgets += [(widget.order, result.plugin, widget) for widget in result.value or []]
    widgets.sort(key=lambda item: (item[0], item[1]))
    return render_template(
        "dashboard.html",
        title=_("Dashboard"),
        widgets=[(plugin, widget) for _, plugin, widget in widgets],
        worker_down=current_user.can("plugins.admin") and not worker_running(),
    )
