"""The bulk path: `clientele import orders` + `order-lines` through the CLI, every plugin enabled.

The reference reads the same two files with the csv module, looks the keys up in three
queries, inserts the same rows with executemany and commits once: the fastest a
hand-written import could be. The goal is far past confirm_orders: 100× the peer's rate.
"""

from __future__ import annotations

import csv
import datetime as dt
import os
import random
import shutil
import statistics
import time
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

from flask import Flask

from bench.core_writes import PEER, business_plugins
from bench.harness import (
    PEER_LINES_PER_SECOND,
    RESULTS_DIR,
    BenchContext,
    BenchMismatch,
)
from core.db import db
from core.money import line_cost, line_net

#: "Far more" than confirm_orders' 10× the peer: 100× the peer.
IMPORT_TARGET_LINES_PER_SECOND = 100 * PEER_LINES_PER_SECOND
#: The goal as a ratio to the hand-written SQL, every plugin on.
IMPORT_GOAL = 2.0
#: Importing a million order lines must keep the process under this many megabytes.
MEMORY_LIMIT_MB = 500.0
MILLION = 1_000_000
LINES_PER_ORDER = 10
ORDER_COLUMNS = ("number", "customer_external_id", "salesperson_email", "order_date", "status")
LINE_COLUMNS = ("order_number", "sku", "quantity", "unit_price", "discount", "unit_cost")


@dataclass(frozen=True)
class ImportFiles:
    """One pair of CSV files to import, and how many lines they hold."""

    prefix: str
    orders: Path
    lines: Path
    line_count: int


def order_count(ctx: BenchContext) -> int:
    """10,000 orders (100,000 lines) at full scale, a tenth of that at small scale."""
    return max(100, ctx.dataset.order_lines // 10 // LINES_PER_ORDER)


def write_files(ctx: BenchContext, prefix: str, seed: str, orders: int) -> ImportFiles:
    """Write an orders file and its order-lines file; the same seed gives the same rows."""
    rng = random.Random(seed)
    customers = [row[0] for row in ctx.sql("SELECT external_id FROM customer ORDER BY id")]
    salespeople = [row[0] for row in ctx.sql("SELECT email FROM \"user\" WHERE role = 'sales'")]
    products = ctx.sql("SELECT sku, list_price, unit_cost FROM product WHERE active ORDER BY id")
    days = (ctx.dataset.end_date - ctx.dataset.start_date).days
    folder = import_folder()
    folder.mkdir(parents=True, exist_ok=True)
    orders_path, lines_path = folder / f"{prefix}-orders.csv", folder / f"{prefix}-lines.csv"
    lines = 0
    with orders_path.open("w", newline="") as orders_file, lines_path.open("w", newline="") as f:
        order_writer, line_writer = csv.writer(orders_file), csv.writer(f)
        order_writer.writerow(ORDER_COLUMNS)
        line_writer.writerow(LINE_COLUMNS)
        for number in range(1, orders + 1):
            order_number = f"{prefix}-{number:06d}"
            day = ctx.dataset.start_date.toordinal() + rng.randint(0, days)
            order_writer.writerow(
                (
                    order_number,
                    rng.choice(customers),
                    rng.choice(salespeople),
                    dt.date.fromordinal(day).isoformat(),
                    "confirmed",
                )
            )
            for sku, price, cost in rng.sample(products, LINES_PER_ORDER):
                discount = rng.choice(("", "0", "0.05", "0.1"))
                known_cost = f"{Decimal(str(cost)):.2f}" if rng.random() < 0.8 else ""
                line_writer.writerow(
                    (order_number, sku, rng.randint(1, 12), f"{Decimal(str(price)):.2f}")
                    + (discount, known_cost)
                )
                lines += 1
    return ImportFiles(prefix, orders_path, lines_path, lines)


def import_folder() -> Path:
    """Where this run writes its import files (removed when the benchmark ends)."""
    return RESULTS_DIR / f"import-{os.getpid()}"


def cli_import(app: Flask, files: ImportFiles) -> None:
    """Run `clientele import orders FILE` then `clientele import order-lines FILE`, as a user would."""
    from flask.cli import ScriptInfo

    from core.cli import main

    runner = app.test_cli_runner()
    for kind, path in (("orders", files.orders), ("order-lines", files.lines)):
        result = runner.invoke(
            main, ["import", kind, str(path)], obj=ScriptInfo(create_app=lambda: app)
        )
        if result.exit_code != 0:
            raise RuntimeError(f"clientele import {kind} failed:\n{result.output}")


def sql_import(ctx: BenchContext, files: ImportFiles) -> None:
    """The same rows by hand: read both files, three key look-ups, executemany, one commit."""
    customers = dict(ctx.sql("SELECT external_id, id FROM customer WHERE external_id IS NOT NULL"))
    users = dict(ctx.sql('SELECT email, id FROM "user"'))
    products = {row[0]: row[1:] for row in ctx.sql("SELECT sku, id, unit_cost FROM product")}
    with files.orders.open(newline="") as handle:
        orders = [
            {
                "number": row["number"],
                "customer": customers[row["customer_external_id"]],
                "salesperson": users[row["salesperson_email"]],
                "day": row["order_date"],
                "status": row["status"],
            }
            for row in csv.DictReader(handle)
        ]
    ctx.sql_many(
        'INSERT INTO "order" (number, customer_id, salesperson_id, order_date, status, notes, '
        "created_at, confirmed_at) VALUES (:number, :customer, :salesperson, :day, :status, '', "
        "CURRENT_TIMESTAMP, CURRENT_TIMESTAMP)",
        orders,
    )
    order_ids = dict(
        ctx.sql(
            'SELECT number, id FROM "order" WHERE number >= :low AND number < :high',
            {"low": f"{files.prefix}-", "high": f"{files.prefix}."},
        )
    )
    ctx.sql_many(_LINE_INSERT, _line_rows(files.lines, order_ids, products))
    db.session.commit()


_LINE_INSERT = (
    "INSERT INTO order_line (order_id, product_id, position, quantity, unit_price, discount, "
    "unit_cost, net_amount, cost_amount) VALUES (:order_id, :product_id, :position, :quantity, "
    ":unit_price, :discount, :unit_cost, :net_amount, :cost_amount)"
)


def _line_rows(
    path: Path, order_ids: dict[str, int], products: dict[str, Any]
) -> list[dict[str, Any]]:
    """The order_line rows of a lines file, with net and cost by the money rules."""
    rows = []
    positions: dict[str, int] = {}
    with path.open(newline="") as handle:
        for row in csv.DictReader(handle):
            product_id, current_cost = products[row["sku"]]
            quantity = Decimal(row["quantity"])
            price = Decimal(row["unit_price"])
            discount = Decimal(row["discount"] or "0")
            cost = Decimal(row["unit_cost"]) if row["unit_cost"] else Decimal(str(current_cost))
            positions[row["order_number"]] = positions.get(row["order_number"], 0) + 1
            rows.append(
                {
                    "order_id": order_ids[row["order_number"]],
                    "product_id": product_id,
                    "position": positions[row["order_number"]],
                    "quantity": quantity,
                    "unit_price": price,
                    "discount": discount,
                    "unit_cost": cost,
                    "net_amount": line_net(quantity, price, discount),
                    "cost_amount": line_cost(quantity, cost),
                }
            )
    return rows


def imported_totals(ctx: BenchContext, prefix: str) -> tuple[int, int, Decimal, Decimal]:
    """Orders, lines, net and cost written under an order-number prefix (to check both agree)."""
    orders, lines, net, cost = ctx.sql(
        'SELECT count(DISTINCT o.id), count(l.id), sum(l.net_amount), sum(l.cost_amount) FROM "order" o '
        "JOIN order_line l ON l.order_id = o.id WHERE o.number >= :low AND o.number < :high",
        {"low": f"{prefix}-", "high": f"{prefix}."},
    )[0]
    cent = Decimal("0.01")
    return orders, lines, Decimal(str(net)).quantize(cent), Decimal(str(cost)).quantize(cent)


def importer_available() -> str | None:
    """None when `clientele import` is there, else why not (the benchmark is then skipped)."""
    try:
        from core.cli import main
    except ImportError as error:
        return str(error)
    if "import" not in main.commands:
        return "the `clientele import` command does not exist yet"
    return None


def bench_import(ctx: BenchContext) -> None:
    """import_orders: orders + order-lines files through the CLI against the SQL inserts."""
    if not ctx.wanted("import_orders"):
        return
    missing = importer_available()
    if missing:
        ctx.note(f"SKIP import_orders: {missing}")
        return
    plugins = business_plugins(ctx)
    for name in plugins:
        ctx.backfill(name)
    orders = order_count(ctx)
    app = ctx.app(plugins)
    try:
        with app.app_context():
            cli_import(app, write_files(ctx, "IMPWARM", "warm-up", 100))
        with ctx.hook_time(app, ("orders_imported",)) as spent:
            real_times, reference_times = timed_imports(ctx, app, orders)
        with app.app_context():
            files = write_files(ctx, "IMPMEM", "memory", orders)
            db.session.remove()
            note_memory(ctx, orders * LINES_PER_ORDER, lambda: cli_import(app, files))
            if ctx.profiling:
                files = write_files(ctx, "IMPPROF", "profile", orders)
                db.session.remove()
                ctx.profile("import_orders", lambda: cli_import(app, files))
    finally:
        shutil.rmtree(import_folder(), ignore_errors=True)
    runs = len(real_times)
    shares = [f"all {statistics.median(real_times):.2f}s"]
    shares += [
        f"{plugin} {seconds / runs:.2f}s"
        for plugin, seconds in sorted(spent.items(), key=lambda item: -item[1])
    ]
    ctx.note(
        f"INFO import_orders per file pair of {orders} orders: {', '.join(shares)} "
        "(the rest is the core's import)"
    )
    ctx.report_rate(
        "import_orders",
        orders * LINES_PER_ORDER,
        statistics.median(real_times),
        "sql_insert_import",
        statistics.median(reference_times),
        IMPORT_GOAL,
        IMPORT_TARGET_LINES_PER_SECOND,
        peer=PEER,
    )


def resident_megabytes() -> float:
    """The process's resident memory now (Linux /proc; 0 elsewhere)."""
    try:
        pages = int(Path("/proc/self/statm").read_text().split()[1])
    except (OSError, IndexError, ValueError):
        return 0.0
    return pages * os.sysconf("SC_PAGE_SIZE") / 2**20


def note_memory(ctx: BenchContext, lines: int, run_import: Any) -> None:
    """Peak memory of one import: resident memory before it plus the peak tracemalloc sees.

    ru_maxrss would be the high-water mark of the whole bench run (data set generation
    included), so the import's own peak is the Python heap's growth during it. Below a
    million lines it is extrapolated linearly (an upper bound if the import streams), and the
    LIMIT line says which. Not timed: tracemalloc slows allocation down.
    """
    import resource
    import tracemalloc

    before = resident_megabytes()
    tracemalloc.start()
    try:
        run_import()
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    grown = peak / 2**20
    high_water = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    ctx.note(
        f"INFO import_orders memory: {before:.0f} MB resident before, Python heap peak "
        f"+{grown:.0f} MB for {lines} lines; process high-water mark {high_water:.0f} MB"
    )
    if lines >= MILLION:
        ctx.report_limit(
            "import_orders_memory", before + grown, MEMORY_LIMIT_MB, "MB", f"measured {lines}"
        )
    else:
        ctx.report_limit(
            "import_orders_memory",
            before + grown * MILLION / lines,
            MEMORY_LIMIT_MB,
            "MB",
            f"1M lines extrapolated linearly from {lines}",
        )


def timed_imports(ctx: BenchContext, app: Flask, orders: int) -> tuple[list[float], list[float]]:
    """Runs of the CLI import and of the SQL on new files of the same rows; their seconds."""
    real_times, reference_times = [], []
    with app.app_context():
        for run in range(min(ctx.repeat, 3)):
            seed = f"{ctx.dataset.seed}-import-{run}"
            real_files = write_files(ctx, f"IMP{run}", seed, orders)
            sql_files = write_files(ctx, f"IMPSQL{run}", seed, orders)
            db.session.remove()
            start = time.perf_counter()
            cli_import(app, real_files)
            real_times.append(time.perf_counter() - start)
            db.session.remove()
            start = time.perf_counter()
            sql_import(ctx, sql_files)
            reference_times.append(time.perf_counter() - start)
            mine, theirs = imported_totals(ctx, f"IMP{run}"), imported_totals(ctx, f"IMPSQL{run}")
            if mine != theirs:
                raise BenchMismatch(f"import_orders: the import wrote {mine}, the SQL {theirs}")
    return real_times, reference_times
