"""Calling hooks one implementation at a time, so each result is tagged with its plugin.

Display hooks (nav, panels, badges, widgets, timeline) are isolated here: an implementation
that raises is logged with its plugin's name and becomes a HookResult with an error, which
the page shows as an error box. Under ``testing`` the exception is re-raised so tests see it.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from typing import Any

import pluggy

from core.plugins._api import HookResult

log = logging.getLogger("clientele.plugins")

DISPLAY_HOOKS = frozenset(
    {"nav_items", "customer_panels", "customer_badges", "customer_timeline", "dashboard_widgets"}
)


def call_each(pm: pluggy.PluginManager, hook_name: str, **kwargs: Any) -> Iterator[tuple[str, Any]]:
    """Yield (plugin name, result) for each implementation, core first, in dependency order."""
    caller = getattr(pm.hook, hook_name)
    # get_hookimpls() lists implementations in registration order; pluggy itself calls them in
    # reverse, and we registered the core last, so reversed() is core -> dependencies -> dependents.
    for impl in reversed(caller.get_hookimpls()):
        if impl.hookwrapper or impl.wrapper:
            continue
        arguments = {name: kwargs[name] for name in impl.argnames}
        yield impl.plugin_name, impl.function(**arguments)


def call_display_hook(
    pm: pluggy.PluginManager, hook_name: str, reraise: bool, **kwargs: Any
) -> list[HookResult]:
    """Call each implementation of a display hook on its own; a failure is contained and logged."""
    results: list[HookResult] = []
    caller = getattr(pm.hook, hook_name)
    for impl in reversed(caller.get_hookimpls()):
        if impl.hookwrapper or impl.wrapper:
            continue
        arguments = {name: kwargs[name] for name in impl.argnames}
        try:
            value = impl.function(**arguments)
        except Exception as error:
            if reraise:
                raise
            log.exception("plugin %s: %s failed", impl.plugin_name, hook_name)
            results.append(HookResult(impl.plugin_name, None, f"{type(error).__name__}: {error}"))
        else:
            results.append(HookResult(impl.plugin_name, value))
    return results


def call_transactional(pm: pluggy.PluginManager, hook_name: str, **kwargs: Any) -> None:
    """Call a hook that runs inside the action's transaction; a failure names the plugin.

    Any exception becomes a PluginError naming the plugin (the original is chained), so the
    caller can roll back and tell the user what stopped the action.
    """
    from core.plugins._api import PluginError

    for impl in reversed(getattr(pm.hook, hook_name).get_hookimpls()):
        if impl.hookwrapper or impl.wrapper:
            continue
        try:
            impl.function(**{name: kwargs[name] for name in impl.argnames})
        except PluginError:
            raise
        except Exception as error:
            raise PluginError(
                impl.plugin_name,
                f"{hook_name} failed: {type(error).__name__}: {error}",
                "Nothing was saved.",
            ) from error
