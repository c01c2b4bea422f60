"""Timing callables: a warm-up, then the median of several runs, each long enough to measure."""

from __future__ import annotations

import math
import statistics
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

#: A run repeats the callable until it lasts at least this long, so timer noise stays small.
MIN_RUN_SECONDS = 0.2
#: Never call a callable more than this many times in one run.
MAX_CALLS_PER_RUN = 2000


@dataclass(frozen=True)
class Timing:
    """Seconds per call of one callable: the median of the runs (what BENCH prints) and the best."""

    seconds: float
    best: float
    runs: int
    calls_per_run: int


def _run(func: Callable[[], Any], calls: int) -> float:
    """Seconds per call over one run of `calls` calls."""
    start = time.perf_counter()
    for _ in range(calls):
        func()
    return (time.perf_counter() - start) / calls


def calls_for(func: Callable[[], Any], number: int | None) -> int:
    """How many calls make one run: `number` when given, else enough to last MIN_RUN_SECONDS.

    Calling func here is also the warm-up (caches, compiled statements, the planner).
    """
    first = _run(func, 1)
    if number is not None:
        return number
    if first <= 0:
        return MAX_CALLS_PER_RUN
    return max(1, min(MAX_CALLS_PER_RUN, math.ceil(MIN_RUN_SECONDS / first)))


def measure(
    func: Callable[[], Any], repeat: int = 5, warmup: int = 1, number: int | None = None
) -> Timing:
    """Time func: `warmup` untimed calls, then `repeat` runs; the figure is the median per call."""
    for _ in range(max(0, warmup - 1)):
        func()
    calls = calls_for(func, number) if warmup > 0 else (number or 1)
    samples = [_run(func, calls) for _ in range(repeat)]
    return Timing(statistics.median(samples), min(samples), repeat, calls)


def measure_pair(
    func: Callable[[], Any],
    reference: Callable[[], Any],
    repeat: int = 5,
    warmup: int = 1,
    number: int | None = None,
) -> tuple[Timing, Timing]:
    """Time a callable and its reference with their runs interleaved, so drift hits both alike."""
    for _ in range(max(0, warmup - 1)):
        func()
        reference()
    calls = calls_for(func, number) if warmup > 0 else (number or 1)
    reference_calls = calls_for(reference, number) if warmup > 0 else (number or 1)
    samples: list[float] = []
    reference_samples: list[float] = []
    for _ in range(repeat):
        samples.append(_run(func, calls))
        reference_samples.append(_run(reference, reference_calls))
    return (
        Timing(statistics.median(samples), min(samples), repeat, calls),
        Timing(
            statistics.median(reference_samples), min(reference_samples), repeat, reference_calls
        ),
    )
