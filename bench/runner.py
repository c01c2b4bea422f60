"""`python -m bench`: prepare the data set, run every bench/bench_*.py module, print the lines."""

from __future__ import annotations

import argparse
import importlib
import logging
import pkgutil
import signal
import sys
import time
import traceback
from collections.abc import Sequence
from pathlib import Path
from types import ModuleType

from bench import databases
from bench.data import SCALES
from bench.harness import RESULTS_DIR, BenchContext, BenchMismatch, SkipBenchmark

PACKAGE_DIR = Path(__file__).resolve().parent
#: bench_core runs last: its write benchmarks add orders that other modules need not see.
LAST = ("bench_core",)


def parse_arguments(argv: Sequence[str] | None) -> argparse.Namespace:
    """The command line (see bench/README.md)."""
    parser = argparse.ArgumentParser(
        prog="python -m bench", description="Run Clientele's benchmarks and print BENCH lines."
    )
    parser.add_argument("--database", choices=("sqlite", "postgresql"), default="sqlite")
    parser.add_argument("--scale", choices=sorted(SCALES), default="full")
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument(
        "--only",
        action="append",
        default=[],
        metavar="NAME",
        help="a module (core, loyalty, ...) or a benchmark name pattern (customers_*); repeatable",
    )
    parser.add_argument("--repeat", type=int, default=5, help="timed runs per figure (median)")
    parser.add_argument("--regenerate", action="store_true", help="rebuild the cached data set")
    parser.add_argument(
        "--postgresql-url",
        default=None,
        help=f"working database (default ${databases.POSTGRESQL_URL_ENV} or "
        f"{databases.DEFAULT_POSTGRESQL_URL})",
    )
    parser.add_argument(
        "--keep",
        action="store_true",
        help="keep this run's working copy of the data set (to look into it afterwards)",
    )
    parser.add_argument(
        "--profile",
        action="store_true",
        help="run each benchmark's real path once more under pyinstrument (PROFILE lines, "
        "bench/results/profiles/)",
    )
    parser.add_argument(
        "--strict", action="store_true", help="exit with status 2 when a ratio misses its goal"
    )
    return parser.parse_args(argv)


def discover() -> list[str]:
    """The benchmark modules' names: bench_*.py in name order, bench_core last."""
    names = sorted(
        info.name
        for info in pkgutil.iter_modules([str(PACKAGE_DIR)])
        if info.name.startswith("bench_")
    )
    return [name for name in names if name not in LAST] + [name for name in LAST if name in names]


def selected(modules: Sequence[str], only: Sequence[str]) -> list[str]:
    """Modules to run: those --only names, or all when a pattern names no module (benchmarks)."""
    if not only:
        return list(modules)
    named = [
        module for module in modules if module in only or module.removeprefix("bench_") in only
    ]
    patterns = [
        pattern for pattern in only if pattern not in modules and f"bench_{pattern}" not in modules
    ]
    return [module for module in modules if module in named or patterns]


def run_module(ctx: BenchContext, name: str) -> str:
    """Import and run one module; returns "ok", "skipped", "error" or "not selected" (never raises).

    A module declaring BENCHMARKS (its benchmark names) is not run at all when --only
    matches none of them, so its set-up is not paid for nothing.
    """
    ctx.module = name.removeprefix("bench_")
    try:
        module: ModuleType = importlib.import_module(f"bench.{name}")
    except ImportError as error:
        print(f"SKIP {name}: cannot import it ({error})", flush=True)
        return "skipped"
    names = tuple(getattr(module, "BENCHMARKS", ()))
    if names and not any(ctx.wanted(benchmark) for benchmark in names):
        return "not selected"
    try:
        plugins = tuple(getattr(module, "PLUGINS", ()))
        if plugins:
            ctx.app(plugins)  # skips the module when a plugin cannot be enabled
        module.run(ctx)
    except SkipBenchmark as reason:
        print(f"SKIP {name}: {reason}", flush=True)
        return "skipped"
    except BenchMismatch as error:
        print(f"ERROR {name}: {error}", flush=True)
        return "error"
    except Exception:
        print(f"ERROR {name}:\n{traceback.format_exc()}", flush=True)
        return "error"
    return "ok"


def main(argv: Sequence[str] | None = None) -> int:
    """Prepare the data set, run the modules, print a summary; the exit status says what failed."""
    arguments = parse_arguments(argv)
    logging.basicConfig(level=logging.WARNING)
    # A terminated run still removes its working copy (the finally below runs on SystemExit).
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(128 + signal.SIGTERM))
    scale = SCALES[arguments.scale]
    started = time.perf_counter()
    if arguments.database == "sqlite":
        url, dataset = databases.prepare_sqlite(scale, arguments.seed, arguments.regenerate)
    else:
        url, dataset = databases.prepare_postgresql(
            scale,
            arguments.seed,
            databases.postgresql_url(arguments.postgresql_url),
            arguments.regenerate,
        )
    ctx = BenchContext(
        arguments.database,
        url,
        scale,
        dataset,
        arguments.only,
        max(1, arguments.repeat),
        profile=arguments.profile,
    )
    try:
        return _run(ctx, arguments, started)
    finally:
        ctx.close()
        if arguments.keep:
            print(f"INFO kept the working copy: {url}", flush=True)
        elif arguments.database == "sqlite":
            databases.remove_sqlite_working_copy(scale, arguments.seed)
        else:
            databases.remove_postgresql_working_database(
                databases.postgresql_url(arguments.postgresql_url)
            )


def _run(ctx: BenchContext, arguments: argparse.Namespace, started: float) -> int:
    """Run the selected modules on the prepared context and print the summary."""
    scale, dataset = ctx.scale, ctx.dataset
    print(
        f"INFO database={arguments.database} scale={scale.name} seed={dataset.seed} "
        f"customers={dataset.customers} products={dataset.products} orders={dataset.orders} "
        f"order_lines={dataset.order_lines} end_date={dataset.end_date} "
        f"timing=median-of-{ctx.repeat}",
        flush=True,
    )
    outcomes = {name: run_module(ctx, name) for name in selected(discover(), arguments.only)}
    outcomes = {name: outcome for name, outcome in outcomes.items() if outcome != "not selected"}
    ctx.save(RESULTS_DIR / f"last-{arguments.database}-{scale.name}.json")
    return _summary(ctx, outcomes, time.perf_counter() - started, arguments.strict)


def _summary(ctx: BenchContext, outcomes: dict[str, str], seconds: float, strict: bool) -> int:
    """Print what missed its goal and the counts; 1 on errors, 2 on misses under --strict."""
    missed = [record for record in ctx.records if not record.met]
    for record in missed:
        print(f"MISS {record.name} ratio={record.ratio:.2f} goal={record.goal:.2f}", flush=True)
    over = [limit for limit in ctx.limits if not limit[4]]
    for name, value, limit, unit, _ in over:
        print(f"MISS {name} {value:.0f}{unit} limit={limit:.0f}{unit}", flush=True)
    errors = sum(outcome == "error" for outcome in outcomes.values())
    skipped = sum(outcome == "skipped" for outcome in outcomes.values())
    print(
        f"SUMMARY {len(ctx.records)} benchmarks, {len(ctx.records) - len(missed)} within goal, "
        f"{len(missed)} missed; modules: {len(outcomes)} run, {skipped} skipped, {errors} failed; "
        f"{seconds:.0f}s",
        flush=True,
    )
    if errors:
        return 1
    return 2 if strict and (missed or over) else 0


if __name__ == "__main__":
    sys.exit(main())
