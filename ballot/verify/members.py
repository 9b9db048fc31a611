"""Member keys: every enrolment in the record is signed by the key it enrols, names a member
of the roster, and no member has two keys for one meeting."""

from __future__ import annotations

from typing import Any

from ballot.crypto.errors import CryptoError
from ballot.crypto.signature import verify
from ballot.protocol import statements
from ballot.verify.evidence import Evidence
from ballot.verify.fields import strict_hex
from ballot.verify.report import Check


def check_member_keys(v: Evidence, c: Check) -> None:
    keys: dict[str, bytes] = {}
    enrolments = v.of("member-key")
    meeting = v.record.get("meeting") if isinstance(v.record, dict) else None
    if not isinstance(meeting, str):
        if enrolments:
            c.fail("the record's meeting id is not a string, so no enrolment can be checked")
        return
    for e in enrolments:
        body: Any = e.get("body")
        where = f"event {e.get('seq')}"
        if not isinstance(body, dict) or not isinstance(body.get("member"), str):
            c.fail(f"{where}: a member-key event must give member (text), key and signature")
            continue
        name = body["member"]
        try:
            key = strict_hex(body.get("key"), "key")
            signature = strict_hex(body.get("signature"), "signature")
        except ValueError as err:
            c.fail(f"{where}: {name}'s enrolment: {err}")
            continue
        c.items += 1
        if name not in v.roster:
            c.fail(f"{where}: {name!r} is not a member of the roster")
        if name in keys:
            c.fail(f"{where}: {name} has a second key for this meeting")
        try:
            verify(key, statements.member_key(meeting, name, key), signature)
        except (CryptoError, ValueError):
            c.fail(f"{where}: {name}'s key did not sign its own enrolment")
            continue
        keys.setdefault(name, key)
    v.member_keys = keys
