"""Who may read the insights reports: managers (admin holds every permission)."""

from __future__ import annotations

from core.i18n import _l
from core.plugins import Permission

VIEW = "insights.view"

PERMISSIONS = [Permission(VIEW, _l("Read the insights reports and export them"), ("manager",))]
