"""A server's first start: workers starting at the same moment agree on one server secret,
and a new SQLite database file is readable by its owner only."""

from __future__ import annotations

import multiprocessing
import os
import stat
from pathlib import Path
from typing import Any

from ballot.services.runtime import server_secret
from ballot.storage.engine import make_engine, upgrade


def _start(
    keys: str, barrier: multiprocessing.synchronize.Barrier, out: multiprocessing.Queue
) -> None:  # type: ignore[type-arg]
    os.environ.pop("BALLOT_SERVER_SECRET", None)
    barrier.wait()
    out.put(server_secret(Path(keys)))


def test_workers_starting_together_read_one_secret(tmp_path: Path) -> None:
    ctx = multiprocessing.get_context("fork")
    workers = 12
    for attempt in range(40):
        keys = tmp_path / f"keys-{attempt}"
        keys.mkdir()
        barrier, out = ctx.Barrier(workers), ctx.Queue()
        started = [
            ctx.Process(target=_start, args=(str(keys), barrier, out)) for _ in range(workers)
        ]
        for p in started:
            p.start()
        secrets = {out.get(timeout=60) for _ in started}
        for p in started:
            p.join(timeout=60)
        assert len(secrets) == 1 and len(next(iter(secrets))) >= 40, secrets
        assert sorted(x.name for x in keys.iterdir()) == ["server-secret"]  # no drafts left
        assert stat.S_IMODE((keys / "server-secret").stat().st_mode) == 0o600


def test_a_new_sqlite_database_is_readable_by_its_owner_only(tmp_path: Path) -> None:
    path = tmp_path / "ballot.sqlite3"
    engine = make_engine(f"sqlite:///{path}")
    upgrade(engine)
    engine.dispose()
    assert stat.S_IMODE(path.stat().st_mode) & 0o077 == 0


def _upgrade(url: str, barrier: Any, out: Any) -> None:
    engine = make_engine(url)
    barrier.wait()
    try:
        upgrade(engine)
        out.put("ok")
    except Exception as err:  # the race this test is about
        out.put(f"{type(err).__name__}: {err}"[:300])
    engine.dispose()


def test_workers_starting_together_on_a_new_postgresql_database_migrate_it_once(
    postgres_template: str,
) -> None:
    """Four workers upgrading one new, empty PostgreSQL database at the same moment: each
    finds the schema made (an advisory lock makes them take turns; they used to fail with
    duplicate tables at boot)."""
    from tests.conftest import POSTGRES_URL, empty_postgres_database

    ctx = multiprocessing.get_context("fork")
    for _ in range(3):
        with empty_postgres_database("ballot_race") as name:
            barrier, out = ctx.Barrier(4), ctx.Queue()
            url = POSTGRES_URL.format(db=name)
            started = [ctx.Process(target=_upgrade, args=(url, barrier, out)) for _ in range(4)]
            for p in started:
                p.start()
            results = [out.get(timeout=120) for _ in started]
            for p in started:
                p.join(timeout=60)
            assert results == ["ok"] * 4, results
