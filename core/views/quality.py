"""Data to check: every customer field kept as typed and flagged, with the reason and a fix link.

Admins and managers (permission ``customers.review``). The list is paginated and sortable;
"Leave as it is" (POST) dismisses an issue someone checked and found right.
"""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy import func, select
from werkzeug.wrappers import Response

from core.access import can_edit_customer
from core.auth import permission_required
from core.forms import ActionForm
from core.i18n import _
from core.models import Customer, CustomerIssue
from core.quality import FIELD_LABELS, SOFT_FIELDS, describe_all, dismiss, open_counts
from core.views.common import action_form_expired, get_or_404, paginate, saving, sorting

bp = Blueprint("quality", __name__, url_prefix="/data")

#: How the list can be sorted (?sort=...), newest flags first by default.
SORTS = {
    "flagged": CustomerIssue.created_at,
    "customer": func.lower(Customer.name),
    "field": CustomerIssue.field,
    "country": Customer.country,
}


@bp.route("/check")
@permission_required("customers.review")
def check() -> str:
    """Every open issue with its customer, reason and a link to correct it; ?field= narrows."""
    field = request.args.get("field", "")
    statement = (
        select(CustomerIssue)
        .join(Customer, Customer.id == CustomerIssue.customer_id)
        .where(CustomerIssue.dismissed_at.is_(None))
    )
    if field in SOFT_FIELDS:
        statement = statement.where(CustomerIssue.field == field)
    else:
        field = ""
    sort, direction, order_by = sorting(SORTS, "flagged", "desc")
    page = paginate(statement.order_by(order_by, CustomerIssue.id))
    issues = list(page.items)
    return render_template(
        "quality/check.html",
        title=_("Data to check"),
        page=page,
        issues=issues,
        reasons=describe_all(issues),
        editable={issue.id: can_edit_customer(current_user, issue.customer) for issue in issues},
        counts=open_counts(),
        field=field,
        fields=SOFT_FIELDS,
        field_labels=FIELD_LABELS,
        sort=sort,
        direction=direction,
        form=ActionForm(),
    )


@bp.route("/check/<issue_id>/dismiss", methods=["POST"])
@permission_required("customers.review")
def dismiss_issue(issue_id: str) -> Response:
    """Someone checked the value and leaves it as it is: it leaves the list."""
    issue = get_or_404(CustomerIssue, issue_id)
    field = request.form.get("field", "")
    back = redirect(url_for("quality.check", field=field if field in SOFT_FIELDS else None))
    if action_form_expired():
        return back
    name = issue.customer.name
    with saving(_("Nothing changed")) as saved:
        dismiss(issue, current_user.id)
    if saved:
        flash(_("%(name)s: left as it is.", name=name), "success")
    return back
