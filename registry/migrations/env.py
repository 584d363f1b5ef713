"""Alembic environment: runs migrations against the configured registry database."""

from __future__ import annotations

from alembic import context

import registry.models  # noqa: F401 - registers every table on the metadata
from registry.config import Settings
from registry.db import Base, make_engine

config = context.config
url = config.attributes.get("database_url") or Settings.from_env().database_url


def run_migrations_online() -> None:
    connection = config.attributes.get("connection")
    if connection is not None:
        context.configure(
            connection=connection, target_metadata=Base.metadata, render_as_batch=True
        )
        with context.begin_transaction():
            context.run_migrations()
        return
    engine = make_engine(url)
    with engine.connect() as conn:
        # render_as_batch: SQLite can only alter tables by copying them; Alembic's batch mode
        # does that for it and is a no-op on PostgreSQL.
        context.configure(connection=conn, target_metadata=Base.metadata, render_as_batch=True)
        with context.begin_transaction():
            context.run_migrations()
    engine.dispose()


run_migrations_online()
