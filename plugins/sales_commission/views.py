"""The sales_commission Blueprint and its whole URL map; the view functions are in pages/."""

from __future__ import annotations

from flask import Blueprint

from plugins.sales_commission.pages import reports, rules, split, statements

bp = Blueprint(
    "sales_commission", __name__, url_prefix="/sales_commission", template_folder="templates"
)

bp.add_url_rule("/", view_func=statements.index)
bp.add_url_rule("/statements/<period>/<user_id>", view_func=statements.statement)
bp.add_url_rule("/statements/<period>/<user_id>/export.csv", view_func=statements.export)
bp.add_url_rule(
    "/statements/<period>/<user_id>/approve", view_func=statements.approve, methods=["POST"]
)
bp.add_url_rule("/statements/<period>/<user_id>/pay", view_func=statements.pay, methods=["POST"])
bp.add_url_rule("/periods/<period>/approve", view_func=statements.approve_all, methods=["POST"])
bp.add_url_rule("/periods/<period>/recompute", view_func=statements.recompute, methods=["POST"])
bp.add_url_rule("/products", view_func=reports.products)
bp.add_url_rule("/leaderboard", view_func=reports.leaderboard)
bp.add_url_rule("/settings", view_func=rules.settings, methods=["GET", "POST"])
bp.add_url_rule("/settings/config", view_func=rules.fill_from_config, methods=["POST"])
bp.add_url_rule("/settings/<version_id>/delete", view_func=rules.delete_version, methods=["POST"])
bp.add_url_rule("/split", view_func=split.find_order)
bp.add_url_rule("/orders/<order_id>/split", view_func=split.split, methods=["GET", "POST"])
