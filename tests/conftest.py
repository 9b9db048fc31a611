from __future__ import annotations

import os

from hypothesis import HealthCheck, settings

# CI runs more examples than a developer's quick loop; both are deterministic per seed.
settings.register_profile(
    "ci", max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow]
)
settings.register_profile("dev", max_examples=100, deadline=None)
settings.load_profile("ci" if os.environ.get("CI") else "dev")


# --- databases: every storage test runs on SQLite and on a real PostgreSQL server -----------

import uuid  # noqa: E402
from collections.abc import Iterator  # noqa: E402
from contextlib import contextmanager  # noqa: E402

import pytest  # noqa: E402

POSTGRES_URL = os.environ.get(
    "BALLOT_TEST_POSTGRES_URL", "postgresql+psycopg:///{db}?host=/var/run/postgresql"
)


def _postgres_admin():  # type: ignore[no-untyped-def]
    from sqlalchemy import create_engine

    return create_engine(POSTGRES_URL.format(db="postgres"), isolation_level="AUTOCOMMIT")


@contextmanager
def empty_postgres_database(prefix: str = "ballot_empty") -> Iterator[str]:
    """A new, empty PostgreSQL database (dropped afterwards), its name. Without a reachable
    server the test is skipped — in CI it fails, since CI must run every test on PostgreSQL."""
    from sqlalchemy import text
    from sqlalchemy.exc import OperationalError

    name = f"{prefix}_{uuid.uuid4().hex[:12]}"
    admin = _postgres_admin()
    try:
        with admin.connect() as c:
            c.execute(text(f'CREATE DATABASE "{name}"'))
    except OperationalError as e:
        admin.dispose()
        message = f"PostgreSQL is not reachable at {POSTGRES_URL.format(db='postgres')}: {e}"
        if os.environ.get("CI"):
            pytest.fail(message + " (CI must run every test on PostgreSQL; .ci/run starts it)")
        pytest.skip(message)
    try:
        yield name
    finally:
        with admin.connect() as c:
            c.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


@pytest.fixture(scope="session")
def postgres_template() -> Iterator[str]:
    """A migrated template database; each test gets a fresh copy of it."""
    from ballot.storage.engine import make_engine, upgrade

    with empty_postgres_database("ballot_tmpl") as name:
        engine = make_engine(POSTGRES_URL.format(db=name))
        upgrade(engine)
        engine.dispose()
        yield name


@pytest.fixture(params=["sqlite", "postgresql"])
def database_url(request: pytest.FixtureRequest, tmp_path) -> Iterator[str]:  # type: ignore[no-untyped-def]
    """A fresh, migrated database of each kind."""
    from sqlalchemy import text

    if request.param == "sqlite":
        from ballot.storage.engine import make_engine, upgrade

        url = f"sqlite:///{tmp_path / 'ballot.sqlite3'}"
        engine = make_engine(url)
        upgrade(engine)
        engine.dispose()
        yield url
        return
    template = request.getfixturevalue("postgres_template")
    name = f"ballot_test_{uuid.uuid4().hex[:12]}"
    admin = _postgres_admin()
    with admin.connect() as c:
        c.execute(text(f'CREATE DATABASE "{name}" TEMPLATE "{template}"'))
    yield POSTGRES_URL.format(db=name)
    with admin.connect() as c:
        c.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


@pytest.fixture(scope="session")
def issuer():  # type: ignore[no-untyped-def]
    """A meeting issuer key (3072 bits: the smallest allowed)."""
    from ballot.crypto import blind_rsa

    return blind_rsa.generate_issuer_key(3072)


@pytest.fixture
def db(database_url: str) -> Iterator[object]:
    """A session factory on a fresh, migrated database of each kind."""
    from ballot.storage.engine import make_engine, sessions

    engine = make_engine(database_url)
    yield sessions(engine)
    engine.dispose()


# --- every test is marked by its folder: `pytest -m unit`, `-m "not browser"` … -------------

FOLDERS = ("unit", "property", "integration", "browser")


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        folder = item.path.parent.name
        if folder in FOLDERS:
            item.add_marker(getattr(pytest.mark, folder))


@pytest.fixture(scope="module")
def held(tmp_path_factory: pytest.TempPathFactory):  # type: ignore[no-untyped-def]
    """A finished meeting as the server operator holds it (tests/support/doctor.py), once per
    module that asks."""
    from tests.support.doctor import run

    return run(tmp_path_factory.mktemp("held") / "ballot.sqlite3")


@pytest.fixture
def rec(held):  # type: ignore[no-untyped-def]
    """A copy of `held`'s record to doctor."""
    import copy

    yield copy.deepcopy(held.record)
