"""The loyalty Blueprint and its whole URL map; the view functions are in pages/."""

from __future__ import annotations

from flask import Blueprint

from plugins.loyalty.pages import customers, greetings, overview, tasks

bp = Blueprint("loyalty", __name__, url_prefix="/loyalty", template_folder="templates")

bp.app_context_processor(overview.loyalty_helpers)
bp.add_url_rule("/", view_func=overview.tiers)
bp.add_url_rule("/matrix", view_func=overview.matrix)
bp.add_url_rule("/lifecycle", view_func=overview.lifecycle)
bp.add_url_rule("/changes", view_func=overview.changes)
bp.add_url_rule("/recompute", view_func=overview.recompute, methods=["POST"])
bp.add_url_rule("/customers/<customer_id>", view_func=customers.customer)
bp.add_url_rule(
    "/customers/<customer_id>/preferences/new",
    view_func=customers.new_preference,
    methods=["GET", "POST"],
)
bp.add_url_rule(
    "/preferences/<preference_id>/remove", view_func=customers.remove_preference, methods=["POST"]
)
bp.add_url_rule(
    "/customers/<customer_id>/interactions/new",
    view_func=customers.new_interaction,
    methods=["GET", "POST"],
)
bp.add_url_rule("/tasks", view_func=tasks.tasks)
bp.add_url_rule("/tasks/<task_id>/complete", view_func=tasks.complete_task, methods=["GET", "POST"])
bp.add_url_rule("/tasks/<task_id>/take", view_func=tasks.take_task, methods=["POST"])
bp.add_url_rule("/greetings", view_func=greetings.template_list, endpoint="templates")
bp.add_url_rule("/greetings/<occasion>", view_func=greetings.edit_template, methods=["GET", "POST"])
