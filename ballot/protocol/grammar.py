"""The record's grammar (docs/PROTOCOL.md §12.1): each event body's exact fields and types,
and the order events may come in — the meeting's life and each round's.

Pure: a list of events in, a list of problems out, each naming the event's seq. `ballot verify`
runs `event_problems` for every event (its `record-format` check) and `lifecycle_problems` for
the whole list (its `lifecycle` check), so a record the services could not have written is
refused by name before any other check reads it: a round number that is a string, an extra or
missing field, a second `meeting-closed`, a round closed and never counted, an event of a
kind nobody writes, a checkpoint missing where the grammar puts one.

Duplicate keys cannot survive `json.loads`, so `loads` is the record's reader: it keeps the
keys a JSON object repeats (`duplicate_keys`), and `event_problems` fails them.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Mapping
from typing import Any

Spec = Callable[[Any, str], list[str]]

# ------------------------------------------------------------------ reading the JSON text


class StrictObject(dict[str, Any]):
    """A JSON object as read by `loads`: `duplicates` names the keys its text repeats."""

    duplicates: tuple[str, ...] = ()


def _pairs(pairs: list[tuple[str, Any]]) -> StrictObject:
    out = StrictObject(pairs)
    if len(out) != len(pairs):
        seen: set[str] = set()
        out.duplicates = tuple(k for k, _ in pairs if k in seen or seen.add(k))  # type: ignore[func-returns-value]
    return out


def _no_float(text: str) -> Any:
    raise ValueError(f"the number {text} has a fraction or an exponent: the record has none")


def _no_constant(text: str) -> Any:
    raise ValueError(f"{text} is not JSON: the record has no such number")


def loads(text: str) -> Any:
    """The record's JSON text read strictly: floats, NaN and Infinity refused (ValueError),
    repeated keys kept in `StrictObject.duplicates` for `event_problems` to fail by event."""
    try:
        return json.loads(
            text, object_pairs_hook=_pairs, parse_float=_no_float, parse_constant=_no_constant
        )
    except RecursionError:
        raise ValueError("it is nested deeper than any record is") from None


def duplicate_keys(value: Any, where: str) -> list[str]:
    """Every repeated key inside `value` (read by `loads`), with its path."""
    out: list[str] = []
    if isinstance(value, dict):
        for k in getattr(value, "duplicates", ()):
            out.append(f"{where}: the key {k!r} is given twice")
        for k, v in value.items():
            out += duplicate_keys(v, f"{where}.{k}")
    elif isinstance(value, list):
        for i, v in enumerate(value):
            out += duplicate_keys(v, f"{where}[{i}]")
    return out


# ------------------------------------------------------------------ field types


def _show(value: Any) -> str:
    text = json.dumps(value, ensure_ascii=False) if _jsonable(value) else repr(value)
    return text if len(text) <= 40 else text[:37] + "…"


def _jsonable(value: Any) -> bool:
    try:
        json.dumps(value)
    except (TypeError, ValueError):
        return False
    return True


def _is_int(value: Any) -> bool:
    return type(value) is int


def INT(value: Any, where: str) -> list[str]:
    """A whole number ≥ 0, written as a JSON integer (not "2", not true)."""
    if not _is_int(value) or value < 0:
        return [f"{where} must be a whole number ≥ 0, not {_show(value)}"]
    return []


def POSITIVE(value: Any, where: str) -> list[str]:
    if not _is_int(value) or value < 1:
        return [f"{where} must be a whole number ≥ 1, not {_show(value)}"]
    return []


def _unencodable(value: str) -> bool:
    return any("\ud800" <= ch <= "\udfff" for ch in value)


def STR(value: Any, where: str) -> list[str]:
    if not isinstance(value, str) or not value:
        return [f"{where} must be a non-empty string, not {_show(value)}"]
    if _unencodable(value):
        return [f"{where} holds a lone surrogate, which has no UTF-8 form"]
    return []


def TEXT_OR_EMPTY(value: Any, where: str) -> list[str]:
    if not isinstance(value, str):
        return [f"{where} must be a string, not {_show(value)}"]
    if _unencodable(value):
        return [f"{where} holds a lone surrogate, which has no UTF-8 form"]
    return []


def BOOL(value: Any, where: str) -> list[str]:
    if not isinstance(value, bool):
        return [f"{where} must be true or false, not {_show(value)}"]
    return []


def choice(*allowed: str) -> Spec:
    def spec(value: Any, where: str) -> list[str]:
        if value not in allowed or not isinstance(value, str):
            return [f"{where} must be one of {', '.join(allowed)}, not {_show(value)}"]
        return []

    return spec


def hex_bytes(length: int) -> Spec:
    """Exactly `length` bytes as lowercase hex."""
    pattern = re.compile(f"[0-9a-f]{{{2 * length}}}")

    def spec(value: Any, where: str) -> list[str]:
        if not isinstance(value, str) or not pattern.fullmatch(value):
            return [f"{where} must be {length} bytes of lowercase hex, not {_show(value)}"]
        return []

    return spec


_HEX = re.compile(r"(?:[0-9a-f]{2})+")


def HEX(value: Any, where: str) -> list[str]:
    """Bytes of a length another check fixes (RSA values: the issuer key's modulus)."""
    if not isinstance(value, str) or not _HEX.fullmatch(value) or len(value) > 2048:
        return [f"{where} must be lowercase hex of whole bytes, not {_show(value)}"]
    return []


def number(digits: int) -> Spec:
    """A non-negative integer in lowercase hex with no leading zero (one spelling for each
    number: a padded one would be another byte string with the same meaning), at most `digits`
    digits (group elements of the 4096-bit group have at most 1024, exponents mod q 64)."""
    pattern = re.compile(f"0|[1-9a-f][0-9a-f]{{0,{digits - 1}}}")

    def spec(value: Any, where: str) -> list[str]:
        if not isinstance(value, str) or not pattern.fullmatch(value):
            return [
                f"{where} must be a number in lowercase hex, no leading zero, ≤ {digits} digits"
            ]
        return []

    return spec


ELEMENT = number(1024)
SCALAR = number(64)
HASH = hex_bytes(32)
POINT = hex_bytes(65)  # a P-256 public key, uncompressed
ECDSA = hex_bytes(64)  # P1363 r ‖ s
ED25519_KEY = hex_bytes(32)
ED25519_SIGNATURE = hex_bytes(64)


def nullable(inner: Spec) -> Spec:
    def spec(value: Any, where: str) -> list[str]:
        return [] if value is None else inner(value, where)

    return spec


def list_of(inner: Spec, exactly: int | None = None, at_least: int = 0) -> Spec:
    def spec(value: Any, where: str) -> list[str]:
        if not isinstance(value, list):
            return [f"{where} must be a list, not {_show(value)}"]
        if exactly is not None and len(value) != exactly:
            return [f"{where} must hold exactly {exactly} items, not {len(value)}"]
        if len(value) < at_least:
            return [f"{where} must hold at least {at_least} item(s)"]
        out: list[str] = []
        for i, item in enumerate(value):
            out += inner(item, f"{where}[{i}]")
            if len(out) > 5:
                break
        return out

    return spec


def obj(fields: Mapping[str, Spec], optional: Mapping[str, Spec] | None = None) -> Spec:
    """A JSON object with exactly these fields (and, where given, these optional ones)."""
    extra = dict(optional or {})

    def spec(value: Any, where: str) -> list[str]:
        if not isinstance(value, Mapping):
            return [f"{where} must be an object, not {_show(value)}"]
        out: list[str] = []
        missing = [k for k in fields if k not in value]
        unknown = [k for k in value if k not in fields and k not in extra]
        if missing:
            out.append(f"{where} lacks the field(s) {', '.join(missing)}")
        if unknown:
            out.append(f"{where} has field(s) the grammar does not know: {', '.join(unknown)}")
        for k, inner in (*fields.items(), *extra.items()):
            if k in value:
                out += inner(value[k], f"{where}.{k}")
        return out

    return spec


def map_of(inner: Spec) -> Spec:
    """An object whose keys are names (candidates, tiers) and whose values are all `inner`."""

    def spec(value: Any, where: str) -> list[str]:
        if not isinstance(value, Mapping):
            return [f"{where} must be an object, not {_show(value)}"]
        out: list[str] = []
        for k, v in value.items():
            out += STR(k, f"{where} key") + inner(v, f"{where}.{k}")
        return out

    return spec


def OBJECT(value: Any, where: str) -> list[str]:
    """An object another check reads in full (rules overrides; the engine's reports, which
    `procedure` compares whole with the rules re-run)."""
    return [] if isinstance(value, Mapping) else [f"{where} must be an object"]


TEXT = obj({"zh": STR, "en": STR})
_CLIENT_FILE = re.compile(r"[a-z][a-z0-9_-]{0,40}\.js")


def CLIENT(value: Any, where: str) -> list[str]:
    """The browser files' digests: plain file names (no path: verify looks them up in its own
    installed copy) to SHA-256 digests."""
    if not isinstance(value, Mapping):
        return [f"{where} must be an object, not {_show(value)}"]
    out: list[str] = []
    for k, v in value.items():
        if not isinstance(k, str) or not _CLIENT_FILE.fullmatch(k):
            out.append(f"{where}: {_show(k)} is not the name of a browser file (name.js)")
        out += HASH(v, f"{where}.{k}")
    return out


NAMES = list_of(STR)
RESULT = map_of(NAMES)
CIPHERTEXT = list_of(ELEMENT, exactly=2)
DISJUNCTION = obj(
    {
        "challenges": list_of(SCALAR, at_least=1),
        "commitments": list_of(list_of(ELEMENT, exactly=2), at_least=1),
        "responses": list_of(SCALAR, at_least=1),
    }
)
SCHNORR = obj({"commitment": ELEMENT, "challenge": SCALAR, "response": SCALAR})
SHARE = obj(
    {
        "index": POSITIVE,
        "value": ELEMENT,
        "proof": obj(
            {
                "challenge": SCALAR,
                "commitment_a": ELEMENT,
                "commitment_g": ELEMENT,
                "response": SCALAR,
            }
        ),
    }
)

_ROUND = {"round": POSITIVE}

BODIES: Mapping[str, Spec] = {
    "meeting-created": obj(
        {
            "meeting": STR,
            "committee": STR,
            "title": STR,
            "profile": STR,
            "rules": OBJECT,
            "members": list_of(obj({"name": STR, "role": STR}), at_least=1),
            "candidates": list_of(
                obj({"name": STR, "outside_cap": NAMES}, optional={"list": STR}), at_least=1
            ),
            "others": NAMES,
        }
    ),
    "ceremony-started": obj({"k": POSITIVE, "n": POSITIVE}),
    "ceremony": obj(
        {
            "k": POSITIVE,
            "n": POSITIVE,
            "messages": list_of(
                obj(
                    {
                        "sender": POSITIVE,
                        "transport_key": hex_bytes(32),
                        "coefficients": list_of(
                            obj({"value": ELEMENT, "proof": SCHNORR}), at_least=1
                        ),
                    }
                ),
                at_least=1,
            ),
            "transcript_digest": HASH,
            "joint_key": ELEMENT,
        }
    ),
    "meeting-opened": obj(
        {
            "group": STR,
            "issuer_key": obj({"scheme": STR, "n": HEX, "e": HEX}),
            "committee_key": ED25519_KEY,
        },
        optional={"client": CLIENT},
    ),
    "meeting-cancelled": obj({"by": STR, "reason": TEXT_OR_EMPTY}),
    "code-replaced": obj({"role": STR, "name": STR, "version": INT}),
    "member-key": obj({"member": STR, "key": POINT, "signature": ECDSA}),
    "member-key-replaced": obj({"member": STR, "key": POINT}),
    "attendance": obj({"member": STR, "present": BOOL, "present_count": INT}),
    "presence": obj(
        {
            "member": STR,
            "state": choice("present", "left"),
            "n": POSITIVE,
            "answers": HASH,
            "signature": ECDSA,
        }
    ),
    "round-opened": obj(
        {
            **_ROUND,
            "round_id": STR,
            "tier": STR,
            "kind": STR,
            "candidates": list_of(STR, at_least=1),
            "places": INT,
            "max_approvals": POSITIVE,
            "threshold": nullable(INT),
            "members": POSITIVE,
            "present": INT,
            "present_members": NAMES,
            "quorum_needed": nullable(INT),
            "chair": STR,
            "chair_signature": ECDSA,
            "record": HASH,
        }
    ),
    "credential-issued": obj({**_ROUND, "member": STR, "blinded": HEX, "signature": ECDSA}),
    "credentials": obj(
        {
            **_ROUND,
            "credentials": list_of(obj({"public_key": POINT, "prepared": HEX, "signature": HEX})),
        }
    ),
    "ballot": obj(
        {
            **_ROUND,
            "tracker": HASH,
            "credential_key": POINT,
            "signature": ECDSA,
            "ballot": obj(
                {
                    "selections": list_of(
                        obj({"approve": CIPHERTEXT, "oppose": CIPHERTEXT, "proof": DISJUNCTION}),
                        at_least=1,
                    ),
                    "total_proof": DISJUNCTION,
                }
            ),
        }
    ),
    "round-closed": obj(
        {
            **_ROUND,
            "members": POSITIVE,
            "present": INT,
            "present_members": NAMES,
            "credential_list": HASH,
            "ballot_list": HASH,
            "chair": STR,
            "chair_signature": ECDSA,
            "issued": INT,
            "credentials": INT,
            "ballots": INT,
            "void": BOOL,
            "reason": nullable(TEXT),
            "aggregates": list_of(obj({"approve": CIPHERTEXT, "oppose": CIPHERTEXT})),
        }
    ),
    "round-accepted": obj(
        {
            **_ROUND,
            "scrutineer": POSITIVE,
            "ballots": INT,
            "ballot_list": HASH,
            "credential_list": HASH,
            "totals": HASH,
            "scrutineer_signature": SCHNORR,
        }
    ),
    "decryption-shares": obj(
        {
            **_ROUND,
            "scrutineer": POSITIVE,
            "shares": list_of(obj({"approve": SHARE, "oppose": SHARE})),
        }
    ),
    "counts": obj(
        {
            **_ROUND,
            "ballots": INT,
            "scrutineers": list_of(POSITIVE),
            "approve": map_of(INT),
            "oppose": map_of(INT),
            "abstain": map_of(INT),
        }
    ),
    "decision": obj(
        {
            **_ROUND,
            "decision": OBJECT,
            "next": nullable(OBJECT),
            "complete": BOOL,
            "result": RESULT,
        }
    ),
    "meeting-closed": obj({"result": RESULT, "tiers": list_of(OBJECT)}),
    "motion-decision": obj(
        {
            **_ROUND,
            "candidate": STR,
            "yes": INT,
            "no": INT,
            "needed": nullable(INT),
            "passed": BOOL,
            "reason": TEXT,
        }
    ),
    "checkpoint": obj({"seq": INT, "head": HASH, "signature": ED25519_SIGNATURE}),
}

_SIGNED_BY_CHAIR = obj(
    {
        "role": choice("chair"),
        "chair": STR,
        "answers": HASH,
        "result": RESULT,
        "signature": ECDSA,
    }
)
_SIGNED_BY_SCRUTINEER = obj(
    {
        "role": choice("scrutineer"),
        "scrutineer": POSITIVE,
        "answers": HASH,
        "result": RESULT,
        "signature": SCHNORR,
    }
)


def _result_signed(value: Any, where: str) -> list[str]:
    role = value.get("role") if isinstance(value, Mapping) else None
    if role == "scrutineer":
        return _SIGNED_BY_SCRUTINEER(value, where)
    return _SIGNED_BY_CHAIR(value, where)


KINDS: Mapping[str, Spec] = {**BODIES, "result-signed": _result_signed}

EVENT_FIELDS = ("seq", "kind", "body", "prev", "hash")
RECORD_FIELDS = ("format", "version", "meeting", "events")


def record_problems(record: Any) -> list[str]:
    """What is wrong with the record's own fields (not its events): exactly `RECORD_FIELDS`,
    none repeated."""
    if not isinstance(record, Mapping):
        return ["the record is not a JSON object"]
    out = [f"record: the key {k!r} is given twice" for k in getattr(record, "duplicates", ())]
    if set(record) != set(RECORD_FIELDS):
        out.append(f"the record must have exactly the fields {', '.join(RECORD_FIELDS)}")
    return out


def event_problems(i: int, event: Any) -> list[str]:
    """What is wrong with event `i`'s envelope and body (empty: nothing)."""
    where = f"event {i}"
    if not isinstance(event, Mapping):
        return [f"{where} is not an object"]
    out = duplicate_keys(event, where)
    if set(event) != set(EVENT_FIELDS):
        out.append(f"{where} must have exactly the fields {', '.join(EVENT_FIELDS)}")
    if event.get("seq") != i or not _is_int(event.get("seq")):
        out.append(f"{where}: its seq is {_show(event.get('seq'))}, not {i}")
    for key in ("prev", "hash"):
        out += HASH(event.get(key), f"{where}.{key}")
    kind = event.get("kind")
    spec = KINDS.get(kind) if isinstance(kind, str) else None
    if spec is None:
        out.append(f"{where}: {_show(kind)} is not a kind of event this record version has")
        return out
    return out + spec(event.get("body"), f"{where} ({kind})")


# ------------------------------------------------------------------ the order of events

# the events of people in the room: the chair checks members in and out (from the manifest on);
# members' devices enrol keys and confirm presence, the office replaces a lost device's key
# (from the ceremony's end on); all until the meeting closes (the services refuse them after)
_CHECK_IN = frozenset({"attendance"})
_DEVICES = frozenset({"presence", "member-key", "member-key-replaced"})
# the events a checkpoint must follow at once, and the only ones it may follow
_SIGNED_HEADS = frozenset(
    {"round-closed", "decision", "meeting-closed", "motion-decision", "result-signed"}
)


class _Round:
    def __init__(self, number: int, kind: str) -> None:
        self.number = number
        self.kind = kind
        self.state = "open"  # open → closed | void; closed → counted → decided
        self.credentials = False
        self.accepted: set[int] = set()
        self.shared: set[int] = set()


def lifecycle_problems(events: list[dict[str, Any]], complete: bool = True) -> list[str]:
    """Every place where the events do not follow the meeting's and the rounds' life
    (PROTOCOL.md §12.1); `events` have passed `event_problems`. `complete=False`: the record
    as it stands during the meeting (a scrutineer's check before decrypting), where a round
    may still be under way at the end."""
    out: list[str] = []
    stage = "created"  # created → (ceremony) → opened → closed;  or → cancelled
    rounds: dict[int, _Round] = {}
    current: _Round | None = None
    kinds = [e["kind"] for e in events]
    seen: set[str] = set()  # the kinds before the event at hand

    def fail(i: int, what: str) -> None:
        out.append(f"event {i} ({kinds[i]}): {what}")

    for i, e in enumerate(events):
        kind, body = e["kind"], e["body"]
        if i:
            seen.add(kinds[i - 1])
        number = body.get("round") if kind != "checkpoint" else None
        if i == 0:
            if kind != "meeting-created":
                fail(i, "a record begins with meeting-created")
            continue
        if kind == "meeting-created":
            fail(i, "a second meeting-created")
            continue
        if stage == "cancelled":
            fail(i, "nothing follows the meeting's cancellation")
            continue
        if kind == "checkpoint":
            if kinds[i - 1] not in _SIGNED_HEADS:
                fail(i, f"a checkpoint follows only {', '.join(sorted(_SIGNED_HEADS))}")
            continue
        if kinds[i - 1] in _SIGNED_HEADS and not (
            kinds[i - 1] == "decision" and kind == "meeting-closed"
        ):
            fail(i - 1, "not followed at once by its checkpoint")
        if kind == "code-replaced":
            continue
        if kind in ("ceremony-started", "ceremony"):
            if stage != "created" or (kind == "ceremony-started" and "ceremony" in seen):
                fail(i, "the ceremony comes once, before the meeting opens")
            if kind in seen:
                fail(i, f"a second {kind}")
            continue
        if kind in _CHECK_IN or kind in _DEVICES:
            if stage == "closed":
                fail(i, "comes after the meeting closed, when nobody checks in or enrols")
            elif kind in _DEVICES and "ceremony" not in seen:
                fail(i, "comes before the ceremony, when no device enrols or confirms")
            continue
        if kind == "meeting-opened":
            if stage != "created" or "ceremony" not in seen:
                fail(i, "the meeting opens once, after the ceremony")
            stage = "opened" if stage == "created" else stage
            continue
        if kind == "meeting-cancelled":
            if stage not in ("created", "opened") or rounds:
                fail(i, "a meeting is cancelled only before any round was opened")
            stage = "cancelled"
            continue
        if stage == "created":
            fail(i, "comes before the meeting opened")
            continue
        if kind == "meeting-closed":
            if stage == "closed":
                fail(i, "the meeting is closed a second time")
            elif kinds[i - 1] != "decision" or current is None or current.state != "decided":
                fail(i, "the meeting closes right after the decision that completes it")
            stage = "closed"
            continue
        if kind == "result-signed":
            if stage != "closed":
                fail(i, "the result is signed only after the meeting closed")
            elif current is not None and current.state not in ("decided", "void"):
                fail(i, f"the result is signed while round {current.number} is under way")
            continue
        if kind == "round-opened":
            expected = max(rounds, default=0) + 1
            if number != expected:
                fail(i, f"round {number} opened; the next round is {expected}")
            if current is not None and current.state not in ("void", "decided"):
                fail(i, f"round {current.number} is still {current.state}")
            if stage == "closed" and body.get("kind") != "motion":
                fail(i, "after the meeting closed, only a review vote (motion) is held")
            if not isinstance(number, int) or number in rounds:
                continue
            current = rounds[number] = _Round(number, str(body.get("kind")))
            continue
        r = rounds.get(number) if isinstance(number, int) else None
        if r is None:
            fail(i, f"names round {_show(number)}, which was not opened")
            continue
        if r is not current:
            fail(
                i,
                f"round {number} is over; round {current.number if current else '?'} is the current one",
            )
            continue
        _round_event(r, i, kind, body, events, fail)
    for r in rounds.values() if complete else ():
        if r.state in ("open", "closed", "counted"):
            said = {
                "open": "was opened and never closed",
                "closed": "was closed and never counted",
                "counted": "was counted and never decided",
            }[r.state]
            out.append(f"round {r.number} {said}")
    if events and kinds[-1] in _SIGNED_HEADS:
        out.append(f"event {len(events) - 1} ({kinds[-1]}): not followed by its checkpoint")
    return out


def _round_event(
    r: _Round,
    i: int,
    kind: str,
    body: Mapping[str, Any],
    events: list[dict[str, Any]],
    fail: Callable[[int, str], None],
) -> None:
    """One event of the current round, against the round's life."""
    before: dict[str, Any] = events[i - 1] if i > 0 else {"kind": "", "body": {}}
    after = events[i + 1]["kind"] if i + 1 < len(events) else ""
    if kind == "credential-issued":
        if r.state != "open" or r.credentials:
            fail(i, f"a credential is issued only while round {r.number} is open")
    elif kind == "credentials":
        if r.state != "open" or r.credentials:
            fail(i, f"round {r.number}'s credentials are published once, at its close")
        r.credentials = True
    elif kind == "ballot":
        if r.state != "open" or not r.credentials:
            fail(i, f"round {r.number}'s ballots are published at its close, after its credentials")
    elif kind == "round-closed":
        if r.state != "open" or not r.credentials:
            fail(i, f"round {r.number} closes once, after its credentials and ballots")
        r.state = "void" if body.get("void") is True else "closed"
    elif kind == "round-accepted":
        scrutineer = body.get("scrutineer")
        if r.state != "closed" or scrutineer in r.accepted:
            fail(
                i,
                f"a scrutineer accepts round {r.number} once, after its close and before its count",
            )
        if after != "decryption-shares":
            fail(i, "an acceptance is followed at once by that scrutineer's decryption shares")
        r.accepted.add(scrutineer)  # type: ignore[arg-type]
    elif kind == "decryption-shares":
        scrutineer = body.get("scrutineer")
        if (
            r.state != "closed"
            or before["kind"] != "round-accepted"
            or before["body"].get("scrutineer") != scrutineer
            or scrutineer in r.shared
        ):
            fail(
                i, "decryption shares follow at once their scrutineer's acceptance, once per round"
            )
        r.shared.add(scrutineer)  # type: ignore[arg-type]
    elif kind == "counts":
        if r.state != "closed":
            fail(i, f"round {r.number} is counted once, after a close that is not void")
        r.state = "counted"
    elif kind in ("decision", "motion-decision"):
        wanted = "motion-decision" if r.kind == "motion" else "decision"
        if r.state != "counted" or before["kind"] != "counts" or kind != wanted:
            fail(i, f"round {r.number} is decided once, by a {wanted} right after its counts")
        r.state = "decided"
    else:  # pragma: no cover - event_problems refuses every other kind first
        fail(i, "not an event of a round")
