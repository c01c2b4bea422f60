"""Plugins import the core only through core.plugins.PUBLIC_MODULES, and each of those is documented."""

from __future__ import annotations

import ast
import importlib
from pathlib import Path

import pytest

from core.plugins import PUBLIC_MODULES

ROOT = Path(__file__).resolve().parents[2]
PLUGIN_FOLDERS = [
    *sorted(path for path in (ROOT / "plugins").iterdir() if (path / "__init__.py").is_file()),
    ROOT / "tests" / "example_plugin",
]


def core_imports(path: Path) -> list[tuple[int, str]]:
    """(line, core module) for each import of the core in a file; `from core import x` is core.x."""
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found += [
                (node.lineno, alias.name)
                for alias in node.names
                if alias.name.split(".")[0] == "core"
            ]
        elif isinstance(node, ast.ImportFrom) and not node.level and node.module:
            if node.module == "core":
                found += [(node.lineno, f"core.{alias.name}") for alias in node.names]
            elif node.module.startswith("core."):
                found.append((node.lineno, node.module))
    return found


def test_the_public_modules_exist_and_are_listed_once():
    assert len(set(PUBLIC_MODULES)) == len(PUBLIC_MODULES)
    for name in PUBLIC_MODULES:
        importlib.import_module(name)


def test_the_finder_reads_every_form_of_import(tmp_path):
    module = tmp_path / "m.py"
    module.write_text(
        "import core.jobs\nfrom core import dates\nfrom core.views.common import paginate\n"
        "from . import models\n\ndef f():\n    from core.demo import seed\n"
    )
    assert [name for _, name in core_imports(module)] == [
        "core.jobs", "core.dates", "core.views.common", "core.demo",
    ]  # fmt: skip


@pytest.mark.parametrize("folder", PLUGIN_FOLDERS, ids=lambda folder: folder.name)
def test_plugins_import_only_public_core_modules(folder):
    outside = [
        f"{path.relative_to(ROOT)}:{line} imports {name}"
        for path in sorted(folder.rglob("*.py"))
        if "migrations" not in path.parts
        for line, name in core_imports(path)
        if name not in PUBLIC_MODULES
    ]
    assert not outside, "not in core.plugins.PUBLIC_MODULES: " + "; ".join(outside)


def test_every_public_module_is_documented():
    text = (ROOT / "docs" / "plugins.md").read_text(encoding="utf-8")
    section = text.split("## What the core offers", 1)[1].split("\n## ", 1)[0]
    missing = [name for name in PUBLIC_MODULES if f"| `{name}` |" not in section]
    assert not missing, f"docs/plugins.md, 'What the core offers', does not describe {missing}"
