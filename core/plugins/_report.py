"""What `clientele plugins list` and /admin/plugins show about every installed plugin."""

from __future__ import annotations

import inspect
from collections.abc import Mapping
from dataclasses import dataclass, field
from types import ModuleType

from core.plugins._api import PROJECT_NAME, PluginError
from core.plugins._discovery import available_plugins, import_optional, import_plugin


@dataclass
class PluginRow:
    """One installed plugin: identity, whether it is enabled (and why), what it needs and implements."""

    name: str
    version: str
    distribution: str
    summary: str = ""
    enabled: bool = False
    reason: str = ""
    depends: list[str] = field(default_factory=list)
    uses: list[str] = field(default_factory=list)
    hooks: list[str] = field(default_factory=list)
    error: str | None = None

    @property
    def status(self) -> str:
        """ "broken", "enabled" or "available"."""
        return "broken" if self.error else ("enabled" if self.enabled else "available")


def implemented_hooks(module: ModuleType) -> list[str]:
    """Names of the hooks a module implements (functions carrying the hookimpl marker)."""
    names = set()
    for attribute, value in vars(module).items():
        if not inspect.isroutine(value):
            continue
        options = getattr(value, f"{PROJECT_NAME}_impl", None)
        if options is not None:
            names.add(options.get("specname") or attribute)
    return sorted(names)


def plugin_rows(enabled: Mapping[str, str]) -> list[PluginRow]:
    """A row per installed plugin; ``enabled`` maps enabled names to why they are enabled.

    Plugins are imported to read their manifests; one that fails is listed as broken.
    """
    rows = []
    for name, plugin in available_plugins().items():
        row = PluginRow(
            name,
            plugin.version,
            plugin.distribution,
            enabled=name in enabled,
            reason=enabled.get(name, ""),
        )
        try:
            package, manifest = import_plugin(plugin)
            hooks_module = import_optional(f"{plugin.module}.hooks") or package
        except PluginError as error:
            row.error = error.message
        except Exception as error:  # a broken hooks module must not break the listing
            row.error = f"{type(error).__name__}: {error}"
        else:
            row.summary, row.version = manifest.summary, manifest.version
            row.depends, row.uses = list(manifest.depends), list(manifest.uses)
            row.hooks = implemented_hooks(hooks_module)
        rows.append(row)
    return rows
