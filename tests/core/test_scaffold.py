"""`clientele plugin new`: the package it writes is in the one shape, loads, and passes its own tests."""

from __future__ import annotations

import ast
import os
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest
from click.testing import CliRunner

from core.cli import main
from core.plugins import PUBLIC_MODULES
from core.scaffold import ScaffoldError, write_plugin

ROOT = Path(__file__).resolve().parents[2]


def install_without_network(project: Path, site: Path) -> None:
    """What `pip install -e project` leaves behind, made by hand: the sources on the path and a
    dist-info with the entry points the pyproject declares (the loader finds plugins by those)."""
    config = tomllib.loads((project / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    info = site / f"{config['name'].replace('-', '_')}-{config['version']}.dist-info"
    info.mkdir(parents=True)
    (info / "METADATA").write_text(
        f"Metadata-Version: 2.1\nName: {config['name']}\nVersion: {config['version']}\n"
    )
    lines = []
    for group, points in config["entry-points"].items():
        lines += [f"[{group}]", *(f"{key} = {value}" for key, value in points.items())]
    (info / "entry_points.txt").write_text("\n".join(lines) + "\n")


@pytest.mark.parametrize(
    "name", ["Pipeline", "2fast", "a", "with-dash", "class", "ends_", "x" * 40]
)
def test_names_that_cannot_be_plugin_names_are_refused(tmp_path, name):
    with pytest.raises(ScaffoldError, match="cannot be a plugin name"):
        write_plugin(name, tmp_path / "new")
    assert not (tmp_path / "new").exists()


def test_a_folder_with_files_is_never_written_into(tmp_path):
    (tmp_path / "notes.txt").write_text("mine")
    result = CliRunner().invoke(main, ["plugin", "new", "quotes", "--path", str(tmp_path)])
    assert result.exit_code == 1
    assert "already exists and is not an empty folder" in result.output
    assert [path.name for path in tmp_path.iterdir()] == ["notes.txt"]


def test_the_new_plugin_has_the_rooms_and_keeps_to_the_public_modules(tmp_path):
    write_plugin("quotes", tmp_path)
    package = tmp_path / "clientele_quotes"
    rooms = sorted(str(path.relative_to(package)) for path in package.rglob("*") if path.is_file())
    assert [room for room in rooms if not room.startswith("migrations/")] == [
        "__init__.py", "access.py", "hooks.py", "items.py", "models.py", "pages/__init__.py",
        "pages/index.py", "settings.py", "templates/quotes/index.html", "views.py",
    ]  # fmt: skip
    (migration,) = (package / "migrations").iterdir()
    assert 'branch_labels = ("quotes",)' in migration.read_text()
    pyproject = tomllib.loads((tmp_path / "pyproject.toml").read_text())
    assert pyproject["project"]["entry-points"]["clientele.plugins"] == {
        "quotes": "clientele_quotes"
    }
    for path in package.rglob("*.py"):
        tree = ast.parse(path.read_text())
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("core"):
                assert node.module in PUBLIC_MODULES, f"{path.name} imports {node.module}"


def test_the_new_plugin_loads_and_its_own_tests_pass(tmp_path):
    project, site = tmp_path / "clientele-quotes", tmp_path / "site"
    result = CliRunner().invoke(main, ["plugin", "new", "quotes", "--path", str(project)])
    assert result.exit_code == 0, result.output
    assert "Plugin quotes written to" in result.output
    install_without_network(project, site)
    environment = {
        key: value
        for key, value in os.environ.items()
        # The generated suite uses its own SQLite file, never this session's databases.
        if not key.startswith(("CLIENTELE_", "PYTEST_"))
    }
    environment["PYTHONPATH"] = os.pathsep.join([str(project), str(site), str(ROOT)])
    run = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-p", "no:xdist"],
        cwd=project,
        env=environment,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert run.returncode == 0, run.stdout + run.stderr
    assert "5 passed" in run.stdout
    for command in (["check"], ["format", "--check"]):  # the written code is clean as written
        lint = subprocess.run(
            [sys.executable, "-m", "ruff", *command, "--no-cache", "."],
            cwd=project,
            capture_output=True,
            text=True,
        )
        assert lint.returncode == 0, lint.stdout + lint.stderr
