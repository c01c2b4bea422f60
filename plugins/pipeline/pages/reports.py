"""Report pages: funnel and win rate for managers, counts by channel for marketing."""

from __future__ import annotations

from flask import render_template

from core.auth import permission_required
from core.i18n import _
from plugins.pipeline import reports


@permission_required("pipeline.channels")
def channels_page() -> str:
    """Deals by channel: open, won and lost counts, no amounts and no names."""
    return render_template(
        "pipeline/channels.html", title=_("Deals by channel"), rows=reports.channel_counts()
    )
