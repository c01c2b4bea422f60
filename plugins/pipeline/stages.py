"""The stage records: seeded from the config once, read in order, edited by an admin, and the
lost-reason list.

The config's ``stages`` only seeds the records; from then on an admin edits them on the stages
page (/pipeline/stages) with the functions below. Their rules, each refused with a StageError
that changes nothing:

- there is always exactly one won and one lost stage: a new stage is open, a stage's kind never
  changes, and the won and lost stages cannot be deactivated (nor is any stage deleted);
- names are 1 to 60 characters and unique, ignoring case;
- a default probability is a fraction from 0 to 1 with at most four places (the page types it
  as a percentage); only open stages have one to change (won is 100 %, lost 0 % by their kind);
- an open stage holding deals cannot be deactivated (they are moved first), and one active
  open stage always remains, where new deals start;
- only open stages are reordered, among themselves: they are the board's columns.

Changing an open stage's default probability moves the deals that use the default along with
it (``probability_manual`` false); a probability typed by hand is kept. Stage history rows
point at stages by id, so a renamed stage shows its new name everywhere, in old moves too.
Nothing here commits: the caller does.
"""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

from sqlalchemy import func, select, update

from core.db import db
from core.i18n import _, ngettext
from plugins.pipeline import settings as pipeline_settings
from plugins.pipeline.models import LostReason, Opportunity, Stage

NAME_LENGTH = 60
PLACES = Decimal("0.0001")


class StageError(Exception):
    """A stage change is not allowed; the message is for the user.

    ``field`` names what the message is about ("name" or "probability") when it is one field.
    """

    def __init__(self, message: str, field: str = "") -> None:
        super().__init__(message)
        self.field = field


def ensure_stages() -> None:
    """Write the configured stages and lost reasons the first time (nothing is committed)."""
    if db.session.scalar(select(func.count()).select_from(Stage)):
        return
    config = pipeline_settings.current()
    for position, stage in enumerate(config.stages, start=1):
        db.session.add(
            Stage(
                name=stage.name, position=position, probability=stage.probability, kind=stage.kind
            )
        )
    known = {name.casefold() for name in db.session.scalars(select(LostReason.name))}
    for reason in config.lost_reasons:
        if reason.casefold() not in known:
            db.session.add(LostReason(name=reason))
    db.session.flush()


def all_stages(active_only: bool = False) -> list[Stage]:
    """Every stage in board order (seeded first if needed)."""
    ensure_stages()
    statement = select(Stage).order_by(Stage.position, Stage.id)
    if active_only:
        statement = statement.where(Stage.active.is_(True))
    return list(db.session.scalars(statement))


def open_stages() -> list[Stage]:
    """The active open stages: the board's columns."""
    return [stage for stage in all_stages(active_only=True) if stage.kind == "open"]


def stage_of_kind(kind: str) -> Stage:
    """The won or the lost stage (there is exactly one of each)."""
    for stage in all_stages():
        if stage.kind == kind:
            return stage
    raise StageError(f"No {kind} stage is set up.")


def first_open_stage() -> Stage:
    """Where a new deal starts."""
    stages = open_stages()
    if not stages:
        raise StageError("No open stage is set up.")
    return stages[0]


def stage_by_name(name: str) -> Stage | None:
    """A stage by its name, ignoring case and surrounding spaces."""
    wanted = name.strip().casefold()
    for stage in all_stages():
        if stage.name.casefold() == wanted:
            return stage
    return None


def lost_reasons() -> list[LostReason]:
    """The lost-reason list, by name."""
    ensure_stages()
    return list(db.session.scalars(select(LostReason).order_by(LostReason.name)))


def reason_named(name: str, create: bool = False) -> LostReason | None:
    """The lost reason of that name (ignoring case); added to the list when create is set."""
    wanted = name.strip()
    ensure_stages()
    found = db.session.scalar(
        select(LostReason).where(func.lower(LostReason.name) == wanted.lower())
    )
    if found is None and create and wanted:
        found = LostReason(name=wanted[:100])
        db.session.add(found)
        db.session.flush()
    return found


def open_deal_counts() -> dict[int, int]:
    """How many deals each open stage holds (one grouped query; every deal there is open)."""
    return dict(
        db.session.execute(
            select(Opportunity.stage_id, func.count())
            .join(Stage, Stage.id == Opportunity.stage_id)
            .where(Stage.kind == "open")
            .group_by(Opportunity.stage_id)
        ).all()
    )


def _clean_name(name: str, stage: Stage | None = None) -> str:
    """The name stripped; refused when empty, too long or another stage's (ignoring case)."""
    cleaned = " ".join(name.split())
    if not cleaned or len(cleaned) > NAME_LENGTH:
        raise StageError(
            _("A stage name is 1 to %(most)d characters.", most=NAME_LENGTH), field="name"
        )
    for other in all_stages():
        if other is not stage and other.name.casefold() == cleaned.casefold():
            raise StageError(
                _("There is already a stage called %(name)s.", name=other.name), field="name"
            )
    return cleaned


def _clean_probability(value: Decimal | None) -> Decimal:
    """A fraction from 0 to 1 with at most four places."""
    message = _("A probability is from 0 % to 100 % (a fraction from 0 to 1).")
    if value is None:
        raise StageError(message, field="probability")
    try:
        number = Decimal(value)
    except (InvalidOperation, TypeError, ValueError):
        raise StageError(message, field="probability") from None
    if not number.is_finite() or not Decimal(0) <= number <= Decimal(1):
        raise StageError(message, field="probability")
    if number != number.quantize(PLACES):
        raise StageError(
            _("A probability has at most two decimals as a percentage (12.34 %)."),
            field="probability",
        )
    return number.quantize(PLACES)


def _renumber(stages: list[Stage]) -> None:
    """Positions 1, 2, 3 … in the given order."""
    for position, stage in enumerate(stages, start=1):
        stage.position = position


def add_stage(name: str, probability: Decimal | None) -> Stage:
    """A new open stage, the last of the open ones (before a won or lost stage that follows)."""
    stages = all_stages()
    cleaned = _clean_name(name)
    fraction = _clean_probability(probability)
    stage = Stage(name=cleaned, probability=fraction, kind="open", active=True)
    last_open = max(
        (index for index, other in enumerate(stages) if other.kind == "open"), default=-1
    )
    stages.insert(last_open + 1, stage)
    db.session.add(stage)
    _renumber(stages)
    db.session.flush()
    return stage


def rename_stage(stage: Stage, name: str) -> None:
    """A new name (history rows keep the stage's id, so old moves show it too)."""
    stage.name = _clean_name(name, stage)
    db.session.flush()


def set_default_probability(stage: Stage, probability: Decimal | None) -> int:
    """An open stage's new default; its deals using the default follow. Returns how many did.

    Deals whose probability was typed by hand (probability_manual) keep it.
    """
    if stage.kind != "open":
        raise StageError(
            _("The won stage's probability is 100 % and the lost stage's 0 %; they do not change.")
        )
    fraction = _clean_probability(probability)
    stage.probability = fraction
    result = db.session.execute(
        update(Opportunity)
        .where(Opportunity.stage_id == stage.id, Opportunity.probability_manual.is_(False))
        .values(probability=fraction)
        .execution_options(synchronize_session="fetch")
    )
    db.session.flush()
    return int(result.rowcount or 0)  # type: ignore[attr-defined]


def move_stage(stage: Stage, step: int) -> None:
    """Move an open stage one place up (step -1) or down (+1) among the open stages."""
    if stage.kind != "open":
        raise StageError(
            _("Only open stages are reordered: the won and lost stages are not board columns.")
        )
    stages = all_stages()
    opens = [other for other in stages if other.kind == "open"]
    index = opens.index(stage)
    target = index + step
    if step not in (-1, 1) or not 0 <= target < len(opens):
        raise StageError(
            _("%(name)s is already the first open stage.", name=stage.name)
            if step < 0
            else _("%(name)s is already the last open stage.", name=stage.name)
        )
    neighbour = opens[target]
    first, second = stages.index(stage), stages.index(neighbour)
    stages[first], stages[second] = neighbour, stage
    _renumber(stages)
    db.session.flush()


def deactivate_stage(stage: Stage) -> None:
    """Take an open stage off the board: only when it holds no deals, and not the last one."""
    if stage.kind != "open":
        raise StageError(
            _(
                "The won and lost stages are always in use: %(name)s cannot be stopped.",
                name=stage.name,
            )
        )
    if not stage.active:
        return
    count = open_deal_counts().get(stage.id, 0)
    if count:
        raise StageError(
            ngettext(
                "%(num)d open deal is in %(name)s: move it to another stage first.",
                "%(num)d open deals are in %(name)s: move them to another stage first.",
                count,
                name=stage.name,
            )
        )
    if not [other for other in open_stages() if other.id != stage.id]:
        raise StageError(
            _("%(name)s is the last open stage in use: new deals start there.", name=stage.name)
        )
    stage.active = False
    db.session.flush()


def reactivate_stage(stage: Stage) -> None:
    """Put a deactivated stage back on the board where it was."""
    stage.active = True
    db.session.flush()
