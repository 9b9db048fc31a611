"""The chair's word on every round: each `round-opened` and `round-closed` event is signed by
the member key, in force at that event, of a member the roster names as chair, over the body
the record keeps (`statements.attested`: less its record position and the signature), and a
close names the digests of the very credential and ballot lists published before it. So a
round the chair did not open, or a close on other ballots, fails here by name."""

from __future__ import annotations

import hashlib
from typing import Any

from ballot.crypto.errors import CryptoError
from ballot.crypto.signature import verify
from ballot.protocol import statements
from ballot.protocol.chain import canonical_json
from ballot.verify.evidence import Evidence
from ballot.verify.fields import strict_hex
from ballot.verify.report import Check


def _digest(items: list[Any]) -> str | None:
    try:
        return hashlib.sha256(canonical_json(items)).hexdigest()
    except (TypeError, ValueError):
        return None


def roster_chairs(v: Evidence) -> set[str]:
    """The names the manifest's roster gives the role chair."""
    first: Any = v.events[0]["body"] if v.events else {}
    return {
        str(x.get("name"))
        for x in (first.get("members") or [])
        if isinstance(x, dict) and x.get("role") == "chair"
    }


def check_chair(v: Evidence, c: Check) -> None:
    meeting = v.record["meeting"]
    chairs = roster_chairs(v)
    published: dict[int, dict[str, list[Any]]] = {}  # per round: credentials and trackers
    for i, e in enumerate(v.events):
        body: Any = e["body"]
        if not isinstance(body, dict):
            if e["kind"] in ("round-opened", "round-closed"):
                c.items += 1
                c.fail(f"event {i}: a {e['kind']} event's body must be an object")
            continue
        number = body.get("round")
        if e["kind"] == "credentials" and type(number) is int:
            listed = body.get("credentials")
            listed = listed if isinstance(listed, list) else []
            keys = [x.get("public_key") for x in listed if isinstance(x, dict)]
            published.setdefault(number, {"credentials": [], "ballots": []})["credentials"] = keys
        elif e["kind"] == "ballot" and type(number) is int:
            published.setdefault(number, {"credentials": [], "ballots": []})["ballots"].append(
                body.get("tracker")
            )
        if e["kind"] not in ("round-opened", "round-closed"):
            continue
        c.items += 1
        where = f"event {i}: round {number}"
        if e["kind"] == "round-opened" and body.get("record") != e.get("prev"):
            # (proofs are bound to the event's position; a member's audit reads `record`)
            c.fail(f"{where}: the round's record position is not the event before it")
        name = body.get("chair")
        if not isinstance(name, str) or name not in chairs:
            c.fail(f"{where} is {e['kind']} without a chair's name ({name!r} is not a chair)")
            continue
        key = v.member_keys_at.get(i, {}).get(name)
        if key is None:
            c.fail(f"{where}: {name} had no member key enrolled to sign {e['kind']}")
            continue
        try:
            signature = strict_hex(body.get("chair_signature"), "chair_signature")
            message = statements.attest(meeting, "chair", e["kind"], statements.attested(body))
            verify(key, message, signature)
        except (CryptoError, ValueError, TypeError):
            c.fail(f"{where}: {e['kind']} is not signed by the chair {name}'s member key")
            continue
        if e["kind"] == "round-closed" and type(number) is int:
            lists = published.get(number, {"credentials": [], "ballots": []})
            if body.get("credential_list") != _digest(lists["credentials"]):
                c.fail(
                    f"{where}: the chair signed another list of credentials than the published one"
                )
            if body.get("ballot_list") != _digest(lists["ballots"]):
                c.fail(f"{where}: the chair signed another list of ballots than the published one")
