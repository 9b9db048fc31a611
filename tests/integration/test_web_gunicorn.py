"""Served by gunicorn against PostgreSQL: 30 simulated members cast in the same second with no
error and no ballot lost.

The meeting is prepared in-process on a fresh PostgreSQL database; a real gunicorn (2 workers,
8 threads each) then serves `ballot.wsgi:app` on that database and keys folder, and 30
command-line voters (`HttpVoter`, the same HTTP routes as the browser) log in, take their
credentials and register them concurrently, then all cast at once behind a barrier. The round
is closed and decrypted in-process and every published count must match what was marked.
"""

from __future__ import annotations

import os
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from gunicorn import config as gunicorn_config
from sqlalchemy import select

from ballot.clients.voter import HttpVoter, Prepared
from ballot.crypto.randomness import SystemRandom
from ballot.devtools.demo import prepare_meeting
from ballot.services import counting
from ballot.services.runtime import Runtime
from ballot.services.setup import Invitation
from ballot.services.unit import transaction
from ballot.storage import models as m
from ballot.web import create_app
from tests.support.members import check_in, close_round, device_of, open_round
from tests.support.web import FAST_SCRYPT, free_port, scrutineer_shares

VOTERS = 30
CHAIR = "主任"
MEMBERS = [f"委员{i:02d}" for i in range(1, VOTERS + 1)]
CANDIDATES = [f"{x}公司" for x in "甲乙丙丁戊己"]
SLATE = {
    "profile": "jiaxing-2020",
    "candidates": CANDIDATES,
    "others": [],
    "rules": {"tiers": [{"id": "award", "places": 3}, {"id": "nominee", "places": 2}]},
}
STARTUP_SECONDS = 60


@dataclass(frozen=True)
class Meeting:
    database_url: str
    keys: Path
    meeting_id: int
    public_id: str
    invitations: dict[str, Invitation]
    max_approvals: int


def runtime_on(database_url: str, keys: Path) -> Runtime:
    app = create_app({"DATABASE_URL": database_url, "KEYS": str(keys)})
    rt: Runtime = app.extensions["ballot"]
    return rt


def marks(voter: int, k: int) -> list[str]:
    """Voter `voter`'s choices: 0 to k approvals at a rotating place, the rest alternately
    oppose and abstain (deterministic, so the expected counts are known)."""
    approved = {(voter + j) % len(CANDIDATES) for j in range(voter % (k + 1))}
    return [
        "approve" if c in approved else ("oppose" if (voter + c) % 2 == 0 else "abstain")
        for c in range(len(CANDIDATES))
    ]


@pytest.fixture
def meeting(database_url: str, tmp_path: Path) -> Meeting:
    """A meeting of a chair and 30 members, all 30 members checked in and round 1 open."""
    keys = tmp_path / "keys"
    rt = runtime_on(database_url, keys)
    try:
        roster = [(CHAIR, "chair")] + [(name, "member") for name in MEMBERS]
        meeting_id, invitations = prepare_meeting(
            rt,
            "并发测试评委会",
            roster,
            "并发投票测试",
            SLATE,
            2,
            3,
            tmp_path / "shares",
            issuer_bits=3072,
            scrypt=FAST_SCRYPT,
        )
        with rt.db() as s:
            row = s.get(m.Meeting, meeting_id)
            assert row is not None
            public_id = row.public_id
            ids = {
                x.name: x.id
                for x in s.scalars(
                    select(m.Member).where(m.Member.committee_id == row.committee_id)
                )
            }
        for name in MEMBERS:
            check_in(rt.db, meeting_id, ids[name])
        with transaction(rt.db) as session:
            number = open_round(session, meeting_id)
        assert number == 1
        with rt.db() as s:
            rnd = s.scalar(select(m.Round).where(m.Round.meeting_id == meeting_id))
            assert rnd is not None and rnd.candidates == CANDIDATES
            k = rnd.max_approvals
    finally:
        rt.engine.dispose()
    return Meeting(database_url, keys, meeting_id, public_id, {x.name: x for x in invitations}, k)


@dataclass(frozen=True)
class Server:
    base_url: str
    log: Path

    def log_text(self) -> str:
        return self.log.read_text(encoding="utf-8", errors="replace")


@pytest.fixture
def gunicorn(meeting: Meeting, tmp_path: Path) -> Iterator[Server]:
    """A real gunicorn serving ballot.wsgi:app on the meeting's database and keys folder."""
    port = free_port()
    log = tmp_path / "gunicorn.log"
    env = dict(os.environ, DATABASE_URL=meeting.database_url, BALLOT_KEYS=str(meeting.keys))
    command = [sys.executable, "-m", "gunicorn", "--bind", f"127.0.0.1:{port}",
               "--workers", "2", "--worker-class", "gthread", "--threads", "8",
               "--timeout", "120", "ballot.wsgi:app"]  # fmt: skip
    if "control_socket_disable" in gunicorn_config.Config().settings:
        # recent gunicorn opens a control socket at one fixed path (~/.gunicorn/gunicorn.ctl)
        # shared by every server it starts: this test needs none, so it turns it off
        command.insert(-1, "--no-control-socket")
    with log.open("wb") as out:
        process = subprocess.Popen(
            command, cwd=tmp_path, env=env, stdout=out, stderr=subprocess.STDOUT
        )
    server = Server(f"http://localhost:{port}", log)
    try:
        deadline = time.monotonic() + STARTUP_SECONDS
        while True:
            if process.poll() is not None:
                pytest.fail(f"gunicorn exited with {process.returncode}:\n{server.log_text()}")
            try:
                with urllib.request.urlopen(f"{server.base_url}/", timeout=5):
                    break
            except urllib.error.HTTPError:
                break  # it answered
            except OSError:
                if time.monotonic() > deadline:
                    pytest.fail(
                        f"gunicorn did not answer in {STARTUP_SECONDS} s:\n{server.log_text()}"
                    )
                time.sleep(0.2)
        yield server
    finally:
        process.terminate()
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


@dataclass
class Turn:
    voter: HttpVoter
    prepared: Prepared
    start: float = 0.0
    end: float = 0.0
    tracker: str | None = None
    error: BaseException | None = None


# conftest's database_url on PostgreSQL only: a fresh copy of the migrated template, dropped
# afterwards; skipped without PostgreSQL, except in CI (env CI) where that fails
@pytest.mark.parametrize("database_url", ["postgresql"], indirect=True)
def test_thirty_members_cast_in_the_same_second_under_gunicorn_with_no_ballot_lost(
    meeting: Meeting, gunicorn: Server
) -> None:
    k = meeting.max_approvals
    choices = {name: marks(i, k) for i, name in enumerate(MEMBERS)}
    assert all(sum(c == "approve" for c in x) <= k for x in choices.values())

    def ready(name: str) -> Turn:
        voter = HttpVoter(gunicorn.base_url)
        voter.login(meeting.invitations[name].code)
        rnd, who = voter.current_round()
        assert rnd is not None and rnd["number"] == 1 and rnd["k"] == k
        prepared = voter.prepare(rnd, choices[name])
        signer = device_of(rnd["meeting"], who["name"])
        voter.enrol(signer, who["key"])
        voter.issue(prepared, signer)
        voter.register(prepared)
        return Turn(voter, prepared)

    with ThreadPoolExecutor(VOTERS) as pool:
        turns = list(pool.map(ready, MEMBERS))

    barrier = threading.Barrier(VOTERS)

    def cast(turn: Turn) -> None:
        barrier.wait()
        turn.start = time.time()
        try:
            turn.tracker = turn.voter.cast(turn.prepared)
        except BaseException as err:  # recorded and reported below, with every other one
            turn.error = err
        finally:
            turn.end = time.time()

    with ThreadPoolExecutor(VOTERS) as pool:
        list(pool.map(cast, turns))

    first, last = min(t.start for t in turns), max(t.start for t in turns)
    wall = max(t.end for t in turns) - first
    print(
        f"\n{VOTERS} casts through gunicorn: started within {last - first:.3f} s, "
        f"burst wall time {wall:.2f} s (first start to last answer), slowest cast "
        f"{max(t.end - t.start for t in turns):.2f} s"
    )
    errors = [f"{name}: {t.error!r}" for name, t in zip(MEMBERS, turns, strict=True) if t.error]
    assert not errors, "\n".join(errors) + "\n--- gunicorn log ---\n" + gunicorn.log_text()
    assert last - first < 1.0, f"the casts started {last - first:.3f} s apart"
    trackers = {t.tracker for t in turns}
    assert len(trackers) == VOTERS and None not in trackers
    log = gunicorn.log_text()
    assert "Traceback" not in log and "WORKER TIMEOUT" not in log, log

    rt = runtime_on(meeting.database_url, meeting.keys)
    try:
        with rt.db() as s:
            rnd = s.scalar(
                select(m.Round).where(m.Round.meeting_id == meeting.meeting_id, m.Round.number == 1)
            )
            assert rnd is not None
            stored = set(s.scalars(select(m.Ballot.tracker).where(m.Ballot.round_id == rnd.id)))
        assert stored == trackers

        with transaction(rt.db) as session:
            closed = close_round(
                session, meeting.meeting_id, 1, rt.signer(session, meeting.meeting_id)
            )
        assert not closed["void"], closed["reason"]
        assert (closed["issued"], closed["credentials"], closed["ballots"]) == (VOTERS,) * 3
        decided: dict[str, Any] | None = None
        for index in (1, 3):
            invitation = meeting.invitations[f"监票人 {index}"]
            assert invitation.share_file is not None and invitation.passphrase is not None
            body = scrutineer_shares(
                rt.db, meeting.meeting_id, 1, invitation.share_file, invitation.passphrase
            )
            with transaction(rt.db) as session:
                decided = counting.submit_decryption_shares(
                    session,
                    meeting.meeting_id,
                    1,
                    index,
                    body["shares"],
                    rt.signer(session, meeting.meeting_id),
                    SystemRandom(),
                    accepted=body["accepted"],
                    signature=body["signature"],
                )
        assert decided is not None  # the second scrutineer's shares decrypted the totals
        with rt.db() as s:
            rnd = s.scalar(
                select(m.Round).where(m.Round.meeting_id == meeting.meeting_id, m.Round.number == 1)
            )
            assert rnd is not None and rnd.status == "counted" and rnd.counts is not None
            counts = rnd.counts
    finally:
        rt.engine.dispose()

    assert counts["ballots"] == VOTERS
    for option in ("approve", "oppose", "abstain"):
        expected = {
            name: sum(x[c] == option for x in choices.values()) for c, name in enumerate(CANDIDATES)
        }
        assert counts[option] == expected, (option, counts[option], expected)
