"""Public pages reached from a signed link in a mail, without a login (see core.unsubscribe)."""

from __future__ import annotations

from flask import Blueprint, render_template, request
from werkzeug.exceptions import BadRequest

from core.customers import update_customer
from core.db import db
from core.i18n import _, _l
from core.tokens import TokenError, signed_link_view
from core.unsubscribe import customer_of

bp = Blueprint("public", __name__)

TEMPLATE = "public/unsubscribe.html"
TITLE = _l("Unsubscribe")
#: What a mail client POSTs for a one-click unsubscribe (RFC 8058).
ONE_CLICK = ("List-Unsubscribe", "One-Click")


@bp.route("/unsubscribe/<token>", methods=["GET", "POST"])
@signed_link_view
def unsubscribe(token: str) -> str | tuple[str, int] | tuple[str, int, dict[str, str]]:
    """GET shows what the customer gets and a button; POST stops all marketing mail."""
    try:
        customer = customer_of(token)
    except TokenError as error:
        return render_template(TEMPLATE, title=TITLE, invalid=str(error)), 400
    if request.method != "POST":  # GET or HEAD (a mail scanner following links): change nothing
        return render_template(TEMPLATE, title=TITLE, customer=customer, done=False)
    one_click = request.form.get(ONE_CLICK[0]) == ONE_CLICK[1]
    if not one_click and request.form.get("action") != "stop":
        raise BadRequest(_("Unknown action."))
    update_customer(customer, marketing_opt_out=True)
    db.session.commit()
    if one_click:
        return "Unsubscribed from all marketing mail.\n", 200, {"Content-Type": "text/plain"}
    return render_template(TEMPLATE, title=TITLE, customer=customer, done=True)
