"""Member keys: every enrolment in the record is signed by the key it enrols, names a member
of the roster, and no member has two keys at once: a second enrolment follows the office's
withdrawal of the first (`member-key-replaced`, which must name the key then enrolled)."""

from __future__ import annotations

from typing import Any

from ballot.crypto.errors import CryptoError
from ballot.crypto.signature import verify
from ballot.protocol import statements
from ballot.verify.evidence import Evidence
from ballot.verify.fields import strict_hex
from ballot.verify.report import Check


def check_member_keys(v: Evidence, c: Check) -> None:
    keys: dict[str, bytes] = {}  # each member's key now (from enrolments that verify)
    held: dict[str, bytes] = {}  # each member's key as the record says, verified or not
    at: dict[int, dict[str, bytes]] = {}  # the keys in force at each event, for `issuance`
    withdrawn: set[bytes] = set()
    meeting = v.record.get("meeting") if isinstance(v.record, dict) else None
    kinds = ("member-key", "member-key-replaced")
    if not isinstance(meeting, str):
        if any(e.get("kind") in kinds for e in v.events):
            c.fail("the record's meeting id is not a string, so no enrolment can be checked")
        return
    for i, e in enumerate(v.events):
        at[i] = keys
        if e.get("kind") not in kinds:
            continue
        body: Any = e.get("body")
        where = f"event {e.get('seq')}"
        if not isinstance(body, dict) or not isinstance(body.get("member"), str):
            c.fail(f"{where}: a {e.get('kind')} event must give member (text) and key")
            continue
        name = body["member"]
        if e["kind"] == "member-key-replaced":
            c.items += 1
            try:
                withdrawn_key = strict_hex(body.get("key"), "key")
            except ValueError as err:
                c.fail(f"{where}: the replacement of {name}'s key: {err}")
                continue
            if held.get(name) != withdrawn_key:
                c.fail(f"{where}: the office withdrew a key {name} did not have enrolled")
            held.pop(name, None)
            withdrawn.add(withdrawn_key)
            keys = {k: x for k, x in keys.items() if k != name}
            continue
        try:
            key = strict_hex(body.get("key"), "key")
            signature = strict_hex(body.get("signature"), "signature")
        except ValueError as err:
            c.fail(f"{where}: {name}'s enrolment: {err}")
            continue
        c.items += 1
        if name not in v.roster:
            c.fail(f"{where}: {name!r} is not a member of the roster")
        if name in held:
            c.fail(f"{where}: {name} has a second key for this meeting")
            continue
        if key in withdrawn:
            c.fail(f"{where}: {name}'s key was withdrawn earlier and cannot be enrolled again")
        held[name] = key
        try:
            verify(key, statements.member_key(meeting, name, key), signature)
        except (CryptoError, ValueError):
            c.fail(f"{where}: {name}'s key did not sign its own enrolment")
            continue
        keys = {**keys, name: key}
    v.member_keys = keys
    v.member_keys_at = at
