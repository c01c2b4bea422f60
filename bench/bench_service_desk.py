"""Benchmarks of the service desk: caller lookup (functions and whole page) and the process analysis.

- ``service_desk_lookup``: what the lookup page computes for a caller found by phone number
  typed in another format than stored (``00…`` for ``+…``): the matching customers, every
  plugin's badges, the 10 latest orders with line count and net total, and the customer's
  tickets (open first). The caller is the data set's busiest customer (hundreds of orders,
  60 tickets). Against the hand-written SQL fetching the same rows. Goal 2.0 (the issue's aim).
- ``service_desk_lookup_request``: ``GET /service_desk/lookup?q=…`` through the test client,
  rendering included, against the same SQL. Goal 2.0.
- ``service_desk_time_in_state``: the process analysis (average, p50, p90 hours per step and
  category) over every ticket, against hand-written SQL with the same window functions.
  Goal 2.0.

Set-up (``PREP``): one ticket for every fifth customer (20,000 at full scale) plus 60 for
the busiest customer, each with a believable state log, written in bulk.
"""

from __future__ import annotations

import datetime as dt
import random
from decimal import Decimal
from typing import Any

from sqlalchemy import insert, select

from bench.harness import BenchContext
from core.db import db
from core.models import Customer, User

PLUGINS = ("service_desk",)
GOAL = 2.0
BUSY_TICKETS = 60
CENT = Decimal("0.01")
STATES = ("new", "open", "waiting", "resolved", "closed")


def _ticket_rows(ctx: BenchContext) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """Tickets and their stays, deterministic from the data set's seed."""
    rng = random.Random(ctx.dataset.seed)
    busiest = ctx.dataset.busiest_customer_id
    customer_ids = [
        row[0] for row in ctx.sql("SELECT id FROM customer WHERE id % 5 = 0 ORDER BY id")
    ]
    owners = customer_ids + [busiest] * BUSY_TICKETS
    end = dt.datetime.combine(ctx.dataset.end_date, dt.time(16))
    tickets, stays = [], []
    for number, customer_id in enumerate(owners, start=1):
        opened = end - dt.timedelta(minutes=rng.randint(60, 500 * 24 * 60))
        path = rng.choice([("new",), ("new", "open"), ("new", "open", "waiting", "open", "resolved"),
                           ("new", "open", "resolved", "closed"), ("new", "waiting", "open", "resolved")])  # fmt: skip
        moment = opened
        for position, state in enumerate(path):
            left = (
                moment + dt.timedelta(minutes=rng.randint(5, 3000))
                if position < len(path) - 1
                else None
            )
            stays.append(
                {"ticket_id": number, "state": state, "entered_at": moment, "left_at": left}
            )
            moment = left or moment
        tickets.append({
            "customer_id": customer_id, "kind": rng.choice(["complaint", "inquiry", "return", "other"]),
            "channel": "phone", "subject": f"Bench ticket {number}", "description": "", "priority": "normal",
            "category": rng.choice(["Delivery", "Billing", "Returns", "Damaged goods"]), "state": path[-1],
            "contact_name": "", "contact_email": "", "contact_phone": "", "created_at": opened,
            "opened_on": opened.date(), "updated_at": moment, "reopen_count": 0, "sla_policy": "",
            "version": 1,
        })  # fmt: skip
    return tickets, stays


def seed_tickets(ctx: BenchContext) -> int:
    """Write the benchmark's tickets and state log in bulk; returns how many tickets."""
    from plugins.service_desk.models import StateLog, Ticket

    tickets, stays = _ticket_rows(ctx)
    # The database numbers the tickets (so its sequence stays right); stays follow by position.
    ids = list(
        db.session.scalars(
            insert(Ticket).returning(Ticket.id, sort_by_parameter_order=True), tickets
        )
    )
    for stay in stays:
        stay["ticket_id"] = ids[stay["ticket_id"] - 1]
    db.session.execute(insert(StateLog), stays)
    db.session.commit()
    return len(tickets)


def caller(ctx: BenchContext) -> tuple[int, str, str]:
    """(busiest customer, their number as stored in E.164, the same number typed as 00…)."""
    customer_id = ctx.dataset.busiest_customer_id
    e164 = ctx.sql("SELECT phone_normalized FROM customer WHERE id = :id", {"id": customer_id})[0][
        0
    ]
    return customer_id, e164, "00" + e164[1:3] + " " + e164[3:]


def lookup_functions(admin: User, typed: str) -> Any:
    """What the lookup view computes, as the view calls it."""
    from flask_login import login_user

    from core.views.common import badge_results
    from plugins.service_desk import lookup

    login_user(db.session.merge(admin, load=False))
    matches, _ = lookup.find_callers(typed)
    customer = matches[0]
    badges = badge_results(matches)[customer.id]
    orders = lookup.recent_orders(customer.id, admin)
    tickets = lookup.customer_tickets(customer.id, admin)
    return (
        [match.id for match in matches],
        [badge.label for _, items in badges if not isinstance(items, str) for badge in items],
        [(order.number, order.status, order.lines, order.net) for order in orders],
        [ticket.id for ticket in tickets],
    )


LOOKUP_SQL = {
    "customers": (
        "SELECT c.id, c.external_id, c.name, c.company, c.email, c.phone, c.phone_normalized, "
        "c.country, c.region, c.city, c.channel, c.birthday, c.owner_id, c.tags, "
        "c.marketing_opt_out, c.notes, c.created_at, c.updated_at, u.id, u.name, u.email "
        'FROM customer c LEFT JOIN "user" u ON u.id = c.owner_id '
        "WHERE c.phone_normalized = :phone ORDER BY lower(c.name), c.id LIMIT 11"
    ),
    "badges": (
        "SELECT customer_id, count(*), sum(CASE WHEN kind = 'complaint' THEN 1 ELSE 0 END) "
        "FROM service_desk_ticket WHERE customer_id = :customer AND state IN ('new', 'open', 'waiting') "
        "GROUP BY customer_id"
    ),
    "orders": (
        'SELECT o.id, o.number, o.order_date, o.status, count(l.id), coalesce(sum(l.net_amount), 0) FROM "order" o '
        "LEFT JOIN order_line l ON l.order_id = o.id WHERE o.customer_id = :customer "
        "GROUP BY o.id, o.number, o.order_date, o.status ORDER BY o.order_date DESC, o.id DESC LIMIT 10"
    ),
    "tickets": (
        "SELECT t.id, t.subject, t.kind, t.state, t.priority, t.created_at, a.name "
        'FROM service_desk_ticket t LEFT JOIN "user" a ON a.id = t.assignee_id '
        "WHERE t.customer_id = :customer "
        "ORDER BY CASE WHEN t.state IN ('new', 'open', 'waiting') THEN 0 ELSE 1 END, t.created_at DESC, t.id DESC "
        "LIMIT 10"
    ),
}


def lookup_reference(ctx: BenchContext, typed: str) -> Any:
    """The same rows by hand: the phone normalised as the page does, then four statements."""
    from core.phones import normalize_phone

    customers = ctx.sql(LOOKUP_SQL["customers"], {"phone": normalize_phone(typed, "DE")})
    customer_id = customers[0][0]
    badges = ctx.sql(LOOKUP_SQL["badges"], {"customer": customer_id})
    orders = ctx.sql(LOOKUP_SQL["orders"], {"customer": customer_id})
    tickets = ctx.sql(LOOKUP_SQL["tickets"], {"customer": customer_id})
    labels = []
    for _, open_count, complaints in badges:
        labels.append(f"{open_count} open ticket{'' if open_count == 1 else 's'}")
        if complaints:
            labels.append("Open complaint")
    return (
        [row[0] for row in customers],
        labels,
        [(row[1], row[3], row[4], Decimal(str(row[5])).quantize(CENT)) for row in orders],
        [row[0] for row in tickets],
    )


def bench_lookup(ctx: BenchContext, admin: User) -> None:
    """The lookup's computation and the whole page against the hand-written SQL."""
    app = ctx.app(PLUGINS)

    def ours() -> Any:
        """The lookup as the view computes it, on a new session (as each request has)."""
        db.session.remove()
        with app.test_request_context("/service_desk/lookup"):
            return lookup_functions(admin, typed)

    def reference() -> Any:
        """The hand-written SQL, on a new session too."""
        db.session.remove()
        return lookup_reference(ctx, typed)

    with app.app_context():
        customer_id, e164, typed = caller(ctx)
        first = ours()
        ctx.note(f"INFO service_desk_lookup: customer {customer_id} ({e164}, typed {typed!r}), "
                 f"{len(first[2])} orders and {len(first[3])} tickets shown")  # fmt: skip
        ctx.compare(
            "service_desk_lookup", ours, "sql_lookup", reference, GOAL, same=lambda rows: rows
        )
        if ctx.wanted("service_desk_lookup_request"):
            client = app.test_client()
            with client.session_transaction() as session:
                session["_user_id"] = str(admin.id)
                session["_fresh"] = True
            path = f"/service_desk/lookup?q={typed.replace(' ', '+')}"

            def page() -> bytes:
                """The whole page; anything but the caller's card stops the benchmark."""
                response = client.get(path)
                if response.status_code != 200 or b'id="caller"' not in response.data:
                    raise RuntimeError(
                        f"GET {path} answered {response.status_code} without the caller"
                    )
                return bytes(response.data)

            ctx.compare("service_desk_lookup_request", page, "sql_lookup", reference, GOAL)


def time_in_state_reference(
    ctx: BenchContext, now: dt.datetime, start: dt.date, end: dt.date
) -> Any:
    """Average, p50 and p90 seconds per category and step, by hand (nearest rank)."""
    if ctx.database == "postgresql":
        seconds = "CAST(ROUND(EXTRACT(EPOCH FROM (COALESCE(s.left_at, CAST(:now AS TIMESTAMP)) - s.entered_at))) AS INTEGER)"
    else:
        seconds = "CAST(ROUND((julianday(COALESCE(s.left_at, :now)) - julianday(s.entered_at)) * 86400) AS INTEGER)"
    statement = f"""
    WITH per_ticket AS (
        SELECT t.id, t.category, s.state, SUM({seconds}) AS seconds
        FROM service_desk_ticket t JOIN service_desk_state_log s ON s.ticket_id = t.id
        WHERE t.opened_on >= :start AND t.opened_on <= :end AND s.state IN ('new', 'open', 'waiting')
        GROUP BY t.id, t.category, s.state
    ), ranked AS (
        SELECT category, state, seconds,
               ROW_NUMBER() OVER (PARTITION BY category, state ORDER BY seconds) AS position,
               COUNT(*) OVER (PARTITION BY category, state) AS n
        FROM per_ticket
    )
    SELECT category, state, COUNT(*), AVG(seconds),
           MAX(CASE WHEN position = (n * 50 + 99) / 100 THEN seconds END),
           MAX(CASE WHEN position = (n * 90 + 99) / 100 THEN seconds END)
    FROM ranked GROUP BY category, state
    """
    return ctx.sql(statement, {"now": now, "start": start, "end": end})


def bench_time_in_state(ctx: BenchContext) -> None:
    """The process analysis per category over every ticket against the same SQL by hand."""
    if not ctx.wanted("service_desk_time_in_state"):
        return
    from plugins.service_desk.analysis import hours, time_in_state

    now = dt.datetime.combine(ctx.dataset.end_date, dt.time(17))
    start, end = ctx.dataset.start_date, ctx.dataset.end_date

    def ours() -> Any:
        """The plugin's analysis, as the report page runs it."""
        return [(row.group, row.state, row.tickets, row.average_hours, row.p50_hours, row.p90_hours)
                for row in time_in_state(start, end, "category", now=now)]  # fmt: skip

    def reference() -> Any:
        """The hand-written SQL, hours rounded the same way."""
        rows = time_in_state_reference(ctx, now, start, end)
        return [
            (row[0], row[1], row[2], hours(row[3]), hours(row[4]), hours(row[5])) for row in rows
        ]

    with ctx.using(PLUGINS):
        ctx.compare(
            "service_desk_time_in_state", ours, "sql_time_in_state", reference, GOAL, same=sorted
        )


def run(ctx: BenchContext) -> None:
    """Seed tickets once, then the lookup and the analysis."""
    with ctx.using(PLUGINS):
        count = ctx.once("service_desk tickets", lambda: seed_tickets(ctx))
        ctx.note(f"INFO service_desk: {count} tickets")
        admin = db.session.scalar(select(User).where(User.role == "admin").limit(1))
        assert admin is not None
        db.session.expunge(admin)
        assert db.session.get(Customer, ctx.dataset.busiest_customer_id) is not None
    bench_lookup(ctx, admin)
    bench_time_in_state(ctx)
