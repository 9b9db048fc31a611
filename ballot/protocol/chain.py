"""The record (公开记录): an append-only, hash-chained list of events, signed at checkpoints.

Pure functions over plain data. Every event is `{"seq", "kind", "body", "prev"}`; its hash is
SHA-256 over a domain tag and the event's canonical JSON (sorted keys, no spaces, UTF-8,
integers only — big numbers travel as hex strings). `prev` is the previous event's hash
(64 zeros for the first), so changing, removing, inserting or reordering any event changes
every hash after it. The committee's Ed25519 key signs the head at each checkpoint.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from ballot.crypto import hashing as h

RECORD_FORMAT = "ballot-record"
# 2: member keys are enrolled in the record and every credential-issued event carries the
# member-signed request (docs/PROTOCOL.md §12, §14);
# 3: members' own devices confirm their presence (`presence`), only confirmed members count
# towards a round's `present`, and the chair's member key signs every round's opening and
# close;
# 4: scrutineers sign their acceptance of a closed round (`round-accepted`) before they send
# its decryption shares, and counts need k acceptances; an older record is refused by name
RECORD_VERSION = 5
GENESIS = "0" * 64
EVENT_TAG = "ballot/v1/event"
CHECKPOINT_TAG = "ballot/v1/checkpoint"


def _well_formed(text: str, where: str) -> None:
    if any("\ud800" <= ch <= "\udfff" for ch in text):
        raise ValueError(f"{where}: a string with a lone surrogate has no UTF-8 form")


def _check(value: object, where: str) -> None:
    if isinstance(value, str):
        _well_formed(value, where)
        return
    if isinstance(value, bool) or value is None:
        return
    if isinstance(value, int):
        if abs(value) >= 2**53:
            raise ValueError(f"{where}: integers beyond 2^53 must be hex strings")
        return
    if isinstance(value, float):
        raise ValueError(f"{where}: floats are not allowed in the record")
    if isinstance(value, Mapping):
        for k, v in value.items():
            if not isinstance(k, str):
                raise ValueError(f"{where}: keys must be strings")
            _well_formed(k, f"{where} key")
            _check(v, f"{where}.{k}")
        return
    if isinstance(value, list | tuple):
        for i, v in enumerate(value):
            _check(v, f"{where}[{i}]")
        return
    raise ValueError(f"{where}: {type(value).__name__} cannot be recorded")


def canonical_json(value: Any) -> bytes:
    """The one byte form of a JSON value that the record hashes."""
    _check(value, "value")
    return json.dumps(
        value, sort_keys=True, separators=(",", ":"), ensure_ascii=False, allow_nan=False
    ).encode("utf-8")


@dataclass(frozen=True)
class Event:
    seq: int
    kind: str
    body: Mapping[str, Any]
    prev: str
    hash: str

    def as_dict(self) -> dict[str, Any]:
        return {
            "seq": self.seq,
            "kind": self.kind,
            "body": self.body,
            "prev": self.prev,
            "hash": self.hash,
        }


def event_hash(seq: int, kind: str, body: Mapping[str, Any], prev: str) -> str:
    content = canonical_json({"seq": seq, "kind": kind, "body": body, "prev": prev})
    return hashlib.sha256(h.text(EVENT_TAG) + h.raw(content)).hexdigest()


def make_event(seq: int, kind: str, body: Mapping[str, Any], prev: str) -> Event:
    return Event(seq, kind, body, prev, event_hash(seq, kind, body, prev))


def checkpoint_message(meeting_id: str, seq: int, head: str) -> bytes:
    """What the committee key signs: the meeting, the place in the chain and its hash."""
    return h.text(CHECKPOINT_TAG) + h.text(meeting_id) + h.u32(seq) + h.raw(bytes.fromhex(head))


def chain_problems(events: Iterable[Mapping[str, Any]]) -> list[str]:
    """Every break in a chain of event dicts: wrong seq, wrong prev, wrong hash."""
    problems = []
    prev = GENESIS
    for expected, e in enumerate(events):
        seq = e.get("seq")
        if seq != expected:
            problems.append(f"event {expected}: sequence number is {seq!r}")
        if e.get("prev") != prev:
            problems.append(f"event {expected}: does not follow the event before it")
        try:
            actual = event_hash(int(e["seq"]), str(e["kind"]), e["body"], str(e["prev"]))
        except (KeyError, TypeError, ValueError) as err:
            problems.append(f"event {expected}: malformed ({err})")
            actual = ""
        if e.get("hash") != actual:
            problems.append(f"event {expected}: its hash does not match its content")
        prev = str(e.get("hash"))
    return problems
