"""Signatures with a scrutineer's share key (docs/PROTOCOL.md §14): a Schnorr proof (§5.3) of
knowledge of the share s_i whose context is `[bytes(statement)]`, under the share key
K_i = g^{s_i} that anyone derives from the ceremony transcript, as JSON {commitment,
challenge, response} in lowercase hex. Used for a round's acceptance and for the signed
result. Pure: data in, data out."""

from __future__ import annotations

import re
from typing import Any

from ballot.crypto import hashing as h
from ballot.crypto import schnorr
from ballot.crypto.errors import CryptoError
from ballot.crypto.group import Element, Group, RandomSource

_HEX = re.compile(r"[0-9a-f]{1,1100}")
FIELDS = ("commitment", "challenge", "response")


def sign(group: Group, secret: int, message: bytes, rng: RandomSource) -> dict[str, str]:
    """The share key's signature (JSON, lowercase hex) of `message`."""
    proof = schnorr.prove(group, secret, [h.raw(message)], rng)
    return {
        "commitment": format(int(proof.commitment), "x"),
        "challenge": format(proof.challenge, "x"),
        "response": format(proof.response, "x"),
    }


def holds(group: Group, share_key: Element, message: bytes, signature: Any) -> bool:
    """Whether `signature` (JSON) is the share key's over `message` (`share_key` a checked
    element); any malformed signature is False."""
    if not isinstance(signature, dict) or set(signature) != set(FIELDS):
        return False
    values = [signature[k] for k in FIELDS]
    if not all(isinstance(x, str) and _HEX.fullmatch(x) for x in values):
        return False
    try:
        commitment = group.element(int(values[0], 16), "the signature's commitment")
        proof = schnorr.SchnorrProof(commitment, int(values[1], 16), int(values[2], 16))
        return schnorr.verify(group, share_key, proof, [h.raw(message)])
    except (CryptoError, ValueError, TypeError, KeyError):
        return False


__all__ = ["FIELDS", "holds", "sign"]
