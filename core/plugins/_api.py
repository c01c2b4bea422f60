"""What a plugin builds with: markers, the manifest, and the small value types hooks return."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

import pluggy

PROJECT_NAME = "clientele"
NAME_PATTERN = re.compile(r"^[a-z][a-z0-9_]*$")

#: Marks a function in a hookspec module as a hook specification.
hookspec = pluggy.HookspecMarker(PROJECT_NAME)
#: Marks a plugin function as an implementation of a hook.
hookimpl = pluggy.HookimplMarker(PROJECT_NAME)


class PluginError(Exception):
    """A plugin cannot be loaded or used; the message names the plugin and the fix."""

    def __init__(self, plugin: str | None, message: str, fix: str = "") -> None:
        self.plugin = plugin
        self.message = message
        self.fix = fix
        text = f"Plugin '{plugin}': {message}" if plugin else message
        super().__init__(f"{text} {fix}".strip())


@dataclass(frozen=True)
class Manifest:
    """What a plugin is and what it needs; the module-level ``manifest`` of every plugin package."""

    #: Also the entry-point name, table prefix, blueprint name, URL prefix, CLI group and Alembic branch.
    name: str
    version: str
    summary: str = ""
    #: The name people read, in menus: ``_l("Service desk")`` so that it is translated.
    #: Empty: the name with spaces, capitalised ("service_desk" → "Service desk").
    title: str = ""
    #: Plugins that must be enabled with this one (enabled automatically, loaded first).
    depends: Sequence[str] = ()
    #: Soft dependencies: loaded first when they are enabled, ignored otherwise.
    uses: Sequence[str] = ()
    #: A version specifier the core must satisfy, e.g. ">=0.1,<1".
    requires_core: str | None = None
    #: Dotted name of a module of hookspecs this plugin publishes for others to implement.
    hookspecs: str | None = None

    def display_title(self) -> str:
        """The title in the reader's language (a lazy string is translated now)."""
        return str(self.title) if self.title else default_title(self.name)


def default_title(name: str) -> str:
    """A plugin's title made from its name when it gives none: "service_desk" → "Service desk"."""
    return name.replace("_", " ").capitalize()


@dataclass(frozen=True)
class NavItem:
    """A link in the top navigation; shown only to users who hold ``permission``."""

    label: str
    endpoint: str
    permission: str | None = None
    order: int = 100


@dataclass(frozen=True)
class Panel:
    """A box on the customer page rendered from ``template`` with ``context``."""

    title: str
    template: str
    context: dict[str, Any] = field(default_factory=dict)
    order: int = 100


@dataclass(frozen=True)
class Badge:
    """A short label next to a customer's name; ``kind`` is a Bootstrap colour name."""

    label: str
    kind: str = "secondary"
    title: str = ""


@dataclass(frozen=True)
class Widget:
    """A dashboard card rendered from ``template``; ``width`` is out of 12 grid columns."""

    title: str
    template: str
    context: dict[str, Any] = field(default_factory=dict)
    order: int = 100
    width: int = 4


@dataclass(frozen=True)
class TimelineEvent:
    """Something that happened to a customer, shown newest first on the customer page."""

    at: dt.datetime
    kind: str
    title: str
    detail: str = ""
    url: str | None = None


@dataclass(frozen=True)
class Job:
    """A scheduled job: ``cron`` is five fields ("0 3 * * *"); ``func()`` runs in an app context.

    ``replay`` (optional) is what the job did on a past run, for ``clientele demo``: the demo
    calls it at each of the job's scheduled times in its story, with the clock
    (core.dates.clock) at that moment, so what the job records carries the story's dates.
    It must write only what the app itself would have recorded then: no mail, nothing
    outside the database (e.g. the nightly recompute, not the greetings).
    """

    name: str
    cron: str
    func: Callable[[], Any]
    replay: Callable[[], Any] | None = None


@dataclass(frozen=True)
class Permission:
    """A permission a plugin defines and the roles that hold it by default."""

    name: str
    label: str
    roles: Sequence[str] = ()


@dataclass(frozen=True)
class Setting:
    """One key of a plugin's [plugins.<name>] config table.

    ``type`` is one of str, int, bool, Decimal, list, dict. ``check`` (optional) receives the
    typed value and returns it (possibly normalised) or raises SettingError / ValueError.
    """

    key: str
    type: type
    default: Any
    help: str = ""
    choices: Sequence[Any] | None = None
    check: Callable[[Any], Any] | None = None


class SettingError(ValueError):
    """A setting value is wrong; ``path`` points inside it, e.g. "[1].rate" for tiers[1].rate."""

    def __init__(self, message: str, path: str = "") -> None:
        self.path = path
        self.message = message
        super().__init__(message)


@dataclass(frozen=True)
class HookResult:
    """One plugin's answer to a display hook, or the error it raised."""

    plugin: str
    value: Any = None
    error: str | None = None
