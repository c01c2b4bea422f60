"""Segment pages: the list, the rule builder with live count, the segment's customers, CSV export."""

from __future__ import annotations

from typing import Any

from flask import (
    Response,
    flash,
    jsonify,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_login import current_user
from sqlalchemy import func, select
from werkzeug.wrappers import Response as BaseResponse

from core.auth import permission_required
from core.csvfiles import csv_download
from core.db import db
from core.i18n import _
from core.models import Customer
from core.views.common import get_or_404, paginate, sorting
from plugins.marketing import segments as rules
from plugins.marketing.forms import SegmentForm
from plugins.marketing.models import Campaign, Segment
from plugins.marketing.pages.common import catalog, rule_from_form, rule_from_request

SAMPLE_SIZE = 10
SEGMENT_SORTS = {"name": func.lower(Segment.name), "updated": Segment.updated_at}
CUSTOMER_SORTS = {
    "name": func.lower(Customer.name),
    "city": func.lower(Customer.city),
    "created": Customer.created_at,
    "channel": Customer.channel,
}
EXPORT_COLUMNS = (
    "id", "external_id", "name", "company", "email", "phone", "country", "region", "city",
    "channel", "tags", "created_at", "marketing_opt_out",
)  # fmt: skip


@permission_required("marketing.segments")
def segments() -> str:
    """Saved segments with their current size (all counted in one statement)."""
    sort, direction, order_by = sorting(SEGMENT_SORTS, "name")
    page = paginate(select(Segment).order_by(order_by, Segment.id))
    parsed: list[tuple[int, rules.Rule]] = []
    broken: dict[int, str] = {}
    for segment in page.items:
        try:
            parsed.append((segment.id, rules.rule_from_json(segment.definition)))
        except rules.SegmentError as error:
            broken[segment.id] = " ".join(error.problems)
    counts: dict[int, int | str] = {**rules.count_many(parsed, catalog()), **broken}
    return render_template(
        "marketing/segments.html",
        title=_("Segments"),
        page=page,
        counts=counts,
        sort=sort,
        direction=direction,
        catalog_errors=catalog().errors,
    )


def _sample(condition: Any) -> list[Customer]:
    """The first customers of a rule, by name, for the preview."""
    statement = select(Customer).where(condition).order_by(func.lower(Customer.name), Customer.id)
    return list(db.session.scalars(statement.limit(SAMPLE_SIZE)))


def _preview(rule: rules.Rule) -> dict[str, Any]:
    """Count and sample of a rule, or its problems."""
    try:
        condition = rules.compile_rule(rule, catalog())
    except rules.SegmentError as error:
        return {"problems": error.problems, "count": None, "sample": []}
    count = db.session.scalar(select(func.count()).select_from(Customer).where(condition))
    return {"problems": [], "count": count, "sample": _sample(condition)}


def _name_taken(form: SegmentForm, segment: Segment | None) -> bool:
    """Flag a name another segment already has."""
    other = db.session.scalar(select(Segment.id).where(Segment.name == form.name.data.strip()))
    if other is not None and (segment is None or other != segment.id):
        form.name.errors = [*form.name.errors, _("Another segment has this name.")]
        return True
    return False


def _builder(segment: Segment | None) -> str | BaseResponse:
    """The rule builder for a new or saved segment: rows, live count, preview, save."""
    form = SegmentForm(obj=segment)
    problems: list[str] = []
    if request.method == "POST":
        try:
            rule = rule_from_form(request.form)
        except rules.SegmentError as error:
            rule, problems = rules.Rule(), error.problems
    else:
        try:
            rule = rules.rule_from_json(segment.definition) if segment else rules.Rule()
        except rules.SegmentError as error:
            rule, problems = rules.Rule(), error.problems
        form.match.data = rule.match
    preview = _preview(rule)
    action = request.form.get("action", "save")
    if request.method == "POST" and action == "save" and not problems:
        valid = form.validate() and not _name_taken(form, segment)
        if valid and not preview["problems"]:
            segment = segment or Segment(created_by_id=current_user.id)
            segment.name = form.name.data.strip()
            segment.description = (form.description.data or "").strip()
            segment.definition = rule.to_json()
            db.session.add(segment)
            db.session.commit()
            flash(_("Segment %(name)s saved.", name=segment.name), "success")
            return redirect(url_for("marketing.segment_detail", segment_id=segment.id))
    blank_rows = 1 if action == "add" or not rule.conditions else 0
    return render_template(
        "marketing/segment_form.html",
        title=_("Edit %(name)s", name=segment.name) if segment else _("New segment"),
        form=form,
        segment=segment,
        rule=rule,
        blank_rows=blank_rows,
        problems=problems + preview["problems"],
        preview=preview,
        catalog=catalog(),
        catalog_json={
            key: {"kind": item.kind, "choices": list(item.choices)}
            for key, item in catalog().criteria.items()
        },
    )


@permission_required("marketing.segments")
def segment_new() -> str | BaseResponse:
    """Build a new segment."""
    return _builder(None)


@permission_required("marketing.segments")
def segment_edit(segment_id: str) -> str | BaseResponse:
    """Change a saved segment."""
    return _builder(get_or_404(Segment, segment_id))


@permission_required("marketing.segments")
def segment_count() -> tuple[Response, int]:
    """Live count for the builder: GET with ?rule=<JSON> (or the builder's fields); answers JSON."""
    try:
        rule = rule_from_request()
        condition = rules.compile_rule(rule, catalog())
    except rules.SegmentError as error:
        return jsonify({"count": None, "problems": error.problems}), 400
    count = db.session.scalar(select(func.count()).select_from(Customer).where(condition))
    sample = [
        {
            "id": customer.id,
            "name": customer.name,
            "city": customer.city,
            "email": customer.email,
            "url": url_for("customers.detail", customer_id=customer.id),
        }
        for customer in _sample(condition)
    ]
    preview = url_for("marketing.segment_preview", rule=rule.to_json())
    return jsonify({"count": count, "problems": [], "sample": sample, "preview_url": preview}), 200


def _customer_page(condition: Any) -> tuple[Any, str, str]:
    """(page, sort, direction) of the customers matching a condition."""
    sort, direction, order_by = sorting(CUSTOMER_SORTS, "name")
    statement = select(Customer).where(condition).order_by(order_by, Customer.id)
    return paginate(statement), sort, direction


@permission_required("marketing.segments")
def segment_preview() -> str:
    """Every customer of an unsaved rule (?rule=<JSON>), paginated."""
    try:
        rule = rule_from_request()
        condition = rules.compile_rule(rule, catalog())
    except rules.SegmentError as error:
        return render_template(
            "marketing/segment_preview.html",
            title=_("Preview"),
            problems=error.problems,
            page=None,
        )
    page, sort, direction = _customer_page(condition)
    return render_template(
        "marketing/segment_preview.html",
        title=_("Preview"),
        problems=[],
        page=page,
        sort=sort,
        direction=direction,
        description=rules.describe(rule, catalog()),
        match=rule.match,
    )


@permission_required("marketing.segments")
def segment_detail(segment_id: str) -> str:
    """A saved segment: its rule in words, its customers (paginated, sortable), export and use."""
    segment = get_or_404(Segment, segment_id)
    problems: list[str] = []
    page = sort = direction = None
    rule = rules.Rule()
    try:
        rule = rules.rule_from_json(segment.definition)
        condition = rules.compile_rule(rule, catalog())
    except rules.SegmentError as error:
        problems = error.problems
    else:
        page, sort, direction = _customer_page(condition)
    campaigns = db.session.scalars(
        select(Campaign)
        .where(Campaign.segment_id == segment.id)
        .order_by(Campaign.id.desc())
        .limit(10)
    ).all()
    return render_template(
        "marketing/segment_detail.html",
        title=segment.name,
        segment=segment,
        rule=rule,
        description=rules.describe(rule, catalog()),
        problems=problems,
        page=page,
        sort=sort,
        direction=direction,
        campaigns=campaigns,
    )


@permission_required("marketing.segments")
def segment_export(segment_id: str) -> BaseResponse:
    """The segment's customers as CSV, streamed so a large segment never sits in memory."""
    segment = get_or_404(Segment, segment_id)
    try:
        condition = rules.compile_rule(rules.rule_from_json(segment.definition), catalog())
    except rules.SegmentError as error:
        flash(_("Cannot export: %(problems)s", problems=" ".join(error.problems)), "error")
        return redirect(url_for("marketing.segment_detail", segment_id=segment.id))
    columns = [getattr(Customer, name) for name in EXPORT_COLUMNS]
    statement = select(*columns).where(condition).order_by(Customer.id)
    rows = db.session.execute(statement.execution_options(yield_per=1000))
    return csv_download(f"segment-{segment.id}.csv", EXPORT_COLUMNS, rows)


@permission_required("marketing.segments")
def segment_delete(segment_id: str) -> BaseResponse:
    """Delete a segment no campaign uses."""
    segment = get_or_404(Segment, segment_id)
    used = db.session.scalar(select(func.count()).where(Campaign.segment_id == segment.id))
    if used:
        flash(
            _(
                "Segment %(name)s is used by %(count)s campaign(s) and cannot be deleted.",
                name=segment.name,
                count=used,
            ),
            "error",
        )
        return redirect(url_for("marketing.segment_detail", segment_id=segment.id))
    db.session.delete(segment)
    db.session.commit()
    flash(_("Segment %(name)s deleted.", name=segment.name), "success")
    return redirect(url_for("marketing.segments"))


def segment_error(error: rules.SegmentError) -> tuple[str, int]:
    """A rule problem that escaped a page becomes a 400 page with the problems, never a 500."""
    return render_template(
        "errors/error.html", status=400, title=_("Segment problem"), message=str(error)
    ), 400
