"""Dependency order: dependencies (and enabled soft dependencies) before dependents, ties by name."""

from __future__ import annotations

import heapq
from collections.abc import Mapping, Sequence

from core.plugins._api import PluginError


def dependency_order(edges: Mapping[str, Sequence[str]]) -> list[str]:
    """Topologically sort names so that each comes after everything in edges[name].

    ``edges`` maps every name to the names it must follow; all of them must be keys.
    Among names whose dependencies are done, the alphabetically first goes next, so the
    order never depends on dict or set iteration. A cycle raises PluginError showing it.
    """
    waiting_on = {name: set(before) for name, before in edges.items()}
    followers: dict[str, list[str]] = {name: [] for name in edges}
    for name, before in edges.items():
        for dependency in before:
            followers[dependency].append(name)
    ready = [name for name, deps in waiting_on.items() if not deps]
    heapq.heapify(ready)
    order: list[str] = []
    while ready:
        name = heapq.heappop(ready)
        order.append(name)
        for follower in followers[name]:
            waiting_on[follower].discard(name)
            if not waiting_on[follower]:
                heapq.heappush(ready, follower)
    if len(order) != len(edges):
        cycle = find_cycle({name: sorted(deps) for name, deps in waiting_on.items() if deps})
        raise PluginError(
            None,
            f"Plugin dependency cycle: {' -> '.join(cycle)}.",
            "Remove one of these 'depends' (or 'uses') entries.",
        )
    return order


def find_cycle(edges: Mapping[str, Sequence[str]]) -> list[str]:
    """Return one cycle as [a, b, ..., a] from a graph known to contain one."""
    for start in sorted(edges):
        path = [start]
        seen = {start}
        node = start
        while True:
            node = next(iter(edges[node]))
            if node in seen:
                return path[path.index(node) :] + [node]
            path.append(node)
            seen.add(node)
    return []
