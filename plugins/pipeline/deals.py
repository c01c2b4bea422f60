"""Opportunities: open one, change it, move it between stages with its history, its probability.

Every stage move writes a StageMove row (from, to, who, when); a won or lost deal moved back
to an open stage is reopened and the earlier rows stay. A probability typed by a person is
kept (``probability_manual``) and moving the deal never overwrites it; otherwise the deal
takes the default of the stage it is in. Nothing here commits: the caller does.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal

from sqlalchemy import select

from core import dates
from core.db import db
from core.models import Customer, Product, User, utcnow
from core.money import line_net, round_money
from plugins.pipeline import stages as stage_records
from plugins.pipeline.models import LostReason, Opportunity, OpportunityLine, Stage, StageMove
from plugins.pipeline.stages import StageError

ZERO = Decimal("0")


class DealError(StageError):
    """The deal cannot be saved or moved as asked; the message is for the user."""


@dataclass
class LineInput:
    """A product on a deal: quantity and expected unit price (None: the list price)."""

    product: Product
    quantity: Decimal
    unit_price: Decimal | None = None


@dataclass
class DealInput:
    """What a form or an import says about a deal."""

    title: str
    owner: User | None
    customer: Customer | None = None
    prospect_name: str = ""
    prospect_company: str = ""
    prospect_email: str = ""
    prospect_phone: str = ""
    channel: str = ""
    amount: Decimal | None = None
    expected_close_on: dt.date | None = None
    probability: Decimal | None = None
    next_activity: str = ""
    next_activity_on: dt.date | None = None
    lines: Sequence[LineInput] = field(default_factory=list)


def lines_total(lines: Sequence[LineInput]) -> Decimal:
    """The sum of the lines' quantity × price, each rounded to the cent."""
    return sum(
        (
            line_net(
                line.quantity,
                line.product.list_price if line.unit_price is None else line.unit_price,
            )
            for line in lines
        ),
        ZERO,
    )


def _check(data: DealInput) -> None:
    if not data.title.strip():
        raise DealError("Give the deal a title.")
    if data.customer is None and not (data.prospect_name.strip() or data.prospect_company.strip()):
        raise DealError("Choose a customer, or name the prospect (a name or a company).")
    if data.amount is not None and data.amount < 0:
        raise DealError("The expected amount cannot be negative.")
    if data.probability is not None and not ZERO <= data.probability <= 1:
        raise DealError("The probability is a fraction from 0 to 1 (0.25 = 25 %).")
    for position, line in enumerate(data.lines, start=1):
        if line.quantity is None or line.quantity <= 0:
            raise DealError(f"Product line {position}: the quantity must be more than 0.")
        if line.unit_price is not None and line.unit_price < 0:
            raise DealError(f"Product line {position}: the price cannot be negative.")


def _apply(deal: Opportunity, data: DealInput) -> None:
    deal.title = data.title.strip()
    deal.owner = data.owner
    deal.owner_id = data.owner.id if data.owner is not None else None
    deal.customer = data.customer
    deal.customer_id = data.customer.id if data.customer is not None else None
    deal.prospect_name = data.prospect_name.strip()
    deal.prospect_company = data.prospect_company.strip()
    deal.prospect_email = data.prospect_email.strip()
    deal.prospect_phone = data.prospect_phone.strip()
    channel = data.channel.strip()
    if not channel and data.customer is not None:
        channel = data.customer.channel
    deal.channel = channel
    deal.expected_close_on = data.expected_close_on
    deal.next_activity = data.next_activity.strip()
    deal.next_activity_on = data.next_activity_on
    deal.lines = [
        OpportunityLine(
            product=line.product,
            product_id=line.product.id,
            position=position,
            quantity=line.quantity,
            unit_price=line.product.list_price if line.unit_price is None else line.unit_price,
        )
        for position, line in enumerate(data.lines, start=1)
    ]
    amount = data.amount
    if amount is None and data.lines:
        amount = lines_total(data.lines)
    deal.amount = None if amount is None else round_money(amount)
    set_probability(deal, data.probability)


def open_deal(
    data: DealInput,
    by: User | None,
    stage: Stage | None = None,
    opened_on: dt.date | None = None,
    external_id: str | None = None,
    at: dt.datetime | None = None,
) -> Opportunity:
    """A new deal in the first open stage (or the one given), with its first history row."""
    _check(data)
    stage = stage or stage_records.first_open_stage()
    moment = at or utcnow()
    deal = Opportunity(
        stage=stage,
        stage_id=stage.id,
        opened_on=opened_on or dates.today(),
        external_id=external_id,
        stage_since=moment,
        probability=stage.probability,
        probability_manual=False,
    )
    _apply(deal, data)
    db.session.add(deal)
    db.session.flush()
    db.session.add(
        StageMove(
            opportunity_id=deal.id,
            from_stage_id=None,
            to_stage_id=stage.id,
            user_id=by.id if by else None,
            at=moment,
        )
    )
    if stage.kind != "open":
        deal.closed_on = dates.company_day(moment) if at else dates.today()
    db.session.flush()
    return deal


def update_deal(deal: Opportunity, data: DealInput) -> None:
    """Change what a form says about a deal (its stage moves only through move())."""
    _check(data)
    _apply(deal, data)
    db.session.flush()


def set_probability(deal: Opportunity, value: Decimal | None) -> None:
    """A typed value is kept for good (manual); None goes back to the stage's default."""
    if value is None:
        deal.probability_manual = False
        deal.probability = deal.stage.probability
    else:
        deal.probability_manual = True
        deal.probability = value


def move(
    deal: Opportunity,
    stage: Stage,
    by: User | None,
    lost_reason: LostReason | None = None,
    at: dt.datetime | None = None,
    note: str = "",
) -> bool:
    """Move the deal to the stage and write the history row; False when it is already there.

    Lost needs a reason and keeps the stage the deal was lost from; won and lost set the close
    date; moving a closed deal to an open stage reopens it (the earlier moves stay).
    """
    if stage.id == deal.stage_id:
        return False
    if not stage.active:
        raise DealError(f"The stage {stage.name} is no longer used.")
    if stage.kind == "lost" and lost_reason is None:
        raise DealError("Choose why the deal was lost.")
    moment = at or utcnow()
    previous = deal.stage
    if stage.kind == "lost":
        deal.lost_reason = lost_reason
        deal.lost_reason_id = lost_reason.id if lost_reason else None
        lost_from = previous if previous.kind == "open" else last_open_stage(deal.id)
        deal.lost_from_stage = lost_from
        deal.lost_from_stage_id = lost_from.id if lost_from else None
    else:
        deal.lost_reason = None
        deal.lost_reason_id = None
        deal.lost_from_stage = None
        deal.lost_from_stage_id = None
    deal.closed_on = None if stage.kind == "open" else dates.company_day(moment)
    deal.stage = stage
    deal.stage_id = stage.id
    deal.stage_since = moment
    if not deal.probability_manual:
        deal.probability = stage.probability
    db.session.add(
        StageMove(
            opportunity_id=deal.id,
            from_stage_id=previous.id,
            to_stage_id=stage.id,
            user_id=by.id if by else None,
            at=moment,
            note=note[:200],
        )
    )
    db.session.flush()
    return True


def last_open_stage(deal_id: int) -> Stage | None:
    """The open stage the deal was in last (a won deal lost later was lost from there)."""
    return db.session.scalar(
        select(Stage)
        .join(StageMove, StageMove.to_stage_id == Stage.id)
        .where(StageMove.opportunity_id == deal_id, Stage.kind == "open")
        .order_by(StageMove.at.desc(), StageMove.id.desc())
        .limit(1)
    )


def history(deal_id: int) -> list[StageMove]:
    """The deal's moves, oldest first."""
    return list(
        db.session.scalars(
            select(StageMove)
            .where(StageMove.opportunity_id == deal_id)
            .order_by(StageMove.at, StageMove.id)
        )
    )


@dataclass(frozen=True)
class StageStay:
    """A stretch of time a deal spent in one stage; ``left`` is None while it is still there."""

    stage: Stage
    entered: dt.datetime
    left: dt.datetime | None
    seconds: int


def time_in_stages(deal: Opportunity, now: dt.datetime | None = None) -> list[StageStay]:
    """Each stay, oldest first: from a move to the next one (or to now, for an open deal)."""
    moves = history(deal.id)
    now = now or utcnow()
    stays = []
    for index, step in enumerate(moves):
        following = moves[index + 1].at if index + 1 < len(moves) else None
        if following is None and step.to_stage.kind != "open":
            continue  # a closed deal's last stage is where it ended, not a stay
        end = following or now
        stays.append(
            StageStay(
                step.to_stage, step.at, following, max(0, int((end - step.at).total_seconds()))
            )
        )
    return stays


def days_in_stage(deal: Opportunity, now: dt.datetime | None = None) -> int:
    """Whole days since the deal entered the stage it is in."""
    now = now or utcnow()
    return max(0, (now - deal.stage_since).days)
