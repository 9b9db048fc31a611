"""Storage on SQLite and on PostgreSQL: migrations from empty, rules the database enforces
even under concurrent requests, and an event record that cannot be changed."""

from __future__ import annotations

import threading
from datetime import UTC, datetime

import pytest
from sqlalchemy import Engine, inspect, select, text
from sqlalchemy.exc import DBAPIError, IntegrityError
from sqlalchemy.orm import Session

from ballot.storage import models as m
from ballot.storage.engine import make_engine, upgrade

NOW = datetime(2026, 11, 22, 9, 0, tzinfo=UTC)


@pytest.fixture
def engine(database_url: str) -> Engine:
    e = make_engine(database_url)
    yield e  # type: ignore[misc]
    e.dispose()


def seed(session: Session) -> tuple[m.Meeting, m.Round, list[m.Member]]:
    committee = m.Committee(name="嘉兴市市长质量奖评委会", created_at=NOW)
    session.add(committee)
    session.flush()
    members = [m.Member(committee_id=committee.id, name=f"委员{i}") for i in range(3)]
    meeting = m.Meeting(
        public_id="meeting-1",
        committee_id=committee.id,
        title="2026",
        profile_id="jiaxing-2020",
        created_at=NOW,
    )
    session.add_all([*members, meeting])
    session.flush()
    rnd = m.Round(
        meeting_id=meeting.id,
        number=1,
        tier="award",
        kind="ballot",
        candidates=["A", "B"],
        places=1,
        max_approvals=1,
        present_at_open=3,
    )
    session.add(rnd)
    session.flush()
    return meeting, rnd, members


def test_migrations_create_the_schema_from_empty_and_rerun_cleanly(engine: Engine) -> None:
    tables = set(inspect(engine).get_table_names())
    assert {
        "committees",
        "members",
        "meetings",
        "candidates",
        "attendance",
        "rounds",
        "issuances",
        "credentials",
        "ballots",
        "decryption_shares",
        "events",
        "scrutineers",
        "ceremony_messages",
        "ceremony_shares",
        "accounts",
        "login_failures",
        "member_keys",
    } <= tables
    upgrade(engine)  # already at head: nothing to do, nothing lost
    with engine.connect() as c:
        assert c.execute(text("SELECT version_num FROM alembic_version")).scalar() == "0011"


def test_the_migrations_build_exactly_what_the_models_declare(engine: Engine) -> None:
    from alembic.autogenerate import compare_metadata
    from alembic.migration import MigrationContext

    from ballot.storage.models import Base

    with engine.connect() as c:
        diff = compare_metadata(MigrationContext.configure(c), Base.metadata)
    assert diff == []


def test_events_are_append_only(engine: Engine) -> None:
    with Session(engine) as s:
        meeting, _, _ = seed(s)
        s.add(
            m.Event(
                meeting_id=meeting.id,
                seq=0,
                kind="manifest",
                body="{}",
                prev_hash="0" * 64,
                hash="1" * 64,
            )
        )
        s.commit()
    for statement in ("UPDATE events SET kind = 'forged'", "DELETE FROM events"):
        with pytest.raises(DBAPIError, match="append-only"), engine.begin() as c:
            c.execute(text(statement))
    with Session(engine) as s:
        (event,) = s.scalars(select(m.Event)).all()
        assert event.kind == "manifest"
    with pytest.raises(IntegrityError), Session(engine) as s:  # one event per place in the chain
        s.add(m.Event(meeting_id=1, seq=0, kind="x", body="{}", prev_hash="", hash=""))
        s.commit()


def test_one_issuance_per_member_per_round(engine: Engine) -> None:
    with Session(engine) as s:
        _, rnd, members = seed(s)
        s.add(m.Issuance(round_id=rnd.id, member_id=members[0].id))
        s.commit()
        s.add(m.Issuance(round_id=rnd.id, member_id=members[0].id))
        with pytest.raises(IntegrityError):
            s.commit()
        s.rollback()
        assert len(s.scalars(select(m.Issuance)).all()) == 1


def test_issuance_credential_and_ballot_ids_say_nothing_of_arrival_order(engine: Engine) -> None:
    # (docs/threat-model.md: sequential ids would tell the operator which issuance came before
    # which credential and ballot; the ids are drawn at random from [1, 2^62))
    with Session(engine) as s:
        _, rnd, members = seed(s)
        for i, member in enumerate(members):
            s.add(m.Issuance(round_id=rnd.id, member_id=member.id))
            cred = m.Credential(
                round_id=rnd.id, public_key=f"04{i:02x}" + "aa" * 63, prepared="00", signature="00"
            )
            s.add(cred)
            s.flush()
            s.add(
                m.Ballot(round_id=rnd.id, credential_id=cred.id, tracker=f"{i:02x}" * 32,
                         body={}, signature="00")
            )  # fmt: skip
        s.commit()
        for table in (m.Issuance, m.Credential, m.Ballot):
            ids = list(s.scalars(select(table.id)))
            assert len(ids) == 3 and all(2**20 < i < 2**62 for i in ids), (table, ids)
            assert sorted(ids) != list(range(min(ids), min(ids) + 3)), ids  # not consecutive


def test_one_ballot_per_credential_and_one_key_per_round(engine: Engine) -> None:
    with Session(engine) as s:
        _, rnd, _ = seed(s)
        cred = m.Credential(
            round_id=rnd.id, public_key="04" + "aa" * 64, prepared="00", signature="00"
        )
        s.add(cred)
        s.commit()
        s.add(
            m.Credential(
                round_id=rnd.id, public_key="04" + "aa" * 64, prepared="01", signature="01"
            )
        )
        with pytest.raises(IntegrityError):
            s.commit()
        s.rollback()
        s.add(
            m.Ballot(
                round_id=rnd.id, credential_id=cred.id, tracker="ab" * 32, body={}, signature="00"
            )
        )
        s.commit()
        s.add(
            m.Ballot(
                round_id=rnd.id, credential_id=cred.id, tracker="cd" * 32, body={}, signature="00"
            )
        )
        with pytest.raises(IntegrityError):
            s.commit()


def test_fifty_threads_casting_one_credentials_ballot_store_exactly_one(engine: Engine) -> None:
    with Session(engine) as s:
        _, rnd, _ = seed(s)
        cred = m.Credential(
            round_id=rnd.id, public_key="04" + "bb" * 64, prepared="00", signature="00"
        )
        s.add(cred)
        s.commit()
        round_id, credential_id = rnd.id, cred.id
    outcomes: list[str] = []
    start = threading.Barrier(50)

    def cast(i: int) -> None:
        start.wait()
        try:
            with Session(engine) as s:
                s.add(
                    m.Ballot(
                        round_id=round_id,
                        credential_id=credential_id,
                        tracker=f"{i:064x}",
                        body={"i": i},
                        signature="00",
                    )
                )
                s.commit()
            outcomes.append("stored")
        except IntegrityError:
            outcomes.append("refused")

    threads = [threading.Thread(target=cast, args=(i,)) for i in range(50)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert outcomes.count("stored") == 1 and outcomes.count("refused") == 49
    with Session(engine) as s:
        assert len(s.scalars(select(m.Ballot)).all()) == 1


def test_on_sqlite_a_reading_session_never_waits_for_a_writer(tmp_path) -> None:  # type: ignore[no-untyped-def]
    """Units of work take SQLite's write lock when they begin; a session that only reads
    begins deferred and reads its snapshot at once, however long a writer holds the lock (it
    used to take the lock too: pages and polls queued behind casting, p95 4.9 s)."""
    import time

    from ballot.services.unit import reading, transaction
    from ballot.storage.engine import sessions

    engine = make_engine(f"sqlite:///{tmp_path / 'r.sqlite3'}")
    upgrade(engine)
    db = sessions(engine)
    took: list[float] = []
    seen: list[int] = []

    def read() -> None:
        started = time.monotonic()
        with reading(db) as s:
            seen.append(len(s.scalars(select(m.Committee)).all()))
        took.append(time.monotonic() - started)

    with transaction(db) as session:  # holds the write lock until the block ends
        session.add(m.Committee(name="甲", created_at=datetime.now(UTC)))
        session.flush()
        reader = threading.Thread(target=read)
        reader.start()
        reader.join(timeout=20)
        assert took and took[0] < 2, took  # it did not wait for the writer
    assert seen == [0]  # it read the snapshot before the write
    read()
    assert seen == [0, 1]
    engine.dispose()


def test_a_process_keeps_at_most_thirty_postgresql_connections_and_then_asks_to_retry() -> None:
    """README "Serving": each process keeps at most 30 connections (a worker's 64 threads share
    them, and two servers' workers stay under PostgreSQL's 100); a request that finds all 30
    busy waits at most 10 s and is told to retry (503 database-unavailable), never a 500."""
    import time

    from ballot.services.errors import ServiceError
    from ballot.services.unit import reading
    from ballot.storage.engine import sessions
    from tests.conftest import POSTGRES_URL, empty_postgres_database

    with empty_postgres_database("ballot_pool") as name:
        engine = make_engine(POSTGRES_URL.format(db=name))
        held = [engine.connect() for _ in range(30)]
        started = time.monotonic()
        with pytest.raises(ServiceError) as err, reading(sessions(engine)) as session:
            session.execute(text("SELECT 1"))
        assert err.value.code == "database-unavailable"
        assert 9 < time.monotonic() - started < 20
        for c in held:
            c.close()
        engine.dispose()
