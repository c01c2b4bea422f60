"""Loading the configured plugins into a fresh PluginManager, with one clear error per failure."""

from __future__ import annotations

import difflib
import inspect
import logging
from collections.abc import Sequence
from dataclasses import dataclass, field
from types import ModuleType
from typing import Any

import pluggy
from packaging.specifiers import InvalidSpecifier, SpecifierSet
from packaging.version import Version

from core.plugins._api import PROJECT_NAME, Manifest, Permission, PluginError, Setting
from core.plugins._discovery import (
    AvailablePlugin,
    available_plugins,
    import_optional,
    import_plugin,
    unknown_plugin_error,
)
from core.plugins._ordering import dependency_order
from core.plugins._settings import validate_settings
from core.roles import ROLES

log = logging.getLogger("clientele.plugins")

CORE = "core"


@dataclass
class LoadedPlugin:
    """An enabled plugin: its entry point, manifest, package and the module registered for hooks."""

    available: AvailablePlugin
    manifest: Manifest
    package: ModuleType
    hooks: ModuleType
    #: Why it is enabled: "configured", or "needed by <plugin>".
    reason: str = "configured"

    @property
    def name(self) -> str:
        return self.manifest.name


@dataclass
class PluginSystem:
    """The app's PluginManager and what loading learnt: enabled plugins in order, settings, permissions."""

    pm: pluggy.PluginManager
    plugins: list[LoadedPlugin]
    settings: dict[str, dict[str, Any]] = field(default_factory=dict)
    permissions: dict[str, Permission] = field(default_factory=dict)
    #: Which plugin defined each permission ("core" for the core's own).
    permission_owner: dict[str, str] = field(default_factory=dict)

    @property
    def names(self) -> list[str]:
        """Enabled plugin names in dependency order."""
        return [plugin.name for plugin in self.plugins]

    def is_enabled(self, name: str) -> bool:
        """True when the plugin is enabled in this app."""
        return name in self.names

    def get(self, name: str) -> LoadedPlugin:
        """The enabled plugin called name (KeyError otherwise)."""
        for plugin in self.plugins:
            if plugin.name == name:
                return plugin
        raise KeyError(name)

    def implemented_hooks(self, name: str) -> list[str]:
        """Names of the hooks the plugin (or "core") implements."""
        registered = self.pm.get_plugin(name)
        if registered is None:
            return []
        return sorted(caller.name for caller in self.pm.get_hookcallers(registered) or [])


def load_plugins(
    requested: Sequence[str],
    plugin_tables: dict[str, dict[str, Any]],
    where: str,
    core_hooks: ModuleType,
    core_version: str,
) -> PluginSystem:
    """Resolve, import, order, register and validate the requested plugins and their dependencies."""
    available = available_plugins()
    imported = _import_with_dependencies(requested, available, where)
    _check_core_version(imported, core_version)
    order = dependency_order(_ordering_edges(imported))
    plugins = [imported[name] for name in order]
    pm = pluggy.PluginManager(PROJECT_NAME)
    from core import hookspecs

    pm.add_hookspecs(hookspecs)
    for plugin in plugins:
        _add_published_hookspecs(pm, plugin)
    # pluggy calls the last registered implementation first: register dependents first and the
    # core last, so that hooks run core -> dependencies -> dependents.
    for plugin in reversed(plugins):
        _register(pm, plugin.name, plugin.hooks)
    _register(pm, CORE, core_hooks)
    system = PluginSystem(pm=pm, plugins=plugins)
    _check_unknown_hooks(pm)
    _check_table_names(plugins)
    enabled = set(system.names)
    for name in plugin_tables:
        if name not in enabled:
            raise PluginError(
                name,
                f"{where} has a [plugins.{name}] table but '{name}' is not enabled.",
                f"Add '{name}' to [clientele].plugins or remove the table.",
            )
    system.settings = _validated_settings(pm, plugin_tables)
    system.permissions, system.permission_owner = _collected_permissions(pm)
    return system


def _import_with_dependencies(
    requested: Sequence[str], available: dict[str, AvailablePlugin], where: str
) -> dict[str, LoadedPlugin]:
    """Import the requested plugins and, transitively, everything they depend on."""
    loaded: dict[str, LoadedPlugin] = {}
    queue: list[tuple[str, str]] = [(name, "configured") for name in requested]
    while queue:
        name, reason = queue.pop(0)
        if name in loaded:
            continue
        if name not in available:
            raise unknown_plugin_error(name, available, where)
        package, manifest = import_plugin(available[name])
        hooks = import_optional(f"{available[name].module}.hooks") or package
        import_optional(f"{available[name].module}.models")
        loaded[name] = LoadedPlugin(available[name], manifest, package, hooks, reason)
        if reason != "configured":
            log.info("plugin %s: enabled because %s", name, reason)
        for dependency in manifest.depends:
            if dependency not in available:
                raise PluginError(
                    name,
                    f"depends on '{dependency}', which is not installed.",
                    f"Install '{dependency}' or remove '{name}' from [clientele].plugins.",
                )
            queue.append((dependency, f"needed by {name}"))
    return loaded


def _ordering_edges(plugins: dict[str, LoadedPlugin]) -> dict[str, list[str]]:
    """For each plugin, the enabled plugins it must come after (depends, plus enabled uses)."""
    return {
        name: sorted(
            {*plugin.manifest.depends, *(used for used in plugin.manifest.uses if used in plugins)}
        )
        for name, plugin in plugins.items()
    }


def _check_core_version(plugins: dict[str, LoadedPlugin], core_version: str) -> None:
    """Every plugin's requires_core must admit this core's version."""
    for name, plugin in plugins.items():
        wanted = plugin.manifest.requires_core
        if not wanted:
            continue
        try:
            specifier = SpecifierSet(wanted)
        except InvalidSpecifier:
            raise PluginError(
                name, f"requires_core '{wanted}' is not a version specifier.", "Fix the manifest."
            ) from None
        if Version(core_version) not in specifier:
            raise PluginError(
                name,
                f"{plugin.manifest.version} requires clientele {wanted}, this is {core_version}.",
                "Install a matching version of the plugin or of Clientele.",
            )


def _add_published_hookspecs(pm: pluggy.PluginManager, plugin: LoadedPlugin) -> None:
    """Add the hookspecs a plugin publishes, before any implementation is registered."""
    if not plugin.manifest.hookspecs:
        return
    try:
        module = import_optional(plugin.manifest.hookspecs)
    except Exception as error:
        raise PluginError(
            plugin.name, f"its hookspecs module failed to import: {error}.", "Fix the module."
        ) from error
    if module is None:
        raise PluginError(
            plugin.name,
            f"hookspecs module '{plugin.manifest.hookspecs}' does not exist.",
            "Fix manifest.hookspecs.",
        )
    pm.add_hookspecs(module)


def _register(pm: pluggy.PluginManager, name: str, module: ModuleType) -> None:
    """Check the module's hookimpls against the specs, then register it under name."""
    for attribute, function in vars(module).items():
        if not inspect.isroutine(function):
            continue
        options = getattr(function, f"{PROJECT_NAME}_impl", None)
        if options is None:
            continue
        hook_name = options.get("specname") or attribute
        caller = getattr(pm.hook, hook_name, None)
        if caller is None or caller.spec is None:
            continue  # unknown names are reported by _check_unknown_hooks once everything is in
        _check_arguments(name, module, function, hook_name, caller.spec.argnames)
    try:
        pm.register(module, name=name)
    except pluggy.PluginValidationError as error:
        if pm.get_plugin(name) is not None:
            pm.unregister(name=name)
        raise PluginError(name, str(error), "Fix the hook implementation.") from None


def _check_arguments(
    plugin: str, module: ModuleType, function: Any, hook_name: str, provided: Sequence[str]
) -> None:
    """A hookimpl may ask for a subset of the spec's arguments, without defaults."""
    parameters = inspect.signature(function).parameters
    signature = f"{module.__name__}.{function.__name__}({', '.join(parameters)})"
    for parameter in parameters.values():
        if parameter.name not in provided:
            raise PluginError(
                plugin,
                f"{signature} asks for '{parameter.name}'; {hook_name} provides ({', '.join(provided)}).",
                "Use only the hook's argument names.",
            )
        if parameter.default is not inspect.Parameter.empty:
            raise PluginError(
                plugin,
                f"{signature}: argument '{parameter.name}' has a default, and pluggy never passes such arguments.",
                "Remove the default.",
            )


def _check_unknown_hooks(pm: pluggy.PluginManager) -> None:
    """A hookimpl whose name matches no hookspec is an error (unless marked optionalhook)."""
    known = sorted(
        name for name, caller in vars(pm.hook).items() if getattr(caller, "spec", None) is not None
    )
    for hook_name, caller in vars(pm.hook).items():
        if getattr(caller, "spec", None) is not None:
            continue
        for impl in caller.get_hookimpls():
            if impl.optionalhook:
                continue
            close = difflib.get_close_matches(hook_name, known, n=1)
            hint = f" Did you mean '{close[0]}'?" if close else ""
            raise PluginError(
                impl.plugin_name,
                f"implements '{hook_name}', which is not a Clientele hook.{hint}",
                "Rename it; if it implements another plugin's hook, mark it @hookimpl(optionalhook=True) "
                "and list that plugin in 'uses'.",
            )
    pm.check_pending()


def _check_table_names(plugins: Sequence[LoadedPlugin]) -> None:
    """Every table a plugin's models define must be named '<plugin>_...'."""
    from core.db import Base

    for plugin in plugins:
        prefix = plugin.available.module + "."
        for mapper in Base.registry.mappers:
            module = mapper.class_.__module__
            if not (module == plugin.available.module or module.startswith(prefix)):
                continue
            for table in mapper.tables:
                if not table.name.startswith(f"{plugin.name}_"):
                    raise PluginError(
                        plugin.name,
                        f"model {mapper.class_.__name__} uses table '{table.name}'.",
                        f"Name the plugin's tables '{plugin.name}_...'.",
                    )


def _validated_settings(
    pm: pluggy.PluginManager, tables: dict[str, dict[str, Any]]
) -> dict[str, dict[str, Any]]:
    """Each plugin's checked settings, from its own plugin_settings() schema."""
    from core.plugins._calls import call_each

    settings: dict[str, dict[str, Any]] = {}
    for plugin, schema in call_each(pm, "plugin_settings"):
        schema_list: list[Setting] = list(schema or [])
        settings[plugin] = validate_settings(plugin, schema_list, tables.get(plugin, {}))
    return settings


def _collected_permissions(
    pm: pluggy.PluginManager,
) -> tuple[dict[str, Permission], dict[str, str]]:
    """All permissions by name, and which plugin defined each; names and roles are checked."""
    from core.plugins._calls import call_each

    permissions: dict[str, Permission] = {}
    owner: dict[str, str] = {}
    for plugin, defined in call_each(pm, "permissions"):
        for permission in defined or []:
            if plugin != CORE and not permission.name.startswith(f"{plugin}."):
                raise PluginError(
                    plugin,
                    f"permission '{permission.name}' must start with '{plugin}.'.",
                    "Rename it.",
                )
            if permission.name in permissions:
                raise PluginError(
                    plugin,
                    f"permission '{permission.name}' is also defined by '{owner[permission.name]}'.",
                    "Rename one of them.",
                )
            unknown = [role for role in permission.roles if role not in ROLES]
            if unknown:
                raise PluginError(
                    plugin,
                    f"permission '{permission.name}' names unknown role '{unknown[0]}'.",
                    f"Roles: {', '.join(ROLES)}.",
                )
            permissions[permission.name] = permission
            owner[permission.name] = plugin
    return permissions, owner
