"""What the people of a meeting sign (docs/PROTOCOL.md §14): the byte form of every statement
a member's key, the chair's key or a scrutineer's key signs, so that each fact in the record is
signed by the party who knows it and the server only relays. Pure: bytes in, bytes out.

Every statement is `text("ballot/v1/statement") ‖ text(kind) ‖ text(meeting id) ‖ fields…`,
signed with ECDSA P-256 / SHA-256 in the P1363 form (`crypto/signature.py`, as credentials):

- `member-key`: text(member) ‖ bytes(public key, 65) — a device enrols its member key (the
  key signs its own enrolment: proof of possession);
- `presence`: text(member) ‖ text("present" | "left") ‖ u32(n) ‖ bytes(answers, 32) — the
  member's own device says they are in the room or have left; n counts this member's presence
  statements in the meeting from 1, and `answers` is the hash of the chair's latest check-in
  (or check-out) event of this member, so a statement answers one check-in only and none can
  be collected in advance for a later one;
- `issuance-request`: text(member) ‖ text(round id) ‖ bytes(blinded message) — the device
  asks for this round's credential; the issuer blind-signs only such requests;
- `attest`: text(role) ‖ text(event kind) ‖ bytes(SHA-256(canonical JSON of the event's
  body)) — the chair ("chair") or a scrutineer ("scrutineer i") vouches for an event of the
  record: a round opened, a round closed on its ballot list, a round accepted with its totals,
  the result."""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from typing import Any

from ballot.crypto import hashing as h
from ballot.protocol.chain import canonical_json

STATEMENT_TAG = "ballot/v1/statement"
PRESENCE = ("present", "left")


def _statement(kind: str, meeting_id: str, *fields: bytes) -> bytes:
    return h.text(STATEMENT_TAG) + h.text(kind) + h.text(meeting_id) + b"".join(fields)


def member_key(meeting_id: str, member: str, public_key: bytes) -> bytes:
    """A device's enrolment of `member`'s key for the meeting (signed by that key)."""
    if len(public_key) != 65 or public_key[0] != 0x04:
        raise ValueError("a member key is 65 bytes: 0x04 ‖ x ‖ y")
    return _statement("member-key", meeting_id, h.text(member), h.raw(public_key))


def presence(meeting_id: str, member: str, state: str, n: int, answers: bytes) -> bytes:
    """The member's own device: "present" or "left", the n-th such statement (n ≥ 1), in
    answer to the check-in (or check-out) event whose hash is `answers`."""
    if state not in PRESENCE:
        raise ValueError(f"presence is one of {PRESENCE}")
    if n < 1:
        raise ValueError("presence statements are counted from 1")
    if len(answers) != 32:
        raise ValueError("a presence statement answers one event: its 32-byte hash")
    return _statement(
        "presence", meeting_id, h.text(member), h.text(state), h.u32(n), h.raw(answers)
    )


def issuance_request(meeting_id: str, member: str, round_id: str, blinded: bytes) -> bytes:
    """The member's device asks for its credential for `round_id` (the blinded message)."""
    return _statement(
        "issuance-request", meeting_id, h.text(member), h.text(round_id), h.raw(blinded)
    )


def body_digest(body: Mapping[str, Any]) -> bytes:
    """SHA-256 of an event body's canonical JSON (docs/PROTOCOL.md §12)."""
    return hashlib.sha256(canonical_json(dict(body))).digest()


def attest(meeting_id: str, role: str, event_kind: str, body: Mapping[str, Any]) -> bytes:
    """The chair or a scrutineer vouches for one event of the record, by its body."""
    return _statement(
        "attest", meeting_id, h.text(role), h.text(event_kind), h.raw(body_digest(body))
    )


# the fields of a round's event that the chair's attestation leaves out: the record position it
# was appended at (other people's statements may land while the chair confirms) and the
# signature itself
UNATTESTED = ("record", "chair_signature")


def attested(body: Mapping[str, Any]) -> dict[str, Any]:
    """What the chair signs of a round-opened or round-closed event: its body less UNATTESTED."""
    return {k: v for k, v in body.items() if k not in UNATTESTED}


KEY_FINGERPRINT_TAG = "ballot/v1/member-key-fingerprint"


def key_fingerprint(public_key: bytes) -> str:
    """A member key's short name for people to compare (their page, the chair's console, the
    record): digest(tag; bytes(key))'s first 8 bytes mod 10^12, as three groups of four digits."""
    d = h.digest(KEY_FINGERPRINT_TAG, h.raw(public_key))
    digits = str(int.from_bytes(d[:8], "big") % 10**12).zfill(12)
    return " ".join(digits[i : i + 4] for i in range(0, 12, 4))


def scrutineer_role(index: int) -> str:
    return f"scrutineer {index}"


__all__ = [
    "PRESENCE",
    "STATEMENT_TAG",
    "UNATTESTED",
    "attest",
    "attested",
    "body_digest",
    "issuance_request",
    "key_fingerprint",
    "member_key",
    "presence",
    "scrutineer_role",
]
