"""Connecting to the database and bringing its schema up to date (Alembic migrations).

DATABASE_URL chooses the database: a PostgreSQL URL (`postgresql+psycopg://…`, psycopg 3) for
real deployments, else a SQLite file (`ballot.sqlite3` in the working folder by default).
SQLite gets foreign keys on, WAL journaling, a busy timeout and units of work that take the
write lock when they begin, so concurrent writers queue for each other instead of failing,
while sessions that only read begin deferred and never wait for a writer;
PostgreSQL serialises what must be serial with row locks (`SELECT … FOR UPDATE`).
"""

from __future__ import annotations

import contextlib
import os
from importlib import resources
from pathlib import Path

from alembic import command
from alembic.config import Config
from sqlalchemy import Engine, create_engine, event, make_url
from sqlalchemy.orm import Session, sessionmaker

DEFAULT_SQLITE = "ballot.sqlite3"
READ_ONLY = "ballot_read_only"  # execution option of a session that only reads


def database_url() -> str:
    return os.environ.get("DATABASE_URL") or f"sqlite:///{Path(DEFAULT_SQLITE).resolve()}"


def make_engine(url: str | None = None) -> Engine:
    url = url or database_url()
    if url.startswith("sqlite"):
        _create_private(url)
        engine = create_engine(url, connect_args={"check_same_thread": False, "timeout": 30})

        @event.listens_for(engine, "connect")
        def _pragmas(dbapi_connection, _record):  # type: ignore[no-untyped-def]
            dbapi_connection.isolation_level = None  # transactions begin below, not implicitly
            cur = dbapi_connection.cursor()
            cur.execute("PRAGMA foreign_keys = ON")
            cur.execute("PRAGMA journal_mode = WAL")
            cur.execute("PRAGMA busy_timeout = 30000")
            cur.close()

        @event.listens_for(engine, "begin")
        def _begin(connection):  # type: ignore[no-untyped-def]
            # A unit of work takes the write lock at the start: concurrent writers queue (busy
            # timeout) instead of failing when a read transaction later tries to write. A
            # session that only reads (READ_ONLY) begins deferred: under WAL it reads a
            # snapshot and never waits for a writer.
            if connection.get_execution_options().get(READ_ONLY):
                connection.exec_driver_sql("BEGIN")
            else:
                connection.exec_driver_sql("BEGIN IMMEDIATE")

        return engine
    # up to 30 connections per process, waited for at most 10 s (then the request is told
    # to retry): a worker's 64 threads share them; 2 servers × 2 workers stay under
    # PostgreSQL's default of 100 connections
    return create_engine(url, pool_pre_ping=True, pool_size=10, max_overflow=20, pool_timeout=10)


def _create_private(url: str) -> None:
    """A new SQLite file is made readable by its owner only (SQLite gives its -wal and -shm
    files the same mode): it holds the meeting, the sealed issuer key and the login hashes."""
    path = make_url(url).database
    if not path or path == ":memory:" or path.startswith("file:"):
        return
    with contextlib.suppress(FileExistsError, FileNotFoundError):  # (no folder: SQLite says so)
        os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))


def alembic_config(engine: Engine) -> Config:
    config = Config()
    config.set_main_option(
        "script_location", str(resources.files("ballot.storage").joinpath("migrations"))
    )
    config.attributes["engine"] = engine
    return config


def upgrade(engine: Engine) -> None:
    """Create or migrate the schema to the newest revision."""
    command.upgrade(alembic_config(engine), "head")


def sessions(engine: Engine) -> sessionmaker[Session]:
    return sessionmaker(engine, expire_on_commit=False)
