"""The learned win probability, the calibration report and time in stage, worked out by hand.

The history (stages Prospecting 0.10, Engaging 0.40, Won, Lost; P = Prospecting, E = Engaging):

    training (closed before 2026-07-01)
    T1 web  JAM Sam   50.00  P→E→Won   opened 2026-01-01, closed 2026-01-11 (10 days)
    T2 web  JAM Sam  500.00  P→Lost    opened 2026-02-01, closed 2026-02-11 (10 days)
    T3 fair OIL Sue  500.00  P→E→Won   opened 2026-03-01, closed 2026-04-10 (40 days)
    T4 web  OIL Sam  500.00  P→E→Lost  opened 2026-03-01, closed 2026-04-10 (40 days)

    held out (closed in 2026-Q3)
    H1 fair OIL Sue   50.00  P→E→Won   opened 2026-07-01, closed 2026-07-06 (5 days)
    H2 web  JAM Sam  500.00  P→Lost    opened 2026-07-01, closed 2026-08-10 (40 days)
    H3 (no channel, product or amount) Sue, P→E→Lost, typed 65 %, opened 2026-08-01,
       closed 2026-08-31 (30 days)

Trained on T1–T4: base rate b = 2/4 = 1/2, logit(b) = 0, and with M = 2 pseudo-deals at b
every smoothed rate is Laplace's (won + 1) / (closed + 2):

    stage  Prospecting 2/4 → 3/6 = 1/2 (shift 0)   Engaging 2/3 → 3/5 (shift ln 1.5)
    channel web 1/3 → 2/5 (ln 2/3)                 fair 1/1 → 2/3 (ln 2)
    product JAM 1/2 → 1/2 (0)                      OIL 1/2 → 1/2 (0)
    owner  Sam 1/3 → 2/5 (ln 2/3)                  Sue 1/1 → 2/3 (ln 2)
    amount under 100: T1 1/1 → 2/3 (ln 2)          100–999: T2–T4 1/3 → 2/5 (ln 2/3)
    age    still open at 0 days: all 2/4 → 1/2 (0); at 30 days: T3, T4 1/2 → 1/2 (0)
"""

from __future__ import annotations

import datetime as dt
import math
from decimal import Decimal

import pytest

from core import dates
from plugins.pipeline import deals, learning
from plugins.pipeline import stages as stage_records
from plugins.pipeline.deals import DealInput, LineInput

TODAY = dt.date(2026, 10, 15)


def at(day: str, hours: float = 0) -> dt.datetime:
    return dt.datetime.fromisoformat(day) + dt.timedelta(hours=hours)


def make(title, owner, channel, product, amount, path, opened, closed=None, typed=None):
    """A deal opened in Prospecting on `opened`, moved along `path` (names), the last on `closed`."""
    lines = [LineInput(product, Decimal("1"), Decimal(amount))] if product else []
    data = DealInput(
        title,
        owner,
        prospect_name=title,
        channel=channel,
        amount=Decimal(amount) if amount else None,
        lines=lines,
        probability=Decimal(typed) if typed else None,
    )
    deal = deals.open_deal(data, owner, opened_on=dt.date.fromisoformat(opened), at=at(opened))
    for position, name in enumerate(path, start=1):
        stage = stage_records.stage_by_name(name)
        last = position == len(path)
        moment = at(closed) if last and closed else at(opened, hours=position)
        reason = stage_records.reason_named("Price") if name == "Lost" else None
        deals.move(deal, stage, owner, lost_reason=reason, at=moment)
    return deal


@pytest.fixture
def history(book, db):
    sam, sue, jam, oil = book.sam, book.sue, book.jam, book.oil
    make("T1", sam, "web", jam, "50.00", ["Engaging", "Won"], "2026-01-01", "2026-01-11")
    make("T2", sam, "web", jam, "500.00", ["Lost"], "2026-02-01", "2026-02-11")
    make("T3", sue, "fair", oil, "500.00", ["Engaging", "Won"], "2026-03-01", "2026-04-10")
    make("T4", sam, "web", oil, "500.00", ["Engaging", "Lost"], "2026-03-01", "2026-04-10")
    db.session.commit()
    return book


@pytest.fixture
def held_out(history, db):
    sam, sue = history.sam, history.sue
    make("H1", sue, "fair", history.oil, "50.00", ["Engaging", "Won"], "2026-07-01", "2026-07-06")
    make("H2", sam, "web", history.jam, "500.00", ["Lost"], "2026-07-01", "2026-08-10")
    make("H3", sue, "", None, "", ["Engaging", "Lost"], "2026-08-01", "2026-08-31", typed="0.65")
    db.session.commit()
    return history


def test_smoothed_rates_by_hand(history):
    model = learning.train()
    assert (model.won, model.closed, model.base) == (2, 4, 0.5)
    engaging = stage_records.stage_by_name("Engaging")
    prospecting = stage_records.stage_by_name("Prospecting")
    counts = model.counts
    assert counts["stage"][prospecting.id] == learning.Counts(2, 4)
    assert counts["stage"][engaging.id] == learning.Counts(2, 3)
    assert model.rate(counts["stage"][engaging.id]) == pytest.approx(3 / 5)
    assert counts["channel"] == {"web": learning.Counts(1, 3), "fair": learning.Counts(1, 1)}
    assert model.rate(counts["channel"]["fair"]) == pytest.approx(2 / 3)
    assert counts["product"] == {
        history.jam.id: learning.Counts(1, 2),
        history.oil.id: learning.Counts(1, 2),
    }
    assert counts["owner"] == {
        history.sam.id: learning.Counts(1, 3),
        history.sue.id: learning.Counts(1, 1),
    }
    assert counts["amount"] == {0: learning.Counts(1, 1), 1: learning.Counts(1, 3)}
    # still open at 0 days: all four; at 30 days: T3 and T4 (closed after 40 days)
    assert counts["age"] == {0: learning.Counts(2, 4), 1: learning.Counts(1, 2)}


def test_learned_probability_of_an_open_deal_by_hand(history, db, monkeypatch):
    monkeypatch.setattr(learning, "MIN_CLOSED", 4)
    # X: Engaging, fair, OIL, Sue, 50.00, opened 5 days ago (age band 0). Shifts: stage ln 1.5,
    # channel ln 2, product 0, owner ln 2, amount ln 2, age 0: logit p = ln(1.5 · 8) = ln 12,
    # p = 12 / 13 = 0.9231 (naive Bayes is confident: every clue points the same way).
    with dates.clock(at("2026-10-10")):
        deal = make("X", history.sue, "fair", history.oil, "50.00", ["Engaging"], "2026-10-10")
    db.session.commit()
    with dates.clock(at("2026-10-15")):
        found = learning.predict([deal])
        explained = learning.explain(deal)
    assert found[deal.id] == pytest.approx(12 / 13)
    assert learning.to_fraction(found[deal.id]) == Decimal("0.9231")
    assert explained.probability == pytest.approx(12 / 13) and explained.problem == ""
    shifts = {(feature, label): item.shift for feature, label, item in explained.rows}
    assert shifts == pytest.approx(
        {
            ("stage", "Engaging"): math.log(1.5),
            ("channel", "fair"): math.log(2),
            ("product", "OIL"): 0.0,
            ("owner", "Sue Seller"): math.log(2),
            ("amount", "0–99"): math.log(2),
            ("age", "0–29"): 0.0,
        }
    )
    assert deal.probability == Decimal("0.4000")  # the manual probability is never overwritten


def test_a_deal_with_two_products_takes_the_mean_of_their_shifts(history):
    model = learning.train()
    # A JAM-and-OIL deal with nothing else: both shifts are 0, so p = b = 1/2. A deal of a
    # product no closed deal had: rate = b, shift 0.
    features = learning.DealFeatures(None, None, (history.jam.id, history.oil.id), None, None, 0)
    assert model.probability(features) == pytest.approx(0.5)
    # web (ln 2/3) and Sam (ln 2/3): logit p = ln 4/9, p = 4/13
    features = learning.DealFeatures(None, "web", (999,), history.sam.id, None, 0)
    assert model.probability(features) == pytest.approx(4 / 13)


def test_calibration_brier_scores_and_reliability_by_hand(held_out):
    # H1 at Engaging, 5 days: as X above, learned 12/13; stage default 0.40; won.
    # H2 at Prospecting (0), web (ln 2/3), JAM (0), Sam (ln 2/3), 100–999 (ln 2/3), 40 days
    #    (still open at 30: 0): logit = ln 8/27, learned 8/35 = 0.2286; stage 0.10; lost.
    # H3 at Engaging (ln 1.5), Sue (ln 2), 30 days (0): logit ln 3, learned 3/4; typed 0.65; lost.
    # Brier learned = ((1/13)² + (8/35)² + (3/4)²) / 3 = (0.0059172 + 0.0522449 + 0.5625) / 3
    #              = 0.2068874
    # Brier stage   = (0.6² + 0.1² + 0.65²) / 3 = (0.36 + 0.01 + 0.4225) / 3 = 0.2641667
    result = learning.calibrate("2026-Q3", min_closed=4, min_held_out=3)
    assert result.problem == ""
    assert (result.quarter, result.first, result.last) == (
        "2026-Q3",
        dt.date(2026, 7, 1),
        dt.date(2026, 9, 30),
    )
    assert (result.training_closed, result.training_won) == (4, 2)
    scored = [(item.won, item.learned, item.manual) for item in result.held_out]
    assert scored == [
        (True, pytest.approx(12 / 13), pytest.approx(0.40)),
        (False, pytest.approx(8 / 35), pytest.approx(0.10)),
        (False, pytest.approx(3 / 4), pytest.approx(0.65)),
    ]
    assert result.brier_learned == pytest.approx(0.2068874, abs=1e-7)
    assert result.brier_manual == pytest.approx(0.2641667, abs=1e-7)
    learned = {index: row for index, row in enumerate(result.bins_learned) if row.deals}
    assert {index: (row.deals, row.actual) for index, row in learned.items()} == {
        2: (1, 0.0),  # 0.2286
        7: (1, 0.0),  # 0.75
        9: (1, 1.0),  # 0.9231
    }
    manual = {index: row for index, row in enumerate(result.bins_manual) if row.deals}
    assert {
        index: (row.deals, row.mean_predicted, row.actual) for index, row in manual.items()
    } == {
        1: (1, pytest.approx(0.10), 0.0),  # 0.10 falls in 10–20 %
        4: (1, pytest.approx(0.40), 1.0),
        6: (1, pytest.approx(0.65), 0.0),
    }
    assert [row.deals for row in result.bins_learned].count(0) == 7


def test_reliability_bins_are_half_open_and_the_last_takes_one():
    bins = learning.reliability(
        [(0.0, False), (0.1, True), (0.1999, False), (0.9, True), (1.0, True)]
    )
    assert [row.deals for row in bins] == [1, 2, 0, 0, 0, 0, 0, 0, 0, 2]
    assert bins[1].mean_predicted == pytest.approx(0.14995) and bins[1].actual == 0.5
    assert bins[2].mean_predicted is None and bins[2].actual is None
    assert learning.brier([]) is None
    assert learning.brier([(0.25, True), (0.25, False)]) == pytest.approx((0.5625 + 0.0625) / 2)


def test_default_quarter_is_the_last_one_that_ended(held_out):
    result = learning.calibrate(today=TODAY, min_closed=4, min_held_out=3)
    assert result.quarter == "2026-Q3" and len(result.held_out) == 3
    assert learning.last_complete_quarter(dt.date(2026, 1, 1)) == (
        dt.date(2025, 10, 1),
        dt.date(2025, 12, 31),
    )


def test_bad_quarter_is_refused_with_a_clear_message(book):
    with pytest.raises(ValueError, match="not a quarter; write it as YYYY-Qn"):
        learning.calibrate("2026-Q5")


def test_no_history_says_so(book, db):
    result = learning.calibrate("2026-Q3")
    assert result.problem == "Too little history: 0 closed deals, 20 needed."
    assert result.brier_learned is None and result.held_out == []
    deal = make("Alone", book.sam, "web", book.jam, "10.00", [], "2026-10-01")
    assert learning.predict([deal]) == {}
    assert learning.explain(deal).problem == "Too little history: 0 closed deals, 20 needed."
    assert learning.learned_forecast() == {}


def test_one_class_only_says_so(book, db):
    for number in range(3):
        make(f"W{number}", book.sam, "web", book.jam, "10.00", ["Won"], "2026-01-01", "2026-01-05")
    make("Q3", book.sam, "web", book.jam, "10.00", ["Won"], "2026-07-01", "2026-07-05")
    db.session.commit()
    result = learning.calibrate("2026-Q3", min_closed=3, min_held_out=1)
    assert result.problem == "Too little history: every closed deal was won, or every one lost."
    assert result.brier_learned is None
    model = learning.train()
    assert (
        not model.usable
        and model.probability(learning.DealFeatures(None, None, (), None, None, 0)) is None
    )


def test_too_few_held_out_deals_says_so(held_out):
    result = learning.calibrate("2026-Q3", min_closed=4, min_held_out=4)
    assert result.problem == "Too little history: 3 deals closed in 2026-Q3, 4 needed."
    assert result.brier_learned is None


def test_time_in_stage_median_and_p90_by_nearest_rank(book, db):
    # Four deals leave Prospecting after 1, 2, 3 and 10 days: sorted [1, 2, 3, 10], median at
    # rank ⌈4/2⌉ = 2 → 2.0 days, p90 at rank ⌈3.6⌉ = 4 → 10.0 days. A fifth is still there and
    # does not count. Two of them leave Engaging after 12 and 30 hours: median rank ⌈1⌉ = 1 →
    # 0.5 days, p90 rank ⌈1.8⌉ = 2 → 1.25 days → 1.3 (half up); the others are still there.
    prospecting = stage_records.stage_by_name("Prospecting")
    engaging = stage_records.stage_by_name("Engaging")
    won = stage_records.stage_by_name("Won")
    opened = at("2026-03-01")
    moved = []
    for days in (3, 1, 10, 2):
        deal = deals.open_deal(
            DealInput(f"D{days}", book.sam, prospect_name="P"), book.sam, at=opened
        )
        deals.move(deal, engaging, book.sam, at=opened + dt.timedelta(days=days))
        moved.append(deal)
    deals.open_deal(DealInput("Still", book.sam, prospect_name="P"), book.sam, at=opened)
    for deal, hours in zip(moved[:2], (12, 30), strict=True):
        deals.move(deal, won, book.sam, at=deal.stage_since + dt.timedelta(hours=hours))
    db.session.commit()
    rows = {row.stage.name: row for row in learning.time_in_stage()}
    assert list(rows) == ["Prospecting", "Engaging"]
    assert (
        rows["Prospecting"].stays,
        rows["Prospecting"].median_days,
        rows["Prospecting"].p90_days,
    ) == (
        4,
        Decimal("2.0"),
        Decimal("10.0"),
    )
    assert (rows["Engaging"].stays, rows["Engaging"].median_days, rows["Engaging"].p90_days) == (
        2,
        Decimal("0.5"),
        Decimal("1.3"),
    )
    assert prospecting.kind == "open"


def test_time_in_stage_without_history(book, db):
    rows = learning.time_in_stage()
    assert [(row.stage.name, row.stays, row.median_days, row.p90_days) for row in rows] == [
        ("Prospecting", 0, None, None),
        ("Engaging", 0, None, None),
    ]


def test_nearest_rank():
    assert [learning.nearest_rank(n, 50) for n in (1, 2, 3, 4, 5)] == [1, 1, 2, 2, 3]
    assert [learning.nearest_rank(n, 90) for n in (1, 2, 9, 10, 11)] == [1, 2, 9, 9, 10]


def test_learned_forecast_weighs_by_the_learned_probability(history, db, monkeypatch):
    # X (as above, p = 12/13 → 0.9231) of 50.00 expected in 2026-11: 50.00 × 0.9231 = 46.155
    # → 46.16 (half up).
    monkeypatch.setattr(learning, "MIN_CLOSED", 4)
    with dates.clock(at("2026-10-10")):
        deal = make("X", history.sue, "fair", history.oil, "50.00", ["Engaging"], "2026-10-10")
    deal.expected_close_on = dt.date(2026, 11, 20)
    db.session.commit()
    with dates.clock(at("2026-10-15")):
        assert learning.learned_forecast() == {"2026-11": Decimal("46.16")}


def page_text(response):
    assert response.status_code == 200
    return response.get_data(as_text=True)


def test_calibration_page_shows_the_brier_scores_and_chart(client, login_as, held_out, monkeypatch):
    monkeypatch.setattr(learning, "MIN_CLOSED", 4)
    monkeypatch.setattr(learning, "MIN_HELD_OUT", 3)
    login_as(held_out.manager)
    page = page_text(client.get("/pipeline/reports/calibration?quarter=2026-Q3"))
    assert 'id="brier-learned">0.2069<' in page and 'id="brier-manual">0.2642<' in page
    assert "Trained on the 4 deals closed before" in page and "data-chart" in page
    assert "90–100 %" in page and "92.3 %" in page  # the 12/13 deal's bin


def test_calibration_page_says_when_history_is_too_short(client, login_as, held_out):
    login_as(held_out.manager)
    page = page_text(client.get("/pipeline/reports/calibration?quarter=2026-Q3"))
    assert "Too little history: 4 closed deals, 20 needed." in page
    assert "brier-learned" not in page and "data-chart" not in page
    page = page_text(client.get("/pipeline/reports/calibration?quarter=next"))
    assert "&#39;next&#39; is not a quarter" in page


def test_calibration_page_is_for_managers(client, login_as, held_out):
    login_as(held_out.sam)
    assert client.get("/pipeline/reports/calibration").status_code == 403
    login_as("marketing")
    assert client.get("/pipeline/reports/calibration").status_code == 403


def test_deal_page_and_list_show_the_learned_probability_beside_the_manual_one(
    client, login_as, history, db, monkeypatch
):
    monkeypatch.setattr(learning, "MIN_CLOSED", 4)
    deal = make(
        "X", history.sue, "fair", history.oil, "50.00", ["Engaging"], dates.today().isoformat()
    )
    db.session.commit()
    login_as(history.sue)
    page = page_text(client.get(f"/pipeline/deals/{deal.id}"))
    assert 'id="deal-probability">40 %' in page
    assert "92 %" in page and "Why: from 4 closed deals, 50 % won" in page
    assert "1.50" in page and "2.00" in page  # Engaging's and fair's odds factors
    listing = page_text(client.get("/pipeline/deals/"))
    assert "92 %" in listing
    monkeypatch.setattr(learning, "MIN_CLOSED", 20)
    page = page_text(client.get(f"/pipeline/deals/{deal.id}"))
    assert "Too little history: 4 closed deals, 20 needed." in page


def test_reports_page_shows_time_in_stage_and_the_learned_forecast(
    client, login_as, history, db, monkeypatch
):
    monkeypatch.setattr(learning, "MIN_CLOSED", 4)
    login_as(history.manager)
    page = page_text(client.get("/pipeline/reports"))
    # Every training deal left Prospecting one hour after opening (0.04 days → 0.0), T1, T3
    # and T4 left Engaging 10 to 40 days later.
    assert 'id="stage-times"' in page and "Median (days)" in page
    assert "Weighted (learned)" in page and "/pipeline/reports/calibration" in page
