"""Benchmarks of the pipeline plugin: the board's first page and the funnel and win-rate reports.

- ``pipeline_board``: the board view (``pages.board.board_page``) as an admin sees it, stopped
  before the template: the stages, one grouped count and amount per stage, one page of cards
  per open column (with customer and owner) and the owner filter's choices, on a new session.
  Against the same rows fetched by hand. Goal 2.0 (the issue's aim).
- ``pipeline_board_request``: ``GET /pipeline/`` through the test client, rendering included,
  against the same hand-written SQL. Goal 2.0.
- ``pipeline_funnel``: ``reports.funnel()`` (per stage: open deals, amount, weighted amount with
  each deal rounded to the cent, won deals that passed through it, deals lost from it) against
  the same three grouped statements by hand. Goal 1.5 (the issue's aim).
- ``pipeline_winrate_owner`` / ``pipeline_winrate_product``: ``reports.winrate("owner" |
  "product")`` over every closed deal against the hand-written GROUP BY. Goal 1.5.

Set-up (``PREP``): as many open deals as the data set has customers (100,000 at full scale)
spread over the two open stages, and as many closed ones (60 % won, 40 % lost from the stage
they were in), for the data set's customers and salespeople, each with its stage moves and one
or two product lines, written in bulk.
"""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Callable
from decimal import ROUND_HALF_UP, Decimal
from typing import Any
from unittest import mock

from flask import Flask
from sqlalchemy import insert, select

from bench.harness import BenchContext
from core.db import db
from core.models import User

PLUGINS = ("pipeline",)
BENCHMARKS = (
    "pipeline_board",
    "pipeline_board_request",
    "pipeline_funnel",
    "pipeline_winrate_owner",
    "pipeline_winrate_product",
)
BOARD_GOAL = 2.0
REPORT_GOAL = 1.5
CENT = Decimal("0.01")
FOUR = Decimal("0.0001")
ONE = Decimal("0.1")
CENTS = "CAST(round(o.amount * 100) AS BIGINT)"


def _stages() -> dict[str, Any]:
    """The configured stages, seeded as the plugin does, by kind and name."""
    from plugins.pipeline import stages as stage_records

    stages = stage_records.all_stages()
    db.session.commit()
    return {stage.name: stage for stage in stages}


def seed_deals(ctx: BenchContext) -> tuple[int, int]:
    """Write the open and closed deals, their moves and lines in bulk; (open, closed)."""
    from plugins.pipeline.models import LostReason, Opportunity, OpportunityLine, StageMove

    rng = random.Random(ctx.dataset.seed)
    stages = _stages()
    prospecting, engaging = stages["Prospecting"], stages["Engaging"]
    won, lost = stages["Won"], stages["Lost"]
    reasons = list(db.session.scalars(select(LostReason.id).order_by(LostReason.id)))
    sellers = [
        row[0] for row in ctx.sql("SELECT id FROM \"user\" WHERE role = 'sales' ORDER BY id")
    ]
    customers = ctx.sql("SELECT id, channel FROM customer ORDER BY id")
    products = [row[0] for row in ctx.sql("SELECT id FROM product ORDER BY id")]
    end = ctx.dataset.end_date
    count = ctx.scale.customers
    deals, moves, lines = [], [], []
    for number in range(1, 2 * count + 1):
        closed = number > count
        customer_id, channel = rng.choice(customers)
        opened = end - dt.timedelta(days=rng.randint(0, 540))
        start = dt.datetime.combine(opened, dt.time(9)) + dt.timedelta(minutes=rng.randint(0, 480))
        path = [prospecting] if rng.random() < 0.6 else [prospecting, engaging]
        closed_on = None
        if closed:
            closed_on = min(end, opened + dt.timedelta(days=rng.randint(1, 120)))
            path.append(won if rng.random() < 0.6 else lost)
        stage = path[-1]
        amount = (
            None
            if not closed and rng.random() < 0.05
            else Decimal(rng.randint(10000, 2000000)) * CENT
        )
        manual = rng.random() < 0.1
        probability = Decimal(rng.randint(0, 100)) / 100 if manual else stage.probability
        deals.append({
            "external_id": f"BENCH-{number:07d}", "title": f"Bench deal {number}",
            "customer_id": customer_id, "prospect_name": "", "prospect_company": "",
            "prospect_email": "", "prospect_phone": "", "channel": channel,
            "owner_id": rng.choice(sellers), "stage_id": stage.id, "probability": probability,
            "probability_manual": manual, "amount": amount,
            "expected_close_on": opened + dt.timedelta(days=rng.randint(10, 150)),
            "next_activity": "", "next_activity_on": end + dt.timedelta(days=rng.randint(-20, 20)) if not closed else None,
            "lost_reason_id": rng.choice(reasons) if stage is lost else None,
            "lost_from_stage_id": path[-2].id if stage is lost else None,
            "opened_on": opened, "closed_on": closed_on, "stage_since": start,
            "created_at": start, "updated_at": start,
        })  # fmt: skip
        moment, previous = start, None
        for step in path:
            if step is path[-1] and closed_on is not None:
                moment = dt.datetime.combine(closed_on, dt.time(15))
            moves.append({"opportunity_id": number, "from_stage_id": previous, "to_stage_id": step.id,
                          "user_id": deals[-1]["owner_id"], "at": moment, "note": ""})  # fmt: skip
            previous = step.id
            moment = moment + dt.timedelta(hours=rng.randint(1, 200))
        deals[-1]["stage_since"] = moves[-1]["at"]
        for position in range(1, 2 if rng.random() < 0.9 else 3):
            lines.append({"opportunity_id": number, "product_id": rng.choice(products),
                          "position": position, "quantity": Decimal(1), "unit_price": amount or Decimal(0)})  # fmt: skip
    ids = list(
        db.session.scalars(
            insert(Opportunity).returning(Opportunity.id, sort_by_parameter_order=True), deals
        )
    )
    for row in moves:
        row["opportunity_id"] = ids[row["opportunity_id"] - 1]
    for row in lines:
        row["opportunity_id"] = ids[row["opportunity_id"] - 1]
    db.session.execute(insert(StageMove), moves)
    db.session.execute(insert(OpportunityLine), lines)
    db.session.commit()
    if ctx.database == "postgresql":
        db.session.execute(db.text("ANALYZE"))
        db.session.commit()
    return count, count


def _money(value: Any) -> Decimal:
    """Integer cents from either driver as an amount."""
    return Decimal(int(value or 0)) * CENT


def _fresh() -> None:
    db.session.remove()


# -- the board --------------------------------------------------------------------------


def board_summary(context: dict[str, Any]) -> Any:
    """What the board shows: per column the stage, count, amount and the cards; the owners."""
    return (
        [
            (
                column.stage.id,
                column.total,
                column.amount,
                column.has_next,
                [
                    (
                        deal.id,
                        deal.title,
                        deal.amount,
                        deal.display_name,
                        deal.owner.name if deal.owner else None,
                        deal.next_activity_on,
                    )
                    for deal in column.cards
                ],
            )
            for column in context["columns"]
        ],  # fmt: skip
        context["owners"],
    )


def board_view(app: Flask, admin: User) -> Any:
    """The real board view for the admin, stopped before the template."""
    from flask_login import login_user

    from plugins.pipeline.pages import board

    captured: dict[str, Any] = {}

    def capture(template: str, **context: Any) -> str:
        captured.update(context)
        return ""

    _fresh()
    with app.test_request_context("/pipeline/"):
        login_user(db.session.merge(admin, load=False))
        with mock.patch.object(board, "render_template", capture):
            board.board_page()
        return board_summary(captured)


BOARD_SQL = {
    "stages": (
        "SELECT id, name, probability FROM pipeline_stage "
        "WHERE active = :active AND kind = 'open' ORDER BY position, id"
    ),
    "totals": (
        f"SELECT o.stage_id, count(*), coalesce(sum({CENTS}), 0) FROM pipeline_opportunity o "
        "GROUP BY o.stage_id"
    ),
    "cards": (
        "SELECT o.id, o.title, o.amount, c.name, o.prospect_name, o.prospect_company, u.name, "
        "o.next_activity_on FROM (SELECT * FROM pipeline_opportunity WHERE stage_id = :stage "
        "ORDER BY id DESC LIMIT :limit) o "
        "LEFT JOIN customer c ON c.id = o.customer_id "
        'LEFT JOIN "user" u ON u.id = o.owner_id ORDER BY o.id DESC'
    ),
    "owners": (
        "SELECT id, name FROM \"user\" WHERE active = :active AND role IN ('sales', 'manager', "
        "'admin') ORDER BY lower(name)"
    ),
}


def _day(value: Any) -> dt.date | None:
    if value is None or isinstance(value, dt.date):
        return value
    return dt.date.fromisoformat(str(value))


def board_reference(ctx: BenchContext, size: int) -> Any:
    """The same board by hand: open stages, grouped totals, a page of cards each, the owners."""
    _fresh()
    stages = ctx.sql(BOARD_SQL["stages"], {"active": True})
    totals = {row[0]: (row[1], row[2]) for row in ctx.sql(BOARD_SQL["totals"])}
    columns = []
    for stage_id, _name, _probability in stages:
        cards = ctx.sql(BOARD_SQL["cards"], {"stage": stage_id, "limit": size + 1})
        total, amount = totals.get(stage_id, (0, 0))
        columns.append((
            stage_id, int(total), _money(amount), len(cards) > size,
            [(row[0], row[1], None if row[2] is None else Decimal(str(row[2])).quantize(CENT),
              row[3] if row[3] is not None else ", ".join(p for p in (row[4], row[5]) if p),
              row[6], _day(row[7]))
             for row in cards[:size]],
        ))  # fmt: skip
    owners = [(0, "–")] + [
        (row[0], row[1]) for row in ctx.sql(BOARD_SQL["owners"], {"active": True})
    ]
    return columns, owners


def bench_board(ctx: BenchContext, app: Flask, admin: User) -> None:
    """The board view and the whole page against the hand-written SQL."""
    from plugins.pipeline import settings as pipeline_settings

    with app.app_context():
        size = pipeline_settings.current().board_page_size

        def reference() -> Any:
            return board_reference(ctx, size)

        ctx.compare("pipeline_board", lambda: board_view(app, admin), "sql_board", reference,
                    BOARD_GOAL, same=lambda rows: rows)  # fmt: skip
        if ctx.wanted("pipeline_board_request"):
            client = app.test_client()
            with client.session_transaction() as session:
                session["_user_id"] = str(admin.id)
                session["_fresh"] = True

            def page() -> bytes:
                """The whole page; anything but the board stops the benchmark."""
                _fresh()
                response = client.get("/pipeline/")
                if response.status_code != 200 or b'id="pipeline-board"' not in response.data:
                    raise RuntimeError(f"GET /pipeline/ answered {response.status_code}")
                return bytes(response.data)

            ctx.compare("pipeline_board_request", page, "sql_board", reference, BOARD_GOAL)


# -- the reports ------------------------------------------------------------------------


def _weighted(ctx: BenchContext) -> str:
    """amount × probability in cents, rounded half up in integers (as the plugin writes it)."""
    return f"({CENTS} * CAST(round(o.probability * 10000) AS BIGINT) + 5000) / 10000"


def funnel_reference(ctx: BenchContext) -> Any:
    """The funnel by hand: deals now in each stage, won deals per stage passed, lost per stage."""
    _fresh()
    stages = ctx.sql("SELECT id, name, kind FROM pipeline_stage ORDER BY position, id")
    now_in = {row[0]: row[1:] for row in ctx.sql(
        f"SELECT o.stage_id, count(*), coalesce(sum({CENTS}), 0), "
        f"coalesce(sum({_weighted(ctx)}), 0) FROM pipeline_opportunity o GROUP BY o.stage_id"
    )}  # fmt: skip
    passed = dict(ctx.sql(
        "SELECT m.to_stage_id, count(DISTINCT m.opportunity_id) FROM pipeline_stage_move m "
        "JOIN pipeline_opportunity o ON o.id = m.opportunity_id "
        "JOIN pipeline_stage s ON s.id = o.stage_id WHERE s.kind = 'won' GROUP BY m.to_stage_id"
    ))  # fmt: skip
    stopped = dict(ctx.sql(
        "SELECT o.lost_from_stage_id, count(*) FROM pipeline_opportunity o "
        "JOIN pipeline_stage s ON s.id = o.stage_id "
        "WHERE s.kind = 'lost' AND o.lost_from_stage_id IS NOT NULL GROUP BY o.lost_from_stage_id"
    ))  # fmt: skip
    rows = []
    for stage_id, name, kind in stages:
        count, amount, weighted = now_in.get(stage_id, (0, 0, 0))
        if kind == "open":
            rows.append((name, int(count), _money(amount), _money(weighted),
                         int(passed.get(stage_id, 0)), int(stopped.get(stage_id, 0))))  # fmt: skip
        else:
            rows.append((name, 0, _money(0), _money(0), int(count) if kind == "won" else 0,
                         int(count) if kind == "lost" else 0))  # fmt: skip
    return rows


def _days(ctx: BenchContext) -> str:
    if ctx.database == "postgresql":
        return "(o.closed_on - o.opened_on)"
    return "CAST(julianday(o.closed_on) - julianday(o.opened_on) AS INTEGER)"


def winrate_reference(ctx: BenchContext, by: str) -> Any:
    """Won, lost, rate, won amount and mean cycle per owner's e-mail or product SKU, by hand."""
    _fresh()
    if by == "owner":
        key, joins = "coalesce(u.email, '')", 'LEFT JOIN "user" u ON u.id = o.owner_id'
    else:
        key = "p.sku"
        joins = (
            "JOIN (SELECT DISTINCT opportunity_id, product_id FROM pipeline_line) l "
            "ON l.opportunity_id = o.id JOIN product p ON p.id = l.product_id"
        )
    won = "s.kind = 'won'"
    statement = f"""
    SELECT {key}, sum(CASE WHEN {won} THEN 1 ELSE 0 END),
           sum(CASE WHEN s.kind = 'lost' THEN 1 ELSE 0 END),
           coalesce(sum(CASE WHEN {won} THEN {CENTS} ELSE 0 END), 0),
           coalesce(sum(CASE WHEN {won} AND o.opened_on IS NOT NULL THEN {_days(ctx)} ELSE 0 END), 0),
           sum(CASE WHEN {won} AND o.opened_on IS NOT NULL THEN 1 ELSE 0 END)
    FROM pipeline_opportunity o JOIN pipeline_stage s ON s.id = o.stage_id {joins}
    WHERE s.kind IN ('won', 'lost') AND o.closed_on IS NOT NULL
    GROUP BY {key}
    """
    rows = []
    for name, wins, losses, won_cents, days, dated in ctx.sql(statement):
        wins, losses = int(wins), int(losses)
        rate = (Decimal(wins) / Decimal(wins + losses)).quantize(FOUR, ROUND_HALF_UP)
        cycle = (
            (Decimal(int(days)) / Decimal(int(dated))).quantize(ONE, ROUND_HALF_UP)
            if dated
            else None
        )
        rows.append((name or "", wins, losses, rate, _money(won_cents), cycle))
    return rows


def bench_reports(ctx: BenchContext) -> None:
    from plugins.pipeline import reports

    def funnel() -> Any:
        _fresh()
        return [(r.stage.name, r.open, r.open_amount, r.weighted_amount, r.won, r.lost)
                for r in reports.funnel()]  # fmt: skip

    ctx.compare("pipeline_funnel", funnel, "sql_funnel", lambda: funnel_reference(ctx),
                REPORT_GOAL, same=lambda rows: rows)  # fmt: skip

    def winrate(by: str) -> Callable[[], Any]:
        def ours() -> Any:
            _fresh()
            return [(r["key"], r["won"], r["lost"], r["win_rate"], r["won_amount"],
                     r["avg_cycle_days"]) for r in reports.winrate(by)]  # fmt: skip

        return ours

    def reference(by: str) -> Callable[[], Any]:
        return lambda: winrate_reference(ctx, by)

    for by in ("owner", "product"):
        ctx.compare(f"pipeline_winrate_{by}", winrate(by), f"sql_winrate_{by}",
                    reference(by), REPORT_GOAL, same=sorted)  # fmt: skip


def run(ctx: BenchContext) -> None:
    """Seed the deals once, then the board and the reports."""
    app = ctx.app(PLUGINS)
    with ctx.using(PLUGINS):
        opened, closed = ctx.once("pipeline deals", lambda: seed_deals(ctx))
        ctx.note(f"INFO pipeline: {opened} open and {closed} closed deals")
        admin = db.session.scalar(select(User).where(User.role == "admin").limit(1))
        assert admin is not None
        db.session.expunge(admin)
        bench_reports(ctx)
    bench_board(ctx, app, admin)
