"""Two app servers on one fresh PostgreSQL database, each its own process, working folder and
keys folder, four workers each, all started at the same moment, sharing nothing on disk and
only BALLOT_SERVER_SECRET: members split between them hold a whole meeting, the chair opens
rounds on one and closes them on the other, each scrutineer decrypts on a different one, and
the record either serves passes `ballot verify`."""

from __future__ import annotations

import json
import os
import secrets
import urllib.request
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from ballot import verify
from ballot.clients.http import ClientError, HttpSession
from ballot.clients.voter import vote
from ballot.crypto import keystore
from ballot.crypto.randomness import SystemRandom
from ballot.crypto.signature import CredentialKey
from ballot.devtools.demo import prepare_meeting
from ballot.protocol.device import MemberDevice, scrutineer_result_signature
from ballot.services.errors import ServiceError
from ballot.services.unit import transaction
from ballot.storage import models as m
from ballot.web import create_app
from tests.conftest import POSTGRES_URL, empty_postgres_database
from tests.support.web import (
    FAST_SCRYPT,
    ROSTER,
    SLATE,
    make_web_meeting,
    running_servers,
    scrutineer_sends,
)

PASS = lambda _new: "member key passphrase"  # noqa: E731


def test_two_servers_sharing_only_the_secret_hold_one_meeting(tmp_path: Path) -> None:
    secret = secrets.token_urlsafe(32)
    folders = [tmp_path / "a", tmp_path / "b"]
    for folder in folders:
        folder.mkdir()
    env = {"BALLOT_SERVER_SECRET": secret}
    with empty_postgres_database("ballot_two") as name:
        url = POSTGRES_URL.format(db=name)
        with running_servers(folders, url, 4, env) as (a, b):
            hold_meeting_across(tmp_path, url, secret, a, b)


def hold_meeting_across(tmp_path: Path, url: str, secret: str, a: str, b: str) -> None:
    """The meeting: set up from a third machine, run across servers `a` and `b`."""
    for folder in ("a", "b"):  # neither server wrote a key the other would need
        assert not any((tmp_path / folder / "keys").glob("committee-*"))
    # the office prepares the meeting from a third machine with the same secret
    office = tmp_path / "office"
    office.mkdir()
    os.environ["BALLOT_SERVER_SECRET"] = secret
    try:
        app = create_app({"DATABASE_URL": url, "KEYS": str(office / "keys")})
    finally:
        del os.environ["BALLOT_SERVER_SECRET"]
    rt = app.extensions["ballot"]
    meeting, invitations = prepare_meeting(
        rt, "两台服务器评委会", ROSTER, "两台服务器会议", SLATE, 2, 3, office / "shares",
        issuer_bits=3072, scrypt=FAST_SCRYPT,
    )  # fmt: skip
    assert not any((office / "keys").glob("committee-*"))  # the key is in the database
    inv = {x.name: x for x in invitations}
    with rt.db() as s:
        ids = {x.name: x.id for x in s.scalars(select(m.Member))}
        public_id = s.get(m.Meeting, meeting).public_id  # type: ignore[union-attr]

    # no sticky sessions: the chair logs in on A once and the same session works on B
    chair_a, chair_b = HttpSession(a), HttpSession(b)
    chair_a.login(inv["主任甲"].code)
    chair_b.jar, chair_b.session, chair_b.csrf = chair_a.jar, chair_a.session, chair_a.csrf
    present = ["主任甲", "委员乙", "委员丙", "委员丁"]
    for i, name in enumerate(present):  # check-in alternates between the servers
        chair = (chair_a, chair_b)[i % 2]
        chair._call(chair.session, f"/chair/{meeting}/attendance",
                    form={"csrf_token": chair.csrf, "member": str(ids[name]), "present": "1"})  # fmt: skip
    for i, name in enumerate(present):  # each one's command line confirms the check-in
        said = vote((a, b)[i % 2], inv[name].code, None, passphrase=PASS,
                    key_file=tmp_path / f"{name}.key")  # fmt: skip
        assert said is None
    held = keystore.open_member_key((tmp_path / "主任甲.key").read_text("utf-8"), PASS(False))
    chair_key = MemberDevice(
        held.meeting_id, held.member, CredentialKey.from_private_bytes(held.private)
    )

    def chair_signs(chair: HttpSession, action: str, **fields: Any) -> None:
        """The chair's console on either server: fetch what is signed, sign it, send it."""
        query = "&".join(f"{k}={v}" for k, v in fields.items())
        got = chair.call_json(chair.session, f"/chair/{meeting}/{action}.json?{query}")
        signature = chair_key.attest(got["kind"], got["body"])
        chair.call_json(chair.session, f"/chair/{meeting}/{action}",
                        {**fields, "body": got["body"], "signature_hex": signature})  # fmt: skip

    shares: dict[int, Any] = {}
    scrutineers = []
    for index, base in ((1, a), (2, b)):
        person = inv[f"监票人 {index}"]
        shares[index] = keystore.open_share(
            (person.share_file or Path()).read_text("utf-8"), person.passphrase or ""
        )
        session = HttpSession(base)
        session.login(person.code)
        scrutineers.append((index, session))
    for number in (1, 2):  # the award ballot, then the nominee ballot
        chair_signs(chair_a, "open")
        for i, name in enumerate(present):  # members split between the servers
            rnd_k = 2 if number == 1 else 1
            choices = ",".join(["a"] * rnd_k + ["x"] * (4 - (number - 1) * 2 - rnd_k))
            tracker = vote(
                (a, b)[i % 2],
                inv[name].code,
                choices,
                delay=(0, 0),
                passphrase=PASS,
                key_file=tmp_path / f"{name}.key",
            )
            assert len(tracker) == 64
        chair_signs(chair_b, "close", round=number)
        for index, session in scrutineers:
            body = scrutineer_sends(rt.db, meeting, number, shares[index])
            session.call_json(session.session, "/scrutineer/shares", body)
    # the result is signed on either server: the chair on A, the scrutineers on A and B
    chair_signs(chair_a, "result")
    for index, session in scrutineers:
        pending = session.call_json(session.session, "/scrutineer/pending.json")
        shown = pending["result"]["body"]
        signed = scrutineer_result_signature(
            pending["meeting"], shown, shares[index], SystemRandom()
        )
        session.call_json(
            session.session, "/scrutineer/result", {"body": shown, "signature": signed}
        )
    # rate limits are shared too: ten wrong codes for one login on A lock that login on B
    handle = inv["监票人 3"].code.split("-")[0]
    for _ in range(10):
        with pytest.raises(ClientError):
            HttpSession(a, attempts=1).login(f"{handle}-AAAA-BBBB-CCCC")
    with pytest.raises(ClientError) as locked:
        HttpSession(b, attempts=1).login(inv["监票人 3"].code)
    assert locked.value.code == "http-429"
    records = []
    for base in (a, b):
        with urllib.request.urlopen(f"{base}/m/{public_id}/record.json", timeout=30) as r:
            records.append(json.loads(r.read()))
    assert records[0] == records[1]
    kinds = [e["kind"] for e in records[0]["events"]]
    assert "meeting-closed" in kinds
    report = verify.Verifier(records[0], workers=1).run()
    assert all(c.passed for c in report), [c.as_dict() for c in report if not c.passed]
    # a server given another secret cannot sign for the meeting, and says why
    os.environ["BALLOT_SERVER_SECRET"] = "another secret"
    try:
        other = create_app({"DATABASE_URL": url, "KEYS": str(tmp_path / "other")})
    finally:
        del os.environ["BALLOT_SERVER_SECRET"]
    with other.extensions["ballot"].db() as s, pytest.raises(ServiceError) as err:
        other.extensions["ballot"].signer(s, meeting)
    assert err.value.code == "wrong-server-secret" and "BALLOT_SERVER_SECRET" in err.value.text.en
    other.extensions["ballot"].engine.dispose()
    rt.engine.dispose()


def test_a_meeting_opened_before_0007_still_signs_with_its_key_in_keys(tmp_path: Path) -> None:
    """Meetings opened before migration 0007 kept their committee key in keys/: it is still
    found there; with neither the row's key nor the file, the refusal says what is missing."""
    app, meeting, _ = make_web_meeting(tmp_path, f"sqlite:///{tmp_path / 'old.sqlite3'}")
    rt = app.extensions["ballot"]  # type: ignore[attr-defined]
    with transaction(rt.db) as s:
        row = s.get(m.Meeting, meeting)
        opened = s.scalars(
            select(m.Event.body).where(
                m.Event.meeting_id == meeting, m.Event.kind == "meeting-opened"
            )
        ).one()
        public = bytes.fromhex(json.loads(opened)["committee_key"])
        path = rt.committee_key_path(row.public_id, public)
        path.write_text(row.committee_key_sealed, "utf-8")
        row.committee_key_sealed = None
    with rt.db() as s:
        signature = rt.signer(s, meeting)(b"message")
    keystore.verify_signature(public, b"message", signature)
    path.unlink()
    rt._signing.clear()
    with rt.db() as s, pytest.raises(ServiceError) as err:
        rt.signer(s, meeting)
    assert err.value.code == "no-signing-key" and "密钥" in err.value.text.zh
    rt.engine.dispose()
