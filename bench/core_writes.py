"""Core write benchmarks: confirming orders one by one, against the direct SQL inserts of the same rows.

The goals are ratios to that SQL: at most 1.5× on the core alone, 2.5× with every plugin.
The peer, for information, is Tryton 8.2 on this kind of 2-core machine: invoices created
and posted with commission accrual at about 65 lines/s; the RATE line shows the 10× target.
"""

from __future__ import annotations

import datetime as dt
import itertools
import random
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from sqlalchemy import select

from bench.harness import (
    CONFIRM_TARGET_LINES_PER_SECOND,
    PEER_LINES_PER_SECOND,
    BenchContext,
    BenchMismatch,
    SkipBenchmark,
)
from bench.plugin_writes import LEFT_OUT, OrderFacts, PluginWrite, plugin_writers
from core.db import db
from core.models import Customer, Product, User, utcnow
from core.money import line_cost, line_net

ORDERS_PER_BATCH = 100
LINES_PER_ORDER = 10
PEER = f"tryton-8.2 {PEER_LINES_PER_SECOND:.0f} lines/s"


def business_plugins(ctx: BenchContext) -> list[str]:
    """The in-tree plugins that can be enabled here (each tried alone, then all together)."""
    from core.plugins._discovery import available_plugins

    loadable = []
    for name, plugin in available_plugins().items():
        if not plugin.module.startswith("plugins."):
            continue  # third-party and example plugins are not part of the product
        try:
            ctx.app([name])
        except SkipBenchmark as reason:
            ctx.note(f"INFO plugin {name} left out: {reason}")
            continue
        loadable.append(name)
    return loadable


@dataclass(frozen=True)
class PlannedOrder:
    """An order to enter: customer, salesperson and lines (product id, quantity, price, discount)."""

    customer_id: int
    salesperson_id: int
    lines: tuple[tuple[int, Decimal, Decimal | None, Decimal], ...]


def plan_orders(ctx: BenchContext, rng: random.Random, count: int) -> list[PlannedOrder]:
    """Orders of 10 lines for owned customers, sold by their owner, drawn from the data set."""
    customers = ctx.sql(
        "SELECT id, owner_id FROM customer WHERE owner_id IS NOT NULL ORDER BY id LIMIT 5000"
    )
    products = [row[0] for row in ctx.sql("SELECT id FROM product WHERE active ORDER BY id")]
    discounts = (Decimal("0"), Decimal("0"), Decimal("0.05"), Decimal("0.1"))
    planned = []
    for _ in range(count):
        customer_id, owner_id = rng.choice(customers)
        lines = tuple(
            (
                product_id,
                Decimal(rng.randint(1, 12)),
                None if rng.random() < 0.7 else Decimal(rng.randint(100, 9000)).scaleb(-2),
                rng.choice(discounts),
            )
            for product_id in rng.sample(products, LINES_PER_ORDER)
        )
        planned.append(PlannedOrder(customer_id, owner_id, lines))
    return planned


def confirm_one(plan: PlannedOrder, number: str, day: dt.date) -> None:
    """Enter and confirm one order through core.orders and commit, as the order page does."""
    from core import orders

    customer = db.session.get(Customer, plan.customer_id)
    salesperson = db.session.get(User, plan.salesperson_id)
    ids = [line[0] for line in plan.lines]
    products = {
        product.id: product
        for product in db.session.scalars(select(Product).where(Product.id.in_(ids)))
    }
    assert customer is not None and salesperson is not None
    inputs = [
        orders.LineInput(products[product_id], quantity, price, discount)
        for product_id, quantity, price, discount in plan.lines
    ]
    order = orders.create_order(customer, salesperson, inputs, order_date=day, number=number)
    orders.confirm(order)
    db.session.commit()


ORDER_INSERT = (
    'INSERT INTO "order" (number, customer_id, salesperson_id, order_date, status, notes, '
    "created_at, confirmed_at) VALUES (:number, :customer, :salesperson, :day, 'confirmed', '', "
    ":now, :now) RETURNING id"
)
LINE_INSERT = (
    "INSERT INTO order_line (order_id, product_id, position, quantity, unit_price, discount, "
    "unit_cost, net_amount, cost_amount) VALUES (:order_id, :product_id, :position, :quantity, "
    ":unit_price, :discount, :unit_cost, :net_amount, :cost_amount)"
)


def insert_one(
    ctx: BenchContext,
    plan: PlannedOrder,
    number: str,
    day: dt.date,
    writers: Sequence[PluginWrite] = (),
) -> None:
    """The same rows by hand: read the 10 prices and costs, insert the order and its lines,
    write what each enabled plugin writes for it (bench.plugin_writes), commit."""
    ids = ",".join(str(line[0]) for line in plan.lines)
    prices = {
        row[0]: (Decimal(str(row[1])), Decimal(str(row[2])))
        for row in ctx.sql(f"SELECT id, list_price, unit_cost FROM product WHERE id IN ({ids})")
    }
    now = utcnow()
    values = {
        "number": number,
        "customer": plan.customer_id,
        "salesperson": plan.salesperson_id,
        "day": day,
        "now": now,
    }
    order_id = ctx.sql(ORDER_INSERT, values)[0][0]
    rows = []
    for position, (product_id, quantity, price, discount) in enumerate(plan.lines, start=1):
        list_price, unit_cost = prices[product_id]
        unit_price = list_price if price is None else price
        rows.append(
            {
                "order_id": order_id,
                "product_id": product_id,
                "position": position,
                "quantity": quantity,
                "unit_price": unit_price,
                "discount": discount,
                "unit_cost": unit_cost,
                "net_amount": line_net(quantity, unit_price, discount),
                "cost_amount": line_cost(quantity, unit_cost),
            }
        )
    ctx.sql_many(LINE_INSERT, rows)
    if writers:
        facts = OrderFacts(order_id, plan.customer_id, plan.salesperson_id, day, rows, prices)
        for write in writers:
            write(ctx, facts)
    db.session.commit()


def batches(
    ctx: BenchContext,
    prefix: str,
    runs: int,
    enter: Callable[[PlannedOrder, str, dt.date], None],
) -> Callable[[], None]:
    """A callable entering the next planned batch one order at a time, numbered prefix-N.

    The batches are planned before timing starts (the same orders for the real path and
    for the reference, as both use the same seed).
    """
    rng = random.Random(ctx.dataset.seed)
    planned = iter([plan_orders(ctx, rng, ORDERS_PER_BATCH) for _ in range(runs)])
    counter = itertools.count(1)
    day = ctx.dataset.end_date

    def batch() -> None:
        for plan in next(planned):
            enter(plan, f"{prefix}-{next(counter):06d}", day)

    return batch


ORDER_HOOKS = ("order_confirmed", "customer_updated")
#: Goals of issue 16, as ratios to the hand-written SQL: the core alone at most 1.5× the
#: direct inserts, every plugin on at most 2.5×.
CORE_GOAL = 1.5
ALL_PLUGINS_GOAL = 2.5


def confirm_rates(ctx: BenchContext, name: str, plugins: Sequence[str], goal: float) -> None:
    """Time batches through core.orders and through direct SQL; report the rate and where time goes."""
    repeat = min(ctx.repeat, 3)
    with ctx.using(plugins) as app:
        real = batches(ctx, f"BENCH-{name}", repeat + 2, confirm_one)
        writers = plugin_writers(ctx, plugins)
        if writers:
            ctx.note(f"INFO {name} reference writes the rows of {', '.join(plugins)}; {LEFT_OUT}")
        reference = batches(
            ctx,
            f"BENCHSQL-{name}",
            repeat + 1,
            lambda plan, number, day: insert_one(ctx, plan, number, day, writers),
        )
        with ctx.hook_time(app, ORDER_HOOKS) as spent:
            real_seconds = ctx.measure(real, repeat=repeat, number=1).seconds
        reference_seconds = ctx.measure(reference, repeat=repeat, number=1).seconds
        if "sales_commission" in plugins:
            check_commission(ctx, name)
        ctx.profile(name, real)
    orders_timed = ORDERS_PER_BATCH * (repeat + 1)
    hooks = sum(seconds for plugin, seconds in spent.items() if plugin != "core")
    shares = [f"all {1000 * real_seconds / ORDERS_PER_BATCH:.1f}ms"]
    shares.append(f"core {1000 * (real_seconds / ORDERS_PER_BATCH - hooks / orders_timed):.1f}ms")
    shares += [
        f"{plugin} {1000 * seconds / orders_timed:.1f}ms"
        for plugin, seconds in sorted(spent.items(), key=lambda item: -item[1])
        if plugin != "core"
    ]
    ctx.note(f"INFO {name} per order: {', '.join(shares)}")
    ctx.report_rate(
        name,
        ORDERS_PER_BATCH * LINES_PER_ORDER,
        real_seconds,
        "sql_insert_orders" if not writers else "sql_insert_orders_and_plugin_rows",
        reference_seconds,
        goal,
        CONFIRM_TARGET_LINES_PER_SECOND,
        peer=PEER,
    )


def check_commission(ctx: BenchContext, name: str) -> None:
    """The reference's commission entries are the real path's: count and total of the same orders."""
    totals = [
        ctx.sql(
            'SELECT count(*), sum(e.amount) FROM sales_commission_entry e JOIN "order" o '
            "ON o.id = e.order_id WHERE o.number >= :low AND o.number < :high",
            {"low": f"{prefix}-", "high": f"{prefix}."},
        )[0]
        for prefix in (f"BENCH-{name}", f"BENCHSQL-{name}")
    ]
    mine, theirs = (
        (count, Decimal(str(total or 0)).quantize(Decimal("0.01"))) for count, total in totals
    )
    if mine != theirs:
        raise BenchMismatch(f"{name}: commission entries {mine}, the reference's {theirs}")


def note_commit_latency(ctx: BenchContext) -> None:
    """Say what one tiny write transaction costs here: each order pays it once (fsync on PostgreSQL)."""
    with ctx.using(()):

        def tiny_transaction() -> None:
            ctx.sql('UPDATE "user" SET active = active WHERE id = 1')
            db.session.commit()

        seconds = ctx.measure(tiny_transaction, repeat=5, number=20).seconds
    ceiling = LINES_PER_ORDER / seconds
    ctx.note(
        f"INFO commit latency {1000 * seconds:.2f}ms per transaction: one order per transaction "
        f"of {LINES_PER_ORDER} lines cannot go past {ceiling:.0f} lines/s on this disk"
    )


def bench_confirm_orders(ctx: BenchContext) -> None:
    """confirm_orders: 10-line orders entered and confirmed one by one with every plugin enabled.

    confirm_orders_core is the same on the core alone: the share that is not the plugins'.
    """
    if ctx.wanted("confirm_orders_core") or ctx.wanted("confirm_orders"):
        note_commit_latency(ctx)
    if ctx.wanted("confirm_orders_core"):
        confirm_rates(ctx, "confirm_orders_core", (), CORE_GOAL)
    if not ctx.wanted("confirm_orders"):
        return
    plugins = business_plugins(ctx)
    for name in plugins:
        ctx.backfill(name)
    ctx.note(f"INFO confirm_orders plugins={','.join(plugins) or 'none'}")
    confirm_rates(ctx, "confirm_orders", plugins, ALL_PLUGINS_GOAL)


def run_writes(ctx: BenchContext, extra: Sequence[Callable[[BenchContext], Any]] = ()) -> None:
    """Every core write benchmark."""
    bench_confirm_orders(ctx)
    for bench in extra:
        bench(ctx)
