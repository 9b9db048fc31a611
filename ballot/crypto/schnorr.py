"""Schnorr proof of knowledge of x with X = g^x (used for each scrutineer's coefficient
commitments in the key ceremony). Stored with its commitment h = g^u; verified by
g^v = h · X^c with c = H(tag; context, X, h)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from ballot.crypto import hashing as h
from ballot.crypto.group import Element, Group, RandomSource

TAG = "ballot/v1/schnorr"


@dataclass(frozen=True)
class SchnorrProof:
    commitment: Element
    challenge: int
    response: int


def _challenge(group: Group, public: Element, commitment: Element, context: Sequence[bytes]) -> int:
    return h.hash_to_q(
        group, TAG, h.seq(context), h.element(group, public), h.element(group, commitment)
    )


def prove(group: Group, secret: int, context: Sequence[bytes], rng: RandomSource) -> SchnorrProof:
    u = group.random_scalar(rng)
    commitment = group.pow_g(u)
    c = _challenge(group, group.pow_g(secret), commitment, context)
    return SchnorrProof(commitment, c, (u + c * secret) % int(group.q))


def verify(group: Group, public: Element, proof: SchnorrProof, context: Sequence[bytes]) -> bool:
    """Exact check; `public` and the commitment must already be checked group elements."""
    q = int(group.q)
    if not (0 <= proof.challenge < q and 0 <= proof.response < q):
        return False
    if proof.challenge != _challenge(group, public, proof.commitment, context):
        return False
    rhs = proof.commitment * group.pow(public, proof.challenge) % group.p
    return bool(group.pow_g(proof.response) == rhs)
