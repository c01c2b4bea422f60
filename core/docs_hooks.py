"""Generate docs/hooks.md from the hookspec docstrings: `python -m core.docs_hooks docs/hooks.md`."""

from __future__ import annotations

import importlib
import inspect
import sys
from collections.abc import Callable
from pathlib import Path
from types import ModuleType
from typing import Any

from core import hookspecs
from core.plugins._discovery import available_plugins, import_plugin

#: The distribution whose plugins' published hooks are documented here (the in-tree ones).
DISTRIBUTION = "clientele"

PUBLISHED_HEADER = """# Hooks published by plugins

A plugin may publish hooks of its own (`Manifest(hookspecs="<package>.hookspecs")`, see
docs/plugins.md, "Publishing hooks for other plugins"). The publisher calls them; implement
them with `@hookimpl(optionalhook=True)` and list the publisher in the manifest's `uses`, so
the implementing plugin loads whether or not the publisher is enabled."""

HEADER = """# Hook reference

Generated from `core/hookspecs.py` and the in-tree plugins' `hookspecs.py` by `make docs`
(`python -m core.docs_hooks docs/hooks.md`); do not edit by hand. A test fails when this file and the hookspecs disagree.

Hooks are called with keyword arguments; an implementation may accept only the arguments it
needs (never with default values). Implementations run core first, then plugins in
dependency order. **Display** hooks are isolated: one plugin's exception becomes an error box
and the page still renders (under `testing` the exception is re-raised). **Transactional**
hooks run inside the action's database transaction: raising rolls the whole action back.
See docs/plugins.md for writing a plugin.

| hook | kind |
| --- | --- |
"""

DISPLAY = {
    "nav_items",
    "customer_panels",
    "customer_badges",
    "customer_timeline",
    "dashboard_widgets",
}
TRANSACTIONAL = {
    "order_confirmed",
    "order_cancelled",
    "order_refunded",
    "orders_imported",
    "customer_created",
    "customer_updated",
    "seed_demo",
}


def hookspec_functions(module: ModuleType = hookspecs) -> list[tuple[str, Callable[..., Any]]]:
    """The hookspec functions of a module, in source order."""
    functions = [
        (name, value) for name, value in vars(module).items() if hasattr(value, "clientele_spec")
    ]
    return sorted(functions, key=lambda item: inspect.getsourcelines(item[1])[1])


def signature_of(name: str, function: Callable[..., Any]) -> str:
    """name(arg1, arg2): the exact call signature, without annotations."""
    parameters = inspect.signature(function).parameters
    return f"{name}({', '.join(parameters)})"


def typed_signature_of(name: str, function: Callable[..., Any]) -> str:
    """def name(arg: Type, ...) -> Result: the signature with the spec's annotations, as written."""
    signature = inspect.signature(function)  # annotations stay the strings written in the spec
    typed = ", ".join(f"{key}: {value.annotation}" for key, value in signature.parameters.items())
    return f"def {name}({typed}) -> {signature.return_annotation}"


def kind_of(name: str) -> str:
    """display, transactional or start-up."""
    if name in DISPLAY:
        return "display (isolated)"
    if name in TRANSACTIONAL:
        return "transactional (not isolated)"
    return "start-up (not isolated)"


def published_hookspecs() -> list[tuple[str, ModuleType]]:
    """(plugin name, hookspecs module) of each plugin shipped with Clientele that publishes hooks."""
    published = []
    for name, plugin in available_plugins().items():
        if plugin.distribution != DISTRIBUTION:
            continue
        _, manifest = import_plugin(plugin)
        if manifest.hookspecs:
            published.append((name, importlib.import_module(manifest.hookspecs)))
    return published


def _sections(functions: list[tuple[str, Callable[..., Any]]]) -> list[str]:
    """One "## name" section per hook: the typed signature and the docstring."""
    lines: list[str] = []
    for name, function in functions:
        lines += ["", f"## {name}", "", "```python", typed_signature_of(name, function), "```", ""]
        lines.append(inspect.cleandoc(function.__doc__ or ""))
    return lines


def render() -> str:
    """The whole docs/hooks.md text: the core's hooks, then the ones plugins publish."""
    functions = hookspec_functions()
    lines = [HEADER.rstrip("\n")]
    lines += [
        f"| [`{signature_of(name, function)}`](#{name}) | {kind_of(name)} |"
        for name, function in functions
    ]
    lines += _sections(functions)
    published = published_hookspecs()
    if published:
        lines += ["", PUBLISHED_HEADER, "", "| hook | published by |", "| --- | --- |"]
        lines += [
            f"| [`{signature_of(name, function)}`](#{name}) | {plugin} (`{module.__name__}`) |"
            for plugin, module in published
            for name, function in hookspec_functions(module)
        ]
        for _, module in published:
            lines += _sections(hookspec_functions(module))
    return "\n".join(lines) + "\n"


def main(argv: list[str]) -> int:
    """Write the reference to the path given (or print it)."""
    text = render()
    if len(argv) > 1:
        Path(argv[1]).write_text(text, encoding="utf-8")
    else:
        sys.stdout.write(text)
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv))
