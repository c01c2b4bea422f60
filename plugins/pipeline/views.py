"""The pipeline Blueprint and its whole URL map; the view functions are in pages/."""

from __future__ import annotations

from flask import Blueprint

from plugins.pipeline.pages import board, deals, followups, learning, pool, reports, stages

bp = Blueprint(
    "pipeline",
    __name__,
    url_prefix="/pipeline",
    template_folder="templates",
    static_folder="static",
    static_url_path="/static",
)

bp.add_url_rule("/", view_func=board.board_page, endpoint="board")
bp.add_url_rule("/deals/", view_func=board.deals_list, endpoint="deals")
bp.add_url_rule("/deals/new", view_func=deals.deal_new, methods=["GET", "POST"])
bp.add_url_rule("/deals/<deal_id>", view_func=deals.deal_page, endpoint="deal")
bp.add_url_rule("/deals/<deal_id>/edit", view_func=deals.deal_edit, methods=["GET", "POST"])
bp.add_url_rule("/deals/<deal_id>/move", view_func=deals.deal_move, methods=["POST"])
bp.add_url_rule("/deals/<deal_id>/lose", view_func=deals.deal_lose, methods=["POST"])
bp.add_url_rule("/deals/<deal_id>/order", view_func=deals.deal_make_order, methods=["POST"])
bp.add_url_rule("/deals/<deal_id>/convert", view_func=deals.deal_convert, methods=["POST"])
bp.add_url_rule("/deals/<deal_id>/follow-up", view_func=deals.deal_follow_up, methods=["POST"])
bp.add_url_rule(
    "/customers/<customer_id>/follow-up",
    view_func=followups.customer_follow_up,
    methods=["GET", "POST"],
)
bp.add_url_rule("/forgotten", view_func=followups.forgotten_page, endpoint="forgotten")
bp.add_url_rule("/pool", view_func=pool.pool_page, endpoint="pool")
bp.add_url_rule("/pool/deals/<deal_id>/claim", view_func=pool.claim_deal, methods=["POST"])
bp.add_url_rule(
    "/pool/customers/<customer_id>/claim", view_func=pool.claim_customer, methods=["POST"]
)
bp.add_url_rule("/reports", view_func=reports.reports_page, endpoint="reports")
bp.add_url_rule("/reports/calibration", view_func=learning.calibration_page, endpoint="calibration")
bp.add_url_rule("/channels", view_func=reports.channels_page, endpoint="channels")
bp.add_url_rule("/stages", view_func=stages.stages_page, endpoint="stages")
bp.add_url_rule("/stages/add", view_func=stages.stage_add, methods=["POST"])
for action in ("rename", "probability", "up", "down", "deactivate", "reactivate"):
    bp.add_url_rule(
        f"/stages/<stage_id>/{action}",
        view_func=getattr(stages, f"stage_{action}"),
        endpoint=f"stage_{action}",
        methods=["POST"],
    )
