"""Finding installed plugins through entry points, without importing them."""

from __future__ import annotations

import difflib
import importlib
import importlib.util
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path
from types import ModuleType

from core.plugins._api import NAME_PATTERN, Manifest, PluginError

ENTRY_POINT_GROUP = "clientele.plugins"


@dataclass(frozen=True)
class AvailablePlugin:
    """An installed plugin as its entry point describes it (nothing imported yet)."""

    name: str
    module: str
    distribution: str
    version: str

    @property
    def package_path(self) -> Path | None:
        """The plugin package's folder, found without importing the plugin."""
        spec = importlib.util.find_spec(self.module)
        if spec is None or not spec.submodule_search_locations:
            return None
        return Path(next(iter(spec.submodule_search_locations)))

    @property
    def migrations_path(self) -> Path | None:
        """The plugin's migrations/ folder, if it has one."""
        package = self.package_path
        if package is None or not (package / "migrations").is_dir():
            return None
        return package / "migrations"


def _installed_entry_points() -> Iterable[tuple[str, str, str, str]]:
    """(name, module, distribution, version) of every entry point in our group."""
    for entry_point in metadata.entry_points(group=ENTRY_POINT_GROUP):
        distribution = entry_point.dist
        yield (
            entry_point.name,
            entry_point.value,
            distribution.name if distribution else "?",
            distribution.version if distribution else "?",
        )


#: Where entry points come from; tests swap this to offer plugins that are not installed.
entry_point_source: Callable[[], Iterable[tuple[str, str, str, str]]] = _installed_entry_points


def available_plugins() -> dict[str, AvailablePlugin]:
    """Every installed plugin by name; a name offered by two distributions is an error."""
    found: dict[str, AvailablePlugin] = {}
    for name, module, distribution, version in entry_point_source():
        plugin = AvailablePlugin(name, module, distribution, version)
        other = found.get(name)
        if other is not None and other.module != module:
            raise PluginError(
                name,
                f"is provided by both {other.distribution} {other.version} ({other.module}) "
                f"and {distribution} {version} ({module}).",
                "Uninstall one of them.",
            )
        found[name] = plugin
    return dict(sorted(found.items()))


def unknown_plugin_error(
    name: str, available: dict[str, AvailablePlugin], where: str
) -> PluginError:
    """The error for a configured name that no installed plugin has, with the closest names."""
    names = ", ".join(available) or "(none)"
    close = difflib.get_close_matches(name, list(available), n=1)
    hint = f" Did you mean '{close[0]}'?" if close else ""
    return PluginError(
        None,
        f"Unknown plugin '{name}' in {where} [clientele].plugins. Installed plugins: {names}.{hint}",
        "Fix the name or install the plugin.",
    )


def import_plugin(plugin: AvailablePlugin) -> tuple[ModuleType, Manifest]:
    """Import a plugin package and return it with its checked manifest."""
    try:
        module = importlib.import_module(plugin.module)
    except Exception as error:  # any import-time failure is reported the same way
        raise PluginError(
            plugin.name,
            f"({plugin.distribution} {plugin.version}) failed to import: {type(error).__name__}: {error}.",
            "Reinstall it, fix the error, or remove it from [clientele].plugins.",
        ) from error
    manifest = getattr(module, "manifest", None)
    if not isinstance(manifest, Manifest):
        raise PluginError(
            plugin.name,
            f"entry point '{plugin.name}' -> {plugin.module} has no 'manifest' (a core.plugins.Manifest).",
            "Define manifest = Manifest(name=..., version=...) in the package's __init__.py.",
        )
    if manifest.name != plugin.name:
        raise PluginError(
            plugin.name,
            f"manifest.name '{manifest.name}' != entry-point name '{plugin.name}'.",
            "Make the entry-point name and manifest.name the same.",
        )
    if not NAME_PATTERN.match(manifest.name):
        raise PluginError(
            plugin.name,
            "the name must match ^[a-z][a-z0-9_]*$ (it is also a table prefix and URL prefix).",
            "Rename the plugin.",
        )
    return module, manifest


def import_optional(module_name: str) -> ModuleType | None:
    """Import module_name if it exists; None if it does not (errors inside it still raise)."""
    parent = module_name.rpartition(".")[0]
    if parent and not hasattr(importlib.import_module(parent), "__path__"):
        return None  # the parent is a plain module, so it has no submodules
    if importlib.util.find_spec(module_name) is None:
        return None
    return importlib.import_module(module_name)
