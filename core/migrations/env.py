"""Alembic environment shared by the core branch and every plugin branch (one version table)."""

from __future__ import annotations

from alembic import context

from core.db import db

config = context.config
connection = config.attributes.get("connection")
if connection is None:
    raise RuntimeError(
        "Run migrations through `clientele db ...`, which passes the app's connection."
    )

context.configure(
    connection=connection,
    target_metadata=db.metadata,
    render_as_batch=connection.dialect.name == "sqlite",
    compare_type=True,
    include_object=config.attributes.get("include_object"),
)
context.run_migrations()
