"""Admin pages: installed plugins, and recent job runs."""

from __future__ import annotations

from flask import Blueprint, current_app, render_template
from sqlalchemy import select

from core.auth import permission_required
from core.db import db
from core.i18n import _
from core.jobs import worker_running
from core.models import JobRun
from core.plugins import PluginSystem
from core.plugins._report import plugin_rows

bp = Blueprint("admin", __name__, url_prefix="/admin")


@bp.route("/plugins")
@permission_required("plugins.admin")
def plugins() -> str:
    """Every installed plugin: available or enabled, version, dependencies, hooks, settings."""
    system: PluginSystem = current_app.extensions["clientele"]
    rows = plugin_rows({plugin.name: plugin.reason for plugin in system.plugins})
    runs = list(db.session.scalars(select(JobRun).order_by(JobRun.id.desc()).limit(20)))
    return render_template(
        "admin/plugins.html",
        title=_("Plugins"),
        rows=rows,
        settings=system.settings,
        core_hooks=system.implemented_hooks("core"),
        runs=runs,
        worker_down=not worker_running(),
    )
