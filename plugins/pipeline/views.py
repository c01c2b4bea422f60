"""The pipeline Blueprint and its whole URL map; the view functions are in pages/."""

from __future__ import annotations

from flask import Blueprint

from plugins.pipeline.pages import board, reports

bp = Blueprint(
    "pipeline",
    __name__,
    url_prefix="/pipeline",
    template_folder="templates",
    static_folder="static",
    static_url_path="/static",
)

bp.add_url_rule("/", view_func=board.board_page, endpoint="board")
bp.add_url_rule("/channels", view_func=reports.channels_page, endpoint="channels")
