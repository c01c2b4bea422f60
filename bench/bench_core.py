"""The core's benchmarks: customers list search, customer page, confirm_orders, bulk imports.

Read benchmarks run on the core alone (plugins time their own panels and badges); the
write benchmarks enable every in-tree plugin that loads, as a company running all of them.
"""

from __future__ import annotations

from bench.core_import import bench_import
from bench.core_import_customers import bench_import_customers
from bench.core_reads import run_reads
from bench.core_writes import run_writes
from bench.harness import BenchContext

PLUGINS: tuple[str, ...] = ()
BENCHMARKS = (
    "customers_search_name",
    "customers_search_phone",
    "customers_filter",
    "customers_first_page",
    "customers_list_request",
    "customer_page",
    "customer_page_request",
    "confirm_orders_core",
    "confirm_orders",
    "import_orders",
    "import_customers_csv",
    "import_customers_xlsx",
)


def run(ctx: BenchContext) -> None:
    """Reads first, then the benchmarks that write."""
    run_reads(ctx)
    run_writes(ctx, extra=[bench_import, bench_import_customers])
