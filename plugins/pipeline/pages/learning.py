"""The calibration report: the learned probability against the stage probability on a held-out quarter."""

from __future__ import annotations

from flask import render_template, request

from core.auth import permission_required
from core.db import db
from core.i18n import _
from plugins.pipeline import learning
from plugins.pipeline import stages as stage_records


@permission_required("pipeline.reports")
def calibration_page() -> str:
    """Brier scores and reliability tables of both probabilities over the held-out quarter."""
    stage_records.ensure_stages()
    db.session.commit()  # the stages may just have been seeded
    quarter = request.args.get("quarter", "").strip()
    error = ""
    try:
        result = learning.calibrate(quarter)
    except ValueError as problem:
        error = str(problem)
        result = learning.calibrate()
    labels = [f"{int(row.low * 100)}–{int(row.high * 100)} %" for row in result.bins_learned]
    return render_template(
        "pipeline/calibration.html",
        title=_("Calibration of the learned probability"),
        result=result,
        quarter=quarter or result.quarter,
        error=error,
        min_closed=learning.MIN_CLOSED,
        min_held_out=learning.MIN_HELD_OUT,
        chart_labels=labels,
        chart_series={
            _("Perfect calibration"): [
                float(row.low + row.high) / 2 * 100 for row in result.bins_learned
            ],
            _("Learned: actual win rate"): [
                None if row.actual is None else row.actual * 100 for row in result.bins_learned
            ],
            _("Stage: actual win rate"): [
                None if row.actual is None else row.actual * 100 for row in result.bins_manual
            ],
        },
    )
