"""`clientele plugin new NAME --path DIR`: write a new plugin package in the one shape (DESIGN §1).

The result installs with ``pip install -e DIR``, loads when NAME is added to
``[clientele].plugins`` (after ``clientele db upgrade``), and passes its own tests: the
contract check, the page's permissions and the settings object. docs/plugins.md explains
each file it writes.
"""

from __future__ import annotations

import datetime as dt
import keyword
import re
import secrets
from pathlib import Path
from string import Template

#: Plugin names: lowercase, starting with a letter, usable as a Python name and a table prefix.
NAME_PATTERN = re.compile(r"^[a-z][a-z0-9_]{1,30}$")
#: The core revision every plugin's first migration depends on (the core tables).
CORE_BASE_REVISION = "c0a1b2c3d4e5"


class ScaffoldError(ValueError):
    """The name or the folder cannot be used; the message says why."""


FILES: dict[str, str] = {
    "pyproject.toml": """\
[build-system]
requires = ["setuptools>=61"]
build-backend = "setuptools.build_meta"

[project]
name = "clientele-$dashed"
version = "0.1.0"
description = "$title: a Clientele plugin."
requires-python = ">=3.11"
dependencies = ["clientele"]

[project.entry-points."clientele.plugins"]
$name = "$package"

[tool.setuptools.packages.find]
include = ["$package*"]

[tool.setuptools.package-data]
$package = ["templates/**/*", "migrations/*.py"]

[tool.pytest.ini_options]
testpaths = ["tests"]
clientele_plugins = ["$name"]

[tool.ruff]
line-length = 100
target-version = "py311"

[tool.ruff.lint]
select = ["E", "F", "W", "I", "B", "UP", "SIM", "C4"]

[tool.ruff.lint.isort]
# Written like the plugins in Clientele's own tree: the plugin, then the core it builds on.
known-first-party = ["$package", "core"]
""",
    "README.md": """\
# $title

A Clientele plugin. Install it next to Clientele and enable it:

```sh
pip install -e .
# add "$name" to [clientele].plugins in the config file, then
clientele db upgrade
```

Its page is /$name/ (the "$title" menu entry, for managers and sales). Run its tests with
`pytest` in this folder. docs/plugins.md of Clientele explains every file.
""",
    "$package/__init__.py": '''\
"""$title: a Clientele plugin (the manifest; the hooks are in hooks.py)."""

from core.plugins import Manifest

manifest = Manifest(
    name="$name",
    version="0.1.0",
    summary="$title.",
    requires_core=">=0.1,<1",
)
''',
    "$package/hooks.py": '''\
"""The $name plugin's hook implementations: thin, they hand over to the modules named here."""

from __future__ import annotations

from flask import Blueprint

from $package import access, settings
from $package.views import bp
from core.models import User
from core.plugins import NavItem, Permission, Setting, hookimpl


@hookimpl
def blueprints() -> list[Blueprint]:
    return [bp]


@hookimpl
def permissions() -> list[Permission]:
    return access.PERMISSIONS


@hookimpl
def plugin_settings() -> list[Setting]:
    return settings.SCHEMA


@hookimpl
def nav_items(user: User) -> list[NavItem]:
    return [NavItem(settings.current().menu_label, "$name.index", access.VIEW, 500)]
''',
    "$package/access.py": '''\
"""Who may use the $name plugin: its permissions (admin holds every permission)."""

from __future__ import annotations

from core.plugins import Permission

VIEW = "$name.view"

PERMISSIONS = [Permission(VIEW, "See $title", ("manager", "sales"))]
''',
    "$package/settings.py": '''\
"""The [plugins.$name] settings: the schema, and current() as the one typed way to read them."""

from __future__ import annotations

from dataclasses import dataclass

from core.plugins import Setting, SettingError, settings_of


def _label(value: str) -> str:
    """A menu label: not empty, at most 30 characters."""
    if not value.strip() or len(value) > 30:
        raise SettingError("write a label of 1 to 30 characters")
    return value.strip()


SCHEMA = [
    Setting("menu_label", str, "$title", "the label of the plugin's menu entry", check=_label),
    Setting("page_size", int, 50, "rows shown on the plugin's page"),
]


@dataclass(frozen=True)
class ${Camel}Settings:
    """The checked [plugins.$name] table."""

    menu_label: str
    page_size: int


def current() -> ${Camel}Settings:
    """The current app's settings of the plugin (validated against SCHEMA at start-up)."""
    raw = settings_of("$name")
    return ${Camel}Settings(menu_label=raw["menu_label"], page_size=raw["page_size"])
''',
    "$package/models.py": '''\
"""The $name plugin's tables; their names start with "${name}_"."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import DateTime, String
from sqlalchemy.orm import Mapped, mapped_column

from core.db import db
from core.models import utcnow


class Item(db.Model):  # type: ignore[name-defined,misc]
    """One thing the plugin keeps."""

    __tablename__ = "${name}_item"

    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
''',
    "$package/items.py": '''\
"""The business logic of the plugin, without Flask: reading and adding items."""

from __future__ import annotations

from sqlalchemy import select

from $package.models import Item
from core.db import db


def newest(limit: int) -> list[Item]:
    """The newest items first."""
    return list(db.session.scalars(select(Item).order_by(Item.id.desc()).limit(limit)))


def add_item(title: str) -> Item:
    """Add an item (not committed); ValueError when the title is empty or too long."""
    title = title.strip()
    if not title or len(title) > 200:
        raise ValueError("Write a title of 1 to 200 characters.")
    item = Item(title=title)
    db.session.add(item)
    db.session.flush()
    return item
''',
    "$package/views.py": '''\
"""The Blueprint and the whole URL map of the $name plugin; the view functions are in pages/."""

from __future__ import annotations

from flask import Blueprint

from $package.pages import index

bp = Blueprint("$name", __name__, url_prefix="/$name", template_folder="templates")

bp.add_url_rule("/", view_func=index.index)
''',
    "$package/pages/__init__.py": '''\
"""The $name plugin's view functions, one module per page family (views.py maps the URLs)."""
''',
    "$package/pages/index.py": '''\
"""The plugin's main page."""

from __future__ import annotations

from flask import render_template

from $package import access, items, settings
from core.auth import permission_required


@permission_required(access.VIEW)
def index() -> str:
    """The newest items."""
    config = settings.current()
    return render_template(
        "$name/index.html", title=config.menu_label, items=items.newest(config.page_size)
    )
''',
    "$package/templates/$name/index.html": """\
{% extends "base.html" %}
{% block content %}
<h1 class="h3">{{ title }}</h1>
<ul class="list-unstyled" id="${name}-items">
{% for item in items %}
  <li>{{ item.title }}</li>
{% else %}
  <li class="text-muted">Nothing here yet.</li>
{% endfor %}
</ul>
{% endblock %}
""",
    "$package/migrations/${revision}_${name}_tables.py": '''\
"""$title: the ${name}_item table.

Revision ID: $revision
Revises:
Create Date: $date
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "$revision"
down_revision = None
branch_labels = ("$name",)
depends_on = "$core_revision"


def upgrade() -> None:
    op.create_table(
        "${name}_item",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_${name}_item")),
    )


def downgrade() -> None:
    op.drop_table("${name}_item")
''',
    "tests/test_$name.py": '''\
"""The $name plugin's own tests, on the fixtures Clientele ships (docs/testing.md)."""

import pytest

from $package import items, settings


def test_contract(check_plugin):
    report = check_plugin("$name")
    assert report.tables == ["${name}_item"]
    assert ("$name.index", "support", 403) in report.nav_checks


def test_the_page_lists_the_newest_items_first(client, login_as):
    items.add_item("First")
    items.add_item("Second")
    login_as("sales")
    page = client.get("/$name/").get_data(as_text=True)
    assert page.index("Second") < page.index("First")


def test_the_page_is_for_managers_and_sales(client, login_as):
    login_as("manager")
    assert client.get("/$name/").status_code == 200
    login_as("marketing")
    assert client.get("/$name/").status_code == 403


def test_an_empty_title_is_refused(db):
    with pytest.raises(ValueError, match="1 to 200 characters"):
        items.add_item("   ")
    assert items.newest(10) == []


def test_settings_are_read_as_one_object(app):
    assert settings.current() == settings.${Camel}Settings(menu_label="$title", page_size=50)
''',
}


def check_name(name: str) -> None:
    """Raise ScaffoldError unless name can be a plugin name."""
    if not NAME_PATTERN.match(name) or keyword.iskeyword(name) or name.endswith("_"):
        raise ScaffoldError(
            f"'{name}' cannot be a plugin name: use 2 to 31 lowercase letters, digits and "
            "underscores, starting with a letter (e.g. pipeline)."
        )


def write_plugin(name: str, path: Path, today: dt.date | None = None) -> list[Path]:
    """Write the package for plugin name into the folder path (new or empty); returns the files."""
    check_name(name)
    if path.exists() and (not path.is_dir() or any(path.iterdir())):
        raise ScaffoldError(f"{path} already exists and is not an empty folder; choose another.")
    values = {
        "name": name,
        "package": f"clientele_{name}",
        "dashed": name.replace("_", "-"),
        "title": name.replace("_", " ").capitalize(),
        "Camel": "".join(part.capitalize() for part in name.split("_")),
        "revision": secrets.token_hex(6),
        "core_revision": CORE_BASE_REVISION,
        "date": (today or dt.date.today()).isoformat(),
    }
    written = []
    for relative, text in FILES.items():
        target = path / Template(relative).substitute(values)
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(Template(text).substitute(values), encoding="utf-8")
        written.append(target)
    return written
