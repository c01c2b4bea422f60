"""The scheduled send job and the glue that gives the pure sending code what it needs from the app."""

from __future__ import annotations

from flask import current_app

from core.plugins import plugin_system
from plugins.marketing import settings as marketing_settings
from plugins.marketing.campaigns import SendSettings, run_due
from plugins.marketing.segments import Catalog, collect_criteria

SEND_JOB = "marketing.send_campaigns"
REFRESH_JOB = "marketing.refresh_recommendations"


def send_settings() -> SendSettings:
    """Links, company name and batch size of the current app."""
    config = marketing_settings.current()
    return SendSettings(config.base_url, config.company, config.batch_size)


def current_catalog() -> Catalog:
    """Every criterion the enabled plugins offer now (errors re-raised under testing)."""
    return collect_criteria(plugin_system().pm, reraise=bool(current_app.config.get("TESTING")))


def send_campaigns(max_batches: int | None = None) -> list[int]:
    """Start due campaigns and send what is pending, batch by batch (idempotent)."""
    return run_due(current_catalog(), send_settings(), max_batches)


def refresh_recommendations() -> tuple[int, int]:
    """Rebuild the co-purchase snapshot and commit; (customer-product pairs, similarities kept)."""
    from core.db import db
    from plugins.marketing.recommendations import refresh

    counts = refresh(marketing_settings.current().similar_products)
    db.session.commit()
    return counts
