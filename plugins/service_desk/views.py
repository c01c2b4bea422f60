"""The service desk's Blueprint at /service_desk and its whole URL map; the view functions are in pages/."""

from __future__ import annotations

from flask import Blueprint

from plugins.service_desk.pages import (
    filters,
    lookup,
    queues,
    reports,
    survey,
    teams,
    ticket_actions,
    tickets,
)

bp = Blueprint("service_desk", __name__, url_prefix="/service_desk", template_folder="templates")

bp.add_app_template_filter(filters.desk_time, "desk_time")
bp.add_app_template_filter(filters.business_minutes, "business_minutes")
bp.add_app_template_filter(filters.desk_label, "desk_label")
bp.add_app_template_filter(filters.desk_group, "desk_group")
bp.add_app_template_filter(filters.desk_category, "desk_category")
bp.add_app_template_filter(filters.desk_policy, "desk_policy")
bp.add_app_template_filter(filters.desk_event, "desk_event")
bp.add_url_rule("/lookup", view_func=lookup.lookup)
bp.add_url_rule("/", view_func=queues.index)
bp.add_url_rule("/bulk-assign", view_func=queues.bulk_assign, methods=["POST"])
bp.add_url_rule("/queue.csv", view_func=queues.export_queue)
bp.add_url_rule("/reports/sla", view_func=reports.sla_report)
bp.add_url_rule("/reports/satisfaction", view_func=reports.satisfaction_report)
bp.add_url_rule("/reports/process", view_func=reports.process_report)
bp.add_url_rule("/survey/<token>", view_func=survey.survey, methods=["GET", "POST"])
bp.add_url_rule("/teams", view_func=teams.teams)
bp.add_url_rule("/teams/new", view_func=teams.new_team, methods=["GET", "POST"])
bp.add_url_rule("/teams/<team_id>", view_func=teams.edit_team, methods=["GET", "POST"])
bp.add_url_rule("/tickets/new", view_func=tickets.new_ticket, methods=["GET", "POST"])
bp.add_url_rule("/tickets/<ticket_id>", view_func=tickets.ticket)
bp.add_url_rule("/attachments/<attachment_id>", view_func=tickets.attachment)
bp.add_url_rule("/tickets/<ticket_id>/export.txt", view_func=tickets.export_ticket)
bp.add_url_rule(
    "/tickets/<ticket_id>/state", view_func=ticket_actions.change_ticket_state, methods=["POST"]
)
bp.add_url_rule(
    "/tickets/<ticket_id>/messages", view_func=ticket_actions.post_message, methods=["POST"]
)
bp.add_url_rule(
    "/tickets/<ticket_id>/claim", view_func=ticket_actions.claim_ticket, methods=["POST"]
)
bp.add_url_rule("/tickets/<ticket_id>/update", view_func=ticket_actions.update, methods=["POST"])
bp.add_url_rule(
    "/tickets/<ticket_id>/link-customer", view_func=ticket_actions.link_customer, methods=["POST"]
)
