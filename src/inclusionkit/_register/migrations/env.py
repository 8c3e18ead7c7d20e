"""Alembic's environment: migrate the connection :func:`inclusionkit._register.migrate` passes."""

from __future__ import annotations

from alembic import context

from inclusionkit._register._schema import METADATA

connection = context.config.attributes["connection"]
context.configure(connection=connection, target_metadata=METADATA, render_as_batch=True)
with context.begin_transaction():
    context.run_migrations()
