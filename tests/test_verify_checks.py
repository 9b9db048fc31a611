"""Every named check of `ballot verify`, failed on purpose (issue 12): for each, a record
doctored the way the server operator could — with every key the server holds, its changes
re-chained and every checkpoint re-signed (`tests/support/doctor.py`) — and `ballot verify`
fails *that* check by name and still runs and reports every other check.

`tests/verify_mutations.py` switches each check off in turn (its body replaced by `pass`) and
runs this file with tests/test_adversary.py: each check must have a test here that then fails.
The tests are in the order of the checks, so a switched-off check is found early."""

from __future__ import annotations

import copy
import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from ballot import verify
from ballot.crypto import keystore
from ballot.crypto.randomness import SystemRandom
from ballot.protocol import grammar
from ballot.protocol.chain import GENESIS, checkpoint_message, event_hash
from tests.support.doctor import Held, at, body, operator_signs

ROOT = Path(__file__).resolve().parents[1]


def verdict(
    held: Held, rec: dict[str, Any], resign: bool = True, **pins: Any
) -> dict[str, verify.Check]:
    """Every check of the doctored record, by name; each must have run and been reported."""
    doctored = operator_signs(held, rec) if resign else rec
    options = {"expect_key": held.pin, **pins}
    checks = verify.Verifier(doctored, workers=1, **options).run()
    assert [c.name for c in checks] == [name for name, _, _ in verify.CHECKS]
    assert all(c.ran for c in checks)
    return {c.name: c for c in checks}


def fails(held: Held, rec: dict[str, Any], name: str, **options: Any) -> list[str]:
    """The failures of check `name`, which must fail (the others are reported either way)."""
    checks = verdict(held, rec, **options)
    assert not checks[name].passed, f"{name} passed the doctored record"
    return checks[name].failures


def _cli(path: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "ballot", "verify", str(path), *args],
        cwd=ROOT, capture_output=True, text=True, check=False, timeout=300,
    )  # fmt: skip


def tail(rec: dict[str, Any]) -> int:
    """Where the operator can insert an event without changing any hash a person signed: just
    after the checkpoint of the last review decision, before the result is signed again."""
    last = max(i for i, e in enumerate(rec["events"]) if e["kind"] == "motion-decision")
    return last + 2


def test_the_pristine_record_passes_every_check(held: Held, rec: dict[str, Any]) -> None:
    checks = verdict(held, rec, expect_digest=held.record["events"][-1]["hash"])
    assert {n for n, c in checks.items() if not c.passed} == set()


# --- record-format ---------------------------------------------------------------------------


def test_record_format_a_round_number_written_as_a_string(held: Held, rec: dict[str, Any]) -> None:
    # a decoy: the round is "2", which every other check skips and --tracker used to match
    i = at(rec, "ballot", 2)
    decoy = copy.deepcopy(rec["events"][i])
    decoy["body"]["round"] = "2"
    rec["events"].insert(tail(rec), decoy)
    said = fails(held, rec, "record-format")
    assert any(
        f.startswith(f"event {tail(rec)} (ballot).round must be a whole number") for f in said
    )
    found = verify.find_tracker(operator_signs(held, rec), decoy["body"]["tracker"])
    assert found["round"] == 2 and found["seq"] == i  # the real one, never the decoy


def test_record_format_an_extra_field(held: Held, rec: dict[str, Any]) -> None:
    body(rec, "counts", 5)["note"] = "checked"
    said = fails(held, rec, "record-format")
    assert any("the grammar does not know: note" in f for f in said), said


def test_record_format_a_kind_nobody_writes(held: Held, rec: dict[str, Any]) -> None:
    rec["events"].insert(tail(rec), {"kind": "round-annulled", "body": {"round": 1}})
    said = fails(held, rec, "record-format")
    assert any("is not a kind of event" in f for f in said), said


def test_record_format_a_key_given_twice(held: Held, tmp_path: Path) -> None:
    # JSON with a repeated key reads as its last value: the record's reader keeps both
    text = json.dumps(held.record, ensure_ascii=False)
    i = at(held.record, "counts", 1)
    seq = f'"seq": {i}, '
    assert text.count(seq) == 1
    doubled = text.replace(seq, seq + seq, 1)
    read = grammar.loads(doubled)
    checks = {c.name: c for c in verify.Verifier(read, workers=1, expect_key=held.pin).run()}
    assert any("the key 'seq' is given twice" in f for f in checks["record-format"].failures)
    path = tmp_path / "doubled.json"
    path.write_text(doubled, "utf-8")
    proc = _cli(path)
    assert proc.returncode == 1 and "FAIL  record-format" in proc.stdout
    assert f"event {i}: the key 'seq' is given twice" in proc.stdout


def test_record_format_a_fraction_is_no_record(held: Held, tmp_path: Path) -> None:
    text = json.dumps(held.record).replace('"present_count": 1', '"present_count": 1.0', 1)
    path = tmp_path / "float.json"
    path.write_text(text, "utf-8")
    proc = _cli(path)
    assert proc.returncode == 2 and "has a fraction or an exponent" in proc.stderr


# --- lifecycle -------------------------------------------------------------------------------


def test_lifecycle_a_missing_checkpoint(held: Held, rec: dict[str, Any]) -> None:
    first = next(
        i
        for i in range(tail(rec), len(rec["events"]))
        if rec["events"][i]["kind"] == "result-signed"
    )
    del rec["events"][first + 1]  # fmt: skip
    said = fails(held, rec, "lifecycle")
    assert said == [f"event {first} (result-signed): not followed at once by its checkpoint"]


def test_lifecycle_a_second_meeting_closed(held: Held, rec: dict[str, Any]) -> None:
    closed = copy.deepcopy(rec["events"][at(rec, "meeting-closed")])
    closed["body"]["result"]["award"] = ["B"]
    rec["events"][tail(rec) : tail(rec)] = [closed, {"kind": "checkpoint", "body": {}}]
    said = fails(held, rec, "lifecycle")
    assert f"event {tail(rec)} (meeting-closed): the meeting is closed a second time" in said


def test_lifecycle_a_round_closed_and_never_counted(held: Held, rec: dict[str, Any]) -> None:
    # review vote 5 is closed, then its shares, counts and decision are dropped: held again
    # until the result suits, the round that did not suit simply never counted
    events = rec["events"]
    keep = at(rec, "round-closed", 5) + 2
    rest = [e for e in events[keep:] if e["kind"] in ("result-signed", "checkpoint")][-6:]
    rec["events"] = events[:keep] + rest
    said = fails(held, rec, "lifecycle")
    assert "round 5 was closed and never counted" in said


# --- hash-chain, record-digest, signatures ---------------------------------------------------


def test_hash_chain_an_edit_not_rechained(held: Held, rec: dict[str, Any]) -> None:
    # the same bodies, but a stale link: an edit nobody re-chained
    rec["events"][3]["prev"] = rec["events"][1]["hash"]
    checks = verdict(held, rec, resign=False)
    assert not checks["hash-chain"].passed


def test_record_digest_pinned_record_differs(held: Held, rec: dict[str, Any]) -> None:
    # an event slipped in where no signature of a person covers it: only the pin catches it
    rec["events"].insert(
        tail(rec), {"kind": "code-replaced", "body": {"role": "member", "name": "Li", "version": 2}}
    )
    pinned = held.record["events"][-1]["hash"]
    checks = verdict(held, rec, expect_digest=pinned)
    assert {n for n, c in checks.items() if not c.passed} == {"record-digest"}
    assert f"not the expected {pinned}" in checks["record-digest"].failures[0]


def test_record_digest_a_record_cut_back_to_an_earlier_signed_result(
    held: Held, rec: dict[str, Any]
) -> None:
    # the record as it stood before the review votes is complete in itself; the pin of the
    # published record is what tells it apart
    first = at(rec, "round-opened", 4)
    rec["events"] = rec["events"][:first]
    checks = verdict(held, rec, expect_digest=held.record["events"][-1]["hash"])
    assert {n for n, c in checks.items() if not c.passed} == {"record-digest"}


def test_signatures_a_checkpoint_signed_by_another_key(held: Held, rec: dict[str, Any]) -> None:
    doctored = operator_signs(held, rec)
    other = keystore.new_committee_key(SystemRandom())
    i = len(doctored["events"]) - 1  # the last checkpoint: no later head names it
    cp = doctored["events"][i]["body"]
    message = checkpoint_message(doctored["meeting"], cp["seq"], cp["head"])
    cp["signature"] = keystore.sign(other, message).hex()
    # re-chained, not re-signed: a forger without the server's key
    prev = GENESIS
    for seq, e in enumerate(doctored["events"]):
        e["prev"] = prev
        e["hash"] = event_hash(seq, e["kind"], e["body"], prev)
        prev = e["hash"]
    said = fails(held, doctored, "signatures", resign=False)
    assert said == [f"checkpoint at event {i}: the committee's signature is invalid"]


# --- manifest, member keys, ceremony, election key -------------------------------------------


def test_manifest_an_issuer_key_of_2048_bits(held: Held, rec: dict[str, Any]) -> None:
    opened = body(rec, "meeting-opened")
    n = int(opened["issuer_key"]["n"], 16) >> 1024 | 1
    opened["issuer_key"]["n"] = n.to_bytes(256, "big").hex()
    said = fails(held, rec, "manifest")
    assert any("the modulus must be odd and of 3072 to 8192 bits" in f for f in said), said


def test_manifest_an_issuer_exponent_other_than_65537(held: Held, rec: dict[str, Any]) -> None:
    body(rec, "meeting-opened")["issuer_key"]["e"] = "03"
    said = fails(held, rec, "manifest")
    assert any("the public exponent must be 65537" in f for f in said), said


def test_member_keys_a_second_key_for_one_member(held: Held, rec: dict[str, Any]) -> None:
    again = copy.deepcopy(rec["events"][at(rec, "member-key")])
    rec["events"].insert(tail(rec), again)
    said = fails(held, rec, "member-keys")
    assert said, said


def test_ceremony_a_transcript_digest_rewritten(held: Held, rec: dict[str, Any]) -> None:
    body(rec, "ceremony")["transcript_digest"] = "00" * 32
    said = fails(held, rec, "ceremony")
    assert "the transcript digest does not match the transcript" in said


def test_election_key_another_pin(held: Held, rec: dict[str, Any]) -> None:
    other = ("1" if held.pin[0] != "1" else "2") + held.pin[1:]
    checks = verdict(held, rec, expect_key=other)
    assert {n for n, c in checks.items() if not c.passed} == {"election-key"}


# --- attendance, chair, issuance, credentials, ballots, aggregates ---------------------------


def test_attendance_a_member_checked_in_twice(held: Held, rec: dict[str, Any]) -> None:
    checked_in = [e for e in rec["events"] if e["kind"] == "attendance" and e["body"]["present"]]
    again = copy.deepcopy(checked_in[-1])
    again["body"]["present_count"] += 1
    rec["events"].insert(tail(rec), again)
    said = fails(held, rec, "attendance-quorum")
    assert any("checked in twice" in f for f in said), said


def _flip(hex_text: str) -> str:
    return ("1" if hex_text[0] != "1" else "2") + hex_text[1:]


def test_chair_a_close_the_chair_did_not_sign(held: Held, rec: dict[str, Any]) -> None:
    closed = body(rec, "round-closed", 5)
    closed["chair_signature"] = _flip(closed["chair_signature"])
    fails(held, rec, "chair")


def test_issuance_a_request_the_member_did_not_sign(held: Held, rec: dict[str, Any]) -> None:
    issued = body(rec, "credential-issued", 5)
    issued["signature"] = _flip(issued["signature"])
    fails(held, rec, "issuance")


def test_credentials_a_credential_not_blind_signed(held: Held, rec: dict[str, Any]) -> None:
    cred = body(rec, "credentials", 5)["credentials"][0]
    cred["signature"] = _flip(cred["signature"])
    said = fails(held, rec, "credentials")
    assert any("is not blind-signed" in f for f in said), said


def test_ballots_a_ballot_its_credential_did_not_sign(held: Held, rec: dict[str, Any]) -> None:
    b = body(rec, "ballot", 5)
    b["signature"] = _flip(b["signature"])
    fails(held, rec, "ballots")


def test_ballots_published_out_of_tracker_order(held: Held, rec: dict[str, Any]) -> None:
    i = at(rec, "ballot", 5)
    rec["events"][i], rec["events"][i + 1] = rec["events"][i + 1], rec["events"][i]
    said = fails(held, rec, "ballots")
    assert "round 5: ballots are not published in tracker order" in said


def test_aggregates_totals_that_are_not_the_product(held: Held, rec: dict[str, Any]) -> None:
    closed = body(rec, "round-closed", 5)
    closed["aggregates"][0]["approve"] = closed["aggregates"][0]["oppose"]
    fails(held, rec, "aggregates")


# --- decryption: the counts the shares give --------------------------------------------------


def test_decryption_counts_that_claim_other_ballots(held: Held, rec: dict[str, Any]) -> None:
    counts = body(rec, "counts", 5)
    counts["ballots"] += 1
    said = fails(held, rec, "decryption")
    assert any("the counts say" in f for f in said), said


def test_decryption_a_share_that_does_not_prove_itself(held: Held, rec: dict[str, Any]) -> None:
    share = body(rec, "decryption-shares", 5)["shares"][0]["approve"]
    share["value"] = _flip(share["value"])
    fails(held, rec, "decryption")


# --- acceptances, procedure, result-signatures (more in tests/test_adversary.py) -------------


def test_acceptances_an_acceptance_of_other_totals(held: Held, rec: dict[str, Any]) -> None:
    accepted = body(rec, "round-accepted", 5)
    accepted["totals"] = "00" * 32
    fails(held, rec, "acceptances")


def test_procedure_a_review_decision_turned_round(held: Held, rec: dict[str, Any]) -> None:
    decision = body(rec, "motion-decision", 5)
    decision["passed"] = not decision["passed"]
    said = fails(held, rec, "procedure")
    assert any("the motion's recorded decision differs from the rules'" in f for f in said), said


def test_result_signatures_a_signature_of_the_chair_forged(held: Held, rec: dict[str, Any]) -> None:
    last = max(
        i
        for i, e in enumerate(rec["events"])
        if e["kind"] == "result-signed" and e["body"]["role"] == "chair"
    )
    signed = rec["events"][last]["body"]
    signed["signature"] = _flip(signed["signature"])
    checks = verdict(held, rec)
    assert {n for n, c in checks.items() if not c.passed} == {"result-signatures"}


def test_decryption_a_claimed_number_of_ballots_builds_no_table(
    held: Held, rec: dict[str, Any]
) -> None:
    # 2^53 - 1 claimed ballots would ask for a discrete-log table of that size (memory, hours):
    # the claim is compared with the ballots published first
    for kind in ("round-closed", "counts"):
        body(rec, kind, 1)["ballots"] = 2**53 - 1
    said = fails(held, rec, "decryption")
    assert any("the close claims 9007199254740991 ballots" in f for f in said), said


def test_malformed_records_are_reported_never_a_traceback(held: Held, tmp_path: Path) -> None:
    def doctored(edit: Any) -> str:
        rec = copy.deepcopy(held.record)
        edit(rec)
        return json.dumps(rec)

    def replaced_key_without_body(rec: dict[str, Any]) -> None:
        rec["events"].insert(tail(rec), {"kind": "member-key-replaced", "body": []})

    def client_path(rec: dict[str, Any]) -> None:
        body(rec, "meeting-opened")["client"] = {"/proc/self/mem": "00" * 32, "x.js": 5}

    def lone_surrogate(rec: dict[str, Any]) -> None:
        body(rec, "attendance")["member"] = "\ud800"

    cases = {
        "no-body": doctored(replaced_key_without_body),
        "client-path": doctored(client_path),
        "surrogate": doctored(lone_surrogate),
        "array": "[1, 2]",
        "deep": "[" * 5000 + "]" * 5000,
    }
    for name, text in cases.items():
        path = tmp_path / f"{name}.json"
        path.write_text(text, "utf-8")
        for args in ((), ("--json",), ("--tracker", "00" * 32)):
            proc = _cli(path, *args)
            assert "Traceback" not in proc.stderr, (name, args, proc.stderr)
            assert proc.returncode in (1, 2), (name, args, proc.returncode, proc.stdout)
            if name == "deep":
                assert "nested deeper than any record is" in proc.stderr
            else:
                assert "FAIL  record-format" in proc.stdout or '"FAIL"' in proc.stdout, name


def _last_signed(rec: dict[str, Any], role: str) -> dict[str, Any]:
    found: dict[str, Any] = [
        e["body"]
        for e in rec["events"]
        if e["kind"] == "result-signed" and e["body"]["role"] == role
    ][-1]
    return found


@pytest.mark.parametrize(
    ("role", "edit", "said"),
    [
        ("chair", {"chair": "Li"}, "names 'Li', who is not a chair"),
        ("scrutineer", {"scrutineer": 9}, "names no scrutineer of the ceremony"),
        ("scrutineer", {"answers": "ab" * 32}, ""),
        ("chair", {"note": "x"}, "is not of the chair's fields"),
        ("scrutineer", {"note": "x"}, "is not of a scrutineer's fields"),
    ],
)
def test_result_signatures_each_signer_by_their_own_key(
    held: Held, rec: dict[str, Any], role: str, edit: dict[str, Any], said: str
) -> None:
    _last_signed(rec, role).update(edit)
    failures = fails(held, rec, "result-signatures")
    assert any(said in f for f in failures), failures


def test_result_signatures_a_share_key_signature_forged(held: Held, rec: dict[str, Any]) -> None:
    signature = _last_signed(rec, "scrutineer")["signature"]
    signature["response"] = _flip(signature["response"])
    failures = fails(held, rec, "result-signatures")
    assert any("is not signed with scrutineer" in f for f in failures), failures


def test_acceptances_by_no_scrutineer_of_the_ceremony(held: Held, rec: dict[str, Any]) -> None:
    body(rec, "round-accepted", 5)["scrutineer"] = 9
    failures = fails(held, rec, "acceptances")
    assert any("names no scrutineer of the ceremony" in f for f in failures), failures


@pytest.mark.parametrize(
    ("edit", "said"),
    [
        ({"member": "Nobody"}, "who is not a member"),
        ({"state": "gone"}, "must say present or left"),
        ({"answers": "ab" * 32}, "does not answer the chair's latest check-in"),
    ],
)
def test_attendance_a_presence_statement_doctored(
    held: Held, rec: dict[str, Any], edit: dict[str, Any], said: str
) -> None:
    again = copy.deepcopy(next(e for e in reversed(rec["events"]) if e["kind"] == "presence"))
    again["body"].update(edit)
    rec["events"].insert(tail(rec), again)
    failures = fails(held, rec, "attendance-quorum")
    assert any(said in f for f in failures), failures


def test_a_scrutineer_decrypts_nothing_but_a_closed_uncounted_round_of_their_ceremony(
    held: Held, rec: dict[str, Any]
) -> None:
    from ballot.verify import scrutiny

    ceremony = body(rec, "ceremony")
    counted = scrutiny.scrutinise(rec, 1, ceremony["transcript_digest"], ceremony["joint_key"])
    assert counted.failures == ["round 1 is counted already"]
    other = scrutiny.scrutinise(rec, 1, "00" * 32, ceremony["joint_key"])
    assert any("not the one this scrutineer's own ceremony gave" in f for f in other.failures)
    until = copy.deepcopy(rec)
    until["events"] = until["events"][: at(until, "round-closed", 1) + 2]
    closed = body(until, "round-closed", 1)
    closed["void"] = True
    void = scrutiny.scrutinise(operator_signs(held, until), 1)
    assert any("round 1 is void" in f or "attendance-quorum" in f for f in void.failures)


def test_weak_but_legal_settings_are_warned_of(held: Held, rec: dict[str, Any]) -> None:
    # no warning on the meeting as held (k = 2 of 3, a quorum rule, no key replaced)
    pristine = verify.Verifier(copy.deepcopy(held.record), workers=1)
    pristine.run()
    assert verify.warnings(pristine.evidence) == []
    body(rec, "ceremony")["k"] = 1
    body(rec, "meeting-created")["rules"]["quorum"] = None
    replaced = {"member": "Li", "key": body(rec, "member-key")["key"]}
    rec["events"].insert(tail(rec), {"kind": "member-key-replaced", "body": replaced})
    weak = verify.Verifier(operator_signs(held, rec), workers=1)
    weak.run()
    said = verify.warnings(weak.evidence)
    assert [w["warning"] for w in said] == ["k-is-1", "no-quorum", "key-replaced"]
    assert "one scrutineer alone could decrypt every ballot" in said[0]["en"]
    assert "Li" in said[2]["en"] and "Li" in said[2]["zh"]
