"""Statement pages: the month's statements, one statement line by line, approval, payment, CSV."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from flask import Response, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user
from werkzeug.wrappers import Response as BaseResponse

from core import dates
from core.access import sees_only_own_orders
from core.auth import permission_required
from core.cli.output import csv_text
from core.db import db
from core.forms import ActionForm
from core.i18n import _
from core.models import User
from core.views.common import (
    action_form_expired,
    paginate_list,
    paginate_rows,
    saving,
    sorting,
)
from plugins.sales_commission import approval
from plugins.sales_commission import recompute as recomputing
from plugins.sales_commission.access import APPROVE, VIEW_ALL, VIEW_OWN, visible_salesperson
from plugins.sales_commission.forms import PaymentForm
from plugins.sales_commission.models import Entry
from plugins.sales_commission.settings import current_rules
from plugins.sales_commission.statements import (
    CSV_COLUMNS,
    LINE_SORTS,
    Summary,
    csv_row,
    month_row,
    months_of,
    period_summaries,
    statement_lines,
    tiers_in_force,
)

SUMMARY_SORTS = {
    "name": lambda summary: (summary.salesperson.name.lower(), summary.salesperson.email),
    "status": lambda summary: summary.status,
    "profit": lambda summary: summary.profit,
    "commission": lambda summary: summary.commission,
}


def period_argument(name: str = "period") -> str:
    """A YYYY-MM query argument; the current month when missing, with a message when mistyped."""
    text = request.args.get(name, "").strip()
    current = dates.period_of(dates.today())
    if not text:
        return current
    try:
        dates.parse_period(text)
    except ValueError as error:
        flash(_("%(error)s; showing %(month)s instead.", error=error, month=current), "warning")
        return current
    return text


def checked_period(period: str) -> str:
    """A period from the URL path, or 404."""
    try:
        dates.parse_period(period)
    except ValueError:
        abort(404)
    return period


@permission_required(VIEW_OWN)
def index() -> str:
    """Managers: every salesperson's statement of a month. Salespeople: their own months."""
    if not current_user.can(VIEW_ALL):
        page = paginate_rows(months_of(current_user.id))
        page.items = [month_row(row) for row in page.items]
        return render_template(
            "sales_commission/my_statements.html", title=_("My commission"), page=page
        )
    period = period_argument()
    summaries = period_summaries(period, current_rules(), with_sales_staff=True)
    key = request.args.get("sort", "name")
    direction = request.args.get("dir", "asc")
    summaries.sort(key=SUMMARY_SORTS.get(key, SUMMARY_SORTS["name"]), reverse=direction == "desc")
    today = dates.today()
    return render_template(
        "sales_commission/statements.html",
        title=_("Commission statements %(month)s", month=period),
        period=period,
        previous_period=dates.period_of(dates.parse_period(period)[0] - dt.timedelta(days=1)),
        next_period=dates.next_period(period),
        page=paginate_list(summaries),
        totals=_totals(summaries),
        chart=(
            [summary.salesperson.name for summary in summaries],
            [summary.commission for summary in summaries],
        ),
        sort=key,
        direction=direction,
        form=ActionForm(),
        can_approve=current_user.can(APPROVE) and today >= approval.approvable_from(period),
        approvable_from=approval.approvable_from(period),
        drafts=[summary for summary in summaries if summary.status == "draft" and summary.lines],
        any_approved=any(summary.approval is not None for summary in summaries),
    )


def _totals(summaries: list[Summary]) -> dict[str, Any]:
    """The month's totals over every salesperson."""
    totals: dict[str, Any] = {"lines": sum(summary.lines for summary in summaries)}
    for name in ("net", "profit", "commission", "adjustments"):
        totals[name] = sum((getattr(summary, name) for summary in summaries), Decimal("0.00"))
    return totals


def _detail(period: str, salesperson: User, payment_form: PaymentForm | None = None) -> str:
    """Render one statement: totals by tier, the lines, and the manager's forms."""
    rules = current_rules()
    summary = period_summaries(period, rules, [salesperson.id])[0]
    sort, direction, order_by = sorting(LINE_SORTS, "date")
    lines = paginate_rows(
        statement_lines(salesperson.id, period).order_by(
            order_by, Entry.order_id, Entry.line_position, Entry.id
        ),
        per_page=50,
    )
    today = dates.today()
    can_manage = current_user.can(APPROVE)
    form = payment_form or PaymentForm(formdata=None)
    if payment_form is None:
        form.paid_on.data = today
    return render_template(
        "sales_commission/statement.html",
        title=_("Statement %(month)s · %(name)s", month=period, name=salesperson.name),
        summary=summary,
        period=period,
        salesperson=salesperson,
        lines=lines,
        sort=sort,
        direction=direction,
        versions=_versions_of(rules, period),
        tier_names=tiers_in_force(rules, period),
        action_form=ActionForm(),
        payment_form=form,
        can_approve=can_manage
        and summary.status == "draft"
        and today >= approval.approvable_from(period),
        approvable_from=approval.approvable_from(period),
        can_pay=can_manage and summary.status == "approved",
        can_view_orders=current_user.can("orders.view"),
        own_orders_only=sees_only_own_orders(current_user),
    )


def _versions_of(rules: Any, period: str) -> list[Any]:
    """The rule versions in force during the month (to explain the rates)."""
    start, end = dates.parse_period(period)
    versions = list(rules.versions)
    return [
        version
        for index, version in enumerate(versions)
        if version.effective_from <= end
        and (index + 1 == len(versions) or versions[index + 1].effective_from > start)
    ]


@permission_required(VIEW_OWN)
def statement(period: str, user_id: str) -> str:
    """One salesperson's statement of one month."""
    return _detail(checked_period(period), visible_salesperson(user_id))


@permission_required(VIEW_OWN)
def export(period: str, user_id: str) -> Response:
    """Every line of a statement as CSV (the same explanation as the page)."""
    period = checked_period(period)
    salesperson = visible_salesperson(user_id)
    rows = db.session.execute(
        statement_lines(salesperson.id, period).order_by(
            Entry.event_date, Entry.order_id, Entry.line_position, Entry.id
        )
    ).all()
    filename = f"commission-{period}-{salesperson.email}.csv"
    return Response(
        csv_text([csv_row(row) for row in rows], CSV_COLUMNS),
        mimetype="text/csv",
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )


@permission_required(APPROVE)
def approve(period: str, user_id: str) -> BaseResponse:
    """Approve one statement (the month must be over)."""
    period = checked_period(period)
    salesperson = visible_salesperson(user_id)
    target = url_for(".statement", period=period, user_id=salesperson.id)
    if action_form_expired():
        return redirect(target)
    with saving(_("Not approved"), approval.ApprovalError) as saved:
        approval.approve(salesperson, period, current_user, dates.today())
    if saved:
        flash(
            _(
                "The %(month)s statement of %(name)s is approved.",
                month=period,
                name=salesperson.name,
            ),
            "success",
        )
    return redirect(target)


@permission_required(APPROVE)
def pay(period: str, user_id: str) -> str | BaseResponse:
    """Mark an approved statement paid, with the payment date and reference."""
    period = checked_period(period)
    salesperson = visible_salesperson(user_id)
    statement_row = approval.statement_of(salesperson.id, period)
    form = PaymentForm()
    if statement_row is None or statement_row.status != "approved":
        flash(_("Only an approved statement can be marked paid."), "error")
        return redirect(url_for(".statement", period=period, user_id=salesperson.id))
    if not form.validate_on_submit():
        return _detail(period, salesperson, form)
    problems = approval.payment_problems(
        form.paid_on.data, form.reference.data or "", period, dates.today()
    )
    if problems:
        for name, message in problems.items():
            form[name].errors = [*form[name].errors, message]
        return _detail(period, salesperson, form)
    with saving(_("Not marked paid"), approval.ApprovalError) as saved:
        approval.mark_paid(
            statement_row, form.paid_on.data, form.reference.data or "", current_user, dates.today()
        )
    if saved:
        flash(
            _(
                "The %(month)s statement of %(name)s is marked paid.",
                month=period,
                name=salesperson.name,
            ),
            "success",
        )
    return redirect(url_for(".statement", period=period, user_id=salesperson.id))


@permission_required(APPROVE)
def approve_all(period: str) -> BaseResponse:
    """Approve every draft statement with lines in the month."""
    period = checked_period(period)
    target = url_for(".index", period=period)
    if action_form_expired():
        return redirect(target)
    with saving(_("Nothing was approved"), approval.ApprovalError) as saved:
        approved = approval.approve_period(period, current_user, dates.today())
    if saved:
        flash(
            _("%(count)s statement(s) of %(month)s approved.", count=len(approved), month=period),
            "success",
        )
    return redirect(target)


@permission_required(APPROVE)
def recompute(period: str) -> BaseResponse:
    """Rebuild a month that has no approved statement from the orders and the rules."""
    period = checked_period(period)
    target = url_for(".index", period=period)
    if action_form_expired():
        return redirect(target)
    with saving(_("Nothing was recomputed"), recomputing.PeriodClosed) as saved:
        recomputing.recompute_period(current_rules(), period)
    if saved:
        flash(_("%(month)s was recomputed from the orders and the rules.", month=period), "success")
    return redirect(target)
