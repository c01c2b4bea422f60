"""Core read benchmarks: the customers list search and the customer page, against hand-written SQL."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from decimal import Decimal
from typing import Any
from unittest import mock

from flask import Flask
from flask_login import login_user
from sqlalchemy import select

from bench.harness import BenchContext
from core.db import db
from core.models import Customer, User
from core.phones import normalize_phone

#: The core aim for both pages: at most twice the hand-written SQL.
GOAL = 2.0
CENT = Decimal("0.01")
PAGE_SIZE = 25

CUSTOMER_COLUMNS = (
    "c.id, c.external_id, c.name, c.company, c.email, c.phone, c.phone_normalized, c.country, "
    "c.region, c.city, c.channel, c.birthday, c.owner_id, c.tags, c.marketing_opt_out, "
    "c.notes, c.created_at, c.updated_at, u.id, u.name, u.email, u.role"
)
#: The list's search conditions, written by hand (what search_statement means).
NAME_SEARCH = (
    "(lower(c.name) LIKE :pattern OR lower(c.company) LIKE :pattern "
    "OR c.email LIKE :pattern OR c.external_id = :text)"
)


def money(value: Any) -> Decimal:
    """A money figure from either database as a two-place Decimal (SQLite gives floats)."""
    return Decimal(str(value or 0)).quantize(CENT)


def admin_of(app: Flask) -> User:
    """The data set's admin (the customer pages are timed as an admin sees them)."""
    with app.app_context():
        user = db.session.scalar(select(User).where(User.role == "admin").limit(1))
        assert user is not None
        db.session.expunge(user)
        return user


@contextmanager
def request_as(app: Flask, user: User, path: str) -> Iterator[None]:
    """A request context for path with the user logged in (what a view function runs under)."""
    with app.test_request_context(path):
        login_user(db.session.merge(user, load=False))
        yield


def fresh(func: Callable[[], Any]) -> Callable[[], Any]:
    """Call func on a new session each time, as each web request has its own."""

    def call() -> Any:
        db.session.remove()
        return func()

    return call


# -- customers list --------------------------------------------------------------------


Parameters = Callable[[], dict[str, Any]]


def search_cases(ctx: BenchContext) -> list[tuple[str, str, str, Parameters]]:
    """(benchmark, the page's query string, the reference's WHERE, its parameters) per search.

    The reference works out its parameters from what was typed on each call, as the page
    does (the phone search normalises the typed number with core.phones).
    """
    rows = ctx.sql(
        "SELECT id, phone, phone_normalized FROM customer "
        "WHERE country = 'DE' AND phone_normalized LIKE '+4930%' ORDER BY id LIMIT 1"
    )
    typed, normalized = rows[0][1], rows[0][2]
    # Search in another format than the one stored: "030 1234567" ↔ "+49 30 1234567".
    national = "0" + normalized[3:5] + " " + normalized[5:]
    other_format = (
        national
        if typed.startswith(("+", "00"))
        else "+49 " + normalized[3:5] + " " + normalized[5:]
    )
    return [
        (
            "customers_search_name",
            "q=schmi",
            NAME_SEARCH,
            lambda: {"pattern": "%schmi%", "text": "schmi"},
        ),
        (
            "customers_search_phone",
            f"q={other_format.replace('+', '%2B').replace(' ', '+')}",
            "c.phone_normalized = :phone",
            lambda: {"phone": normalize_phone(other_format, "DE")},
        ),
        (
            "customers_filter",
            "region=Bayern&channel=referral&tag=vip",
            "c.region = :region AND c.channel = :channel AND (',' || c.tags || ',') LIKE :tag",
            lambda: {"region": "Bayern", "channel": "referral", "tag": "%,vip,%"},
        ),
        ("customers_first_page", "", "1 = 1", dict),
    ]


def list_reference(ctx: BenchContext, where: str, parameters: Parameters) -> Callable[[], Any]:
    """Hand-written SQL for one page of the list: the count, then 25 rows by name with the owner."""
    count_sql = f"SELECT count(*) FROM customer c WHERE {where}"
    page_sql = (
        f'SELECT {CUSTOMER_COLUMNS} FROM customer c LEFT JOIN "user" u ON u.id = c.owner_id '
        f"WHERE {where} ORDER BY lower(c.name), c.id LIMIT {PAGE_SIZE} OFFSET 0"
    )

    def reference() -> tuple[int, list[int]]:
        values = parameters()
        total = ctx.sql(count_sql, values)[0][0]
        return total, [row[0] for row in ctx.sql(page_sql, values)]

    return reference


def list_search() -> tuple[int, list[int]]:
    """What the customers page runs for its table (search_statement + paginate) for this request."""
    from flask import request

    from core import customers as customer_service
    from core.views.common import int_arg, paginate

    filters = customer_service.CustomerFilters(
        query=request.args.get("q", ""),
        country=request.args.get("country", ""),
        region=request.args.get("region", ""),
        channel=request.args.get("channel", ""),
        owner_id=int_arg("owner"),
        tag=request.args.get("tag", ""),
    )
    order_by = customer_service.SORTS["name"].asc()
    page = paginate(customer_service.search_statement(filters).order_by(order_by, Customer.id))
    return int(page.total or 0), [customer.id for customer in page.items]


def bench_customers_list(ctx: BenchContext, app: Flask, admin: User) -> None:
    """The list's search by name fragment, by phone in another format, by filters, first page."""
    with app.app_context():
        cases = search_cases(ctx)
    for name, query_string, where, parameters in cases:
        if not ctx.wanted(name):
            continue
        with app.app_context(), request_as(app, admin, f"/customers/?{query_string}"):
            ctx.compare(
                name,
                fresh(list_search),
                "sql_" + name.removeprefix("customers_"),
                fresh(list_reference(ctx, where, parameters)),
                GOAL,
                same=lambda result: result,
            )


# -- customer page ---------------------------------------------------------------------


def page_summary(context: dict[str, Any]) -> tuple[Any, ...]:
    """What the customer page shows, reduced to comparable values (from the view's context)."""
    totals = context["order_totals"]
    timeline = [
        (event.title, event.at.replace(microsecond=0))
        for _, event in context["timeline"]
        if not isinstance(event, str)
    ]
    return (
        context["customer"].id,
        [
            (order.id, *_net_and_refunded(context["recent_nets"].get(order.id)))
            for order in context["recent_orders"]
        ],
        (totals["orders"], money(totals["net"]), money(totals["cost"]), money(totals["refunded"])),
        sorted(timeline),
    )


def _net_and_refunded(net: Any) -> tuple[Decimal, Decimal]:
    """An order's net after refunds and its refunded part, as the recent-orders table shows them."""
    return (net.net, net.refunded) if net is not None else (money(0), money(0))


def page_view(customer_id: int) -> tuple[Any, ...]:
    """Run the real view function (core.views.customers.detail), stopping before the template."""
    from core.views import customers as customer_views

    captured: dict[str, Any] = {}

    def capture(template: str, **context: Any) -> str:
        captured.update(context)
        return ""

    with mock.patch.object(customer_views, "render_template", capture):
        customer_views.detail(str(customer_id))
    return page_summary(captured)


PAGE_SQL = {
    "customer": (
        f'SELECT {CUSTOMER_COLUMNS} FROM customer c LEFT JOIN "user" u ON u.id = c.owner_id '
        "WHERE c.id = :customer"
    ),
    "recent": (
        "SELECT o.id, o.number, o.order_date, o.status, u.name, "
        "sum(CASE WHEN l.refunded_on IS NULL THEN l.net_amount ELSE 0 END), "
        "sum(CASE WHEN l.refunded_on IS NULL THEN 0 ELSE l.net_amount END) "
        'FROM (SELECT id, number, order_date, status, salesperson_id FROM "order" '
        "WHERE customer_id = :customer ORDER BY order_date DESC, id DESC LIMIT 20) o "
        'LEFT JOIN "user" u ON u.id = o.salesperson_id '
        "LEFT JOIN order_line l ON l.order_id = o.id "
        "GROUP BY o.id, o.number, o.order_date, o.status, u.name "
        "ORDER BY o.order_date DESC, o.id DESC"
    ),
    "totals": (
        "SELECT count(DISTINCT o.id), "
        "sum(CASE WHEN l.refunded_on IS NULL THEN l.net_amount ELSE 0 END), "
        "sum(CASE WHEN l.refunded_on IS NULL THEN l.cost_amount ELSE 0 END), "
        "sum(CASE WHEN l.refunded_on IS NULL THEN 0 ELSE l.net_amount END) "
        'FROM "order" o JOIN order_line l ON l.order_id = o.id '
        "WHERE o.customer_id = :customer AND o.status IN ('confirmed', 'refunded')"
    ),
    "timeline": (
        "SELECT o.id, o.number, o.status, o.order_date, o.confirmed_at, o.cancelled_at, "
        "sum(l.net_amount) "
        'FROM "order" o JOIN order_line l ON l.order_id = o.id '
        "WHERE o.id IN (TIMELINE_ORDERS) "
        "GROUP BY o.id, o.number, o.status, o.order_date, o.confirmed_at, o.cancelled_at"
    ),
    "refunds": (
        "SELECT DISTINCT order_id, refunded_on FROM order_line "
        "WHERE order_id IN (TIMELINE_ORDERS) AND refunded_on IS NOT NULL"
    ),
    "mail": (
        "SELECT id, created_at, subject, category, status FROM outbox "
        "WHERE customer_id = :customer AND created_at >= :since ORDER BY id DESC LIMIT 200"
    ),
}


#: The orders the timeline shows: the customer's 200 newest created in the last 365 days.
TIMELINE_ORDERS = (
    'SELECT id FROM "order" WHERE customer_id = :customer AND created_at >= :since '
    "ORDER BY id DESC LIMIT 200"
)
PAGE_SQL = {
    key: value.replace("TIMELINE_ORDERS", TIMELINE_ORDERS) for key, value in PAGE_SQL.items()
}


def _as_datetime(value: Any) -> dt.datetime | None:
    """A DateTime column from either driver (SQLite gives text)."""
    if value is None or isinstance(value, dt.datetime):
        return value
    return dt.datetime.fromisoformat(value)


def _as_date(value: Any) -> dt.date:
    """A Date column from either driver."""
    return value if isinstance(value, dt.date) else dt.date.fromisoformat(value)


def page_reference(ctx: BenchContext, customer_id: int) -> Callable[[], tuple[Any, ...]]:
    """Hand-written SQL fetching what the customer page shows, reduced like page_summary."""

    def reference() -> tuple[Any, ...]:
        since = dt.datetime.now() - dt.timedelta(days=365)
        values = {"customer": customer_id, "since": since}
        customer = ctx.sql(PAGE_SQL["customer"], values)[0]
        recent = ctx.sql(PAGE_SQL["recent"], values)
        count, net, cost, refunded = ctx.sql(PAGE_SQL["totals"], values)[0]
        events: list[tuple[str, dt.datetime | None]] = []
        numbers = {}
        for order_id, number, status, day, confirmed, cancelled, _ in ctx.sql(
            PAGE_SQL["timeline"], values
        ):
            numbers[order_id] = number
            at = _as_datetime(confirmed) or dt.datetime.combine(_as_date(day), dt.time())
            events.append((f"Order {number} ({status})", at))
            if cancelled is not None:
                events.append((f"Order {number} cancelled", _as_datetime(cancelled)))
        for order_id, day in ctx.sql(PAGE_SQL["refunds"], values):
            at = dt.datetime.combine(_as_date(day), dt.time(12))
            events.append((f"Refund on order {numbers[order_id]}", at))
        for row in ctx.sql(PAGE_SQL["mail"], values):
            events.append((f"E-mail: {row[2]}", _as_datetime(row[1])))
        return (
            customer[0],
            [(row[0], money(row[5]), money(row[6])) for row in recent],
            (count, money(net), money(cost), money(refunded)),
            sorted((title, at.replace(microsecond=0)) for title, at in events if at),
        )

    return reference


def bench_customer_page(ctx: BenchContext, app: Flask, admin: User) -> None:
    """The customer page of the busiest customer: the view's data, then the whole request."""
    customer_id = ctx.dataset.busiest_customer_id
    reference = fresh(page_reference(ctx, customer_id))
    if ctx.wanted("customer_page"):
        with app.app_context(), request_as(app, admin, f"/customers/{customer_id}"):
            ctx.compare(
                "customer_page",
                fresh(lambda: page_view(customer_id)),
                "sql_customer_page",
                reference,
                GOAL,
                same=lambda summary: summary,
            )
    if ctx.wanted("customer_page_request"):
        client = logged_in_client(app, admin)
        with app.app_context():
            ctx.compare(
                "customer_page_request",
                lambda: checked_get(client, f"/customers/{customer_id}"),
                "sql_customer_page",
                reference,
                GOAL,
            )


def logged_in_client(app: Flask, user: User) -> Any:
    """A test client with the user's session, as a browser after logging in."""
    client = app.test_client()
    with client.session_transaction() as session:
        session["_user_id"] = str(user.id)
        session["_fresh"] = True
    return client


def checked_get(client: Any, path: str) -> bytes:
    """GET a page; anything but 200 stops the benchmark (an error page is not a figure)."""
    response = client.get(path)
    if response.status_code != 200:
        raise RuntimeError(f"GET {path} answered {response.status_code}")
    return bytes(response.data)


LIST_PAGE_SQL = (
    'SELECT o.customer_id, count(o.id), max(o.order_date) FROM "order" o '
    "WHERE o.customer_id IN ({ids}) AND o.status IN ('confirmed', 'refunded') "
    "GROUP BY o.customer_id",
    "SELECT DISTINCT country FROM customer WHERE country != '' ORDER BY country",
    "SELECT DISTINCT region FROM customer WHERE region != '' ORDER BY region",
    "SELECT DISTINCT channel FROM customer WHERE channel != '' ORDER BY channel",
    "SELECT id, name, role FROM \"user\" WHERE active AND role IN ('sales', 'manager', "
    "'admin') ORDER BY name",
)


def bench_list_request(ctx: BenchContext, app: Flask, admin: User) -> None:
    """The whole customers page for a name search, against the SQL of everything it shows."""
    if not ctx.wanted("customers_list_request"):
        return
    with app.app_context():
        search = list_reference(ctx, NAME_SEARCH, lambda: {"pattern": "%schmi%", "text": "schmi"})

        def reference() -> list[Any]:
            total, ids = search()
            rows: list[Any] = [total]
            for statement in LIST_PAGE_SQL:
                rows.append(ctx.sql(statement.replace("{ids}", ",".join(map(str, ids)) or "0")))
            return rows

        client = logged_in_client(app, admin)
        ctx.compare(
            "customers_list_request",
            lambda: checked_get(client, "/customers/?q=schmi"),
            "sql_customers_list_page",
            fresh(reference),
            GOAL,
        )


def run_reads(ctx: BenchContext) -> None:
    """Every core read benchmark on the core-only app."""
    app = ctx.app(())
    admin = admin_of(app)
    bench_customers_list(ctx, app, admin)
    bench_list_request(ctx, app, admin)
    bench_customer_page(ctx, app, admin)
