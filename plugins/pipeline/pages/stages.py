"""The stages page (admins): the stages in board order and the forms that change them.

Each POST changes one thing through plugins/pipeline/stages.py; a refusal rolls back and
says why, so nothing changes.
"""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from typing import Any

from flask import flash, redirect, render_template, url_for
from werkzeug.wrappers import Response

from core.auth import permission_required
from core.db import db
from core.forms import ActionForm
from core.i18n import _, format_percent, ngettext
from core.views.common import action_form_expired, get_or_404, saving
from plugins.pipeline import stages as stage_records
from plugins.pipeline.forms import StageForm, StageNameForm, StageProbabilityForm
from plugins.pipeline.models import Stage
from plugins.pipeline.stages import StageError

PERMISSION = "pipeline.stages"
HUNDRED = Decimal("100")


def _nothing_changed() -> str:
    return _("Nothing changed")


def _refused(reason: str) -> None:
    flash(_("%(failure)s: %(reason)s", failure=_nothing_changed(), reason=reason), "error")


def _fraction(percent: Decimal | None) -> Decimal | None:
    return None if percent is None else percent / HUNDRED


def _page(form: StageForm, status: int = 200) -> tuple[str, int]:
    stages = stage_records.all_stages()
    db.session.commit()  # the stages may just have been seeded
    return render_template(
        "pipeline/stages.html",
        title=_("Stages"),
        stages=stages,
        counts=stage_records.open_deal_counts(),
        movable=[stage for stage in stages if stage.kind == "open"],
        form=form,
        action_form=ActionForm(),
        hundred=HUNDRED,
        typed={stage.id: _plain(stage.probability * HUNDRED) for stage in stages},
    ), status


def _plain(number: Decimal) -> str:
    """40.0000 → "40", 12.5000 → "12.5": what a person would type."""
    return f"{number.normalize():f}"


def _back() -> Response:
    return redirect(url_for("pipeline.stages"))


def _field_problem(form: Any) -> str:
    """The first message a form's own fields gave (a number that is not one)."""
    for field in form:
        if field.errors:
            return f"{field.label.text}: {field.errors[0]}"
    return _("The form expired; try again.")


@permission_required(PERMISSION)
def stages_page() -> tuple[str, int]:
    """The stages in board order with kind, default probability, use and open deals."""
    return _page(StageForm())


@permission_required(PERMISSION)
def stage_add() -> Any:
    """Add an open stage after the last open one; refused: the form again, with the reason."""
    form = StageForm()
    if not form.validate_on_submit():
        return _page(form, 400)
    try:
        stage = stage_records.add_stage(
            form.name.data or "", _fraction(form.probability_percent.data)
        )
    except StageError as error:
        db.session.rollback()
        target = form.probability_percent if error.field == "probability" else form.name
        target.errors = [*target.errors, str(error)]
        return _page(form, 400)
    db.session.commit()
    flash(_("Stage %(name)s added to the board.", name=stage.name), "success")
    return _back()


def _stage(stage_id: str) -> Stage:
    return get_or_404(Stage, stage_id)


@permission_required(PERMISSION)
def stage_rename(stage_id: str) -> Response:
    """Rename a stage: old moves show the new name too (they keep the stage's id)."""
    stage = _stage(stage_id)
    form = StageNameForm()
    if not form.validate_on_submit():
        _refused(_field_problem(form))
        return _back()
    old = stage.name
    with saving(_nothing_changed(), StageError) as saved:
        stage_records.rename_stage(stage, form.name.data or "")
    if saved:
        flash(_("%(old)s is now called %(new)s.", old=old, new=stage.name), "success")
    return _back()


@permission_required(PERMISSION)
def stage_probability(stage_id: str) -> Response:
    """A new default probability; deals using the default follow, typed ones are kept."""
    stage = _stage(stage_id)
    form = StageProbabilityForm()
    if not form.validate_on_submit():
        _refused(_field_problem(form))
        return _back()
    followed = 0
    with saving(_nothing_changed(), StageError) as saved:
        followed = stage_records.set_default_probability(
            stage, _fraction(form.probability_percent.data)
        )
    if saved:
        flash(
            ngettext(
                "%(name)s's default probability is now %(percent)s; %(num)d deal using the "
                "default follows it, probabilities typed by hand are kept.",
                "%(name)s's default probability is now %(percent)s; %(num)d deals using the "
                "default follow it, probabilities typed by hand are kept.",
                followed,
                name=stage.name,
                percent=_percent(stage.probability),
            ),
            "success",
        )
    return _back()


def _percent(fraction: Decimal) -> str:
    """40 % or 12.50 %, as the page shows it."""
    return str(format_percent(fraction, 0 if (fraction * HUNDRED) % 1 == 0 else 2))


def _action(stage_id: str, change: Callable[[Stage], None], done: Callable[[str], str]) -> Response:
    """One button's POST on a stage: the change, or the reason it was refused."""
    stage = _stage(stage_id)
    if action_form_expired():
        return _back()
    with saving(_nothing_changed(), StageError) as saved:
        change(stage)
    if saved:
        flash(done(stage.name), "success")
    return _back()


@permission_required(PERMISSION)
def stage_up(stage_id: str) -> Response:
    """One place earlier on the board."""
    return _action(
        stage_id,
        lambda stage: stage_records.move_stage(stage, -1),
        lambda name: _("%(name)s moved up.", name=name),
    )


@permission_required(PERMISSION)
def stage_down(stage_id: str) -> Response:
    """One place later on the board."""
    return _action(
        stage_id,
        lambda stage: stage_records.move_stage(stage, 1),
        lambda name: _("%(name)s moved down.", name=name),
    )


@permission_required(PERMISSION)
def stage_deactivate(stage_id: str) -> Response:
    """Off the board (only when no deal is in it); its history stays."""
    return _action(
        stage_id,
        stage_records.deactivate_stage,
        lambda name: _("%(name)s is no longer used: it is off the board.", name=name),
    )


@permission_required(PERMISSION)
def stage_reactivate(stage_id: str) -> Response:
    """Back on the board, in its place."""
    return _action(
        stage_id,
        stage_records.reactivate_stage,
        lambda name: _("%(name)s is in use again.", name=name),
    )
