"""Calling hooks one implementation at a time, so each result is tagged with its plugin.

Display hooks (nav, panels, badges, widgets, timeline) are isolated here: an implementation
that raises is logged with its plugin's name and becomes a HookResult with an error, which
the page shows as an error box. Under ``testing`` the exception is re-raised so tests see it.

What a user sees of a failure is short and never internal: the plugin, the hook and the
exception's type; the message too only for ValueError and RuntimeError, which plugins raise
to say why they refuse (first line, at most 200 characters). A database error's SQL, a
KeyError's key or a traceback go to the log only, so they never reach a page or grow the
session cookie (flash messages live in it).
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from typing import Any

import pluggy
from sqlalchemy.exc import DBAPIError

from core.plugins._api import HookResult

log = logging.getLogger("clientele.plugins")

#: Longest exception message shown to a user.
MAX_SHOWN = 200


def short_error(error: BaseException) -> str:
    """An exception as a user may see it: "ValueError: why", or only its type and where to look."""
    kind = type(error).__name__
    if isinstance(error, ValueError | RuntimeError):
        text = str(error).strip()
        first = text.splitlines()[0] if text else ""
        if first:
            return f"{kind}: {first if len(first) <= MAX_SHOWN else first[: MAX_SHOWN - 1] + '…'}"
    return f"{kind} (the details are in the server log)"


def user_message(hook_name: str, error: BaseException) -> str:
    """What a user is told about a hook that failed (see the module's docstring)."""
    short = short_error(error)
    return f"{hook_name} failed: {short}{'.' if short.endswith(')') else ''}"


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
            if isinstance(error, DBAPIError):
                # PostgreSQL refuses every later statement of a failed transaction; a page
                # that only displays has nothing to keep, so start afresh for the next hooks.
                from core.db import db

                db.session.rollback()
            results.append(HookResult(impl.plugin_name, None, user_message(hook_name, error)))
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
            log.exception("plugin %s: %s failed; nothing was saved", impl.plugin_name, hook_name)
            raise PluginError(
                impl.plugin_name, user_message(hook_name, error), "Nothing was saved."
            ) from error
