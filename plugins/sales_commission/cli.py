"""`clientele sales_commission ...`: statements, approval, payment, recompute and the rules."""

from __future__ import annotations

import datetime as dt
from typing import Any

import click
from flask import current_app
from flask.cli import with_appcontext
from sqlalchemy import func, select

from core import dates
from core.cli.output import emit, format_option
from core.db import db
from core.i18n import _, _l
from core.models import User
from plugins.sales_commission import approval
from plugins.sales_commission import recompute as recomputing
from plugins.sales_commission.settings import current_rules
from plugins.sales_commission.statements import period_summaries

SUMMARY_COLUMNS = ("salesperson", "status", "lines", "net", "profit", "commission", "adjustments")


def _period(period: str) -> str:
    """Check --period (YYYY-MM)."""
    try:
        dates.parse_period(period)
    except ValueError as error:
        raise click.BadParameter(str(error), param_hint="--period") from None
    return period


def _user(email: str | None, option: str, permission: str | None = None) -> User | None:
    """The user with this e-mail (None when not given); a clear error when unknown."""
    if not email:
        return None
    user = db.session.scalar(select(User).where(func.lower(User.email) == email.strip().lower()))
    if user is None:
        raise click.BadParameter(_("there is no user %(email)s", email=email), param_hint=option)
    if permission is not None and not user.can(permission):
        raise click.BadParameter(
            _("%(email)s may not do this (%(permission)s)", email=email, permission=permission),
            param_hint=option,
        )
    return user


@click.group(
    "sales_commission",
    help=_l("Commission statements: show, approve, pay, recompute; and the rule versions."),
)
def group() -> None:
    """Commission statements: show, approve, pay, recompute; and the rule versions."""


@group.command(
    "statement",
    help=_l("Every salesperson's statement of a month: lines, net, profit, commission, by tier."),
)
@click.option("--period", required=True, help=_l("The month, YYYY-MM."))
@click.option("--salesperson", "email", default=None, help=_l("Only this salesperson (e-mail)."))
@format_option
@with_appcontext
def statement(period: str, email: str | None, output_format: str) -> None:
    """Every salesperson's statement of a month: lines, net, profit, commission, by tier."""
    period = _period(period)
    salesperson = _user(email, "--salesperson")
    summaries = period_summaries(
        period, current_rules(), [salesperson.id] if salesperson is not None else None
    )
    db.session.commit()  # the first use of the plugin seeds the rules from the config
    currency = current_app.config["CLIENTELE"]["currency"]
    if output_format == "json":
        emit(
            "json",
            [summary.as_json() for summary in summaries],
            SUMMARY_COLUMNS,
            {"period": period, "currency": currency},
            rows_key="statements",
        )
        return
    tiers = list(dict.fromkeys(name for summary in summaries for name in summary.by_tier))
    rows: list[dict[str, Any]] = []
    for summary in summaries:
        row = summary.as_json()
        row.update({name: summary.by_tier.get(name) for name in tiers})
        for key in ("net", "profit", "commission", "adjustments"):
            row[key] = getattr(summary, key)
        rows.append(row)
    emit(output_format, rows, [*SUMMARY_COLUMNS, *tiers])


@group.command(
    "approve",
    help=_l("Approve the draft statements of a month (all salespeople with lines, or one)."),
)
@click.option(
    "--period", required=True, help=_l("The month to approve, YYYY-MM (it must be over).")
)
@click.option("--salesperson", "email", default=None, help=_l("Only this salesperson's statement."))
@click.option("--by", "by_email", default=None, help=_l("The manager approving (recorded)."))
@with_appcontext
def approve(period: str, email: str | None, by_email: str | None) -> None:
    """Approve the draft statements of a month (all salespeople with lines, or one)."""
    period = _period(period)
    salesperson = _user(email, "--salesperson")
    by = _user(by_email, "--by", "sales_commission.approve")
    try:
        approved = approval.approve_period(
            period, by, dates.today(), [salesperson] if salesperson is not None else None
        )
    except approval.ApprovalError as error:
        db.session.rollback()
        raise click.ClickException(str(error)) from None
    db.session.commit()
    if not approved:
        click.echo(
            _("No draft statement with lines in %(month)s; nothing to approve.", month=period)
        )
    for row in approved:
        click.echo(
            _("Approved %(month)s for %(email)s.", month=period, email=row.salesperson.email)
        )


@group.command("pay", help=_l("Mark an approved statement paid."))
@click.option("--period", required=True, help=_l("The month, YYYY-MM."))
@click.option("--salesperson", "email", required=True, help=_l("Whose statement (e-mail)."))
@click.option("--date", "paid_on", required=True, help=_l("Payment date, YYYY-MM-DD."))
@click.option("--reference", required=True, help=_l("Payroll run or transfer reference."))
@click.option("--by", "by_email", default=None, help=_l("Who records the payment."))
@with_appcontext
def pay(period: str, email: str, paid_on: str, reference: str, by_email: str | None) -> None:
    """Mark an approved statement paid."""
    period = _period(period)
    salesperson = _user(email, "--salesperson")
    by = _user(by_email, "--by", "sales_commission.approve")
    try:
        day: dt.date = dates.parse_date(paid_on)
    except ValueError as error:
        raise click.BadParameter(str(error), param_hint="--date") from None
    assert salesperson is not None
    row = approval.statement_of(salesperson.id, period)
    if row is None:
        raise click.ClickException(
            _(
                "The %(month)s statement of %(email)s is not approved.",
                month=period,
                email=salesperson.email,
            )
        )
    try:
        approval.mark_paid(row, day, reference, by, dates.today())
    except approval.ApprovalError as error:
        db.session.rollback()
        raise click.ClickException(str(error)) from None
    db.session.commit()
    click.echo(
        _(
            "Marked %(month)s of %(email)s paid on %(day)s (%(reference)s).",
            month=period,
            email=salesperson.email,
            day=day,
            reference=reference.strip(),
        )
    )


@group.command(
    "recompute",
    help=_l(
        "Rebuild a month's entries from the orders and the rules (the hooks' result, set-based)."
    ),
)
@click.option("--period", required=True, help=_l("A month with no approved statement, YYYY-MM."))
@with_appcontext
def recompute(period: str) -> None:
    """Rebuild a month's entries from the orders and the rules (the hooks' result, set-based)."""
    period = _period(period)
    try:
        recomputing.recompute_period(current_rules(), period)
    except recomputing.PeriodClosed as error:
        db.session.rollback()
        raise click.ClickException(str(error)) from None
    db.session.commit()
    click.echo(_("Recomputed %(month)s.", month=period))


@group.command("rules", help=_l("The rule versions with their effective dates and tiers."))
@format_option
@with_appcontext
def rules_command(output_format: str) -> None:
    """The rule versions with their effective dates and tiers."""
    rules = current_rules()
    rows = [
        {
            "effective_from": version.effective_from,
            "base": version.base,
            "grade_by": version.grade_by,
            "tiers": "; ".join(
                f"{tier.name} ≥ {tier.min_margin} → {tier.rate}" for tier in version.tiers
            ),
        }
        for version in rules.versions
    ]
    db.session.commit()
    emit(output_format, rows, ["effective_from", "base", "grade_by", "tiers"], rows_key="versions")
