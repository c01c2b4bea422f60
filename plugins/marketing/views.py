"""The marketing Blueprint and its whole URL map; the view functions are in pages/."""

from __future__ import annotations

from flask import Blueprint

from plugins.marketing.attribution import channel_label
from plugins.marketing.labels import TEMPLATE_GLOBALS
from plugins.marketing.pages import campaigns, customers, products, public, reports, segments
from plugins.marketing.segments import SegmentError

bp = Blueprint(
    "marketing",
    __name__,
    url_prefix="/marketing",
    template_folder="templates",
    static_folder="static",
    static_url_path="/static",
)

bp.add_app_template_filter(campaigns.company_time, "company_time")
for name, function in TEMPLATE_GLOBALS.items():
    bp.add_app_template_global(function, name)
bp.add_app_template_global(channel_label, "marketing_channel")
bp.add_url_rule("/campaigns/", view_func=campaigns.campaigns_list, endpoint="campaigns")
bp.add_url_rule("/campaigns/new", view_func=campaigns.campaign_new, methods=["GET", "POST"])
bp.add_url_rule(
    "/campaigns/<campaign_id>/edit", view_func=campaigns.campaign_edit, methods=["GET", "POST"]
)
bp.add_url_rule("/campaigns/<campaign_id>", view_func=campaigns.campaign_detail)
bp.add_url_rule(
    "/campaigns/<campaign_id>/send-now", view_func=campaigns.campaign_send_now, methods=["POST"]
)
bp.add_url_rule(
    "/campaigns/<campaign_id>/schedule", view_func=campaigns.campaign_schedule, methods=["POST"]
)
bp.add_url_rule(
    "/campaigns/<campaign_id>/unschedule", view_func=campaigns.campaign_unschedule, methods=["POST"]
)
bp.add_url_rule(
    "/campaigns/<campaign_id>/cancel", view_func=campaigns.campaign_cancel, methods=["POST"]
)
bp.add_url_rule(
    "/campaigns/<campaign_id>/cost", view_func=campaigns.campaign_cost, methods=["POST"]
)
bp.add_url_rule(
    "/customers/<customer_id>/consent", view_func=customers.consent_record, methods=["POST"]
)
bp.add_url_rule("/customers/<customer_id>/consent", view_func=customers.consent_history)
bp.add_url_rule("/products/", view_func=products.product_search)
bp.add_url_rule(
    "/products/<product_id>/audience", view_func=products.product_audience, methods=["GET", "POST"]
)
bp.add_url_rule("/unsubscribe/<token>", view_func=public.unsubscribe, methods=["GET", "POST"])
bp.add_url_rule("/attribution", view_func=reports.attribution_page, endpoint="attribution")
bp.add_url_rule("/regions", view_func=reports.regions_page)
bp.add_url_rule("/segments/", view_func=segments.segments)
bp.add_url_rule("/segments/new", view_func=segments.segment_new, methods=["GET", "POST"])
bp.add_url_rule(
    "/segments/<segment_id>/edit", view_func=segments.segment_edit, methods=["GET", "POST"]
)
bp.add_url_rule("/segments/count", view_func=segments.segment_count)
bp.add_url_rule("/segments/preview", view_func=segments.segment_preview)
bp.add_url_rule("/segments/<segment_id>", view_func=segments.segment_detail)
bp.add_url_rule("/segments/<segment_id>/export.csv", view_func=segments.segment_export)
bp.add_url_rule(
    "/segments/<segment_id>/delete", view_func=segments.segment_delete, methods=["POST"]
)
bp.register_error_handler(SegmentError, segments.segment_error)
