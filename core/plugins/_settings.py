"""Validating a plugin's [plugins.<name>] config table against its plugin_settings() schema."""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal, InvalidOperation
from typing import Any

from core.plugins._api import PluginError, Setting, SettingError

TYPE_NAMES = {
    str: "a string",
    int: "an integer",
    bool: "true or false",
    Decimal: "a decimal",
    list: "a list",
    dict: "a table",
}


def coerce(value: Any, expected: type) -> Any:
    """Return value as the expected type, or raise SettingError saying what was expected."""
    wanted = TYPE_NAMES.get(expected, expected.__name__)
    if expected is Decimal:
        if isinstance(value, bool) or not isinstance(value, int | Decimal | str):
            raise SettingError(f"expected {wanted}, got {value!r}")
        try:
            number = Decimal(str(value))
        except InvalidOperation:
            raise SettingError(f"expected {wanted}, got {value!r}") from None
        if not number.is_finite():
            raise SettingError(f"expected {wanted}, got {value!r}")
        return number
    if expected is int and isinstance(value, bool):
        raise SettingError(f"expected {wanted}, got {value!r}")
    if not isinstance(value, expected):
        raise SettingError(f"expected {wanted}, got {value!r}")
    return value


def validate_settings(
    plugin: str, schema: Sequence[Setting], table: dict[str, Any]
) -> dict[str, Any]:
    """Return the plugin's settings: defaults overlaid with the checked values from its table."""
    known = {setting.key: setting for setting in schema}
    for key in table:
        if key not in known:
            raise PluginError(
                plugin,
                f"[plugins.{plugin}]: unknown key '{key}'.",
                f"Known keys: {', '.join(sorted(known)) or '(none)'}.",
            )
    values: dict[str, Any] = {}
    for setting in schema:
        raw = table.get(setting.key, setting.default)
        values[setting.key] = checked_value(plugin, setting, raw)
    return values


def checked_value(plugin: str, setting: Setting, raw: Any) -> Any:
    """Coerce, check choices and run the setting's own check; errors name the full key path."""
    try:
        value = coerce(raw, setting.type)
        if setting.choices is not None and value not in setting.choices:
            choices = ", ".join(repr(choice) for choice in setting.choices)
            raise SettingError(f"expected one of {choices}, got {value!r}")
        if setting.check is not None:
            value = setting.check(value)
    except SettingError as error:
        raise PluginError(
            plugin,
            f"[plugins.{plugin}].{setting.key}{error.path}: {error.message}.",
            f"Fix it in the config file ({setting.help})."
            if setting.help
            else "Fix it in the config file.",
        ) from None
    except ValueError as error:
        raise PluginError(
            plugin, f"[plugins.{plugin}].{setting.key}: {error}.", "Fix it in the config file."
        ) from None
    except ArithmeticError:
        # A number too large or odd for the check's arithmetic (1e309, NaN inside a table).
        raise PluginError(
            plugin,
            f"[plugins.{plugin}].{setting.key}: a number in {raw!r} is out of range.",
            "Fix it in the config file.",
        ) from None
    return value
