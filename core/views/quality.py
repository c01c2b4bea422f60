"""Data to check, possible duplicates and merging: pages for admins and managers.

Permission ``customers.review``. The data-to-check list shows every customer field kept as
typed and flagged, paginated and sortable; "Leave as it is" (POST) dismisses an issue someone
checked and found right. The duplicates list groups customers sharing a phone, an e-mail, or a
name and city; merging one into another goes through a confirmation page and a POST.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from flask import Blueprint, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy import func, select
from werkzeug.wrappers import Response

from core import merging
from core.access import can_edit_customer
from core.auth import permission_required
from core.forms import ActionForm
from core.i18n import _
from core.importing.base import load_by_id
from core.models import Customer, CustomerIssue
from core.quality import FIELD_LABELS, SOFT_FIELDS, describe_all, dismiss, open_counts
from core.views.common import (
    action_form_expired,
    get_or_404,
    int_arg,
    paginate,
    saving,
    sorting,
)

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


class ListPage:
    """One page of an already computed list, shaped like a Flask-SQLAlchemy page for the macro."""

    def __init__(self, items: list[Any], page: int, per_page: int) -> None:
        self.total = len(items)
        self.per_page = per_page
        self.pages = max(1, -(-self.total // per_page))
        self.page = page
        self.items = items[(page - 1) * per_page : page * per_page]
        self.has_prev = page > 1
        self.has_next = page < self.pages
        self.prev_num = page - 1 if self.has_prev else None
        self.next_num = page + 1 if self.has_next else None

    def iter_pages(self, **_: int) -> Iterator[int | None]:
        """The first, the last and the pages around the current one; None where some are left out."""
        shown = {1, self.pages, *range(self.page - 2, self.page + 4)}
        last = 0
        for number in sorted(number for number in shown if 1 <= number <= self.pages):
            if number > last + 1:
                yield None
            yield number
            last = number


@bp.route("/duplicates")
@permission_required("customers.review")
def duplicates() -> str:
    """Likely duplicate customers: the same phone, e-mail, or name and city; a merge link each."""
    size = int(current_app.config["CLIENTELE"]["page_size"])
    page = ListPage(merging.duplicate_keys(), int_arg("page", 1) or 1, size)
    groups = merging.duplicate_groups(page.items)
    customers = load_by_id(Customer, sorted({i for group in groups for i in group.customer_ids}))
    return render_template(
        "quality/duplicates.html",
        title=_("Possible duplicates"),
        page=page,
        groups=groups,
        customers=customers,
        kinds={
            "phone": _("Same phone number"),
            "email": _("Same e-mail"),
            "name_city": _("Same name and city"),
            "close_name": _("Close names in the same city"),
        },
        merges=merging.recent_merges(),
    )


def _pair() -> tuple[Customer, Customer]:
    """The customers to keep and to merge, from ?keep=&merge= (or the form): 404 if either is gone."""
    values = request.form if request.method == "POST" else request.args
    kept = get_or_404(Customer, values.get("keep", ""))
    merged = get_or_404(Customer, values.get("merge", ""))
    return kept, merged


@bp.route("/merge", methods=["GET"])
@permission_required("customers.review")
def merge_confirm() -> str | Response:
    """What a merge will do: both customers side by side, what moves, what gets filled in."""
    kept, merged = _pair()
    if kept.id == merged.id:
        flash(_("A customer cannot be merged into itself."), "error")
        return redirect(url_for("quality.duplicates"))
    fills = [
        field
        for field in (*merging.FILLED_FIELDS, "tags")
        if (field != "tags" and not getattr(kept, field) and getattr(merged, field))
        or (field == "tags" and set(merged.tag_list) - set(kept.tag_list))
    ]
    return render_template(
        "quality/merge.html",
        title=_("Merge customers"),
        kept=kept,
        merged=merged,
        moves=sorted(merging.references_to(merged.id).items()),
        fills=fills,
        form=ActionForm(),
    )


@bp.route("/merge", methods=["POST"])
@permission_required("customers.review")
def merge() -> Response:
    """Merge the one customer into the other (after the confirmation page)."""
    kept, merged = _pair()
    if action_form_expired():
        return redirect(url_for("quality.merge_confirm", keep=kept.id, merge=merged.id))
    name, kept_id = merged.name, kept.id
    with saving(_("Nothing was merged"), merging.MergeError) as saved:
        merging.merge_customers(kept, merged, current_user._get_current_object())
    if not saved:
        return redirect(url_for("quality.merge_confirm", keep=kept_id, merge=merged.id))
    flash(_("%(name)s was merged into this customer.", name=name), "success")
    return redirect(url_for("customers.detail", customer_id=kept_id))
