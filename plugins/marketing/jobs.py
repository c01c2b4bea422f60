"""The scheduled send job and the glue that gives the pure sending code what it needs from the app."""

from __future__ import annotations

from flask import current_app

from core.plugins import plugin_system
from plugins.marketing.campaigns import SendSettings, run_due
from plugins.marketing.segments import Catalog, collect_criteria
from plugins.marketing.settings import setting

SEND_JOB = "marketing.send_campaigns"
REFRESH_JOB = "marketing.refresh_recommendations"


def send_settings() -> SendSettings:
    """Links, company name and batch size of the current app."""
    config = current_app.config["CLIENTELE"]
    return SendSettings(config["base_url"], config["company"], setting("batch_size"))


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

    counts = refresh(setting("similar_products"))
    db.session.commit()
    return counts
