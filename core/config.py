"""Reading the company's config file: the [clientele] table and the [plugins.*] tables."""

from __future__ import annotations

import os
import re
import tomllib
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal
from email.utils import parseaddr
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

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
    "language": (str, "en"),
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
    "check_migrations": (bool, True),
}

#: Set only by code (the test fixtures call create_app(testing=True)), never by a config file
#: or the environment: testing mode re-raises hook errors and signs sessions with a key made
#: for the process, which a server must never do.
CODE_ONLY_KEYS = {"testing": False}

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
    for key in CODE_ONLY_KEYS:
        if key in core_table:
            raise ConfigError(
                f"{where}: [clientele].{key} cannot be set in a config file: testing mode is only "
                "for the test suite (it is switched on in code by the test fixtures). Remove the line."
            )
        if os.environ.get(f"CLIENTELE_{key.upper()}"):
            raise ConfigError(
                f"CLIENTELE_{key.upper()} is set in the environment, but testing mode is only for "
                "the test suite (it is switched on in code by the test fixtures). Unset it."
            )
    for variable, key in ENV_OVERRIDES.items():
        if os.environ.get(variable):
            core_table[key] = os.environ[variable]
    plugin_tables = data.get("plugins", {})
    if "settings" in overrides:
        plugin_tables = overrides.pop("settings") or {}
    code_only = {key: overrides.pop(key, default) for key, default in CODE_ONLY_KEYS.items()}
    core_table.update(overrides)
    core = {
        key: _checked_core_value(key, core_table, default, expected, where)
        for key, (expected, default) in CORE_KEYS.items()
    }
    for key, value in code_only.items():
        if not isinstance(value, bool):
            raise ConfigError(f"create_app({key}=...): expected True or False, got {value!r}.")
        core[key] = value
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
    for key, check in VALUE_CHECKS.items():
        if key in core_table:
            problem = check(core[key])
            if problem:
                raise ConfigError(f"{where}: [clientele].{key}: {problem}")
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


def _database_url_problem(url: str) -> str:
    """Why SQLAlchemy cannot use this URL (unparsable, unknown database, driver missing), or ""."""
    from sqlalchemy.engine import make_url
    from sqlalchemy.exc import ArgumentError, NoSuchModuleError

    fix = (
        "Use sqlite:///clientele.db (a file in the instance folder) or "
        "postgresql+psycopg://user:password@host:5432/name."
    )
    try:
        parsed = make_url(url)
    except ArgumentError:
        return f"{url!r} is not a database URL. {fix}"
    shown = parsed.render_as_string(hide_password=True)
    try:
        dialect = parsed.get_dialect()
    except NoSuchModuleError:
        return f"{shown!r} names an unknown database '{parsed.drivername}'. {fix}"
    try:
        dialect.import_dbapi()
    except ImportError as error:
        return (
            f"{shown!r} needs the Python driver {getattr(error, 'name', None) or parsed.drivername}, "
            f"which is not installed. Install it or {fix[0].lower()}{fix[1:]}"
        )
    return ""


def _timezone_problem(name: str) -> str:
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return f'unknown time zone {name!r}. Use an IANA name such as "Europe/Berlin" or "UTC".'
    return ""


def _currency_problem(code: str) -> str:
    if re.fullmatch(r"[A-Z]{3}", code):
        return ""
    return f'expected a three-letter ISO 4217 code such as "EUR" or "USD", got {code!r}.'


def _region_problem(region: str) -> str:
    import phonenumbers

    if region.upper() in phonenumbers.SUPPORTED_REGIONS:
        return ""
    return f'expected a two-letter country code such as "DE" or "AT", got {region!r}.'


def _language_problem(code: str) -> str:
    from core.i18n import LANGUAGES

    if code in LANGUAGES:
        return ""
    known = " or ".join(f'"{name}"' for name in LANGUAGES)
    return f"expected {known}, got {code!r}."


def _range_problem(low: int, high: int) -> Callable[[int], str]:
    def problem(value: int) -> str:
        return "" if low <= value <= high else f"expected {low} to {high}, got {value}."

    return problem


def _base_url_problem(url: str) -> str:
    parts = urlsplit(url)
    if parts.scheme in ("http", "https") and parts.netloc:
        return ""
    return f'expected the address staff open, such as "https://crm.example.com", got {url!r}.'


def _redis_url_problem(url: str) -> str:
    if not url or urlsplit(url).scheme in ("redis", "rediss", "unix"):
        return ""
    return f"expected redis://host:6379/0 (or empty for no Redis), got {url!r}."


def _mail_from_problem(text: str) -> str:
    if "@" in parseaddr(text)[1]:
        return ""
    return f'expected an address such as "Acme <crm@acme.example>", got {text!r}.'


#: Checks of values whose type is right but whose content may not be; each returns "" or the fix.
VALUE_CHECKS: dict[str, Callable[[Any], str]] = {
    "database_url": _database_url_problem,
    "timezone": _timezone_problem,
    "currency": _currency_problem,
    "default_region": _region_problem,
    "language": _language_problem,
    "page_size": _range_problem(1, 500),
    "smtp_port": _range_problem(1, 65535),
    "base_url": _base_url_problem,
    "redis_url": _redis_url_problem,
    "mail_from": _mail_from_problem,
}
