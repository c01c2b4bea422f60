"""The plugin API: everything a plugin imports from the core about hooks, plus the app's plugin state."""

from __future__ import annotations

from typing import Any

from flask import current_app

from core.plugins._api import (
    Badge,
    HookResult,
    Job,
    Manifest,
    NavItem,
    Panel,
    Permission,
    PluginError,
    Setting,
    SettingError,
    TimelineEvent,
    Widget,
    hookimpl,
    hookspec,
)
from core.plugins._calls import (
    DISPLAY_HOOKS,
    call_display_hook,
    call_each,
    call_transactional,
    short_error,
)
from core.plugins._loader import CORE, LoadedPlugin, PluginSystem, load_plugins

#: The core modules a plugin may import, besides this one (documented in docs/plugins.md,
#: "What the core offers"; tests/core/test_public_modules.py keeps every in-tree plugin to it).
#: Anything else in core/ is the app's own machinery and may change without notice.
PUBLIC_MODULES: tuple[str, ...] = (
    "core.plugins",
    "core.db",
    "core.models",
    "core.roles",
    "core.permissions",
    "core.auth",
    "core.access",
    "core.customers",
    "core.orders",
    "core.locking",
    "core.ledger",
    "core.money",
    "core.sql",
    "core.dates",
    "core.i18n",
    "core.search",
    "core.phones",
    "core.validation",
    "core.forms",
    "core.views.common",
    "core.csvfiles",
    "core.cli.output",
    "core.cli.options",
    "core.outbox",
    "core.jobs",
    "core.placeholders",
    "core.tokens",
    "core.unsubscribe",
)

__all__ = [
    "CORE",
    "DISPLAY_HOOKS",
    "PUBLIC_MODULES",
    "Badge",
    "HookResult",
    "Job",
    "LoadedPlugin",
    "Manifest",
    "NavItem",
    "Panel",
    "Permission",
    "PluginError",
    "PluginSystem",
    "Setting",
    "SettingError",
    "TimelineEvent",
    "Widget",
    "call_each",
    "display_hook",
    "hook",
    "hookimpl",
    "hookspec",
    "is_enabled",
    "load_plugins",
    "plugin_system",
    "run_hook",
    "settings_of",
    "short_error",
]


def plugin_system() -> PluginSystem:
    """The current app's PluginSystem (enabled plugins, settings, permissions, PluginManager)."""
    system: PluginSystem = current_app.extensions["clientele"]
    return system


def hook() -> Any:
    """The current app's pm.hook (e.g. for a plugin calling the hooks it publishes)."""
    return plugin_system().pm.hook


def run_hook(hook_name: str, **kwargs: Any) -> None:
    """Call a transactional hook (order_*, customer_*, orders_imported); failures name the plugin."""
    call_transactional(plugin_system().pm, hook_name, **kwargs)


def settings_of(plugin: str) -> dict[str, Any]:
    """The validated settings of an enabled plugin (its [plugins.<name>] table over the defaults)."""
    return plugin_system().settings.get(plugin, {})


def is_enabled(plugin: str) -> bool:
    """True when the plugin is enabled in the current app."""
    return plugin_system().is_enabled(plugin)


def display_hook(hook_name: str, **kwargs: Any) -> list[HookResult]:
    """Call an isolated display hook; each result is tagged with its plugin (see _calls)."""
    if hook_name not in DISPLAY_HOOKS:
        raise ValueError(f"{hook_name} is not a display hook")
    config = current_app.config
    reraise = bool(config.get("RERAISE_HOOK_ERRORS", config.get("TESTING")))
    return call_display_hook(plugin_system().pm, hook_name, reraise, **kwargs)
