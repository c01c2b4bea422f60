"""Caller lookup: type a phone number in any format (or a name or e-mail), see everything at once."""

from __future__ import annotations

from flask import render_template, request
from flask_login import current_user

from core.auth import permission_required
from core.db import db
from core.i18n import _
from core.models import Customer
from core.phones import looks_like_phone
from core.views.common import badge_results, int_arg
from plugins.service_desk import lookup as caller_lookup


@permission_required("service_desk.lookup")
def lookup() -> str:
    """One page, one round trip: the caller, their badges, recent orders and tickets, or a short list."""
    query = request.args.get("q", "").strip()[:200]
    chosen = int_arg("customer")
    more = False
    if chosen:
        customer = db.session.get(Customer, chosen)
        matches = [customer] if customer is not None else []
    else:
        matches, more = caller_lookup.find_callers(query)
    context: dict[str, object] = {
        "query": query,
        "matches": matches,
        "more": more,
        "badges": badge_results(matches),
        "query_is_phone": looks_like_phone(query),
    }
    if len(matches) == 1:
        customer = matches[0]
        context["customer"] = customer
        context["orders"] = caller_lookup.recent_orders(customer.id, current_user)
        context["tickets"] = caller_lookup.customer_tickets(customer.id, current_user)
    elif matches:
        context["facts"] = caller_lookup.facts_for([match.id for match in matches], current_user)
    return render_template("service_desk/lookup.html", title=_("Caller lookup"), **context)
