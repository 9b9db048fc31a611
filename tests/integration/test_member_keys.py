"""Member keys (docs/PROTOCOL.md §14): a member's device enrols the key it made for the
meeting with the key's own signature; the server keeps one per member (the same enrolment again
is answered again; another device's key is refused, saying where the key is); the record keeps
each enrolment, and `ballot verify` checks every one by name (`member-keys`)."""

from __future__ import annotations

import copy
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import func, select

from ballot import verify
from ballot.cli.main import main
from ballot.crypto.randomness import SystemRandom
from ballot.crypto.signature import CredentialKey
from ballot.protocol import statements
from ballot.services import record
from ballot.storage import models as m
from tests.integration.test_verify import rechain
from tests.support.web import log_in, make_web_meeting


@pytest.fixture
def web(tmp_path: Path) -> Iterator[tuple[Flask, int, dict[str, Any]]]:
    app, meeting, inv = make_web_meeting(tmp_path, f"sqlite:///{tmp_path / 'keys.sqlite3'}")
    assert isinstance(app, Flask)
    yield app, meeting, inv
    app.extensions["ballot"].engine.dispose()


def enrolment(public_id: str, name: str) -> tuple[CredentialKey, dict[str, str]]:
    key = CredentialKey.generate(SystemRandom())
    public = key.public_bytes()
    signature = key.sign(statements.member_key(public_id, name, public))
    return key, {
        "meeting": public_id,
        "public_key_hex": public.hex(),
        "signature_hex": signature.hex(),
    }


def test_a_device_enrols_its_key_once_and_the_record_keeps_it(
    web: tuple[Flask, int, dict[str, Any]],
) -> None:
    app, meeting, inv = web
    with app.extensions["ballot"].db() as s:
        public_id = s.get(m.Meeting, meeting).public_id  # type: ignore[union-attr]
    member, csrf = log_in(app, inv["委员乙"].code)
    headers = {"X-CSRFToken": csrf}
    key, body = enrolment(public_id, "委员乙")
    first = member.post("/vote/enrol", json=body, headers=headers)
    fingerprint = statements.key_fingerprint(key.public_bytes())
    assert first.status_code == 200 and first.get_json()["fingerprint"] == fingerprint
    again = member.post("/vote/enrol", json=body, headers=headers)  # its answer was lost
    assert again.status_code == 200 and again.get_json()["fingerprint"] == fingerprint
    _, other = enrolment(public_id, "委员乙")  # a second device
    refused = member.post("/vote/enrol", json=other, headers=headers)
    assert refused.status_code == 409 and refused.get_json()["error"] == "key-enrolled"
    assert fingerprint in refused.get_json()["en"]  # it says which key is enrolled
    # not signed by the key it enrols, or in another member's name: refused, nothing stored
    _, theirs = enrolment(public_id, "委员丙")
    wrong = member.post("/vote/enrol", json={**theirs, "public_key_hex": other["public_key_hex"]},
                        headers=headers)  # fmt: skip
    assert wrong.status_code == 400 and wrong.get_json()["error"] == "bad-enrolment"
    bob, bob_csrf = log_in(app, inv["委员丙"].code)
    named = bob.post("/vote/enrol", json=body, headers={"X-CSRFToken": bob_csrf})
    assert named.get_json()["error"] == "bad-enrolment"  # 委员乙's enrolment, sent by 委员丙
    for bad in ({**body, "public_key_hex": "zz"}, {**body, "signature_hex": "00" * 63}, []):
        r = member.post("/vote/enrol", json=bad, headers=headers)
        assert r.status_code == 400, r.get_json()
    with app.extensions["ballot"].db() as s:
        assert s.scalar(select(func.count()).select_from(m.MemberKey)) == 1
        events = [e for e in record.events(s, meeting) if e["kind"] == "member-key"]
    assert [e["body"]["member"] for e in events] == ["委员乙"]
    assert events[0]["body"]["key"] == body["public_key_hex"]


def test_verify_checks_every_enrolment_by_name(web: tuple[Flask, int, dict[str, Any]]) -> None:
    app, meeting, inv = web
    with app.extensions["ballot"].db() as s:
        public_id = s.get(m.Meeting, meeting).public_id  # type: ignore[union-attr]
    for name in ("委员乙", "委员丙"):
        client, csrf = log_in(app, inv[name].code)
        _, body = enrolment(public_id, name)
        assert (
            client.post("/vote/enrol", json=body, headers={"X-CSRFToken": csrf}).status_code == 200
        )
    with app.extensions["ballot"].db() as s:
        exported = record.export(s, meeting)

    def member_keys(rec: dict[str, Any]) -> verify.Check:
        return next(c for c in verify.Verifier(rec, workers=1).run() if c.name == "member-keys")

    good = member_keys(copy.deepcopy(exported))
    assert good.ran and not good.failures and good.items == 2
    at = [i for i, e in enumerate(exported["events"]) if e["kind"] == "member-key"]

    forged = copy.deepcopy(exported)  # the operator swaps in a key of its own
    _, theirs = enrolment(public_id, "委员乙")
    forged["events"][at[0]]["body"]["key"] = theirs["public_key_hex"]
    assert any("did not sign" in f for f in member_keys(rechain(forged)).failures)

    second = copy.deepcopy(exported)  # a second key for one member
    _, again = enrolment(public_id, "委员乙")
    extra = {
        "member": "委员乙",
        "key": again["public_key_hex"],
        "signature": again["signature_hex"],
    }
    second["events"].insert(at[1] + 1, {"kind": "member-key", "body": extra})
    assert any("second key" in f for f in member_keys(rechain(second)).failures)

    stranger = copy.deepcopy(exported)
    stranger["events"][at[1]]["body"]["member"] = "路人"
    assert any("not a member" in f for f in member_keys(rechain(stranger)).failures)

    # one spelling per key: upper-case or spaced hex is named, not read
    upper = copy.deepcopy(exported)
    upper["events"][at[0]]["body"]["key"] = upper["events"][at[0]]["body"]["key"].upper()
    assert any("lowercase hex" in f for f in member_keys(rechain(upper)).failures)
    spaced = copy.deepcopy(exported)
    spaced["events"][at[0]]["body"]["signature"] = (
        " " + spaced["events"][at[0]]["body"]["signature"]
    )
    assert any(
        "signature must be lowercase hex" in f for f in member_keys(rechain(spaced)).failures
    )
    nameless = copy.deepcopy(exported)
    nameless["events"][at[0]]["body"]["member"] = 7
    assert any("member (text)" in f for f in member_keys(rechain(nameless)).failures)
    unnamed_meeting = copy.deepcopy(exported)
    unnamed_meeting["meeting"] = ["x"]
    assert any("meeting id is not a string" in f for f in member_keys(unnamed_meeting).failures)


def test_the_office_replaces_a_lost_devices_key_and_the_record_names_it(
    web: tuple[Flask, int, dict[str, Any]], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    app, meeting, inv = web
    with app.extensions["ballot"].db() as s:
        public_id = s.get(m.Meeting, meeting).public_id  # type: ignore[union-attr]
        account = s.scalar(select(m.Account.id).where(m.Account.name == "委员乙"))
    member, csrf = log_in(app, inv["委员乙"].code)
    headers = {"X-CSRFToken": csrf}
    lost, body = enrolment(public_id, "委员乙")
    assert member.post("/vote/enrol", json=body, headers=headers).status_code == 200
    office, office_csrf = log_in(app, inv["会务组"].code, then="/office/")
    nothing = office.post(
        "/office/member-key",
        data={"csrf_token": office_csrf, "account": account_of(app, "委员丙")},
    )
    assert nothing.status_code == 400 and "尚未登记" in nothing.get_data(as_text=True)
    done = office.post("/office/member-key", data={"csrf_token": office_csrf, "account": account})
    page = done.get_data(as_text=True)
    assert done.status_code == 200
    assert statements.key_fingerprint(lost.public_bytes()) in page and "已撤销" in page
    # the lost device's key is never enrolled again; the new device's is
    again = member.post("/vote/enrol", json=body, headers=headers)
    assert again.status_code == 400 and again.get_json()["error"] == "key-withdrawn"
    _, new = enrolment(public_id, "委员乙")
    assert member.post("/vote/enrol", json=new, headers=headers).status_code == 200
    with app.extensions["ballot"].db() as s:
        exported = record.export(s, meeting)
    kinds = [e["kind"] for e in exported["events"] if e["kind"].startswith("member-key")]
    assert kinds == ["member-key", "member-key-replaced", "member-key"]
    assert verify.key_replacements(exported) == [
        {"seq": next(e["seq"] for e in exported["events"] if e["kind"] == "member-key-replaced"),
         "member": "委员乙"}
    ]  # fmt: skip

    saved = tmp_path / "record.json"
    saved.write_text(json.dumps(exported, ensure_ascii=False), "utf-8")
    main(["verify", str(saved)])  # (the meeting is not over: other checks fail)
    said = capsys.readouterr().out
    assert "the office replaced the member key of 委员乙" in said and "会务组更换了 委员乙" in said
    main(["verify", str(saved), "--json"])
    assert json.loads(capsys.readouterr().out)["key_replacements"][0]["member"] == "委员乙"

    def member_keys(rec: dict[str, Any]) -> verify.Check:
        return next(c for c in verify.Verifier(rec, workers=1).run() if c.name == "member-keys")

    assert not member_keys(copy.deepcopy(exported)).failures
    # a replacement that withdraws a key the member did not have, or a withdrawn key enrolled
    # again, is named
    at = next(i for i, e in enumerate(exported["events"]) if e["kind"] == "member-key-replaced")
    other = copy.deepcopy(exported)
    other["events"][at]["body"]["key"] = new["public_key_hex"]
    assert any("did not have enrolled" in f for f in member_keys(rechain(other)).failures)
    back = copy.deepcopy(exported)
    last = max(i for i, e in enumerate(back["events"]) if e["kind"] == "member-key")
    back["events"][last]["body"] = copy.deepcopy(back["events"][at - 1]["body"])
    assert any("withdrawn earlier" in f for f in member_keys(rechain(back)).failures)


def account_of(app: Flask, name: str) -> int:
    with app.extensions["ballot"].db() as s:
        found = s.scalar(select(m.Account.id).where(m.Account.name == name))
    assert found is not None
    return found
