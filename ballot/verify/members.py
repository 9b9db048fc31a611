"""Member keys: every enrolment in the record is signed by the key it enrols, names a member
of the roster, and no member has two keys for one meeting."""

from __future__ import annotations

from typing import Any

from ballot.crypto.errors import CryptoError
from ballot.crypto.signature import verify
from ballot.protocol import statements
from ballot.verify.evidence import Evidence
from ballot.verify.report import Check


def check_member_keys(v: Evidence, c: Check) -> None:
    keys: dict[str, bytes] = {}
    for e in v.of("member-key"):
        body: Any = e.get("body")
        where = f"event {e.get('seq')}"
        try:
            name, key = body["member"], bytes.fromhex(body["key"])
            signature = bytes.fromhex(body["signature"])
            if not isinstance(name, str):
                raise TypeError
        except (KeyError, TypeError, ValueError):
            c.fail(f"{where}: a member-key event must give member, key and signature (hex)")
            continue
        c.items += 1
        if name not in v.roster:
            c.fail(f"{where}: {name!r} is not a member of the roster")
        if name in keys:
            c.fail(f"{where}: {name} has a second key for this meeting")
        try:
            verify(key, statements.member_key(v.record["meeting"], name, key), signature)
        except (CryptoError, ValueError):
            c.fail(f"{where}: {name}'s key did not sign its own enrolment")
            continue
        keys.setdefault(name, key)
    v.member_keys = keys
