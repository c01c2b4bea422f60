"""The test-only example plugin (tests/example_plugin) is offered to the tests without being
installed: its package folder and a generated distribution record go on sys.path and on
PYTHONPATH (for the server and worker processes tests start), so `.venv`, which `make run`
serves from, never sees it."""

from __future__ import annotations

import atexit
import os
import shutil
import sys
import tempfile
import tomllib
from pathlib import Path

EXAMPLE = Path(__file__).resolve().parent / "example_plugin"


def offer_example_plugin() -> list[str]:
    """Make `clientele_example` importable and its entry point findable; returns the folders."""
    project = tomllib.loads((EXAMPLE / "pyproject.toml").read_text())["project"]
    record = Path(tempfile.mkdtemp(prefix="clientele-example-"))
    atexit.register(shutil.rmtree, record, ignore_errors=True)
    info = record / f"{project['name'].replace('-', '_')}-{project['version']}.dist-info"
    info.mkdir()
    (info / "METADATA").write_text(
        f"Metadata-Version: 2.1\nName: {project['name']}\nVersion: {project['version']}\n"
    )
    lines = []
    for group, points in project.get("entry-points", {}).items():
        lines.append(f"[{group}]")
        lines += [f"{name} = {target}" for name, target in points.items()]
    (info / "entry_points.txt").write_text("\n".join(lines) + "\n")
    return [str(EXAMPLE), str(record)]


_folders = offer_example_plugin()
sys.path[:0] = _folders
os.environ["PYTHONPATH"] = os.pathsep.join(
    [*_folders, *filter(None, [os.environ.get("PYTHONPATH", "")])]
)
