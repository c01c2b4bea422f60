"""The rules page: every version of the commission rules, adding one, deleting a future one."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from flask import flash, redirect, render_template, url_for
from flask_login import current_user
from sqlalchemy import select
from werkzeug.wrappers import Response

from core import dates
from core.auth import permission_required
from core.db import db
from core.forms import ActionForm
from core.i18n import _
from core.money import format_quantity
from core.plugins import SettingError
from core.views.common import action_form_expired, get_or_404
from plugins.sales_commission import accrual, rules
from plugins.sales_commission import settings as commission_settings
from plugins.sales_commission.access import SETTINGS
from plugins.sales_commission.forms import RuleVersionForm
from plugins.sales_commission.models import RuleVersion
from plugins.sales_commission.settings import current_rules


def _fill(
    form: RuleVersionForm, base: str, grade_by: str, tiers: list[tuple[str, Any, Any]]
) -> None:
    """Pre-fill the form with a rule (the one in force, or the config file's)."""
    form.base.data = base
    form.grade_by.data = grade_by
    for row, (name, minimum, rate) in zip(form.tiers, tiers, strict=False):
        row.form.name.data = name
        row.form.min_margin.data = _plain(minimum)
        row.form.rate.data = _plain(rate)


def _plain(number: Any) -> str:
    """0.4000 → "0.4", 0.0000 → "0": what a person would type."""
    return format_quantity(Decimal(str(number)))


def _typed_tiers(form: RuleVersionForm) -> tuple[list[dict[str, str]], list[int]]:
    """The non-empty tier rows as typed, and the form row each came from."""
    tiers, rows = [], []
    for index, row in enumerate(form.tiers):
        values = {key: (row.form[key].data or "").strip() for key in rules.TIER_KEYS}
        if any(values.values()):
            tiers.append(values)
            rows.append(index)
    return tiers, rows


def _rule_errors(form: RuleVersionForm) -> tuple[str, str, list[dict[str, Any]]] | None:
    """Check the typed rule; put each problem next to its field. None when it is wrong."""
    tiers, rows = _typed_tiers(form)
    try:
        return rules.check_rule(form.base.data, form.grade_by.data, tiers)
    except SettingError as error:
        message = f"{error.path}: {error.message}."
        field = error.path.split(".")[-1] if "." in error.path else ""
        if error.path.startswith("tiers[") and field in rules.TIER_KEYS:
            index = int(error.path[len("tiers[") : error.path.index("]")])
            target = form.tiers[rows[index]].form[field]
        elif error.path in ("base", "grade_by"):
            target = form[error.path]
        else:
            target = form.tiers[0].form.name
        target.errors = [*target.errors, message]
        return None


@permission_required(SETTINGS)
def settings() -> str | Response:
    """The rule versions, and a form to add one from an effective date on."""
    existing = current_rules()
    form = RuleVersionForm()
    if form.validate_on_submit():
        checked = _rule_errors(form)
        problem = rules.effective_date_problem(form.effective_from.data, existing)
        if problem:
            form.effective_from.errors = [*form.effective_from.errors, problem]
        if checked is not None and not problem:
            base, grade_by, tiers = checked
            version = rules.add_version(
                form.effective_from.data, base, grade_by, tiers, form.note.data or "", current_user
            )
            accrual.reconcile_orders_from(current_rules(), version.effective_from)
            db.session.commit()
            flash(
                _(
                    "New rules in force for orders dated from %(day)s on; "
                    "open months were re-accrued.",
                    day=version.effective_from,
                ),
                "success",
            )
            return redirect(url_for(".settings"))
    elif not form.is_submitted():
        in_force = existing.in_force(dates.today())
        _fill(
            form,
            in_force.base,
            in_force.grade_by,
            [(t.name, t.min_margin, t.rate) for t in in_force.tiers],
        )
        form.effective_from.data = rules.first_changeable_day() or dates.today()
        if form.effective_from.data < dates.today():
            form.effective_from.data = dates.today()
    return _page(form, existing)


def _page(form: RuleVersionForm, existing: rules.RuleSet, config_notice: bool = True) -> str:
    """Render the rules page: the versions, the add form and the config notice."""
    config = commission_settings.current()
    versions = db.session.scalars(
        select(RuleVersion).order_by(RuleVersion.effective_from.desc())
    ).all()
    return render_template(
        "sales_commission/settings.html",
        title=_("Commission rules"),
        form=form,
        versions=versions,
        first_id=existing.versions[0].id,
        deletable={
            version.id for version in versions if rules.deletion_problem(version, existing) is None
        },
        config=config,
        config_differs=config_notice
        and rules.config_differs(config.base, config.grade_by, config.tiers, existing.versions[0]),
        first_changeable_day=rules.first_changeable_day(),
        action_form=ActionForm(),
    )


@permission_required(SETTINGS)
def fill_from_config() -> str:
    """Show the add form filled in from the config file's rules (nothing is saved)."""
    existing = current_rules()
    form = RuleVersionForm(formdata=None)
    config = commission_settings.current()
    _fill(
        form,
        config.base,
        config.grade_by,
        [(t["name"], t["min_margin"], t["rate"]) for t in config.tiers],
    )
    form.effective_from.data = max(dates.today(), rules.first_changeable_day() or dates.today())
    return _page(form, existing, config_notice=False)


@permission_required(SETTINGS)
def delete_version(version_id: str) -> Response:
    """Delete a version that applies to no approved statement; its orders are re-accrued."""
    version = get_or_404(RuleVersion, version_id)
    existing = current_rules()
    if action_form_expired():
        return redirect(url_for(".settings"))
    problem = rules.deletion_problem(version, existing)
    if problem:
        flash(_("Not deleted: %(problem)s", problem=problem), "error")
        return redirect(url_for(".settings"))
    accrual.reconcile_orders_from(existing.without(version.id), version.effective_from)
    db.session.delete(version)
    db.session.commit()
    flash(
        _(
            "The version from %(day)s is deleted; its orders were re-accrued.",
            day=version.effective_from,
        ),
        "success",
    )
    return redirect(url_for(".settings"))
