"""Chaum–Pedersen proof that log_g X = log_A M (a scrutineer's decryption share M = A^s is
made with the same s as its public share key X = g^s). Stored with commitments
(a, b) = (g^u, A^u); verified by g^v = a · X^c and A^v = b · M^c, with c hashing the whole
statement: tag, context, X, A, M, a, b."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from ballot.crypto import hashing as h
from ballot.crypto.group import Element, Group, RandomSource

TAG = "ballot/v1/chaum-pedersen"


@dataclass(frozen=True)
class EqualityProof:
    commitment_g: Element
    commitment_a: Element
    challenge: int
    response: int


def challenge(
    group: Group,
    x: Element,
    a: Element,
    m: Element,
    cg: Element,
    ca: Element,
    context: Sequence[bytes],
) -> int:
    e = h.element
    return h.hash_to_q(
        group,
        TAG,
        h.seq(context),
        e(group, x),
        e(group, a),
        e(group, m),
        e(group, cg),
        e(group, ca),
    )


def prove(
    group: Group, secret: int, base: Element, context: Sequence[bytes], rng: RandomSource
) -> tuple[Element, EqualityProof]:
    """(M = base^secret, proof that log_g g^secret = log_base M)."""
    u = group.random_scalar(rng)
    m = group.pow(base, secret)
    cg, ca = group.pow_g(u), group.pow(base, u)
    c = challenge(group, group.pow_g(secret), base, m, cg, ca, context)
    return m, EqualityProof(cg, ca, c, (u + c * secret) % int(group.q))


def verify(
    group: Group,
    public: Element,
    base: Element,
    result: Element,
    proof: EqualityProof,
    context: Sequence[bytes],
) -> bool:
    """Exact check; all four elements and both commitments must already be checked."""
    q = int(group.q)
    if not (0 <= proof.challenge < q and 0 <= proof.response < q):
        return False
    c = challenge(group, public, base, result, proof.commitment_g, proof.commitment_a, context)
    if proof.challenge != c:
        return False
    if group.pow_g(proof.response) != proof.commitment_g * group.pow(public, c) % group.p:
        return False
    return bool(
        group.pow(base, proof.response) == proof.commitment_a * group.pow(result, c) % group.p
    )
