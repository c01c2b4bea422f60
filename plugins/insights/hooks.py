"""The insights plugin's hook implementations: thin, they hand over to the modules named here."""

from __future__ import annotations

import click
from flask import Blueprint

from core.i18n import _l
from core.models import User
from core.plugins import NavItem, Permission, Setting, hookimpl
from plugins.insights import access, settings


@hookimpl
def blueprints() -> list[Blueprint]:
    from plugins.insights.views import bp

    return [bp]


@hookimpl
def permissions() -> list[Permission]:
    return access.PERMISSIONS


@hookimpl
def plugin_settings() -> list[Setting]:
    return settings.SCHEMA


@hookimpl
def nav_items(user: User) -> list[NavItem]:
    return [NavItem(_l("Insights"), "insights.index", access.VIEW, 450)]


@hookimpl
def register_commands(cli: click.Group) -> None:
    from plugins.insights.cli import insights

    cli.add_command(insights)
