"""`ballot verify` catches every kind of tampering with a published record, by the named
check. Each mutation is re-chained (hashes recomputed, as a forger without the committee key
would), so the hash chain alone cannot be what catches it."""

from __future__ import annotations

import copy
import json
import subprocess
import sys
import uuid
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy.orm import Session, sessionmaker

from ballot import verify
from ballot.crypto import blind_rsa
from ballot.devtools import demo
from ballot.protocol import statements
from ballot.protocol.chain import GENESIS, event_hash
from ballot.services import record
from ballot.storage.engine import make_engine, sessions, upgrade
from tests.integration.test_services_meeting import run_meeting
from tests.support import ROOT


def held(path: Path) -> dict[str, Any]:
    """The record of this module's meeting, held in a fresh database at `path`."""
    engine = make_engine(f"sqlite:///{path}")
    upgrade(engine)
    db: sessionmaker[Session] = sessions(engine)
    meeting, _, _ = run_meeting(db, blind_rsa.generate_issuer_key(3072))
    with db() as s:
        exported = record.export(s, meeting)
    engine.dispose()
    return exported


@pytest.fixture(scope="module")
def published(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    return held(tmp_path_factory.mktemp("verify") / "ballot.sqlite3")


def rechain(rec: dict[str, Any]) -> dict[str, Any]:
    prev = GENESIS
    for seq, e in enumerate(rec["events"]):
        e["seq"], e["prev"] = seq, prev
        e["hash"] = event_hash(seq, e["kind"], e["body"], prev)
        prev = e["hash"]
    return rec


def failing(rec: dict[str, Any]) -> set[str]:
    return {c.name for c in verify.Verifier(rec, workers=1).run() if not c.passed}


def fingerprint_of(rec: dict[str, Any]) -> str:
    """The record's election key fingerprint, as the scrutineers would read it out."""
    v = verify.Verifier(copy.deepcopy(rec), workers=1)
    v.run()
    return str(v.evidence.fingerprint)


def test_a_record_fabricated_for_the_same_meeting_fails_only_the_key_pin(
    published: dict[str, Any], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The operator holds a second, whole meeting under a ceremony of its own (same meeting id,
    roster and candidates; its own keys sign it): every other check passes, and only the key
    the scrutineers read out tells it from the real one."""
    from ballot.services import meetings

    real_id = uuid.UUID(hex=published["meeting"])
    monkeypatch.setattr(meetings.uuid, "uuid4", lambda: real_id)  # the operator runs the code
    forged = held(tmp_path / "forged.sqlite3")
    assert forged["meeting"] == published["meeting"]
    assert failing(copy.deepcopy(forged)) == set()  # consistent in itself
    pin = fingerprint_of(published)
    checks = verify.Verifier(forged, workers=1, expect_key=pin).run()
    assert {c.name for c in checks if not c.passed} == {"election-key"}
    real = verify.Verifier(copy.deepcopy(published), workers=1, expect_key=pin).run()
    assert all(c.passed for c in real)


def index_of(rec: dict[str, Any], kind: str, nth: int = 0) -> int:
    return [i for i, e in enumerate(rec["events"]) if e["kind"] == kind][nth]


def test_the_untouched_record_passes(published: dict[str, Any]) -> None:
    assert failing(copy.deepcopy(published)) == set()


def mutate_ballot(rec: dict[str, Any]) -> None:
    b = rec["events"][index_of(rec, "ballot", 3)]["body"]["ballot"]
    b["selections"][0]["approve"][1] = b["selections"][1]["approve"][1]


def mutate_count(rec: dict[str, Any]) -> None:
    rec["events"][index_of(rec, "counts")]["body"]["approve"]["A"] += 1


def mutate_share(rec: dict[str, Any]) -> None:
    share = rec["events"][index_of(rec, "decryption-shares")]["body"]["shares"][0]["approve"]
    share["value"] = rec["events"][index_of(rec, "decryption-shares")]["body"]["shares"][1][
        "approve"
    ]["value"]


def mutate_decision(rec: dict[str, Any]) -> None:
    rec["events"][index_of(rec, "decision", 2)]["body"]["result"]["nominee"] = []
    rec["events"][index_of(rec, "meeting-closed")]["body"]["result"]["nominee"] = []


def below_quorum(rec: dict[str, Any]) -> None:
    # drop two check-ins: the rounds then open with 3 of 5 present, below ≥ 2/3 (needs 4)
    for _ in range(2):
        del rec["events"][index_of(rec, "attendance", 2)]


def extra_credential(rec: dict[str, Any]) -> None:
    creds = rec["events"][index_of(rec, "credentials")]["body"]["credentials"]
    fake = dict(creds[0], public_key="04" + "11" * 64)
    creds.append(fake)
    creds.sort(key=lambda c: c["public_key"])


def issuance_in_anothers_name(rec: dict[str, Any]) -> None:
    # the issuer's holder moves a signed request to another member's name: their key never
    # signed it
    issued = [e["body"] for e in rec["events"] if e["kind"] == "credential-issued"]
    issued[0]["member"], issued[1]["member"] = issued[1]["member"], issued[0]["member"]


def issuance_without_request(rec: dict[str, Any]) -> None:
    # a credential the issuer made on its own word (the server holds the issuer key)
    body = rec["events"][index_of(rec, "credential-issued")]["body"]
    del body["blinded"], body["signature"]


def request_after_its_key_was_withdrawn(rec: dict[str, Any]) -> None:
    # the key that signed the request had been withdrawn by then: it no longer speaks for them
    i = index_of(rec, "credential-issued")
    name = rec["events"][i]["body"]["member"]
    key = next(
        e["body"]["key"]
        for e in rec["events"]
        if e["kind"] == "member-key" and e["body"]["member"] == name
    )
    rec["events"].insert(i, {"kind": "member-key-replaced", "body": {"member": name, "key": key}})


def drop_ballot(rec: dict[str, Any]) -> None:
    del rec["events"][index_of(rec, "ballot", 1)]


def duplicate_ballot(rec: dict[str, Any]) -> None:
    i = index_of(rec, "ballot", 1)
    rec["events"].insert(i, copy.deepcopy(rec["events"][i]))


def ballot_after_close(rec: dict[str, Any]) -> None:
    i = index_of(rec, "ballot", 0)
    moved = rec["events"].pop(i)
    rec["events"].insert(index_of(rec, "round-closed") + 1, moved)


def flip_motion(rec: dict[str, Any]) -> None:
    rec["events"][index_of(rec, "motion-decision")]["body"]["passed"] = False


def truncate(rec: dict[str, Any]) -> None:
    # cut just before the last review vote's decision: the record no longer ends signed
    last = max(i for i, e in enumerate(rec["events"]) if e["kind"] == "motion-decision")
    del rec["events"][last:]


def truncate_the_signatures(rec: dict[str, Any]) -> None:
    # cut the last two signatures of the result and their checkpoints: a chain that still
    # ends signed, but the result is short of the chair and k scrutineers
    del rec["events"][-4:]


def unsigned_result(rec: dict[str, Any]) -> None:
    rec["events"] = [e for e in rec["events"] if e["kind"] != "result-signed"]


def result_signed_for_another(rec: dict[str, Any]) -> None:
    rec["events"][index_of(rec, "result-signed")]["body"]["result"]["award"] = ["C"]


MUTATIONS = [
    (mutate_ballot, "ballots"),
    (mutate_count, "decryption"),
    (mutate_share, "decryption"),
    (mutate_decision, "procedure"),
    (below_quorum, "attendance-quorum"),
    (extra_credential, "credentials"),
    (issuance_in_anothers_name, "issuance"),
    (issuance_without_request, "issuance"),
    (request_after_its_key_was_withdrawn, "issuance"),
    (drop_ballot, "ballots"),
    (duplicate_ballot, "ballots"),
    (ballot_after_close, "ballots"),
    (flip_motion, "procedure"),
    (truncate, "signatures"),
    (truncate_the_signatures, "result-signatures"),
    (unsigned_result, "result-signatures"),
    (result_signed_for_another, "result-signatures"),
]


@pytest.mark.parametrize(("mutation", "check"), MUTATIONS, ids=[m.__name__ for m, _ in MUTATIONS])
def test_each_tampering_is_caught_by_its_check(
    published: dict[str, Any], mutation: Any, check: str
) -> None:
    rec = copy.deepcopy(published)
    mutation(rec)
    failed = failing(rechain(rec))
    assert check in failed, failed
    if mutation is not truncate_the_signatures:  # (a cut at a checkpoint needs no re-signing)
        assert "signatures" in failed  # the forger cannot re-sign the checkpoints


def test_reordered_events_break_the_chain(published: dict[str, Any]) -> None:
    rec = copy.deepcopy(published)
    i = index_of(rec, "ballot", 2)
    rec["events"][i], rec["events"][i + 1] = rec["events"][i + 1], rec["events"][i]
    assert "hash-chain" in failing(rec)


def test_the_command_line_reports_checks_and_exit_status(
    published: dict[str, Any], tmp_path: Path
) -> None:
    good = tmp_path / "record.json"
    good.write_text(json.dumps(published), "utf-8")
    proc = subprocess.run(
        [sys.executable, "-m", "ballot", "verify", str(good)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
        timeout=300,
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr
    lines = proc.stdout.splitlines()
    # every check passes but the two pins, which are skipped and say what to compare
    assert sum(line.startswith("PASS ") for line in lines) == len(verify.CHECKS) - 2
    assert any(line.startswith("SKIP  election-key") for line in lines)
    assert any(line.startswith("SKIP  record-digest") for line in lines)
    head = published["events"][-1]["hash"]
    # what verify relied on, printed: the meeting, the fingerprints, the digest, the result
    assert f"meeting | 会议: {published['meeting']}" in proc.stdout
    ceremony = next(e["body"] for e in published["events"] if e["kind"] == "ceremony")
    assert f"密钥仪式记录摘要: {ceremony['transcript_digest']}" in proc.stdout
    assert f"记录指纹（最后一条记录的哈希）: {head}" in proc.stdout
    assert "result | 结果 award | 质量奖: A" in proc.stdout
    assert "result | 结果 nominee award | 提名奖: C" in proc.stdout
    fingerprint = fingerprint_of(published)
    assert f"--expect-key '{fingerprint}'" in proc.stdout
    assert "ALL CHECKS PASSED" in proc.stdout
    pinned = subprocess.run(
        [sys.executable, "-m", "ballot", "verify", str(good), "--json",
         "--expect-key", fingerprint.replace(" ", "-")],
        cwd=ROOT, capture_output=True, text=True, check=False, timeout=300,
    )  # fmt: skip
    report = json.loads(pinned.stdout)
    assert pinned.returncode == 0 and {c["result"] for c in report["checks"]} == {"PASS", "SKIP"}
    assert report["election_key"] == {"fingerprint": fingerprint, "pinned": True}
    relied = report["relied_on"]
    assert relied["record_fingerprint"] == head and relied["events"] == len(published["events"])
    assert relied["election_key_fingerprint"] == fingerprint
    assert relied["transcript_digest"] == ceremony["transcript_digest"]
    assert [(t["tier"], t["winners"]) for t in relied["result"]] == [
        ("award", ["A"]),
        ("nominee", ["C"]),
    ]
    assert relied["issuer_key"]["bits"] == 3072
    assert sorted(relied["scrutineer_keys"]) == [str(i) for i in range(1, ceremony["n"] + 1)]
    enrolled = next(e["body"] for e in published["events"] if e["kind"] == "member-key"
                    and e["body"]["member"] == "Zhang")  # fmt: skip
    assert relied["member_keys"]["Zhang"] == statements.key_fingerprint(
        bytes.fromhex(enrolled["key"])
    )
    grouped = " ".join(head[i : i + 8] for i in range(0, 64, 8)).upper()  # as copied
    both = subprocess.run(
        [sys.executable, "-m", "ballot", "verify", str(good), "--json",
         "--expect-key", fingerprint, "--expect-digest", grouped],
        cwd=ROOT, capture_output=True, text=True, check=False, timeout=300,
    )  # fmt: skip
    assert both.returncode == 0 and {c["result"] for c in json.loads(both.stdout)["checks"]} == {
        "PASS"
    }
    wrong_head = ("1" if head[0] != "1" else "2") + head[1:]
    pinned_wrong = subprocess.run(
        [sys.executable, "-m", "ballot", "verify", str(good), "--expect-digest", wrong_head],
        cwd=ROOT, capture_output=True, text=True, check=False, timeout=300,
    )  # fmt: skip
    assert pinned_wrong.returncode == 1 and "FAIL  record-digest" in pinned_wrong.stdout
    assert f"not the expected {wrong_head}" in pinned_wrong.stdout
    # who signed each step: the chair and the member key they opened and closed every round
    # with, the scrutineers who accepted each, who signed the final result, the server's key
    signed = report["signers"]
    chair = next(e["body"] for e in published["events"] if e["kind"] == "member-key"
                 and e["body"]["member"] == "Zhang")  # fmt: skip
    chair_fp = statements.key_fingerprint(bytes.fromhex(chair["key"]))
    assert [r["round"] for r in signed["rounds"]] == [1, 2, 3, 4, 5]
    for r in signed["rounds"]:
        assert r["opened_by"] == r["closed_by"] == {"chair": "Zhang", "member_key": chair_fp}
        assert len(set(r["accepted_by"])) >= 2 and set(r["counted_with"]) <= set(r["accepted_by"])
    assert signed["result"] == {"result": {"award": ["A"], "nominee": ["C"]}, "chair": "Zhang",
                                "member_key": chair_fp, "scrutineers": [2, 3]}  # fmt: skip
    assert "who signed each step" in proc.stdout and f"member key {chair_fp}" in proc.stdout
    assert "final result: signed by the chair Zhang" in proc.stdout
    other = ("1" if fingerprint[0] != "1" else "2") + fingerprint[1:]
    wrong = subprocess.run(
        [sys.executable, "-m", "ballot", "verify", str(good), "--expect-key", other],
        cwd=ROOT, capture_output=True, text=True, check=False, timeout=300,
    )  # fmt: skip
    assert wrong.returncode == 1 and "FAIL  election-key" in wrong.stdout
    assert f"not the expected {other}" in wrong.stdout
    typo = subprocess.run(
        [sys.executable, "-m", "ballot", "verify", str(good), "--expect-key", "1234 5678"],
        cwd=ROOT, capture_output=True, text=True, check=False, timeout=60,
    )  # fmt: skip
    assert typo.returncode == 2 and "24 digits" in typo.stderr
    bad = copy.deepcopy(published)
    mutate_count(bad)
    path = tmp_path / "bad.json"
    path.write_text(json.dumps(rechain(bad)), "utf-8")
    proc = subprocess.run(
        [sys.executable, "-m", "ballot", "verify", "--json", str(path)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
        timeout=300,
    )
    assert proc.returncode == 1
    report = json.loads(proc.stdout)
    failed = {c["check"]: c["failures"] for c in report["checks"] if c["result"] == "FAIL"}
    assert "decryption" in failed and any("A's approve count" in f for f in failed["decryption"])
    tracker = next(e for e in published["events"] if e["kind"] == "ballot")["body"]["tracker"]
    proc = subprocess.run(
        [sys.executable, "-m", "ballot", "verify", str(good), "--tracker", tracker],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    assert proc.returncode == 0 and "is in the record and counted: round 1" in proc.stdout
    # as the phone shows it: in groups of eight, upper case, or with full-width digits
    shown = " ".join(tracker[i : i + 8] for i in range(0, 64, 8)).upper()
    proc = subprocess.run(
        [sys.executable, "-m", "ballot", "verify", str(good), "--tracker", shown],
        cwd=ROOT, capture_output=True, text=True, check=False,
    )  # fmt: skip
    assert proc.returncode == 0 and "counted: round 1" in proc.stdout, proc.stdout + proc.stderr
    full_width = "".join(chr(ord(c) + 0xFEE0) for c in tracker.upper())  # a Chinese IME's
    assert verify.parse_tracker(full_width[:32] + "\u3000" + full_width[32:]) == tracker
    assert verify.parse_tracker(tracker[:-1]) is None and verify.parse_tracker("xyz") is None
    typo = subprocess.run(
        [sys.executable, "-m", "ballot", "verify", str(good), "--tracker", tracker[:60]],
        cwd=ROOT, capture_output=True, text=True, check=False,
    )  # fmt: skip
    assert typo.returncode == 2 and "64 hexadecimal digits" in typo.stderr
    # a decoy: the same tracker in a ballot event whose round is the string "1" is no ballot
    # of any round; a ballot of a round declared void was not counted, and it says so
    decoy = copy.deepcopy(published)
    at = next(i for i, e in enumerate(decoy["events"]) if e["kind"] == "ballot")
    decoy["events"][at]["body"]["round"] = "1"
    assert verify.find_tracker(decoy, tracker)["found"] is False
    void = copy.deepcopy(published)
    next(e for e in void["events"] if e["kind"] == "round-closed")["body"]["void"] = True
    assert verify.find_tracker(void, tracker) == {
        "found": True, "round": 1, "seq": at, "counted": False, "status": "void"
    }  # fmt: skip
    void_path = tmp_path / "void.json"
    void_path.write_text(json.dumps(void), "utf-8")
    said = subprocess.run(
        [sys.executable, "-m", "ballot", "verify", str(void_path), "--tracker", tracker],
        cwd=ROOT, capture_output=True, text=True, check=False,
    )  # fmt: skip
    assert said.returncode == 1 and "round was void" in said.stdout and "未计票" in said.stdout
    # a record made up of the member's ballot, a close and counts says "counted" only if it
    # verifies: the checks always run with --tracker
    kinds = ("ballot", "round-closed", "counts")
    fake = copy.deepcopy(published)
    fake["events"] = [next(e for e in fake["events"] if e["kind"] == k) for k in kinds]
    fake_path = tmp_path / "fake.json"
    fake_path.write_text(json.dumps(rechain(fake)), "utf-8")
    fooled = subprocess.run(
        [sys.executable, "-m", "ballot", "verify", str(fake_path), "--tracker", tracker],
        cwd=ROOT, capture_output=True, text=True, check=False,
    )  # fmt: skip
    assert fooled.returncode == 1, fooled.stdout
    assert "the record does NOT verify" in fooled.stdout and "FAIL  lifecycle" in fooled.stdout
    proc = subprocess.run(
        [sys.executable, "-m", "ballot", "verify", str(good), "--tracker", "00" * 32],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    assert proc.returncode == 1 and "NOT in the record" in proc.stdout
    proc = subprocess.run(
        [sys.executable, "-m", "ballot", "verify", str(ROOT / "README.md")],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    assert proc.returncode == 2 and "not valid JSON" in proc.stderr


def test_candidate_lists_in_the_manifest_are_checked(tmp_path: Path) -> None:
    """重庆 第十六条(六)2: a record whose manifest drops the lists fails `manifest`; one that
    moves a nominee-list organisation onto the award list fails `procedure`, since the award
    ballot held then was not the one the rules ask for."""
    done = demo.simulate(
        7, 6, 6, 3, tmp_path / "r.json", say=lambda _: None, profile="chongqing-2015"
    )
    rec = done["record"]
    assert failing(copy.deepcopy(rec)) == set()
    dropped = copy.deepcopy(rec)
    for c in dropped["events"][0]["body"]["candidates"]:
        c.pop("list")
    assert "manifest" in failing(rechain(dropped))
    moved = copy.deepcopy(rec)
    nominee = [c for c in moved["events"][0]["body"]["candidates"] if c["list"] == "nominee"]
    nominee[0]["list"] = "award"
    assert "procedure" in failing(rechain(moved))
    jiaxing = copy.deepcopy(rec)
    jiaxing["events"][0]["body"]["profile"] = "jiaxing-2020"  # one slate: a "list" is refused
    assert "manifest" in failing(rechain(jiaxing))


@pytest.mark.parametrize("older", [1, 2, 3, 4])
def test_an_older_record_version_is_refused_by_name_not_misread(
    published: dict[str, Any], older: int
) -> None:
    # version 1 records carried no member-signed issuance, version 2 no member-confirmed
    # presence, version 3 no scrutineers' acceptances, version 4 no signed result: read as
    # version 5 they would fail `issuance`, `attendance-quorum`, `acceptances` or
    # `result-signatures` for a reason that is not theirs
    rec = copy.deepcopy(published)
    rec["version"] = older
    checks = {c.name: c for c in verify.Verifier(rec, workers=1).run()}
    assert not checks["record-format"].passed
    (said,) = checks["record-format"].failures
    assert f"record version {older}" in said and "reads version 5" in said


def _signer(rec: dict[str, Any], name: str) -> Any:
    """The simulated member's own key (the demo's devices keep it), to sign as they would."""
    return next(
        d
        for d in demo._member_devices.values()
        if (d.meeting_id, d.member) == (rec["meeting"], name)
    )


def test_a_request_answered_in_two_rounds_or_outside_a_round_fails_issuance(
    published: dict[str, Any],
) -> None:
    from ballot.protocol.context import round_id

    issued = [i for i, e in enumerate(published["events"]) if e["kind"] == "credential-issued"]
    first = published["events"][issued[0]]["body"]
    later = next(
        i for i in issued
        if published["events"][i]["body"]["round"] != first["round"]
        and published["events"][i]["body"]["member"] == first["member"]
    )  # fmt: skip

    def issuance(rec: dict[str, Any]) -> list[str]:
        checks = verify.Verifier(rechain(rec), workers=1).run()
        return next(c for c in checks if c.name == "issuance").failures

    # the member's request for one round, signed again by them for another (a page served the
    # wrong round id): one blinded message is answered once in the meeting
    again = copy.deepcopy(published)
    body = again["events"][later]["body"]
    body["blinded"] = first["blinded"]
    body["signature"] = _signer(again, first["member"]).sign_issuance(
        round_id(again["meeting"], body["round"]), first["blinded"]
    )
    (said,) = issuance(again)
    assert "issued twice" in said
    # a round that is `true` (which Python reads as 1) is not a round
    typed = copy.deepcopy(published)
    typed["events"][issued[0]]["body"]["round"] = True
    assert any("outside an open round" in f for f in issuance(typed))


def _attendance(rec: dict[str, Any]) -> list[str]:
    checks = verify.Verifier(rechain(rec), workers=1).run()
    return next(c for c in checks if c.name == "attendance-quorum").failures


def test_a_check_in_no_member_confirmed_counts_for_nothing(published: dict[str, Any]) -> None:
    # the operator checks in a member who is not there: without the member's own signed
    # presence the quorum the record claims is not the one it shows
    presences = [i for i, e in enumerate(published["events"]) if e["kind"] == "presence"]
    assert presences  # every simulated member's device confirmed
    dropped = copy.deepcopy(published)
    who = dropped["events"][presences[0]]["body"]["member"]
    del dropped["events"][presences[0]]
    said = _attendance(dropped)
    assert any("confirmed presence gives" in f for f in said), said
    assert any(f"issued to {who}, whose own device had not confirmed" in f for f in said), said


def test_a_forged_or_replayed_presence_fails_attendance(published: dict[str, Any]) -> None:
    i = next(i for i, e in enumerate(published["events"]) if e["kind"] == "presence")
    body = published["events"][i]["body"]
    forged = copy.deepcopy(published)  # signed by someone else's key
    other = next(
        e["body"]["member"]
        for e in published["events"]
        if e["kind"] == "member-key" and e["body"]["member"] != body["member"]
    )
    forged["events"][i]["body"]["signature"] = _signer(forged, other).sign_presence(
        "present", 1, body["answers"]
    )
    assert any("not signed by their member key" in f for f in _attendance(forged))
    # the member's own statement, numbered again (a replay): the count is the member's
    replayed = copy.deepcopy(published)
    device = _signer(replayed, body["member"])
    replayed["events"][i]["body"] |= {
        "n": 2,
        "signature": device.sign_presence("present", 2, body["answers"]),
    }
    assert any("is number 2; the record has 0 before it" in f for f in _attendance(replayed))
    # a "left" where the member said present: they are not counted, so the quorum differs
    left = copy.deepcopy(published)
    left["events"][i]["body"] |= {
        "state": "left",
        "signature": device.sign_presence("left", 1, body["answers"]),
    }
    assert any("left with no present to end" in f for f in _attendance(left))
    # a statement that answers another check-in than the member's latest (one collected in
    # advance, or moved): the member's own signature over it is no use
    other_answer = copy.deepcopy(published)
    checkins = [e["hash"] for e in published["events"] if e["kind"] == "attendance"]
    elsewhere = next(h for h in checkins if h != body["answers"])
    other_answer["events"][i]["body"] |= {
        "answers": elsewhere,
        "signature": device.sign_presence("present", 1, elsewhere),
    }
    assert any(
        "does not answer the chair's latest check-in" in f for f in _attendance(other_answer)
    )


def _chair(rec: dict[str, Any]) -> list[str]:
    checks = verify.Verifier(rechain(rec), workers=1).run()
    return next(c for c in checks if c.name == "chair").failures


def test_a_round_the_chair_did_not_sign_or_a_close_on_other_ballots_fails_chair(
    published: dict[str, Any],
) -> None:
    from ballot.protocol import statements

    opened = next(i for i, e in enumerate(published["events"]) if e["kind"] == "round-opened")
    body = published["events"][opened]["body"]
    member = next(
        x["name"] for x in published["events"][0]["body"]["members"] if x["role"] == "member"
    )
    # signed by a member who is not the chair (their own key, enrolled): not the chair's word
    by_member = copy.deepcopy(published)
    by_member["events"][opened]["body"]["chair_signature"] = _signer(by_member, member).attest(
        "round-opened", body
    )
    assert any("not signed by the chair" in f for f in _chair(by_member))
    named = copy.deepcopy(published)  # a member named as the one who signed
    named["events"][opened]["body"]["chair"] = member
    assert any("is not a chair" in f for f in _chair(named))
    unsigned = copy.deepcopy(published)
    del unsigned["events"][opened]["body"]["chair_signature"]
    assert any("not signed by the chair" in f for f in _chair(unsigned))
    # what the chair signed leaves out only the record position and the signature itself
    assert set(body) - set(statements.attested(body)) == {"record", "chair_signature"}
    # a ballot dropped from a closed round: the chair closed on another list
    dropped = copy.deepcopy(published)
    ballot = next(i for i, e in enumerate(dropped["events"]) if e["kind"] == "ballot")
    del dropped["events"][ballot]
    assert any("another list of ballots" in f for f in _chair(dropped))
    # the record position the round's proofs are bound to is not the event before it
    moved = copy.deepcopy(published)
    moved["events"][opened]["body"]["record"] = "ab" * 32
    assert any("record position" in f for f in _chair(moved))
    # the members named present are not the ones whose devices confirmed
    renamed = copy.deepcopy(published)
    renamed["events"][opened]["body"]["present_members"] = body["present_members"][:-1]
    assert any("names" in f and "as present" in f for f in _attendance(renamed))


def test_a_round_voided_that_should_count_or_counted_that_should_be_void_fails(
    published: dict[str, Any],
) -> None:
    closed = next(
        i for i, e in enumerate(published["events"])
        if e["kind"] == "round-closed" and not e["body"]["void"]
    )  # fmt: skip
    forced = copy.deepcopy(published)  # the operator voids a round it dislikes, saying nothing
    forced["events"][closed]["body"] |= {"void": True, "reason": None}
    assert any("closed as void" in f for f in _attendance(forced))
    explained = copy.deepcopy(published)  # … or with a reason its numbers do not give
    explained["events"][closed]["body"] |= {
        "void": True,
        "reason": {"en": "quorum not met", "zh": "不足法定人数"},
    }
    assert any("its numbers give a round that counts" in f for f in _attendance(explained))


def test_scrutinise_signs_no_result_body_but_the_one_the_verified_record_gives(
    published: dict[str, Any],
) -> None:
    """The operator serves `ballot scrutinise --sign-result` a body to sign that is not the
    record's — answering an older result event, for another scrutineer, or another result —
    over a record that verifies: it is refused and nothing is sent."""
    from types import SimpleNamespace

    from ballot.clients.http import ClientError
    from ballot.clients.scrutineer import _result
    from ballot.protocol import result as result_of

    events = published["events"]
    at, standing = result_of.standing(events)  # type: ignore[misc]
    older = next(e for e in events if e["kind"] == "meeting-closed")["hash"]
    right = result_of.scrutineer_body(2, events[at]["hash"], standing)
    sent: list[str] = []

    class Server:  # what the operator's server answers
        def call_json(self, _session: Any, path: str, body: Any = None) -> Any:
            sent.append(path)
            return copy.deepcopy(published) if path.endswith("/record.json") else {}

        def call_record(self, _session: Any, path: str) -> Any:
            return self.call_json(_session, path)

        session = rng = None

    for body in (
        {**right, "answers": older},
        {**right, "scrutineer": 3},
        {**right, "result": {**standing, "award": []}},
    ):
        sent.clear()
        pending = {"meeting": published["meeting"], "result": {"body": body, "scrutineers": []}}
        with pytest.raises(ClientError) as err:
            _result(Server(), pending, SimpleNamespace(index=2), fingerprint_of(published),  # type: ignore[arg-type]
                    True, lambda _: None)  # fmt: skip
        assert err.value.code == "result-not-signed"
        assert sent == [f"/m/{published['meeting']}/record.json"]  # nothing signed, nothing sent
