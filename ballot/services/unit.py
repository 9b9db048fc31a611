"""Units of work: every service function takes the session of one transaction, and the shell
(a web request, a command) decides where the transaction begins and ends.

    with transaction(db) as session:
        meetings.set_present(session, meeting, member, True)

commits when the block ends and rolls everything back when it raises, so a refusal changes
nothing and a multi-step change (a meeting with its roster, slate, scrutineers and logins) is
all stored or none of it. `reading` is for what only looks.

Two services own their transactions, for reasons given where they are defined: casting a
ballot (its proofs are checked between two short transactions, so a room's casts run in
parallel) and logging in (a wrong code is counted even though the login is refused).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import Engine
from sqlalchemy.exc import DataError, InterfaceError, OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeout
from sqlalchemy.orm import Session, sessionmaker

from ballot.services.errors import ServiceError
from ballot.storage.engine import READ_ONLY, make_engine, sessions, upgrade

Db = sessionmaker[Session]

__all__ = ["Db", "Session", "open_database", "reading", "transaction"]


def open_database(url: str | None = None) -> tuple[Engine, Db]:
    """The database at `url` (else DATABASE_URL, else ./ballot.sqlite3), its schema brought up
    to date; returns the engine (to dispose of) and the session factory."""
    try:
        engine = make_engine(url)
    except ModuleNotFoundError as err:  # the URL names a driver that is not installed
        raise ServiceError(
            "no-database-driver",
            en=f"the database driver {err.name} is not installed: for PostgreSQL, "
            "pip install 'ballot[postgresql]'",
            zh=f"未安装数据库驱动 {err.name}：使用 PostgreSQL 请运行 pip install 'ballot[postgresql]'",
        ) from None
    try:
        upgrade(engine)
    except OperationalError as err:
        engine.dispose()
        raise ServiceError(
            "database-unreachable",
            en=f"cannot open the database ({err.orig}): check DATABASE_URL and that the "
            "server is running",
            zh=f"无法打开数据库（{err.orig}）：请检查 DATABASE_URL 及数据库服务是否运行",
        ) from None
    return engine, sessions(engine)


UNAVAILABLE = "database-unavailable"


@contextmanager
def transaction(db: Db) -> Iterator[Session]:
    """One unit of work: committed at the end of the block, rolled back if it raises. A lost
    database connection (a restart) is a `database-unavailable` refusal to retry, not a 500."""
    with _refusals(), db.begin() as session:
        yield session


@contextmanager
def reading(db: Db) -> Iterator[Session]:
    """A session that only reads (nothing it does is committed). On SQLite it takes no write
    lock, so pages and status polls never queue behind casting."""
    with _refusals(), db() as session:
        session.connection(execution_options={READ_ONLY: True})
        yield session


@contextmanager
def _refusals() -> Iterator[None]:
    """What the database says about a request, said as a refusal the caller can act on."""
    try:
        yield
    except (OperationalError, InterfaceError, PoolTimeout):  # (every connection busy: retry)
        raise _unavailable() from None
    except (DataError, OverflowError):
        raise _out_of_range() from None


def _out_of_range() -> ServiceError:
    """A number or text the database cannot hold (an id of 2^63, a text past its column)."""
    return ServiceError(
        "malformed",
        en="a number or text in the request is out of range: nothing was changed",
        zh="请求中的数字或文字超出范围：未做任何更改",
    )


def _unavailable() -> ServiceError:
    return ServiceError(
        UNAVAILABLE,
        en="the database is briefly unavailable: try again in a moment (repeating is safe)",
        zh="数据库暂时不可用：请稍后重试（重复提交是安全的）",
    )
