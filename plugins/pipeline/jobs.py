"""The pipeline's scheduled job: release to the pool what nobody followed up (nightly)."""

from __future__ import annotations

from core.db import db
from plugins.pipeline.pool import Released, release_stale

RELEASE_JOB = "pipeline.release_to_pool"


def release_to_pool() -> Released:
    """Release stale deals and customers and commit (nothing happens while pool_after_days is 0)."""
    released = release_stale()
    db.session.commit()
    return released
