"""The stage records: seeded from the config once, read in order, and the lost-reason list."""

from __future__ import annotations

from sqlalchemy import func, select

from core.db import db
from plugins.pipeline import settings as pipeline_settings
from plugins.pipeline.models import LostReason, Stage


class StageError(Exception):
    """A stage change is not allowed; the message is for the user."""


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
