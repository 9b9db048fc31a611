"""A small meeting prepared for the web tests: 6 members (the first chairs), 3 scrutineers of
whom any 2 decrypt, four candidates for 2 award places and 1 nominee place (Jiaxing rules:
quorum ≥ 2/3 of 6 = 4, an approval needs ≥ 1/2 of 6 = 3)."""

from __future__ import annotations

import os
import re
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from ballot.crypto import keystore
from ballot.crypto.ceremony import ScrutineerShare
from ballot.crypto.elgamal import PublicKey
from ballot.crypto.group import production_group
from ballot.crypto.randomness import SystemRandom
from ballot.devtools import demo
from ballot.devtools.demo import prepare_meeting
from ballot.protocol.context import ballot_context
from ballot.protocol.device import (
    MemberDevice,
    VoterDevice,
    scrutineer_result_signature,
    scrutineer_submission,
)
from ballot.services import counting, meetings, record
from ballot.services.runtime import Runtime
from ballot.services.setup import Invitation
from ballot.services.unit import Db, transaction
from ballot.storage import models as m
from ballot.verify import scrutiny
from ballot.web import create_app
from tests.support.members import open_round

ROSTER = [("主任甲", "chair")] + [(f"委员{x}", "member") for x in "乙丙丁戊己"]
CANDIDATES = ["甲公司", "乙公司", "丙公司", "丁公司"]
SLATE = {
    "profile": "jiaxing-2020",
    "candidates": CANDIDATES,
    "others": [],
    "rules": {"tiers": [{"id": "award", "places": 2}, {"id": "nominee", "places": 1}]},
}
FAST_SCRYPT = keystore.ScryptParams(n=2**10, r=8, p=1)


def make_web_meeting(
    folder: Path,
    database_url: str,
    candidates: list[str] | None = None,
    k: int = 2,
    roster: list[tuple[str, str]] | None = None,
) -> tuple[object, int, dict[str, Invitation]]:
    """(the Flask app, the meeting id, invitations by name); ROSTER unless told otherwise."""
    app = create_app({"DATABASE_URL": database_url, "KEYS": str(folder / "keys")})
    rt: Runtime = app.extensions["ballot"]
    slate = dict(SLATE, candidates=candidates or CANDIDATES)
    meeting, invitations = prepare_meeting(
        rt,
        f"测试评委会 {folder.name}",
        roster or ROSTER,
        "测试会议",
        slate,
        k,
        3,
        folder / "shares",
        issuer_bits=3072,
        scrypt=FAST_SCRYPT,
    )
    return app, meeting, {x.name: x for x in invitations}


def check_in(db: Db, meeting: int, present: list[str], browser: tuple[str, ...] = ()) -> None:
    """Check these roster members in; each one's device (a Python one, as `ballot vote` has)
    confirms it, except those in `browser`, whose page will confirm when it opens."""
    with db() as s:
        ids = {x.name: x.id for x in s.scalars(select(m.Member))}
    for name in present:
        if name in browser:
            with transaction(db) as session:
                meetings.set_present(session, meeting, ids[name], True)
        else:
            demo.check_in(db, meeting, ids[name], SystemRandom())


def wait_for_confirmed(db: Db, meeting: int, count: int, timeout: float = 60.0) -> None:
    """Until `count` members' own devices have confirmed their presence (their pages do so
    as soon as they see the check-in)."""
    deadline = time.monotonic() + timeout
    while True:
        with db() as s:
            row = s.get(m.Meeting, meeting)
            assert row is not None
            now = meetings.present_count(s, row)
        if now >= count:
            return
        assert time.monotonic() < deadline, f"{now} of {count} confirmed"
        time.sleep(0.3)


def open_first_round(
    app: object, meeting: int, present: list[str], browser: tuple[str, ...] = ()
) -> None:
    """Check these roster members in (see `check_in`) and open the round the procedure asks
    for (in process, before a server is started on the database), then let go of the
    connections."""
    rt: Runtime = app.extensions["ballot"]  # type: ignore[attr-defined]
    check_in(rt.db, meeting, present, browser)
    with transaction(rt.db) as session:
        open_round(session, meeting)
    rt.engine.dispose()


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@contextmanager
def running_servers(
    folders: list[Path], database_url: str, workers: int = 2, env: dict[str, str] | None = None
) -> Iterator[list[str]]:
    """`ballot serve` (gunicorn inside) in each folder, with that folder's keys folder, all
    started at once on one database; yields their base URLs once every one answers."""
    procs, bases = [], []
    for folder in folders:
        port = free_port()
        command = [sys.executable, "-m", "ballot", "serve", "--port", str(port),
                   "--database-url", database_url, "--keys", str(folder / "keys"),
                   "--workers", str(workers)]  # fmt: skip
        with (folder / "server.log").open("w") as log:
            procs.append(
                subprocess.Popen(
                    command,
                    cwd=folder,
                    stdout=log,
                    stderr=subprocess.STDOUT,
                    env=None if env is None else {**os.environ, **env},
                )
            )
        bases.append(f"http://localhost:{port}")
    try:
        for base, proc, folder in zip(bases, procs, folders, strict=True):
            for _ in range(300):
                if proc.poll() is not None:
                    raise AssertionError((folder / "server.log").read_text())
                try:
                    urllib.request.urlopen(base + "/login", timeout=2).read()
                    break
                except OSError:
                    time.sleep(0.2)
            else:
                raise AssertionError(
                    "the server did not answer: " + (folder / "server.log").read_text()
                )
        yield bases
    finally:
        for proc in procs:
            proc.terminate()
        for proc in procs:
            proc.wait(timeout=30)


@contextmanager
def running_server(folder: Path, database_url: str) -> Iterator[str]:
    """`ballot serve` (two workers) on the database and the folder's keys; its base URL."""
    with running_servers([folder], database_url) as (base,):
        yield base


def scrutineer_shares(
    db: sessionmaker[Session], meeting_id: int, number: int, share_file: Path, passphrase: str
) -> dict[str, Any]:
    """What a scrutineer's device sends for a closed round (`POST /scrutineer/shares`), made as
    `ballot scrutinise` makes it: the record as published is checked up to the round's close
    (`verify.scrutiny`), the totals are computed from its ballots, and the acceptance of them
    is signed and sent with their decryption shares."""
    share = keystore.open_share(share_file.read_text(encoding="utf-8"), passphrase)
    return scrutineer_sends(db, meeting_id, number, share)


def scrutineer_sends(
    db: sessionmaker[Session], meeting_id: int, number: int, share: ScrutineerShare
) -> dict[str, Any]:
    """`scrutineer_shares` with the share already opened."""
    with db() as s:
        published = record.export(s, meeting_id)
    checked = scrutiny.scrutinise(published, number, share.transcript_digest, share.joint_key)
    assert checked.acceptable, checked.failures
    with transaction(db) as session:
        committee = counting.committee_key(session, meeting_id, SystemRandom())
    return scrutineer_submission(
        published["meeting"],
        number,
        checked.record_hex,
        checked.closed,
        checked.aggregates,
        committee,
        share,
        SystemRandom(),
    )


def submit(
    db: sessionmaker[Session], meeting_id: int, index: int, sent: dict[str, Any], sign: Any
) -> dict[str, Any] | None:
    """What `POST /scrutineer/shares` does with a scrutineer's submission, called directly."""
    with transaction(db) as session:
        return counting.submit_decryption_shares(
            session,
            meeting_id,
            sent["round"],
            index,
            sent["shares"],
            sign,
            SystemRandom(),
            accepted=sent["accepted"],
            signature=sent["signature"],
        )


# --- talking to the app in process, as a browser over HTTPS would -------------------------


def https_client(app: Flask) -> FlaskClient:
    """A test client whose requests arrive as over TLS, so Secure cookies flow."""
    c = app.test_client()
    c.environ_base["wsgi.url_scheme"] = "https"
    return c


def csrf_token(c: FlaskClient, path: str = "/login") -> str:
    """The CSRF token of the page at `path`."""
    page = c.get(path).get_data(as_text=True)
    found = re.search(r'name="csrf-token" content="([^"]+)"', page)
    assert found, page[:500]
    return found.group(1)


def log_in(app: Flask, code: str, then: str = "/") -> tuple[FlaskClient, str]:
    """A client logged in with `code`, and the CSRF token of the page `then`."""
    c = https_client(app)
    response = c.post("/login", data={"csrf_token": csrf_token(c), "code": code})
    assert response.status_code == 302, response.get_data(as_text=True)[:500]
    return c, csrf_token(c, then)


_member_keys: dict[tuple[str, str], MemberDevice] = {}


def enrolled_member_key(
    member: FlaskClient, csrf: str, meeting: str, who: dict[str, Any]
) -> MemberDevice:
    """The member's key for the meeting, as their device keeps it: made and enrolled once (the
    one that confirmed their check-in, if `check_in` did)."""
    found = _member_keys.get((meeting, who["name"])) or next(
        (
            d
            for d in demo._member_devices.values()
            if (d.meeting_id, d.member, d.public_key_hex) == (meeting, who["name"], who["key"])
        ),
        None,
    )
    if found is None:
        found = MemberDevice.generate(meeting, who["name"], SystemRandom())
        r = member.post(
            "/vote/enrol",
            json={"meeting": meeting, **found.enrolment()},
            headers={"X-CSRFToken": csrf},
        )
        assert r.status_code == 200, r.get_json()
        _member_keys[(meeting, who["name"])] = found
    return found


def confirm_presence(member: FlaskClient, csrf: str) -> dict[str, Any]:
    """The member's device signs the presence statement the server says it owes (as the page
    does when it sees the check-in); returns the member's presence after it."""
    state = member.get("/vote/round.json").get_json()
    signer = enrolled_member_key(member, csrf, state["meeting"], state["member"])
    wanted, n = state["presence"]["wanted"], state["presence"]["statements"] + 1
    assert wanted is not None, state["presence"]
    r = member.post(
        "/vote/presence",
        json={
            "meeting": state["meeting"],
            "state": wanted,
            "n": n,
            "answers": state["presence"]["answers"],
            "signature_hex": signer.sign_presence(wanted, n, state["presence"]["answers"]),
        },
        headers={"X-CSRFToken": csrf},
    )
    assert r.status_code == 200, r.get_json()
    presence: dict[str, Any] = r.get_json()["presence"]
    return presence


def chair_acts(chair: FlaskClient, csrf: str, meeting: int, action: str, **fields: Any) -> Any:
    """The chair's console opens (`action` "open", with `motion=NAME` for a review vote) or
    closes (`action` "close", `round=N`) a round as chair.js does: fetch what is signed, sign
    it with the chair's member key, send it. Returns the response to the sending."""
    query = "&".join(f"{k}={v}" for k, v in fields.items())
    prepared = chair.get(f"/chair/{meeting}/{action}.json?{query}")
    if prepared.status_code != 200:
        return prepared
    state = chair.get("/vote/round.json").get_json()
    signer = enrolled_member_key(chair, csrf, state["meeting"], state["member"])
    kind, body = prepared.get_json()["kind"], prepared.get_json()["body"]
    return chair.post(
        f"/chair/{meeting}/{action}",
        json={**fields, "body": body, "signature_hex": signer.attest(kind, body)},
        headers={"X-CSRFToken": csrf},
    )


def scrutineer_signs_result(
    scrutineer: FlaskClient, csrf: str, share: ScrutineerShare, body: dict[str, Any] | None = None
) -> Any:
    """The scrutineer's page signs the final result it shows (`pending.json`'s `result`) with
    the share key, as scrutineer.js does (`body`: sign this one instead); the response."""
    pending = scrutineer.get("/scrutineer/pending.json").get_json()
    shown = body if body is not None else pending["result"]["body"]
    signature = scrutineer_result_signature(pending["meeting"], shown, share, SystemRandom())
    return scrutineer.post(
        "/scrutineer/result",
        json={"body": shown, "signature": signature},
        headers={"X-CSRFToken": csrf},
    )


def cast_with_client(app: Flask, member: FlaskClient, csrf: str, choices: list[str]) -> str:
    """A member's whole turn through the web routes (the Python device stands in for the page's
    module, which tests/browser/test_js_protocol.py and the browser test check separately)."""
    state = member.get("/vote/round.json").get_json()
    rnd = state["round"]
    signer = enrolled_member_key(member, csrf, rnd["meeting"], state["member"])
    device = VoterDevice(rnd["issuer"], rnd["meeting"], rnd["roundId"], SystemRandom())
    issued = member.post(
        "/vote/issue",
        json={
            "meeting": rnd["meeting"],
            "round": rnd["number"],
            "blinded": device.blinded_hex,
            "signature_hex": signer.sign_issuance(rnd["roundId"], device.blinded_hex),
        },
        headers={"X-CSRFToken": csrf},
    )
    assert issued.status_code == 200, issued.get_json()
    credential = device.finish_issuance(issued.get_json()["blind_signature"])
    anon = https_client(app)
    r = anon.post(
        "/vote/anon/register",
        json={"meeting": rnd["meeting"], "round": rnd["number"], **credential},
    )
    assert r.status_code == 200, r.get_json()
    group = production_group()
    key = PublicKey(group, group.backend.mpz(int(rnd["key"], 16)))
    ctx = ballot_context(rnd["meeting"], rnd["number"], rnd["record"], rnd["candidates"], rnd["k"])
    ballot, pub, sig, tracker = device.vote(key, ctx, choices)
    r = anon.post(
        "/vote/anon/cast",
        json={
            "meeting": rnd["meeting"],
            "round": rnd["number"],
            "ballot": ballot,
            "public_key_hex": pub,
            "signature_hex": sig,
        },
    )
    assert r.status_code == 200, r.get_json()
    assert r.get_json()["tracker"] == tracker
    return tracker
