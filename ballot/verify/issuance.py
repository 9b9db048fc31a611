"""Issuance: every credential the issuer blind-signed was asked for by the member's own key
(docs/PROTOCOL.md §14), enrolled before the request and not withdrawn since, for that round,
once. With
`credentials` (no more credentials than issued) this bounds what the issuer can make by what
members signed: an operator holding the issuer key cannot give itself a credential in a present
member's name without that member's key."""

from __future__ import annotations

from typing import Any

from ballot.crypto.errors import CryptoError
from ballot.crypto.signature import verify
from ballot.protocol import context, statements
from ballot.verify.evidence import Evidence
from ballot.verify.fields import strict_hex
from ballot.verify.report import Check


def check_issuance(v: Evidence, c: Check) -> None:
    meeting = v.record["meeting"]
    size = v.issuer.modulus_len
    seen: dict[str, int] = {}  # each blinded message: the one event that issued it
    opened: set[int] = set()  # the rounds open at this point of the record
    for i, e in enumerate(v.events):
        body: Any = e["body"]
        if e["kind"] in ("round-opened", "round-closed") and isinstance(body, dict):
            number = body.get("round")
            if type(number) is int:
                (opened.add if e["kind"] == "round-opened" else opened.discard)(number)
            continue
        if e["kind"] != "credential-issued":
            continue
        enrolled = v.member_keys_at[i]  # the member keys in force when it was issued
        c.items += 1
        name, number = body.get("member"), body.get("round")
        where = f"event {i}: round {number}, {name}"
        try:
            blinded = strict_hex(body.get("blinded"), "blinded")
            signature = strict_hex(body.get("signature"), "signature")
        except ValueError as err:
            c.fail(f"{where}: the credential was issued without a member-signed request ({err})")
            continue
        if len(blinded) != size:
            c.fail(f"{where}: the blinded message is {len(blinded)} bytes, not the issuer's {size}")
        if type(number) is not int or number not in opened:
            c.fail(f"{where}: a credential was issued outside an open round")
            continue
        if not isinstance(name, str) or name not in enrolled:
            c.fail(f"{where}: no member key was enrolled before this request")
            continue
        key = enrolled[name]
        statement = statements.issuance_request(
            meeting, name, context.round_id(meeting, number), blinded
        )
        try:
            verify(key, statement, signature)
        except (CryptoError, ValueError):
            c.fail(f"{where}: the request is not signed by {name}'s member key")
        # one blinded message, one credential, in the whole meeting: a request signed for one
        # round cannot be answered again in another
        first = seen.setdefault(blinded.hex(), i)
        if first != i:
            c.fail(f"{where}: the same blinded request was issued twice (first at event {first})")
