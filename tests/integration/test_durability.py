"""A tracker is handed out only after its ballot is committed: kill the process the moment the
tracker is printed, and the ballot is still there (SQLite and PostgreSQL)."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import textwrap
from pathlib import Path

from sqlalchemy import select

from ballot.crypto import blind_rsa
from ballot.crypto.randomness import SystemRandom
from ballot.devtools.demo import open_round_view
from ballot.services import ceremonies, meetings, voting
from ballot.services.unit import transaction
from ballot.storage import models as m
from ballot.storage.engine import make_engine, sessions
from tests.integration.test_services_voting import NOW, ROSTER, SECRET, SLATE, ceremony_messages
from tests.support import ROOT
from tests.support.members import check_in, issue_signed, open_round

RNG = SystemRandom()

CHILD = textwrap.dedent("""
    import json, sys, time
    from ballot.crypto.randomness import SystemRandom
    from ballot.storage.engine import make_engine, sessions
    from ballot.services import voting
    url, meeting, path = sys.argv[1], int(sys.argv[2]), sys.argv[3]
    job = json.load(open(path))
    db = sessions(make_engine(url))
    tracker = voting.cast_ballot(db, meeting, 1, job["ballot"], job["key"], job["sig"],
                                 SystemRandom())
    print(tracker, flush=True)
    time.sleep(60)  # killed here, before anything else happens
""")


def test_a_returned_tracker_survives_the_process_being_killed(
    database_url: str, tmp_path: Path
) -> None:
    db = sessions(make_engine(database_url))
    with transaction(db) as session:
        committee = meetings.create_committee(session, "c", meetings.parse_roster(ROSTER), NOW)
    with transaction(db) as session:
        meeting = meetings.create_meeting(session, committee, "t", SLATE, NOW)
    with db() as s:
        mt = s.get(m.Meeting, meeting)
        assert mt is not None
        members = list(s.scalars(select(m.Member.id).order_by(m.Member.id)))
    with transaction(db) as session:
        ceremonies.record_ceremony(session, meeting, 2, 3, ceremony_messages(mt.public_id), RNG)
    with transaction(db) as session:
        voting.open_meeting(session, meeting, blind_rsa.generate_issuer_key(3072), SECRET, RNG)
    for member in members[:4]:
        check_in(db, meeting, member)
    with transaction(db) as session:
        open_round(session, meeting)
    view = open_round_view(db, meeting, 1)
    device = view.device(RNG)
    reg = device.finish_issuance(
        issue_signed(db, meeting, 1, members[0], device.blinded_hex, SECRET)
    )
    with transaction(db) as session:
        voting.register_credential(session, meeting, 1, **reg)
    ballot, pub, sig, expected = device.vote(
        view.key, view.context, ["approve", "abstain", "abstain"]
    )
    job = tmp_path / "job.json"
    job.write_text(json.dumps({"ballot": ballot, "key": pub, "sig": sig}), "utf-8")
    child = subprocess.Popen(
        [sys.executable, "-c", CHILD, database_url, str(meeting), str(job)],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        text=True,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
    )
    assert child.stdout is not None
    tracker = child.stdout.readline().strip()
    child.send_signal(signal.SIGKILL)
    child.wait(timeout=30)
    assert tracker == expected
    fresh = sessions(make_engine(database_url))
    with fresh() as s:
        assert list(s.scalars(select(m.Ballot.tracker))) == [tracker]
