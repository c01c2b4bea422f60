"""The import graph: no cycle inside core/ or inside any plugin, imports inside functions included.

A module that imports another only inside a function still depends on it, so those imports are
edges too: a cycle that is hidden in a function is a cycle that a refactoring will trip over.
Imports under ``if TYPE_CHECKING:`` are left out (they never run).
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PLUGINS = sorted(
    path.name for path in (ROOT / "plugins").iterdir() if (path / "__init__.py").is_file()
)


def module_name(path: Path) -> str:
    """plugins/loyalty/views.py → plugins.loyalty.views; a package's __init__ is the package."""
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def source_files(package: str) -> list[Path]:
    """The package's Python files, migrations left out (Alembic loads them by path)."""
    folder = ROOT.joinpath(*package.split("."))
    return [path for path in sorted(folder.rglob("*.py")) if "migrations" not in path.parts]


def _is_type_checking(node: ast.If) -> bool:
    test = node.test
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"
    )


def imported_modules(path: Path, modules: set[str]) -> set[str]:
    """The project modules path imports (at any depth), resolved against the known module names."""
    name = module_name(path)
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    found: set[str] = set()

    def resolve(target: str) -> None:
        # `from a.b import c` may name module a.b.c or an attribute c of a.b.
        while target and target not in modules:
            target = target.rpartition(".")[0]
        if target and target != name:
            found.add(target)

    def visit(node: ast.AST) -> None:
        for child in ast.iter_child_nodes(node):
            if isinstance(child, ast.If) and _is_type_checking(child):
                for other in child.orelse:
                    visit(other)
                continue
            if isinstance(child, ast.Import):
                for alias in child.names:
                    resolve(alias.name)
            elif isinstance(child, ast.ImportFrom):
                base = child.module or ""
                if child.level:
                    anchor = package.split(".")
                    anchor = anchor[: len(anchor) - (child.level - 1)]
                    base = ".".join([*anchor, base] if base else anchor)
                for alias in child.names:
                    resolve(f"{base}.{alias.name}")
            visit(child)

    visit(ast.parse(path.read_text(encoding="utf-8")))
    return found


def import_graph(package: str) -> dict[str, set[str]]:
    """module → the modules of the same package it imports."""
    files = source_files(package)
    modules = {module_name(path) for path in files}
    return {module_name(path): imported_modules(path, modules) for path in files}


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """The strongly connected components with more than one module (Tarjan's algorithm)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def connect(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for target in sorted(graph.get(node, ())):
            if target not in index:
                connect(target)
                low[node] = min(low[node], low[target])
            elif target in on_stack:
                low[node] = min(low[node], index[target])
        if low[node] == index[node]:
            component = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                component.append(member)
                if member == node:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for node in sorted(graph):
        if node not in index:
            connect(node)
    return found


def describe(graph: dict[str, set[str]], component: list[str]) -> str:
    """The edges inside one cycle, for the failure message."""
    members = set(component)
    edges = [f"{a} → {b}" for a in component for b in sorted(graph[a] & members)]
    return "; ".join(edges)


def test_the_cycle_finder_finds_a_cycle():
    graph = {"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}
    assert cycles(graph) == [["a", "b", "c"]]
    assert cycles({"a": {"b"}, "b": set()}) == []


def test_function_level_imports_are_edges():
    graph = import_graph("plugins.service_desk")
    # hooks.py imports the jobs only inside scheduled_jobs(); it is an edge all the same.
    assert "plugins.service_desk.jobs" in graph["plugins.service_desk.hooks"]


@pytest.mark.parametrize("package", ["core", *(f"plugins.{name}" for name in PLUGINS)])
def test_no_import_cycle(package):
    graph = import_graph(package)
    found = cycles(graph)
    assert not found, f"import cycles in {package}: " + " | ".join(
        describe(graph, component) for component in found
    )
