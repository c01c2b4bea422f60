"""The check every command that touches the data runs first: are all migrations applied?"""

from __future__ import annotations

import click
from flask import Flask

from core.plugins import PluginError


def check_schema_or_fail(app: Flask) -> None:
    """Stop with the loader's message when migrations are missing."""
    from core.catch_up import sync_plugin_states
    from core.migrate import check_schema

    try:
        check_schema(app)
    except PluginError as error:
        raise click.ClickException(str(error)) from None
    sync_plugin_states(app)
