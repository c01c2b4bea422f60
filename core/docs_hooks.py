"""Generate docs/hooks.md from the hookspec docstrings: `python -m core.docs_hooks docs/hooks.md`."""

from __future__ import annotations

import inspect
import sys
from collections.abc import Callable
from pathlib import Path
from types import ModuleType
from typing import Any

from core import hookspecs

HEADER = """# Hook reference

Generated from `core/hookspecs.py` by `make docs` (`python -m core.docs_hooks docs/hooks.md`);
do not edit by hand. A test fails when this file and the hookspecs disagree.

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


def render() -> str:
    """The whole docs/hooks.md text."""
    functions = hookspec_functions()
    lines = [HEADER.rstrip("\n")]
    lines += [
        f"| [`{signature_of(name, function)}`](#{name}) | {kind_of(name)} |"
        for name, function in functions
    ]
    for name, function in functions:
        lines += ["", f"## {name}", "", "```python", typed_signature_of(name, function), "```", ""]
        lines.append(inspect.cleandoc(function.__doc__ or ""))
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
