"""Disjunctive Chaum–Pedersen proof that a ciphertext encrypts some m ∈ {0, …, L} (CDS 1994).

For each j ≠ m the prover simulates branch j (random challenge c_j and response v_j); for the
true branch m it commits honestly (a_m = g^u, b_m = K^u). The Fiat–Shamir challenge hashes the
whole statement — tag, the caller's context (record hash, round id, item), K, the ciphertext,
L and every commitment — and the challenges must sum to it. A branch j holds when

    g^{v_j} = a_j · α^{c_j}      and      K^{v_j} = b_j · (β · g^{-j})^{c_j}.

Every exponentiation the prover makes has base g or K, so fixed-base tables serve all of them:
a simulated branch is a_j = g^{v_j − r·c_j}, b_j = K^{v_j − r·c_j} · g^{−(m−j)·c_j}.

Stored form: commitments, challenges and responses (docs/PROTOCOL.md says why: a validator
checks all of a ballot's proofs in one batch, `add_to_batch`); `verify_compact` recomputes the
commitments from challenges and responses alone, for comparison and for single checks.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from ballot.crypto import hashing as h
from ballot.crypto.batch import BatchVerifier
from ballot.crypto.elgamal import Ciphertext, PublicKey
from ballot.crypto.group import Element, RandomSource

TAG = "ballot/v1/range-proof"


@dataclass(frozen=True)
class RangeProof:
    commitments: tuple[tuple[Element, Element], ...]  # (a_j, b_j) for j = 0..L
    challenges: tuple[int, ...]
    responses: tuple[int, ...]

    @property
    def limit(self) -> int:
        return len(self.commitments) - 1


def challenge(
    key: PublicKey,
    ct: Ciphertext,
    limit: int,
    context: Sequence[bytes],
    commitments: Sequence[tuple[Element, Element]],
) -> int:
    g = key.group
    return h.hash_to_q(
        g,
        TAG,
        h.seq(context),
        h.element(g, key.k),
        h.element(g, ct.alpha),
        h.element(g, ct.beta),
        h.u32(limit),
        h.seq(h.element(g, x) for pair in commitments for x in pair),
    )


def prove(
    key: PublicKey,
    ct: Ciphertext,
    m: int,
    r: int,
    limit: int,
    context: Sequence[bytes],
    rng: RandomSource,
) -> RangeProof:
    """Prove that `ct` = Enc(m; r) with 0 ≤ m ≤ limit."""
    if not 0 <= m <= limit:
        raise ValueError("plaintext outside the range")
    g = key.group
    q = int(g.q)
    commitments: list[tuple[Element, Element]] = []
    challenges = [0] * (limit + 1)
    responses = [0] * (limit + 1)
    u = g.random_scalar(rng)
    for j in range(limit + 1):
        if j == m:
            commitments.append((g.pow_g(u), key.pow(u)))
            continue
        c_j, v_j = g.random_scalar(rng), g.random_scalar(rng)
        challenges[j], responses[j] = c_j, v_j
        t = (v_j - r * c_j) % q
        commitments.append((g.pow_g(t), g.mul(key.pow(t), g.pow_g(-(m - j) * c_j))))
    c = challenge(key, ct, limit, context, commitments)
    challenges[m] = (c - sum(challenges)) % q
    responses[m] = (u + challenges[m] * r) % q
    return RangeProof(tuple(commitments), tuple(challenges), tuple(responses))


def shape_ok(proof: RangeProof, limit: int, q: int) -> bool:
    n = limit + 1
    return (
        len(proof.commitments) == n
        and len(proof.challenges) == n
        and len(proof.responses) == n
        and all(0 <= c < q for c in proof.challenges)
        and all(0 <= v < q for v in proof.responses)
    )


def challenge_ok(
    key: PublicKey, ct: Ciphertext, limit: int, context: Sequence[bytes], proof: RangeProof
) -> bool:
    q = int(key.group.q)
    if not shape_ok(proof, limit, q):
        return False
    c = challenge(key, ct, limit, context, proof.commitments)
    return sum(proof.challenges) % q == c


def add_to_batch(batch: BatchVerifier, parts: Sequence[Ciphertext], proof: RangeProof) -> None:
    """Add this proof's 2(L+1) equations for the ciphertext ∏ parts (a sum of received
    ciphertexts, so the verifier needs no new bases). The parts must already be checked to lie
    in the subgroup, the commitments to be quadratic residues, and the challenge."""
    for j, ((a, b), c_j, v_j) in enumerate(
        zip(proof.commitments, proof.challenges, proof.responses, strict=True)
    ):
        w = batch.weight()  # g^{v} = a · α^{c}
        batch.lhs_g(w * v_j)
        batch.rhs(a, w, in_subgroup=False)
        for part in parts:
            batch.rhs(part.alpha, w * c_j, in_subgroup=True)
        w = batch.weight()  # K^{v} · g^{j·c} = b · β^{c}
        batch.lhs_k(w * v_j)
        batch.lhs_g(w * j * c_j)
        batch.rhs(b, w, in_subgroup=False)
        for part in parts:
            batch.rhs(part.beta, w * c_j, in_subgroup=True)


def verify_compact(
    key: PublicKey,
    ct: Ciphertext,
    limit: int,
    context: Sequence[bytes],
    challenges: Sequence[int],
    responses: Sequence[int],
) -> bool:
    """Check a proof from its challenges and responses alone, recomputing the commitments
    (the ciphertext must already be checked to lie in the subgroup)."""
    g = key.group
    q = int(g.q)
    if len(challenges) != limit + 1 or len(responses) != limit + 1:
        return False
    if not all(0 <= x < q for x in (*challenges, *responses)):
        return False
    commitments = []
    for j, (c_j, v_j) in enumerate(zip(challenges, responses, strict=True)):
        a = g.mul(g.pow_g(v_j), g.pow(ct.alpha, q - c_j))
        b = g.mul(key.pow(v_j), g.pow(g.mul(ct.beta, g.pow_g(q - j)), q - c_j))
        commitments.append((a, b))
    return sum(challenges) % q == challenge(key, ct, limit, context, commitments)
