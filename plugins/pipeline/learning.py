"""The learned win probability, its calibration against the stage probability, and time in stage.

The model is a smoothed per-feature win rate combined in log-odds (naive Bayes written as
win rates), estimated from closed history (won and lost deals), one grouped query per feature:

- base rate b = won / closed over every closed deal (both classes are needed);
- per feature value x: r(x) = (won_x + M·b) / (closed_x + M), M = 2 pseudo-deals at the base
  rate, so a value seen on no closed deal has r = b and says nothing;
- logit(p) = logit(b) + Σ_features (logit(r_feature) − logit(b)); a deal with several
  products takes the mean of their shifts, a feature the deal has no value for adds nothing.

The features: the **stage** (closed deals that passed through it: of the deals that reached
Engaging, how many were won), the **channel**, the **product**, the **owner**, the **amount
band** (under 100, 100–999, 1,000–9,999, 10,000–99,999, 100,000 or more) and the **age band**
(closed deals still open at that age: 0, 30, 90, 180 days or more since opening). Stage and age
count deals that *reached* the value, so an open deal in a stage is compared with deals that
were once where it is now, not with deals that ended there.

Probabilities are floats (they are not money); a weighted amount rounds the learned
probability to 4 places first and then amount × probability half up to the cent, like the
manual weighting.

Calibration holds out one calendar quarter (the deals closed in it), trains on the deals
closed before it and scores each held-out deal as it stood just before closing: at the open
stage it was in last (a deal never in an open stage, imported closed, at the first one) and
at its age then. The stage probability is that stage's default, or the probability typed by
hand. Brier score = mean of (p − outcome)², outcome 1 for won and 0 for lost.

Time in stage: each completed stay (from a move into an open stage to the deal's next move),
per stage the median and the 90th percentile by the nearest-rank method: the value at rank
⌈q·n⌉ of the n stays sorted by length (the median of 4 stays is the 2nd).
"""

from __future__ import annotations

import datetime as dt
import math
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from sqlalchemy import case, distinct, func, select

from core import dates
from core.db import db
from core.i18n import _
from core.sql import cents, days_between, seconds_between
from plugins.pipeline import stages as stage_records
from plugins.pipeline.models import Opportunity, OpportunityLine, Stage, StageMove

FEATURES = ("stage", "channel", "product", "owner", "amount", "age")
#: Pseudo-deals at the base rate added to every feature value's counts.
SMOOTHING = 2
#: Lower bounds of the amount bands, in whole currency units.
AMOUNT_BANDS = (0, 100, 1_000, 10_000, 100_000)
#: Lower bounds of the age bands, in days since the deal was opened.
AGE_BANDS = (0, 30, 90, 180)
#: Fewest closed deals (with at least one won and one lost) the model is trained on.
MIN_CLOSED = 20
#: Fewest held-out deals a calibration report is shown for.
MIN_HELD_OUT = 10
FOUR = Decimal("0.0001")
CENT = Decimal("0.01")
QUARTER_PATTERN = re.compile(r"^(\d{4})-?Q([1-4])$", re.IGNORECASE)


def logit(p: float) -> float:
    return math.log(p / (1 - p))


def sigmoid(z: float) -> float:
    return 1 / (1 + math.exp(-z))


def band_of(value: float, bounds: Sequence[int]) -> int:
    """The index of the band whose lower bound is the largest one not above the value."""
    index = 0
    for position, bound in enumerate(bounds):
        if value >= bound:
            index = position
    return index


def amount_band_label(index: int) -> str:
    low = AMOUNT_BANDS[index]
    if index + 1 < len(AMOUNT_BANDS):
        return f"{low:,}–{AMOUNT_BANDS[index + 1] - 1:,}"
    return f"{low:,}+"


def age_band_label(index: int) -> str:
    low = AGE_BANDS[index]
    if index + 1 < len(AGE_BANDS):
        return f"{low}–{AGE_BANDS[index + 1] - 1}"
    return f"{low}+"


@dataclass(frozen=True)
class Counts:
    """Closed deals with a feature value, and how many of them were won."""

    won: int
    closed: int


@dataclass(frozen=True)
class DealFeatures:
    """What the model looks at in one deal; None (or no products) where the deal has no value."""

    stage_id: int | None
    channel: str | None
    product_ids: tuple[int, ...]
    owner_id: int | None
    amount_band: int | None
    age_band: int


@dataclass(frozen=True)
class Evidence:
    """One feature value's part in a probability: its counts, smoothed rate and log-odds shift."""

    feature: str
    value: Any
    counts: Counts
    rate: float
    shift: float

    @property
    def odds_factor(self) -> float:
        """How many times the value multiplies the odds of winning (e to the shift)."""
        return math.exp(self.shift)


@dataclass
class Model:
    """The counts the learned probability is made of; ``usable`` when both classes were seen."""

    won: int
    closed: int
    counts: dict[str, dict[Any, Counts]] = field(default_factory=dict)

    @property
    def usable(self) -> bool:
        return 0 < self.won < self.closed

    @property
    def base(self) -> float:
        return self.won / self.closed

    def rate(self, counts: Counts) -> float:
        return (counts.won + SMOOTHING * self.base) / (counts.closed + SMOOTHING)

    def evidence(self, features: DealFeatures) -> list[Evidence]:
        """Each feature value of the deal with its smoothed rate and shift, in FEATURES order."""
        values: list[tuple[str, Any]] = [
            ("stage", features.stage_id),
            ("channel", features.channel),
        ]
        values += [("product", product_id) for product_id in features.product_ids]
        values += [
            ("owner", features.owner_id),
            ("amount", features.amount_band),
            ("age", features.age_band),
        ]
        found = []
        for feature, value in values:
            if value is None or value == "":
                continue
            counts = self.counts.get(feature, {}).get(value, Counts(0, 0))
            rate = self.rate(counts)
            found.append(Evidence(feature, value, counts, rate, logit(rate) - logit(self.base)))
        return found

    def probability(self, features: DealFeatures) -> float | None:
        """The learned win probability of a deal with these features (None: model not usable)."""
        if not self.usable:
            return None
        evidence = self.evidence(features)
        products = [item.shift for item in evidence if item.feature == "product"]
        shift = sum(item.shift for item in evidence if item.feature != "product")
        if products:
            shift += sum(products) / len(products)
        return sigmoid(logit(self.base) + shift)


def _closed(before: dt.date | None) -> list[Any]:
    """The conditions of a closed deal (closed before the day, when given)."""
    conditions: list[Any] = [Stage.kind.in_(("won", "lost")), Opportunity.closed_on.is_not(None)]
    if before is not None:
        conditions.append(Opportunity.closed_on < before)
    return conditions


def _grouped(statement: Any) -> dict[Any, Counts]:
    return {
        value: Counts(int(won or 0), int(closed or 0))
        for value, won, closed in db.session.execute(statement)
    }


def amount_band_sql() -> Any:
    amount = cents(Opportunity.amount)
    whens = [(amount < bound * 100, index - 1) for index, bound in enumerate(AMOUNT_BANDS) if index]
    return case(*whens, else_=len(AMOUNT_BANDS) - 1)


def age_band_sql(days: Any) -> Any:
    whens = [(days < bound, index - 1) for index, bound in enumerate(AGE_BANDS) if index]
    return case(*whens, else_=len(AGE_BANDS) - 1)


def train(before: dt.date | None = None) -> Model:
    """Count the closed deals (closed before the day, when given): six grouped queries."""
    is_won = Stage.kind == "won"
    won_deal = func.count(distinct(case((is_won, Opportunity.id))))
    all_deals = func.count(distinct(Opportunity.id))

    def by(key: Any, *joins: tuple[Any, Any], where: Iterable[Any] = ()) -> dict[Any, Counts]:
        statement = select(key, won_deal, all_deals).select_from(Opportunity)
        statement = statement.join(Stage, Stage.id == Opportunity.stage_id)
        for target, on in joins:
            statement = statement.join(target, on)
        statement = statement.where(*_closed(before), *where).group_by(key)
        return _grouped(statement)

    reached = Stage.__table__.alias("reached_stage")
    counts: dict[str, dict[Any, Counts]] = {
        "stage": by(
            StageMove.to_stage_id,
            (StageMove, StageMove.opportunity_id == Opportunity.id),
            (reached, reached.c.id == StageMove.to_stage_id),
            where=[reached.c.kind == "open"],
        ),
        "channel": by(Opportunity.channel, where=[Opportunity.channel != ""]),
        "product": by(
            OpportunityLine.product_id,
            (OpportunityLine, OpportunityLine.opportunity_id == Opportunity.id),
        ),
        "owner": by(Opportunity.owner_id, where=[Opportunity.owner_id.is_not(None)]),
        "amount": by(amount_band_sql(), where=[Opportunity.amount.is_not(None)]),
    }
    closed_at = by(age_band_sql(days_between(Opportunity.closed_on, Opportunity.opened_on)))
    # Deals still open at an age band's lower bound: those that closed in that band or later.
    still_open: dict[Any, Counts] = {}
    won = closed = 0
    for index in reversed(range(len(AGE_BANDS))):
        band = closed_at.get(index, Counts(0, 0))
        won, closed = won + band.won, closed + band.closed
        if closed:
            still_open[index] = Counts(won, closed)
    counts["age"] = still_open
    return Model(won, closed, counts)


def amount_band(amount: Decimal | None) -> int | None:
    return None if amount is None else band_of(float(amount), AMOUNT_BANDS)


def features_of(
    deal: Opportunity,
    product_ids: Sequence[int],
    on: dt.date,
    stage_id: int | None = None,
) -> DealFeatures:
    """The deal's features on a day (its age then); stage_id overrides the deal's own stage."""
    age = max(0, (on - deal.opened_on).days)
    return DealFeatures(
        stage_id if stage_id is not None else deal.stage_id,
        deal.channel or None,
        tuple(sorted(set(product_ids))),
        deal.owner_id,
        amount_band(deal.amount),
        band_of(age, AGE_BANDS),
    )


def products_of(deal_ids: Any) -> dict[int, list[int]]:
    """The product ids of each deal, for a list of ids or a subquery of them (one query)."""
    found: dict[int, list[int]] = {}
    statement = select(OpportunityLine.opportunity_id, OpportunityLine.product_id).where(
        OpportunityLine.opportunity_id.in_(deal_ids)
    )
    for deal_id, product_id in db.session.execute(statement):
        found.setdefault(deal_id, []).append(product_id)
    return found


def predict(deals: Sequence[Opportunity], model: Model | None = None) -> dict[int, float]:
    """The learned probability of each open deal among them, by id (a fixed number of queries)."""
    open_deals = [deal for deal in deals if deal.stage.kind == "open"]
    if not open_deals:
        return {}
    model = model or train()
    if not model.usable or model.closed < MIN_CLOSED:
        return {}
    products = products_of([deal.id for deal in open_deals])
    today = dates.today()
    found = {}
    for deal in open_deals:
        probability = model.probability(features_of(deal, products.get(deal.id, []), today))
        if probability is not None:
            found[deal.id] = probability
    return found


def to_fraction(probability: float) -> Decimal:
    """A learned probability as a fraction to 4 places, half up (what is shown and weighed)."""
    return Decimal(repr(probability)).quantize(FOUR, rounding=ROUND_HALF_UP)


@dataclass(frozen=True)
class Explained:
    """A deal's learned probability with the evidence behind it, labelled for the page."""

    probability: float | None
    base: float | None
    closed: int
    rows: list[tuple[str, str, Evidence]]
    problem: str


def enough_history(model: Model, min_closed: int | None = None) -> str:
    """ "" when the model may be used, else why not (for the page)."""
    needed = MIN_CLOSED if min_closed is None else min_closed
    if model.closed < needed:
        return _(
            "Too little history: %(closed)s closed deals, %(needed)s needed.",
            closed=model.closed,
            needed=needed,
        )
    if not model.usable:
        return _("Too little history: every closed deal was won, or every one lost.")
    return ""


def explain(deal: Opportunity) -> Explained:
    """The learned probability of one open deal and each feature's part, with readable labels."""
    model = train()
    problem = enough_history(model)
    if deal.stage.kind != "open":
        return Explained(None, None, model.closed, [], "")
    if problem:
        return Explained(None, None, model.closed, [], problem)
    features = features_of(deal, [line.product_id for line in deal.lines], dates.today())
    products = {line.product_id: line.product.sku for line in deal.lines}
    rows = []
    for item in model.evidence(features):
        if item.feature == "stage":
            label = deal.stage.name
        elif item.feature == "channel":
            label = str(item.value)
        elif item.feature == "product":
            label = products.get(item.value, "")
        elif item.feature == "owner":
            label = deal.owner.name if deal.owner else ""
        elif item.feature == "amount":
            label = amount_band_label(item.value)
        else:
            label = age_band_label(item.value)
        rows.append((item.feature, label, item))
    return Explained(model.probability(features), model.base, model.closed, rows, "")


# Calibration ------------------------------------------------------------------------------


def quarter_of(day: dt.date) -> tuple[dt.date, dt.date]:
    first = dt.date(day.year, 3 * ((day.month - 1) // 3) + 1, 1)
    last = dates.add_months(first, 3) - dt.timedelta(days=1)
    return first, last


def parse_quarter(text: str) -> tuple[dt.date, dt.date]:
    """ "2026Q3" (or 2026-Q3) → (2026-07-01, 2026-09-30); ValueError with a clear message."""
    match = QUARTER_PATTERN.match(text.strip())
    if not match:
        raise ValueError(
            _("'%(text)s' is not a quarter; write it as YYYY-Qn, e.g. 2026-Q3", text=text)
        )
    return quarter_of(dt.date(int(match.group(1)), 3 * int(match.group(2)) - 2, 1))


def quarter_label(first: dt.date) -> str:
    return f"{first.year}-Q{(first.month - 1) // 3 + 1}"


def last_complete_quarter(today: dt.date) -> tuple[dt.date, dt.date]:
    first, _last = quarter_of(today)
    return quarter_of(first - dt.timedelta(days=1))


@dataclass(frozen=True)
class Scored:
    """A held-out deal: won or not, its learned and its stage (or typed) probability."""

    deal_id: int
    won: bool
    learned: float
    manual: float


@dataclass(frozen=True)
class Bin:
    """One row of a reliability table: predictions from low to high (the last bin takes 1)."""

    low: Decimal
    high: Decimal
    deals: int
    mean_predicted: float | None
    actual: float | None


@dataclass
class Calibration:
    quarter: str
    first: dt.date
    last: dt.date
    training_closed: int
    training_won: int
    held_out: list[Scored]
    problem: str
    brier_learned: float | None = None
    brier_manual: float | None = None
    bins_learned: list[Bin] = field(default_factory=list)
    bins_manual: list[Bin] = field(default_factory=list)


def brier(pairs: Iterable[tuple[float, bool]]) -> float | None:
    """Mean of (p − outcome)²; None over no deals."""
    squares = [(p - (1.0 if won else 0.0)) ** 2 for p, won in pairs]
    return sum(squares) / len(squares) if squares else None


def bin_index(probability: float) -> int:
    """0 for [0, 0.1), 1 for [0.1, 0.2), …, 9 for [0.9, 1]; decided on the decimal text."""
    return min(9, int(Decimal(repr(probability)) * 10))


def reliability(pairs: Sequence[tuple[float, bool]]) -> list[Bin]:
    """Ten bins of predictions: deals, mean predicted probability, actual win rate."""
    groups: list[list[tuple[float, bool]]] = [[] for _ in range(10)]
    for p, won in pairs:
        groups[bin_index(p)].append((p, won))
    bins = []
    for index, group in enumerate(groups):
        count = len(group)
        bins.append(
            Bin(
                Decimal(index) / 10,
                Decimal(index + 1) / 10,
                count,
                sum(p for p, _won in group) / count if count else None,
                sum(1 for _p, won in group if won) / count if count else None,
            )
        )
    return bins


def calibrate(
    quarter: str = "",
    today: dt.date | None = None,
    min_closed: int | None = None,
    min_held_out: int | None = None,
) -> Calibration:
    """Train on the deals closed before the quarter, score the deals closed in it.

    The quarter is "YYYY-Qn", by default the last one that has ended (ValueError when badly
    written). A fixed number of queries: the six of the model, the held-out deals, their
    products and their moves into open stages.
    """
    first, last = (
        parse_quarter(quarter) if quarter else last_complete_quarter(today or dates.today())
    )
    model = train(before=first)
    needed = MIN_HELD_OUT if min_held_out is None else min_held_out
    result = Calibration(quarter_label(first), first, last, model.closed, model.won, [], "")
    stages = stage_records.all_stages()
    defaults = {stage.id: float(stage.probability) for stage in stages}
    open_ids = [stage.id for stage in stages if stage.kind == "open"]
    held = (
        select(Opportunity.id)
        .join(Stage, Stage.id == Opportunity.stage_id)
        .where(*_closed(None), Opportunity.closed_on >= first, Opportunity.closed_on <= last)
    )
    deals = list(db.session.scalars(select(Opportunity).where(Opportunity.id.in_(held))))
    problem = enough_history(model, min_closed)
    if not problem and len(deals) < needed:
        problem = _(
            "Too little history: %(deals)s deals closed in %(quarter)s, %(needed)s needed.",
            deals=len(deals),
            quarter=result.quarter,
            needed=needed,
        )
    if problem or not open_ids:
        result.problem = problem or _("No open stage is set up.")
        return result
    products = products_of(held)
    last_open: dict[int, int] = {}
    moves = (
        select(StageMove.opportunity_id, StageMove.to_stage_id)
        .where(StageMove.opportunity_id.in_(held), StageMove.to_stage_id.in_(open_ids))
        .order_by(StageMove.opportunity_id, StageMove.at, StageMove.id)
    )
    for deal_id, stage_id in db.session.execute(moves):
        last_open[deal_id] = stage_id
    for deal in sorted(deals, key=lambda item: item.id):
        assert deal.closed_on is not None
        stage_id = last_open.get(deal.id, open_ids[0])
        features = features_of(deal, products.get(deal.id, []), deal.closed_on, stage_id)
        learned = model.probability(features)
        assert learned is not None
        manual = float(deal.probability) if deal.probability_manual else defaults[stage_id]
        result.held_out.append(Scored(deal.id, deal.stage.kind == "won", learned, manual))
    learned_pairs = [(item.learned, item.won) for item in result.held_out]
    manual_pairs = [(item.manual, item.won) for item in result.held_out]
    result.brier_learned = brier(learned_pairs)
    result.brier_manual = brier(manual_pairs)
    result.bins_learned = reliability(learned_pairs)
    result.bins_manual = reliability(manual_pairs)
    return result


# Time in stage ----------------------------------------------------------------------------


@dataclass(frozen=True)
class StageTime:
    """Completed stays in an open stage: how many, the median and the 90th percentile in days."""

    stage: Stage
    stays: int
    median_days: Decimal | None
    p90_days: Decimal | None


def nearest_rank(count: int, percent: int) -> int:
    """The 1-based rank of the percentile by the nearest-rank method: ⌈percent/100 · count⌉."""
    return -(-count * percent // 100)


def seconds_to_days(seconds: int) -> Decimal:
    return (Decimal(seconds) / Decimal(86400)).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


def time_in_stage() -> list[StageTime]:
    """Per open stage, in board order: completed stays, median and p90 days (one query)."""
    following = func.lead(StageMove.at).over(
        partition_by=StageMove.opportunity_id, order_by=(StageMove.at, StageMove.id)
    )
    moves = select(
        StageMove.to_stage_id.label("stage_id"),
        StageMove.at.label("entered"),
        following.label("left"),
    ).subquery()
    stays = (
        select(moves.c.stage_id, seconds_between(moves.c.entered, moves.c.left).label("seconds"))
        .join(Stage, Stage.id == moves.c.stage_id)
        .where(moves.c.left.is_not(None), Stage.kind == "open")
        .subquery()
    )
    ranked = select(
        stays.c.stage_id,
        stays.c.seconds,
        func.row_number()
        .over(partition_by=stays.c.stage_id, order_by=stays.c.seconds)
        .label("position"),
        func.count().over(partition_by=stays.c.stage_id).label("stays"),
    ).subquery()
    # Nearest rank: the median is at ⌈n/2⌉ = (n + 1) // 2, the 90th percentile at ⌈9n/10⌉.
    median_rank = (ranked.c.stays + 1) // 2
    p90_rank = (ranked.c.stays * 9 + 9) // 10
    statement = select(
        ranked.c.stage_id,
        ranked.c.stays,
        ranked.c.seconds,
        ranked.c.position == median_rank,
        ranked.c.position == p90_rank,
    ).where((ranked.c.position == median_rank) | (ranked.c.position == p90_rank))
    found: dict[int, dict[str, Any]] = {}
    for stage_id, count, seconds, is_median, is_p90 in db.session.execute(statement):
        entry = found.setdefault(stage_id, {"stays": int(count)})
        if is_median:
            entry["median"] = seconds_to_days(int(seconds))
        if is_p90:
            entry["p90"] = seconds_to_days(int(seconds))
    rows = []
    for stage in stage_records.all_stages():
        if stage.kind != "open":
            continue
        entry = found.get(stage.id, {"stays": 0})
        rows.append(StageTime(stage, entry["stays"], entry.get("median"), entry.get("p90")))
    return rows


def learned_forecast(owner_id: int | None = None) -> dict[str, Decimal]:
    """Per expected close month (YYYY-MM): Σ round(amount × learned probability) of open deals.

    Empty when the model may not be used. The learned probability is rounded to 4 places, then
    each deal's weighted amount half up to the cent, as the manual weighting does.
    """
    model = train()
    if enough_history(model):
        return {}
    statement = (
        select(Opportunity)
        .join(Stage, Stage.id == Opportunity.stage_id)
        .where(
            Stage.kind == "open",
            Opportunity.expected_close_on.is_not(None),
            Opportunity.amount.is_not(None),
        )
    )
    if owner_id is not None:
        statement = statement.where(Opportunity.owner_id == owner_id)
    deals = list(db.session.scalars(statement).unique())
    chances = predict(deals, model)
    months: dict[str, Decimal] = {}
    for deal in deals:
        if deal.id not in chances or deal.amount is None or deal.expected_close_on is None:
            continue
        month = dates.period_of(deal.expected_close_on)
        weighted = (deal.amount * to_fraction(chances[deal.id])).quantize(
            CENT, rounding=ROUND_HALF_UP
        )
        months[month] = months.get(month, Decimal("0.00")) + weighted
    return months
