"""The final result, signed (`result-signed`, docs/PROTOCOL.md §14): every signature answers
the latest event that gave the result (`meeting-closed`, or a review vote's `motion-decision`
after it), names the result as it then stood, and is the signer's own — the chair's member key
in force at that event, or scrutineer i's share key from the ceremony transcript. The final
result must be signed by the chair and by k scrutineers. So a result nobody in the room
signed, or one the record changed after they signed, fails here by name."""

from __future__ import annotations

from typing import Any

from ballot.crypto.errors import CryptoError
from ballot.crypto.signature import verify
from ballot.protocol import result as result_of
from ballot.protocol import share_signing
from ballot.verify.chair import roster_chairs
from ballot.verify.evidence import Evidence
from ballot.verify.fields import strict_hex
from ballot.verify.report import Check


def _holds(v: Evidence, at: int, body: dict[str, Any], chairs: set[str]) -> str | None:
    """Why the signature of `body` (event `at`) does not hold, or None."""
    meeting = v.record["meeting"]
    try:
        message = result_of.statement(meeting, body)
    except (ValueError, TypeError):
        return "names neither the chair nor a scrutineer"
    signature = body.get(result_of.SIGNATURE)
    if body.get("role") == "chair":
        name = body.get("chair")
        if set(body) != {*result_of.CHAIR_FIELDS, result_of.SIGNATURE}:
            return "is not of the chair's fields"
        if not isinstance(name, str) or name not in chairs:
            return f"names {name!r}, who is not a chair"
        key = v.member_keys_at.get(at, {}).get(name)
        if key is None:
            return f"is by {name}, who had no member key enrolled"
        try:
            verify(key, message, strict_hex(signature, "signature"))
        except (CryptoError, ValueError, TypeError):
            return f"is not signed by the chair {name}'s member key"
        return None
    index = body.get("scrutineer")
    if set(body) != {*result_of.SCRUTINEER_FIELDS, result_of.SIGNATURE}:
        return "is not of a scrutineer's fields"
    if type(index) is not int or not 1 <= index <= v.committee.params.n:
        return "names no scrutineer of the ceremony"
    if not share_signing.holds(v.group, v.committee.share_key(index), message, signature):
        return f"is not signed with scrutineer {index}'s share key"
    return None


def check_results(v: Evidence, c: Check) -> None:
    chairs = roster_chairs(v)
    k, n = v.committee.params.k, v.committee.params.n
    latest: tuple[str, dict[str, list[str]]] | None = None  # (event hash, result)
    signers: set[str] = set()
    for i, e in enumerate(v.events):
        if e["kind"] in result_of.RESULT_EVENTS:
            found = result_of.standing(v.events[: i + 1])
            if found is not None and found[0] == i:
                latest, signers = (e["hash"], found[1]), set()
            continue
        if e["kind"] != result_of.KIND:
            continue
        c.items += 1
        body: Any = e["body"]
        where = f"event {i}: a signed result"
        if not isinstance(body, dict):
            c.fail(f"{where} must be an object")
            continue
        if latest is None:
            c.fail(f"{where} comes before the meeting's result")
            continue
        if body.get("answers") != latest[0]:
            c.fail(f"{where} does not answer the latest result (event {body.get('answers')!r})")
            continue
        if body.get("result") != latest[1]:
            c.fail(f"{where} names another result than the record's: {body.get('result')!r}")
            continue
        why = _holds(v, i, body, chairs)
        if why is not None:
            c.fail(f"{where} {why}")
            continue
        who = (
            f"chair {body['chair']}"
            if body["role"] == "chair"
            else f"scrutineer {body['scrutineer']}"
        )
        if who in signers:
            c.fail(f"{where} by the {who} is recorded twice")
        signers.add(who)
    if latest is None:
        return  # (no result yet: `signatures` and `procedure` say whether one is missing)
    c.items += 1
    scrutineers = len([s for s in signers if s.startswith("scrutineer")])
    chair = any(s.startswith("chair ") for s in signers)
    if not chair or scrutineers < k:
        c.fail(
            "the final result is not signed by the chair and k scrutineers: "
            f"chair {'yes' if chair else 'no'}, scrutineers {scrutineers} of the "
            f"{k} needed (of {n})"
        )
