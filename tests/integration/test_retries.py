"""Every retry a client makes is safe and finishes the job: a request whose answer was lost is
answered again (issuance, registration, the ceremony's messages), a lost database is a 503 to
retry rather than a 500, and the Python client sends again what the network dropped."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import ClassVar

import pytest
from sqlalchemy import text
from sqlalchemy.orm import Session, sessionmaker

from ballot.clients.http import ClientError, HttpSession
from ballot.crypto import blind_rsa, ceremony
from ballot.crypto.codec import commitment_message_json
from ballot.crypto.group import production_group
from ballot.devtools.demo import open_round_view
from ballot.devtools.seeded import SeededRandom
from ballot.services import ceremonies, meetings, voting
from ballot.services.errors import ServiceError
from ballot.services.unit import reading, transaction
from ballot.storage.engine import make_engine, sessions
from tests.integration.test_services_voting import (
    NOW,
    RNG,
    ROSTER,
    SECRET,
    SLATE,
    refused,
    setup_meeting,
)
from tests.support.members import check_in, issue_signed, open_round


def test_a_retried_registration_is_told_it_landed_even_when_all_issued_are_registered(
    db: sessionmaker[Session], issuer: blind_rsa.IssuerKey
) -> None:
    """One credential issued and registered, then the registration sent again (its answer
    lost): "credential-registered", which the page and `ballot vote` take as done — not
    "too-many-credentials", after which the page never cast."""
    meeting, members = setup_meeting(db, issuer)
    for member in members[:4]:
        check_in(db, meeting, member)
    with transaction(db) as session:
        open_round(session, meeting)
    device = open_round_view(db, meeting, 1).device(RNG)
    blind = issue_signed(db, meeting, 1, members[0], device.blinded_hex, SECRET)
    credential = device.finish_issuance(blind)
    with transaction(db) as session:
        voting.register_credential(session, meeting, 1, **credential)
    refused(
        "credential-registered", voting.register_credential, db, meeting, 1, *credential.values()
    )


def test_a_scrutineers_message_sent_twice_is_taken_once_and_a_different_one_refused(
    db: sessionmaker[Session],
) -> None:
    with transaction(db) as session:
        committee = meetings.create_committee(
            session, "嘉兴市评委会", meetings.parse_roster(ROSTER), NOW
        )
        meeting = meetings.create_meeting(session, committee, "2026 年度", SLATE, NOW)
        public_id = meetings.public_id(session, meeting)
        ceremonies.start_ceremony(session, meeting, 2, 3)
    params = ceremony.CeremonyParams(f"{public_id}/ceremony", 2, 3)
    group = production_group()
    _, message = ceremony.begin(group, params, 1, SeededRandom("one"))
    for _ in range(2):  # the first answer was lost: the same message again is fine
        with transaction(db) as session:
            ceremonies.publish_commitments(session, meeting, commitment_message_json(message))
    _, other = ceremony.begin(group, params, 1, SeededRandom("two"))
    refused(
        "already-published",
        ceremonies.publish_commitments,
        db,
        meeting,
        commitment_message_json(other),
    )
    with reading(db) as session:
        assert ceremonies.commitments(session, meeting) == [commitment_message_json(message)]


def test_a_database_that_goes_away_is_a_refusal_to_retry_not_a_crash(tmp_path: Path) -> None:
    gone = sessions(make_engine("postgresql+psycopg://nobody@127.0.0.1:1/none"))
    with pytest.raises(ServiceError) as err, transaction(gone) as session:
        session.execute(text("SELECT 1"))
    assert err.value.code == "database-unavailable" and "数据库暂时不可用" in err.value.text.zh
    with pytest.raises(ServiceError), reading(gone) as session:
        session.execute(text("SELECT 1"))

    from ballot.web import create_app

    app = create_app({"DATABASE_URL": f"sqlite:///{tmp_path / 'x.sqlite3'}", "KEYS": str(tmp_path)})
    app.extensions["ballot"].db = gone  # the database restarts under a running server
    answer = app.test_client().get("/m/nothing/status.json")
    assert answer.status_code == 503
    assert answer.get_json()["error"] == "database-unavailable"


class _Flaky(BaseHTTPRequestHandler):
    """Drops the first connection, answers 503 to the second, then the real answer."""

    seen: ClassVar[list[str]] = []

    def log_message(self, format: str, *args: object) -> None:
        pass

    def do_POST(self) -> None:
        self.rfile.read(int(self.headers.get("Content-Length", "0")))
        self.seen.append(self.path)
        if len(self.seen) == 1:
            self.connection.close()  # the network drops: no answer at all
            return
        body, status = (
            ({"error": "database-unavailable", "en": "later", "zh": "稍后"}, 503)
            if len(self.seen) == 2
            else ({"tracker": "ab"}, 200)
        )
        data = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)


@pytest.fixture
def flaky() -> Iterator[str]:
    _Flaky.seen = []
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Flaky)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()


def test_the_python_client_sends_again_what_the_network_dropped(flaky: str) -> None:
    session = HttpSession(flaky, timeout=5)
    session.pause = lambda attempt: None  # type: ignore[method-assign]
    assert session.call_json(session.anonymous, "/vote/anon/cast", {"x": 1}) == {"tracker": "ab"}
    assert _Flaky.seen == ["/vote/anon/cast"] * 3
    _Flaky.seen = []
    once = HttpSession(flaky, timeout=5, attempts=2)
    once.pause = lambda attempt: None  # type: ignore[method-assign]
    with pytest.raises(ClientError) as err:  # out of attempts: the server's own reason
        once.call_json(once.anonymous, "/vote/anon/cast", {"x": 1})
    assert err.value.code == "database-unavailable"


def test_every_connection_busy_is_a_refusal_to_retry_not_a_crash(tmp_path: Path) -> None:
    """When a worker's threads have taken every pooled connection, a request waits briefly
    and is then told to retry (503 database-unavailable), never a 500."""
    from sqlalchemy import create_engine

    engine = create_engine(
        f"sqlite:///{tmp_path / 'p.sqlite3'}", pool_size=1, max_overflow=0, pool_timeout=0.1
    )
    held = engine.connect()
    with pytest.raises(ServiceError) as err, reading(sessions(engine)) as session:
        session.execute(text("SELECT 1"))
    assert err.value.code == "database-unavailable"
    held.close()
    engine.dispose()
