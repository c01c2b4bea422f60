"""Two clerks, one row: race two processes over the same action, round after round, and count.

    .venv/bin/python scripts/race.py postgresql+psycopg://postgres@127.0.0.1:5432/clientele_race

The database named is EMPTIED (its public schema is dropped), migrated with every plugin
enabled and filled with one target row per round and action. Then two worker processes,
each with its own connection, meet at a barrier before every round and do the same thing to
the same row at the same moment: confirm one draft order, cancel one confirmed order,
refund the lines of one confirmed order, approve one salesperson's statement, claim one
ticket. Each round must end with exactly one success and one clear refusal; the script
counts successes, refusals, errors (anything else, e.g. a database error), the order hooks
that ran, and duplicated rows (hook or history rows beyond what one action writes, measured
on a control row done by one process alone). Exit status 1 when a goal is missed.
"""

from __future__ import annotations

import argparse
import datetime as dt
import multiprocessing
import os
import sys
import tempfile
import time
from collections import Counter
from decimal import Decimal
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

ACTIONS = ("confirm", "cancel", "refund", "approve", "claim")
PLUGINS = ["sales_commission", "loyalty", "service_desk", "marketing"]
PERIOD = "2026-10"
TODAY = dt.date(2026, 12, 2)


def make_app(url: str) -> Any:
    """The app on the race database, every plugin enabled."""
    from core import create_app

    return create_app(
        os.devnull,
        database_url=url,
        plugins=PLUGINS,
        testing=True,
        check_migrations=False,
        instance_path=tempfile.mkdtemp(prefix="clientele-race-"),
    )


def empty_and_migrate(url: str) -> Any:
    """Drop the public schema (or the SQLite file), migrate, return the app."""
    from sqlalchemy import create_engine, text

    from core.migrate import upgrade

    if url.startswith("postgresql"):
        engine = create_engine(url)
        with engine.begin() as connection:
            connection.execute(text("DROP SCHEMA public CASCADE"))
            connection.execute(text("CREATE SCHEMA public"))
        engine.dispose()
    elif url.startswith("sqlite:///"):
        Path(url.removeprefix("sqlite:///")).unlink(missing_ok=True)
    app = make_app(url)
    upgrade(app)
    return app


def seed(app: Any, rounds: int) -> dict[str, list[int]]:
    """One target per round and action, plus a control target (index 0) for each."""
    from core import orders
    from core.db import db
    from core.models import Customer, Product, User
    from plugins.service_desk.tickets import NewTicket, open_ticket

    targets: dict[str, list[int]] = {action: [] for action in ACTIONS}
    with app.app_context():
        seller = User(email="seller@race.example", name="Sam Seller", role="sales")
        customer = Customer(name="Claudia Meyer", email="claudia@race.example")
        product = Product(
            sku="TEA", name="Tea", list_price=Decimal("10.00"), unit_cost=Decimal("6.00")
        )
        db.session.add_all([seller, customer, product])
        db.session.flush()
        for action in ("confirm", "cancel", "refund"):
            for _ in range(rounds + 1):
                lines = [orders.LineInput(product, Decimal(quantity)) for quantity in ("1", "2")]
                order = orders.create_order(
                    customer, seller, lines, dt.date(2026, 10, 15), notes="race"
                )
                if action != "confirm":
                    orders.confirm(order)
                targets[action].append(order.id)
        for number in range(rounds + 1):
            salesperson = User(
                email=f"rep{number}@race.example", name=f"Rep {number}", role="sales"
            )
            db.session.add(salesperson)
            db.session.flush()
            targets["approve"].append(salesperson.id)
        for number in range(rounds + 1):
            ticket = open_ticket(
                NewTicket(
                    kind="inquiry", channel="phone", subject=f"Call {number}", contact_name="Ada"
                ),
                None,
            )
            targets["claim"].append(ticket.id)
        agents = [
            User(email=f"agent{n}@race.example", name=f"Agent {n}", role="support") for n in (1, 2)
        ]
        db.session.add_all(agents)
        db.session.commit()
        targets["agents"] = [agent.id for agent in agents]
    return targets


REFUSALS = ("OrderError", "ApprovalError", "TicketError")


def act(action: str, target: int, agent_id: int) -> None:
    """Do the action once on the target (the caller commits)."""
    from core import orders
    from core.db import db
    from core.models import Order, User
    from plugins.sales_commission import approval
    from plugins.service_desk.models import Ticket
    from plugins.service_desk.tickets import claim

    if action in ("confirm", "cancel", "refund"):
        order = db.session.get(Order, target)
        getattr(orders, action)(order)
    elif action == "approve":
        approval.approve(db.session.get(User, target), PERIOD, None, TODAY)
    else:
        claim(db.session.get(Ticket, target), db.session.get(User, agent_id))


class HookCounter:
    """Counts the order hooks this process runs (a third-party plugin would act once per call)."""

    def __init__(self) -> None:
        self.calls = 0

    def register(self, app: Any) -> None:
        from core.plugins import hookimpl

        counter = self

        class Recorder:
            @hookimpl
            def order_confirmed(self, order: Any) -> None:
                counter.calls += 1

            @hookimpl
            def order_cancelled(self, order: Any) -> None:
                counter.calls += 1

            @hookimpl
            def order_refunded(self, order: Any, lines: Any) -> None:
                counter.calls += 1

        app.extensions["clientele"].pm.register(Recorder(), name="race_hook_counter")


def worker(
    url: str, number: int, targets: dict[str, list[int]], barrier: Any, results: Any
) -> None:
    """One clerk: for every action and round, meet the other at the barrier, act, report."""
    from core.db import db

    app = make_app(url)
    hooks = HookCounter()
    hooks.register(app)
    agent_id = targets["agents"][number]
    with app.app_context():
        for action in ACTIONS:
            for round_number, target in enumerate(targets[action][1:], start=1):
                db.session.remove()
                barrier.wait(60)
                before = hooks.calls
                started = time.perf_counter()
                try:
                    act(action, target, agent_id)
                    db.session.commit()
                    outcome = "success"
                    detail = ""
                except Exception as error:  # noqa: BLE001 - counted and shown
                    db.session.rollback()
                    outcome = "refused" if type(error).__name__ in REFUSALS else "error"
                    detail = f"{type(error).__name__}: {str(error)[:200]}"
                results.put(
                    (
                        action,
                        round_number,
                        number,
                        outcome,
                        detail,
                        hooks.calls - before,
                        time.perf_counter() - started,
                    )
                )


def control(app: Any, targets: dict[str, list[int]]) -> None:
    """Do each action once, alone, on the control target (index 0)."""
    from core.db import db

    with app.app_context():
        for action in ACTIONS:
            act(action, targets[action][0], targets["agents"][0])
            db.session.commit()


def rows_per_target(app: Any, targets: dict[str, list[int]]) -> dict[str, list[int]]:
    """How many hook or history rows each target has: the control first, then every round's."""
    from sqlalchemy import func, select

    from core.db import db
    from plugins.sales_commission.models import Entry, Statement
    from plugins.service_desk.models import TicketEvent

    counted: dict[str, list[int]] = {}
    with app.app_context():
        for action in ("confirm", "cancel", "refund"):
            per_order = dict(
                db.session.execute(
                    select(Entry.order_id, func.count())
                    .where(Entry.order_id.in_(targets[action]))
                    .group_by(Entry.order_id)
                ).all()
            )
            counted[action] = [per_order.get(order_id, 0) for order_id in targets[action]]
        per_seller = dict(
            db.session.execute(
                select(Statement.salesperson_id, func.count())
                .where(Statement.salesperson_id.in_(targets["approve"]), Statement.period == PERIOD)
                .group_by(Statement.salesperson_id)
            ).all()
        )
        counted["approve"] = [per_seller.get(user_id, 0) for user_id in targets["approve"]]
        per_ticket = dict(
            db.session.execute(
                select(TicketEvent.ticket_id, func.count())
                .where(TicketEvent.ticket_id.in_(targets["claim"]), TicketEvent.kind == "assignee")
                .group_by(TicketEvent.ticket_id)
            ).all()
        )
        counted["claim"] = [per_ticket.get(ticket_id, 0) for ticket_id in targets["claim"]]
    return counted


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("database_url", help="a database this script may EMPTY")
    parser.add_argument("--rounds", type=int, default=50)
    arguments = parser.parse_args()
    url = arguments.database_url
    print(
        f"race: {arguments.rounds} rounds × {len(ACTIONS)} actions × 2 processes on {url.split('@')[-1]}"
    )
    app = empty_and_migrate(url)
    targets = seed(app, arguments.rounds)
    control(app, targets)
    with app.app_context():
        from core.db import db

        db.engine.dispose()
    context = multiprocessing.get_context("spawn")
    barrier = context.Barrier(2)
    results = context.Queue()
    processes = [
        context.Process(target=worker, args=(url, number, targets, barrier, results))
        for number in (0, 1)
    ]
    for process in processes:
        process.start()
    expected = arguments.rounds * len(ACTIONS) * 2
    outcomes = [results.get(timeout=300) for _ in range(expected)]
    for process in processes:
        process.join(60)
    rows = rows_per_target(app, targets)

    missed = False
    print(
        f"{'action':<8} {'rounds':>6} {'1 success':>9} {'2 successes':>11} {'0 successes':>11} "
        f"{'successes':>9} {'refused':>7} {'errors':>6} {'hooks':>5} {'dup rows':>8} {'p95 ms':>6}"
    )
    for action in ACTIONS:
        mine = [outcome for outcome in outcomes if outcome[0] == action]
        per_round = Counter(outcome[1] for outcome in mine if outcome[3] == "success")
        kinds = Counter(outcome[3] for outcome in mine)
        one = sum(1 for number in range(1, arguments.rounds + 1) if per_round[number] == 1)
        two = sum(1 for number in range(1, arguments.rounds + 1) if per_round[number] == 2)
        none = arguments.rounds - one - two
        hooks = sum(outcome[5] for outcome in mine)
        control_rows, *round_rows = rows[action]
        duplicated = sum(max(0, count - control_rows) for count in round_rows)
        times = sorted(outcome[6] for outcome in mine)
        p95 = times[int(len(times) * 0.95) - 1] * 1000 if times else 0.0
        print(
            f"{action:<8} {arguments.rounds:>6} {one:>9} {two:>11} {none:>11} {kinds['success']:>9} "
            f"{kinds['refused']:>7} {kinds['error']:>6} {hooks:>5} {duplicated:>8} {p95:>6.0f}"
        )
        missed = missed or one != arguments.rounds or kinds["error"] > 0 or duplicated > 0
        for sample in sorted({outcome[4] for outcome in mine if outcome[3] != "success"})[:3]:
            print(f"         e.g. {sample}")
    print(
        "goal: exactly one success per round, 0 errors, 0 duplicated rows:",
        "missed" if missed else "met",
    )
    return 1 if missed else 0


if __name__ == "__main__":
    sys.exit(main())
