"""The application factory: config, database, plugins, pages, commands."""

from __future__ import annotations

import logging
import os
import secrets
from pathlib import Path
from typing import Any

from flask import Flask
from flask_bootstrap import Bootstrap5
from werkzeug.middleware.proxy_fix import ProxyFix

from core import default_hooks, headers, i18n, throttle
from core.auth import login_manager
from core.config import PROJECT_ROOT, load_config
from core.csrf import csrf
from core.db import db
from core.plugins import CORE, PluginError, PluginSystem, call_each, load_plugins
from core.validation import EdgeRequest

__version__ = "0.1.0"

bootstrap = Bootstrap5()
log = logging.getLogger("clientele")
_TESTING_SECRET_KEY = secrets.token_hex(32)


def create_app(config_path: str | os.PathLike[str] | None = None, **overrides: Any) -> Flask:
    """Make the app from the config file (or $CLIENTELE_CONFIG) with overrides of [clientele] keys.

    ``settings={plugin: {...}}`` replaces the file's [plugins.*] tables, and ``instance_path``
    chooses the instance folder (default: <project>/instance or $CLIENTELE_INSTANCE_PATH).
    """
    instance_path = (
        overrides.pop("instance_path", None)
        or os.environ.get("CLIENTELE_INSTANCE_PATH")
        or PROJECT_ROOT / "instance"
    )
    config = load_config(config_path, **overrides)
    app = Flask(
        "core", instance_path=str(Path(instance_path).resolve()), instance_relative_config=True
    )
    app.request_class = EdgeRequest
    settings = config.core
    app.config.update(
        CLIENTELE=settings,
        TESTING=settings["testing"],
        SECRET_KEY=_secret_key(app, settings),
        SQLALCHEMY_DATABASE_URI=_database_url(app, settings["database_url"]),
        SQLALCHEMY_ENGINE_OPTIONS={"pool_pre_ping": True},
        BOOTSTRAP_SERVE_LOCAL=True,
        BOOTSTRAP_BOOTSWATCH_THEME=None,
        WTF_CSRF_TIME_LIMIT=None,
        MAX_CONTENT_LENGTH=20 * 1024 * 1024,
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
        SESSION_COOKIE_SECURE=settings["https"],
        REMEMBER_COOKIE_SECURE=settings["https"],
    )
    if settings["https"]:
        # Served over HTTPS by a proxy in front: trust its X-Forwarded-For/-Proto (one hop).
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=1, x_proto=1, x_host=1)  # type: ignore[method-assign]
    db.init_app(app)
    login_manager.init_app(app)
    csrf.init_app(app)
    bootstrap.init_app(app)
    throttle.init_app(app)
    headers.init_app(app)

    where = str(config.path) if config.path else "the built-in defaults"
    system = load_plugins(
        settings["plugins"], config.plugin_tables, where, default_hooks, __version__
    )
    app.extensions["clientele"] = system
    i18n.init_app(app, [Path(plugin.package.__file__ or "").parent for plugin in system.plugins])
    _register_blueprints(app, system)
    _register_commands(app, system)

    from core.views import templating

    templating.init_app(app)
    if settings["check_migrations"]:
        from core.catch_up import sync_plugin_states
        from core.migrate import check_schema

        check_schema(app)
        sync_plugin_states(app)
    return app


def _database_url(app: Flask, url: str) -> str:
    """Make a relative SQLite path relative to the instance folder."""
    prefix = "sqlite:///"
    if url.startswith(prefix) and url != "sqlite:///:memory:":
        path = Path(url[len(prefix) :])
        if not path.is_absolute():
            Path(app.instance_path).mkdir(parents=True, exist_ok=True)
            return prefix + str(Path(app.instance_path) / path)
    return url


def _secret_key(app: Flask, settings: dict[str, Any]) -> str:
    """The configured secret key, or one made once and kept in the instance folder."""
    if settings["secret_key"]:
        return str(settings["secret_key"])
    if settings["testing"]:
        # Made once per process: no one outside it can sign a session for a test app.
        return _TESTING_SECRET_KEY
    path = Path(app.instance_path) / "secret_key"
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(secrets.token_hex(32))
        path.chmod(0o600)
    return path.read_text().strip()


def _register_blueprints(app: Flask, system: PluginSystem) -> None:
    """Register the core's and every plugin's blueprints; a plugin's must be named and mounted after it."""
    owners: dict[str, str] = {}
    for plugin, blueprints in call_each(system.pm, "blueprints"):
        for blueprint in blueprints or []:
            if plugin != CORE and (
                blueprint.name != plugin or blueprint.url_prefix != f"/{plugin}"
            ):
                raise PluginError(
                    plugin,
                    f"blueprint '{blueprint.name}' (url_prefix {blueprint.url_prefix!r}) must be named "
                    f"'{plugin}' with url_prefix '/{plugin}'.",
                    f"Use Blueprint('{plugin}', __name__, url_prefix='/{plugin}').",
                )
            if blueprint.name in owners:
                raise PluginError(
                    plugin,
                    f"blueprint '{blueprint.name}' is also registered by '{owners[blueprint.name]}'.",
                    "Rename one.",
                )
            owners[blueprint.name] = plugin
            app.register_blueprint(blueprint)


def _register_commands(app: Flask, system: PluginSystem) -> None:
    """Let each plugin add its click group to app.cli; the group must be named after the plugin."""
    before = set(app.cli.commands)
    for plugin, _ in call_each(system.pm, "register_commands", cli=app.cli):
        wrong = sorted(name for name in set(app.cli.commands) - before if name != plugin)
        if plugin != CORE and wrong:
            raise PluginError(
                plugin,
                f"adds the command '{wrong[0]}'.",
                f"Put its commands in one click group named '{plugin}'.",
            )
        before = set(app.cli.commands)
