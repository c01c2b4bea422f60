"""The WSGI application for production servers: ``gunicorn -w 4 core.wsgi:app``.

The config comes from the environment as for every command ($CLIENTELE_CONFIG,
$CLIENTELE_DATABASE_URL, $CLIENTELE_SECRET_KEY, $CLIENTELE_REDIS_URL,
$CLIENTELE_INSTANCE_PATH). The app refuses to start when the config is wrong or an enabled
plugin's migrations are not applied: it prints the one-line reason with the command to run
and exits with gunicorn's "app failed to load" status, so gunicorn stops instead of
restarting workers that cannot boot.
"""

from __future__ import annotations

import logging
import sys

from core import create_app
from core.config import ConfigError
from core.db import db
from core.plugins import PluginError

#: gunicorn halts (instead of booting the worker again) when a worker exits with this status.
APP_LOAD_ERROR = 4


def configure_logging() -> None:
    """Send the app's log records (jobs, outbox, plugins) to stderr unless logging is set up."""
    if not logging.getLogger().handlers:
        logging.basicConfig(
            level=logging.INFO,
            format="%(asctime)s [%(process)d] %(levelname)s %(name)s: %(message)s",
        )
        # Each worker checks the migrations at start; Alembic's set-up chatter is not news.
        logging.getLogger("alembic").setLevel(logging.WARNING)


configure_logging()
try:
    app = create_app()
except (PluginError, ConfigError) as error:
    print(f"clientele: cannot start: {error}", file=sys.stderr, flush=True)
    raise SystemExit(APP_LOAD_ERROR) from None
with app.app_context():
    # The migrations check opened a connection; with `gunicorn --preload` the workers are
    # forked after this line and must not share it, so each starts with an empty pool.
    db.engine.dispose()
