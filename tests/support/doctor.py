"""The operator's toolkit for doctoring a record (tests/test_adversary.py,
tests/test_verify_checks.py): a finished meeting run through the real services, with what the
server operator holds — the record, the issuer key, the committee key that signs checkpoints —
and what the auditor holds (the fingerprint the scrutineers read out); and the operator's moves:
re-chain and re-sign every checkpoint after any change, cast a ballot with a credential of its
own, make a round's close agree with the lists it now publishes."""

from __future__ import annotations

import copy
import hashlib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy.orm import Session, sessionmaker

from ballot import verify
from ballot.crypto import blind_rsa, keystore
from ballot.crypto.codec import ballot_from_json
from ballot.crypto.elgamal import PublicKey, add
from ballot.crypto.group import production_group
from ballot.crypto.randomness import SystemRandom
from ballot.protocol.chain import GENESIS, canonical_json, checkpoint_message, event_hash
from ballot.protocol.context import OPTIONS, ballot_context
from ballot.protocol.device import VoterDevice
from ballot.services import record
from ballot.storage.engine import make_engine, sessions, upgrade
from tests.integration import test_services_meeting as meeting_run

RNG = SystemRandom()


@dataclass
class Held:
    """What the operator holds after the meeting: the record, the issuer key, the committee
    key, and (for the auditor) the fingerprint the scrutineers read out."""

    record: dict[str, Any]
    issuer: blind_rsa.IssuerKey
    committee: bytes
    pin: str


def run(path: Path) -> Held:
    engine = make_engine(f"sqlite:///{path}")
    upgrade(engine)
    db: sessionmaker[Session] = sessions(engine)
    issuer = blind_rsa.generate_issuer_key(3072)
    made: list[bytes] = []
    original = keystore.new_committee_key

    def capture(rng: Any) -> bytes:  # the operator keeps the committee key it generated
        made.append(original(rng))
        return made[-1]

    keystore.new_committee_key = capture  # type: ignore[assignment]
    try:
        meeting, _, _ = meeting_run.run_meeting(db, issuer)
    finally:
        keystore.new_committee_key = original  # type: ignore[assignment]
    with db() as s:
        exported = record.export(s, meeting)
    engine.dispose()
    checker = verify.Verifier(copy.deepcopy(exported), workers=1)
    checker.run()
    return Held(exported, issuer, made[-1], checker.evidence.fingerprint)


def operator_signs(held: Held, rec: dict[str, Any]) -> dict[str, Any]:
    """What the operator does after any change: the chain recomputed and every checkpoint
    re-signed with the committee key from `keys/`."""
    prev = GENESIS
    for seq, e in enumerate(rec["events"]):
        if e["kind"] == "checkpoint":
            message = checkpoint_message(rec["meeting"], seq - 1, prev)
            e["body"] = {
                "seq": seq - 1,
                "head": prev,
                "signature": keystore.sign(held.committee, message).hex(),
            }
        e["seq"], e["prev"] = seq, prev
        e["hash"] = event_hash(seq, e["kind"], e["body"], prev)
        prev = e["hash"]
    return rec


def failing(held: Held, rec: dict[str, Any]) -> set[str]:
    checks = verify.Verifier(operator_signs(held, rec), workers=1, expect_key=held.pin).run()
    return {c.name for c in checks if not c.passed}


def at(rec: dict[str, Any], kind: str, number: int | None = None) -> int:
    """The position of the first `kind` event (of round `number`)."""
    return next(
        i
        for i, e in enumerate(rec["events"])
        if e["kind"] == kind and (number is None or e["body"].get("round") == number)
    )


def body(rec: dict[str, Any], kind: str, number: int | None = None) -> dict[str, Any]:
    found: dict[str, Any] = rec["events"][at(rec, kind, number)]["body"]
    return found


def _digest(items: list[Any]) -> str:
    return hashlib.sha256(canonical_json(items)).hexdigest()


def reclose(rec: dict[str, Any], number: int) -> None:
    """The operator makes round `number`'s close agree with the lists it now publishes: counts,
    list digests and encrypted totals (it cannot make the chair sign that body)."""
    group = production_group()
    closed = body(rec, "round-closed", number)
    ballots = [
        e["body"] for e in rec["events"] if e["kind"] == "ballot" and e["body"]["round"] == number
    ]
    credentials = body(rec, "credentials", number)["credentials"]
    parsed = [ballot_from_json(b["ballot"]) for b in ballots]
    aggregates = []
    for i in range(len(closed["aggregates"])):
        totals = {}
        for option in OPTIONS:
            ct = add(group, (getattr(p.selections[i], option) for p in parsed))
            totals[option] = [format(int(ct.alpha), "x"), format(int(ct.beta), "x")]
        aggregates.append(totals)
    closed.update(
        ballots=len(ballots),
        credentials=len(credentials),
        ballot_list=_digest([b["tracker"] for b in ballots]),
        credential_list=_digest([c["public_key"] for c in credentials]),
        aggregates=aggregates,
    )


def own_ballot(held: Held, rec: dict[str, Any], number: int, choices: list[str]) -> dict[str, Any]:
    """A valid ballot the operator casts with a credential it made with the issuer key."""
    opened = body(rec, "round-opened", number)
    issuer_public = body(rec, "meeting-opened")["issuer_key"]
    device = VoterDevice(issuer_public, rec["meeting"], opened["round_id"], RNG)
    signed = blind_rsa.blind_sign(held.issuer, bytes.fromhex(device.blinded_hex), RNG)
    credential = device.finish_issuance(signed.hex())
    key = PublicKey(production_group(), int(body(rec, "ceremony")["joint_key"], 16))
    ctx = ballot_context(
        rec["meeting"], number, opened["record"], opened["candidates"], opened["max_approvals"]
    )
    ballot, credential_key, signature, tracker = device.vote(key, ctx, choices)
    listed = body(rec, "credentials", number)["credentials"]
    listed.append(
        {
            "public_key": credential_key,
            "prepared": credential["prepared_hex"],
            "signature": credential["signature_hex"],
        }
    )
    listed.sort(key=lambda c: c["public_key"])
    return {
        "round": number,
        "tracker": tracker,
        "credential_key": credential_key,
        "ballot": ballot,
        "signature": signature,
    }
