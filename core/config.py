"""Reading the company's config file: the [clientele] table and the [plugins.*] tables."""

from __future__ import annotations

import os
import tomllib
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

PROJECT_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_CONFIG_PATH = PROJECT_ROOT / "config" / "default.toml"

#: The [clientele] keys, their types and defaults. Anything else in the table is an error.
CORE_KEYS: dict[str, tuple[type | tuple[type, ...], Any]] = {
    "company": (str, "Clientele"),
    "currency": (str, "EUR"),
    "database_url": (str, "sqlite:///clientele.db"),
    "plugins": (list, []),
    "default_region": (str, "DE"),
    "timezone": (str, "UTC"),
    "base_url": (str, "http://127.0.0.1:5000"),
    "mail_from": (str, "Clientele <noreply@clientele.invalid>"),
    "smtp_host": (str, ""),
    "smtp_port": (int, 25),
    "smtp_username": (str, ""),
    "smtp_password": (str, ""),
    "smtp_starttls": (bool, False),
    "redis_url": (str, ""),
    "page_size": (int, 25),
    "secret_key": (str, ""),
    "https": (bool, False),
    "testing": (bool, False),
    "check_migrations": (bool, True),
}

#: Environment variables that win over the file.
ENV_OVERRIDES = {
    "CLIENTELE_DATABASE_URL": "database_url",
    "CLIENTELE_SECRET_KEY": "secret_key",
    "CLIENTELE_REDIS_URL": "redis_url",
    "CLIENTELE_SMTP_PASSWORD": "smtp_password",
}


class ConfigError(Exception):
    """The config file or an override is wrong; the message names the key and the fix."""


@dataclass
class Config:
    """The validated [clientele] values plus the raw [plugins.*] tables."""

    path: Path | None
    core: dict[str, Any]
    plugin_tables: dict[str, dict[str, Any]] = field(default_factory=dict)

    def __getitem__(self, key: str) -> Any:
        return self.core[key]


def read_toml(path: Path) -> dict[str, Any]:
    """Parse a TOML file, reading every float as an exact Decimal (0.40 stays 0.40)."""
    try:
        with path.open("rb") as handle:
            return tomllib.load(handle, parse_float=Decimal)
    except FileNotFoundError:
        raise ConfigError(
            f"Config file {path} does not exist. Set CLIENTELE_CONFIG to a file that does."
        ) from None
    except tomllib.TOMLDecodeError as error:
        raise ConfigError(f"Config file {path} is not valid TOML: {error}") from None


def config_path_from_environment(config_path: str | os.PathLike[str] | None) -> Path | None:
    """The file to read: the argument, else $CLIENTELE_CONFIG, else config/default.toml if present."""
    if config_path is not None:
        return Path(config_path)
    if os.environ.get("CLIENTELE_CONFIG"):
        return Path(os.environ["CLIENTELE_CONFIG"])
    return DEFAULT_CONFIG_PATH if DEFAULT_CONFIG_PATH.exists() else None


def load_config(config_path: str | os.PathLike[str] | None = None, **overrides: Any) -> Config:
    """Read the config file, apply environment variables, then overrides, and check every key."""
    path = config_path_from_environment(config_path)
    data = read_toml(path) if path is not None else {}
    where = str(path) if path else "the built-in defaults"
    unknown_tables = set(data) - {"clientele", "plugins"}
    if unknown_tables:
        raise ConfigError(
            f"{where}: unknown table [{sorted(unknown_tables)[0]}]; expected [clientele] and [plugins.<name>]."
        )
    core_table = dict(data.get("clientele", {}))
    for variable, key in ENV_OVERRIDES.items():
        if os.environ.get(variable):
            core_table[key] = os.environ[variable]
    plugin_tables = data.get("plugins", {})
    if "settings" in overrides:
        plugin_tables = overrides.pop("settings") or {}
    core_table.update(overrides)
    core = {
        key: _checked_core_value(key, core_table, default, expected, where)
        for key, (expected, default) in CORE_KEYS.items()
    }
    unknown = sorted(set(core_table) - set(CORE_KEYS))
    if unknown:
        raise ConfigError(
            f"{where}: unknown key [clientele].{unknown[0]}. Known keys: {', '.join(sorted(CORE_KEYS))}."
        )
    for name in core["plugins"]:
        if not isinstance(name, str) or not name:
            raise ConfigError(
                f"{where}: [clientele].plugins must be a list of plugin names, got {name!r}."
            )
    for name, table in plugin_tables.items():
        if not isinstance(table, dict):
            raise ConfigError(f"{where}: [plugins.{name}] must be a table of settings.")
    return Config(path=path, core=core, plugin_tables=dict(plugin_tables))


def _checked_core_value(
    key: str, table: dict[str, Any], default: Any, expected: Any, where: str
) -> Any:
    """Return table[key] (or the default) after checking its type."""
    if key not in table:
        return list(default) if isinstance(default, list) else default
    value = table[key]
    if expected is int and isinstance(value, str) and value.isdigit():
        value = int(value)
    if expected is bool and isinstance(value, str) and value.lower() in {"true", "false", "1", "0"}:
        value = value.lower() in {"true", "1"}
    if expected is int and isinstance(value, bool) or not isinstance(value, expected):
        type_name = getattr(expected, "__name__", str(expected))
        raise ConfigError(f"{where}: [clientele].{key}: expected {type_name}, got {value!r}.")
    return value
