"""A scrutineer's acceptance of a closed round (docs/PROTOCOL.md §14): before decrypting
anything, the scrutineer takes the round's published credentials and ballots from the record,
validates every ballot, recomputes the encrypted totals and signs "round N accepted: these
ballot and credential lists, these totals". The server records the acceptance only if it names
exactly what the chair closed the round on, and counts only with k acceptances; a scrutineer
decrypts only the totals it computed itself.

The acceptance is the §14 `attest` statement with role `scrutineer i` and event kind
`round-accepted`, over the body below, signed by a Schnorr proof (§5.3) of knowledge of the
scrutineer's share s_i whose context is `[bytes(statement)]`; its public key is the share key
K_i = g^{s_i}, which anyone derives from the ceremony transcript. Pure: data in, data out."""

from __future__ import annotations

import hashlib
from collections.abc import Mapping, Sequence
from typing import Any

from ballot.crypto.group import Element, Group, RandomSource
from ballot.protocol import share_signing, statements
from ballot.protocol.chain import canonical_json

KIND = "round-accepted"
SIGNATURE = "scrutineer_signature"
FIELDS = ("round", "scrutineer", "ballots", "ballot_list", "credential_list", "totals")


def totals_digest(aggregates: Sequence[Mapping[str, Sequence[str]]]) -> str:
    """SHA-256 (hex) of the canonical JSON of the round's encrypted totals, as `round-closed`
    lists them: per candidate {"approve": [α, β], "oppose": [α, β]}, lowercase hex."""
    return hashlib.sha256(canonical_json([dict(a) for a in aggregates])).hexdigest()


def accepted(
    number: int,
    index: int,
    ballots: int,
    ballot_list: str,
    credential_list: str,
    aggregates: Sequence[Mapping[str, Sequence[str]]],
) -> dict[str, Any]:
    """The body scrutineer `index` signs for round `number`: the number of ballots, the
    digests of the ballot and credential lists (as `round-closed` names them) and of the totals
    the scrutineer computed from those ballots."""
    return {
        "round": number,
        "scrutineer": index,
        "ballots": ballots,
        "ballot_list": ballot_list,
        "credential_list": credential_list,
        "totals": totals_digest(aggregates),
    }


def statement(meeting_id: str, body: Mapping[str, Any]) -> bytes:
    """The bytes the scrutineer signs: §14 `attest` by `scrutineer i` over the body."""
    signed = {k: v for k, v in body.items() if k != SIGNATURE}
    return statements.attest(
        meeting_id, statements.scrutineer_role(int(signed["scrutineer"])), KIND, signed
    )


def sign(
    group: Group, secret: int, meeting_id: str, body: Mapping[str, Any], rng: RandomSource
) -> dict[str, str]:
    """The scrutineer's signature (JSON, lowercase hex) with its share s_i."""
    return share_signing.sign(group, secret, statement(meeting_id, body), rng)


def holds(
    group: Group, share_key: Element, meeting_id: str, body: Mapping[str, Any], signature: Any
) -> bool:
    """Whether `signature` (JSON) is scrutineer i's over `body`, under its share key K_i (a
    checked element); any malformed signature is False."""
    try:
        message = statement(meeting_id, body)
    except (KeyError, ValueError, TypeError):
        return False
    return share_signing.holds(group, share_key, message, signature)


__all__ = ["FIELDS", "KIND", "SIGNATURE", "accepted", "holds", "sign", "statement", "totals_digest"]
