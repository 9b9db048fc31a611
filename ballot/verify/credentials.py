"""The anonymous credentials: blind-signed for their round, once each, no more than issued."""

from __future__ import annotations

from ballot.crypto import blind_rsa
from ballot.crypto.credential import credential_message
from ballot.crypto.errors import CryptoError
from ballot.protocol import context as protocol
from ballot.verify.evidence import Evidence
from ballot.verify.report import Check


def check_credentials(v: Evidence, c: Check) -> None:
    v.credentials = {}
    meeting = v.record["meeting"]
    for number, r in v.rounds().items():
        creds = (r.get("credentials") or {}).get("credentials", [])
        keys: set[str] = set()
        for cred in creds:
            c.items += 1
            key = cred["public_key"]
            if key in keys:
                c.fail(f"round {number}: credential {key[:16]}… is listed twice")
            keys.add(key)
            try:
                prepared = bytes.fromhex(cred["prepared"])
                expected = credential_message(
                    meeting, protocol.round_id(meeting, number), bytes.fromhex(key)
                )
                ok = prepared[blind_rsa.PREFIX_LEN :] == expected and blind_rsa.verify(
                    v.issuer, prepared, bytes.fromhex(cred["signature"])
                )
            except (CryptoError, ValueError):
                ok = False
            if not ok:
                c.fail(
                    f"round {number}: credential {key[:16]}… is not blind-signed for "
                    "this round by the meeting's issuer key"
                )
        if [x["public_key"] for x in creds] != sorted(x["public_key"] for x in creds):
            c.fail(f"round {number}: credentials are not published in sorted order")
        issued = len(r["issued"])
        if len(keys) > issued:
            c.fail(f"round {number}: {len(keys)} credentials but only {issued} issued")
        closed = r.get("round-closed")
        if closed and (closed["credentials"] != len(creds) or closed["issued"] != issued):
            c.fail(
                f"round {number}: the close reports {closed['credentials']} credentials "
                f"and {closed['issued']} issued; the record has {len(creds)} and {issued}"
            )
        v.credentials[number] = keys
