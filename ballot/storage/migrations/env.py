"""Alembic environment: migrations run on the engine `ballot.storage.engine.upgrade` passes in.

Every app process upgrades at start, so workers and servers starting together on one new
PostgreSQL database would race to create the tables: a transaction-scoped advisory lock makes
them take turns (the later ones then find the schema at head). SQLite's write lock, taken when
the transaction begins, does the same there."""

from __future__ import annotations

from alembic import context
from sqlalchemy import text

from ballot.storage.models import Base

engine = context.config.attributes["engine"]
MIGRATION_LOCK = 0x62616C6C6F74  # "ballot": one number for every ballot database

with engine.begin() as connection:
    if connection.dialect.name == "postgresql":
        connection.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": MIGRATION_LOCK})
    context.configure(
        connection=connection,
        target_metadata=Base.metadata,
        render_as_batch=connection.dialect.name == "sqlite",
    )
    with context.begin_transaction():
        context.run_migrations()
