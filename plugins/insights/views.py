"""The Blueprint and the whole URL map of the insights plugin; the view functions are in pages/."""

from __future__ import annotations

from flask import Blueprint

from plugins.insights.pages import reports

bp = Blueprint("insights", __name__, url_prefix="/insights", template_folder="templates")

bp.add_url_rule("/", view_func=reports.index)
bp.add_url_rule("/performance", view_func=reports.performance)
bp.add_url_rule("/performance/orders", view_func=reports.performance_orders)
bp.add_url_rule("/cohorts", view_func=reports.cohorts)
bp.add_url_rule("/persistence", view_func=reports.persistence)
bp.add_url_rule("/basket", view_func=reports.basket)
bp.add_url_rule("/basket/next", view_func=reports.bought_next)
bp.add_url_rule("/prospecting", view_func=reports.prospecting)
bp.add_url_rule("/profitability", view_func=reports.profitability)
bp.add_url_rule("/where", view_func=reports.where)
bp.add_url_rule("/promotion", view_func=reports.promotion)
