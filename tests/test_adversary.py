"""The server operator as the adversary (issue 11, docs/threat-model.md): it holds the database,
`keys/` (the issuer's key and the committee key that signs checkpoints) and the server secret,
and serves every page and JSON. Each test mounts one attack with all of that and makes the
record as consistent as the operator can — its changes re-chained and every checkpoint
re-signed with the real committee key — and shows that either the attack cannot be mounted
(the service refuses it, or a scrutineer's own check refuses to decrypt) or `ballot verify`,
given the fingerprint the scrutineers read out, fails it by the check named here. What the
operator cannot forge is what others signed: the members' presence and requests, the chair's
opening and close, the scrutineers' acceptances and shares."""

from __future__ import annotations

import copy
import uuid
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy.orm import Session, sessionmaker

from ballot import verify
from ballot.crypto import blind_rsa
from ballot.protocol.context import OPTIONS
from ballot.services import counting, record
from ballot.services.errors import ServiceError
from ballot.services.unit import transaction
from ballot.storage.engine import make_engine, sessions, upgrade
from ballot.verify import scrutiny
from tests.integration import test_services_meeting as meeting_run
from tests.support.doctor import (
    RNG,
    Held,
    at,
    body,
    failing,
    operator_signs,
    own_ballot,
    reclose,
    run,
)

# --- the record as the operator holds it ------------------------------------------------------


def test_re_signing_alone_is_not_what_catches_anything(held: Held, rec: dict[str, Any]) -> None:
    # the operator's re-chaining and re-signing of an untouched record passes every check, so
    # each failure below is the named check's, not the committee signature's
    assert failing(held, rec) == set()


def test_add_a_ballot(held: Held, rec: dict[str, Any]) -> None:
    extra = own_ballot(held, rec, 3, ["approve"])
    rec["events"].insert(at(rec, "round-closed", 3), {"kind": "ballot", "body": extra})
    reclose(rec, 3)
    counts = body(rec, "counts", 3)
    counts["ballots"] += 1
    counts["approve"]["C"] += 1  # (it knows its own vote)
    failed = failing(held, rec)
    # the chair signed the close on the list without it, and no member asked for its credential
    assert {"chair", "credentials", "acceptances"} <= failed, failed


def test_drop_a_ballot(held: Held, rec: dict[str, Any]) -> None:
    del rec["events"][at(rec, "ballot", 1)]
    reclose(rec, 1)
    failed = failing(held, rec)
    assert {"chair", "acceptances"} <= failed, failed


def test_change_a_count(held: Held, rec: dict[str, Any]) -> None:
    counts = body(rec, "counts", 1)
    counts["approve"]["A"] += 1
    counts["abstain"]["A"] -= 1
    assert "decryption" in failing(held, rec)


def test_change_a_decision(held: Held, rec: dict[str, Any]) -> None:
    decision = body(rec, "decision", 2)
    decision["result"]["award"] = ["A", "C"]
    assert "procedure" in failing(held, rec)


def test_change_the_result(held: Held, rec: dict[str, Any]) -> None:
    body(rec, "meeting-closed")["result"]["nominee"] = []
    # the rules give another result, and the people who signed the result signed that one
    assert {"procedure", "result-signatures"} <= failing(held, rec)


def _append(rec: dict[str, Any], kind: str, body: dict[str, Any]) -> None:
    """An event the operator appends at the end, with a checkpoint after it."""
    rec["events"] += [{"kind": kind, "body": body}, {"kind": "checkpoint", "body": {}}]


def test_a_review_decision_with_no_vote_behind_it(held: Held, rec: dict[str, Any]) -> None:
    # a decision that removes winner A, for a round that never was, or a second one for a
    # real review vote: what the people would be shown to sign changes, so it must fail
    decided = body(rec, "motion-decision", 4)
    for number in (99, 4, 1):
        forged = copy.deepcopy(rec)
        _append(forged, "motion-decision", {**decided, "round": number, "passed": False})
        assert "procedure" in failing(held, forged), number


def test_a_review_decision_whose_passed_is_not_a_boolean(held: Held, rec: dict[str, Any]) -> None:
    # 0 == False in Python: a decision "not upheld" written as 0 keeps the winner in the
    # result the people sign, so the rules' decision is compared with its types
    body(rec, "motion-decision", 5)["passed"] = 0
    assert "procedure" in failing(held, rec)


def test_the_meeting_closed_a_second_time(held: Held, rec: dict[str, Any]) -> None:
    _append(rec, "meeting-closed", {**body(rec, "meeting-closed"), "result": {"award": ["X"]}})
    assert "procedure" in failing(held, rec)


def test_drop_the_signatures_of_the_result(held: Held, rec: dict[str, Any]) -> None:
    # the final result as the record has it (after the review votes), with nobody in the room
    # having signed it: the signatures after the last review vote dropped
    last = max(i for i, e in enumerate(rec["events"]) if e["kind"] == "motion-decision")
    tail = rec["events"][last:]
    kept = [
        e
        for i, e in enumerate(tail)
        if e["kind"] != "result-signed" and not (i and tail[i - 1]["kind"] == "result-signed")
    ]  # (each signature and the checkpoint after it)
    rec["events"] = rec["events"][:last] + kept
    assert failing(held, rec) == {"result-signatures"}


def test_sign_the_result_in_the_chair_s_name(held: Held, rec: dict[str, Any]) -> None:
    # the operator's own P-256 key is no member's: a chair's signature it makes does not hold
    from ballot.protocol import result as result_of
    from ballot.protocol.device import MemberDevice

    final = [i for i, e in enumerate(rec["events"]) if e["kind"] == "result-signed"]
    chair_at = [i for i in final if rec["events"][i]["body"]["role"] == "chair"][-1]
    signed = rec["events"][chair_at]["body"]
    forger = MemberDevice.generate(rec["meeting"], signed["chair"], RNG)
    unsigned = {k: v for k, v in signed.items() if k != result_of.SIGNATURE}
    signed[result_of.SIGNATURE] = forger.sign_result(unsigned)
    assert failing(held, rec) == {"result-signatures"}


def test_check_in_an_absent_member(held: Held, rec: dict[str, Any]) -> None:
    # round 1 opened with 4 of 5 present; the operator adds the fifth member's check-in before
    # it and counts them: no presence statement of theirs answers it
    opened = body(rec, "round-opened", 1)
    roster = [m["name"] for m in body(rec, "meeting-created")["members"]]
    absent = next(n for n in roster if n not in opened["present_members"])
    rec["events"].insert(
        at(rec, "round-opened", 1),
        {"kind": "attendance", "body": {"member": absent, "present": True, "present_count": 5}},
    )
    opened["present"] = 5
    opened["present_members"] = [n for n in roster if n in {*opened["present_members"], absent}]
    failed = failing(held, rec)
    assert {"attendance-quorum", "chair"} <= failed, failed


def test_void_a_counted_round_and_hold_it_again(held: Held, rec: dict[str, Any]) -> None:
    closed = body(rec, "round-closed", 1)
    closed["void"] = True
    closed["reason"] = {"zh": "法定人数不足", "en": "below quorum"}
    failed = failing(held, rec)
    assert {"chair", "attendance-quorum"} <= failed, failed


def test_rewrite_a_round_after_it_was_counted(held: Held, rec: dict[str, Any]) -> None:
    # one member's ballot of round 1 replaced by one the operator encrypted (another vote),
    # under the same credential: the totals, the close and the counts made to agree with it
    i = at(rec, "ballot", 1)
    theirs = rec["events"][i]["body"]
    forged = own_ballot(held, rec, 1, ["oppose", "oppose", "abstain"])
    body(rec, "credentials", 1)["credentials"] = [
        c
        for c in body(rec, "credentials", 1)["credentials"]
        if c["public_key"] != forged["credential_key"]
    ]
    rec["events"][i]["body"] = {**forged, "credential_key": theirs["credential_key"]}
    reclose(rec, 1)
    failed = failing(held, rec)
    # its credential did not sign it, the chair closed on another list, no scrutineer
    # accepted these totals
    assert {"ballots", "chair", "acceptances"} <= failed, failed


def test_shares_for_a_round_while_it_was_open(held: Held, rec: dict[str, Any]) -> None:
    # the operator moves a scrutineer's acceptance and shares before the close (as if it had
    # made them decrypt an open round)
    number = 1
    moved = [
        rec["events"].pop(i)
        for i in sorted(
            (
                i
                for i, e in enumerate(rec["events"])
                if e["kind"] in ("round-accepted", "decryption-shares")
                and e["body"]["round"] == number
            ),
            reverse=True,
        )
    ][::-1]
    spot = at(rec, "round-closed", number)
    rec["events"][spot:spot] = moved
    assert "acceptances" in failing(held, rec)


def test_shares_without_an_acceptance(held: Held, rec: dict[str, Any]) -> None:
    del rec["events"][at(rec, "round-accepted", 2)]
    assert "acceptances" in failing(held, rec)


def test_an_acceptance_of_other_totals(held: Held, rec: dict[str, Any]) -> None:
    accepted = body(rec, "round-accepted", 1)
    accepted["totals"] = "00" * 32
    assert "acceptances" in failing(held, rec)


def test_a_whole_record_fabricated_for_the_same_meeting(
    held: Held, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # the operator runs the whole meeting again under a ceremony and keys of its own, with the
    # same meeting id: consistent in itself, and only the pinned key tells it apart (also what
    # catches a member served another election key: the ballots under it are in such a record)
    from ballot.services import meetings

    real_id = uuid.UUID(hex=held.record["meeting"])
    monkeypatch.setattr(meetings.uuid, "uuid4", lambda: real_id)
    forged = run(tmp_path / "forged.sqlite3")
    assert forged.record["meeting"] == held.record["meeting"]
    checks = verify.Verifier(forged.record, workers=1, expect_key=held.pin).run()
    assert {c.name for c in checks if not c.passed} == {"election-key"}


# --- what a scrutineer's own check refuses to decrypt -----------------------------------------


def _until_close(rec: dict[str, Any], number: int) -> dict[str, Any]:
    """The record as it stood just after round `number` closed (and its checkpoint)."""
    rec["events"] = rec["events"][: at(rec, "round-closed", number) + 2]
    return rec


def test_a_scrutineer_does_not_decrypt_an_open_round(held: Held, rec: dict[str, Any]) -> None:
    rec["events"] = rec["events"][: at(rec, "round-closed", 1)]  # still open
    checked = scrutiny.scrutinise(operator_signs(held, rec), 1)
    assert not checked.acceptable
    assert "round 1 is not closed in the record" in checked.failures[0]


def test_a_scrutineer_does_not_decrypt_a_single_ballot(held: Held, rec: dict[str, Any]) -> None:
    # the operator lists one member's ballot as the round's totals
    _until_close(rec, 1)
    one = body(rec, "ballot", 1)["ballot"]["selections"]
    closed = body(rec, "round-closed", 1)
    closed["aggregates"] = [{o: s[o] for o in OPTIONS} for s in one]
    checked = scrutiny.scrutinise(operator_signs(held, rec), 1)
    assert any(f.startswith("aggregates:") for f in checked.failures), checked.failures
    assert any(f.startswith("chair:") for f in checked.failures), checked.failures


def test_a_scrutineer_does_not_decrypt_totals_it_did_not_compute(
    held: Held, rec: dict[str, Any]
) -> None:
    # the close names totals that are the product of a ballot list with an extra ballot the
    # operator cast: the lists are the operator's, not the ones the chair signed
    _until_close(rec, 3)
    extra = own_ballot(held, rec, 3, ["approve"])
    rec["events"].insert(at(rec, "round-closed", 3), {"kind": "ballot", "body": extra})
    reclose(rec, 3)
    checked = scrutiny.scrutinise(operator_signs(held, rec), 3)
    named = {f.split(":")[0] for f in checked.failures}
    assert {"chair", "credentials"} <= named, checked.failures


def test_the_server_refuses_shares_for_an_open_round_or_other_totals(tmp_path: Path) -> None:
    """The service side: shares for a round still open are refused, and an acceptance that
    names other totals than the close is refused and changes nothing."""
    engine = make_engine(f"sqlite:///{tmp_path / 'ballot.sqlite3'}")
    upgrade(engine)
    db: sessionmaker[Session] = sessions(engine)
    # the module's meeting, stopped at its first close
    issuer = blind_rsa.generate_issuer_key(3072)
    meeting, shares, sign = meeting_run.first_close(db, issuer)
    with pytest.raises(ServiceError) as err, transaction(db) as session:
        counting.submit_decryption_shares(session, meeting, 2, 1, [], sign, RNG)
    assert err.value.code in ("unknown-round", "round-open")
    from tests.support.web import scrutineer_sends, submit

    sent = scrutineer_sends(db, meeting, 1, shares[0])
    other = copy.deepcopy(sent)
    other["accepted"]["totals"] = "00" * 32
    with pytest.raises(ServiceError) as err:
        submit(db, meeting, 1, other, sign)
    assert err.value.code == "acceptance-differs"
    forged = copy.deepcopy(sent)
    forged["signature"]["response"] = format(int(forged["signature"]["response"], 16) ^ 1, "x")
    with pytest.raises(ServiceError) as err:
        submit(db, meeting, 1, forged, sign)
    assert err.value.code == "bad-acceptance-signature"
    with db() as s:
        kinds = [e["kind"] for e in record.events(s, meeting)]
    assert "round-accepted" not in kinds and "decryption-shares" not in kinds
    assert submit(db, meeting, 1, sent, sign) is None  # 1 of the 2 needed: recorded
    with db() as s:
        kinds = [e["kind"] for e in record.events(s, meeting)]
    assert kinds[-2:] == ["round-accepted", "decryption-shares"]
    engine.dispose()
