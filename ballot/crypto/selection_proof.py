"""One candidate's selection proof: (a, o) ∈ {(0,0), (1,0), (0,1)} for the approve and oppose
ciphertexts — that is, a ∈ {0,1}, o ∈ {0,1} and a + o ∈ {0,1} (abstain, approve, oppose),
proven as one three-branch disjunctive Chaum–Pedersen proof.

Each branch (a_i, o_i) claims that both (α_a, β_a·g^{-a_i}) and (α_o, β_o·g^{-o_i}) encrypt 0.
Both claims are folded into one by a combiner z = 1 + (H(statement) mod (q−1)) fixed by the
two ciphertexts before any commitment: branch i claims (A, B_i) = (α_a·α_o^z,
β_a·β_o^z·g^{-(a_i + z·o_i)}) is a Diffie–Hellman pair for (g, K). If either ciphertext is not
an encryption of 0 after removing the branch's plaintext, the folded pair is one only when
z hits a single value mod q, which a prover who fixed the ciphertexts first cannot arrange
(probability 3/q per attempt in the random-oracle model). So the proof is as sound as three
separate 0/1 proofs, with 6 commitments per candidate instead of 12 — docs/PROTOCOL.md §5.

Every exponentiation the prover makes has base g or K (fixed-base tables): it knows
R = r_a + z·r_o, so a simulated branch is a_i = g^{v_i − R·c_i}, b_i = K^{v_i − R·c_i}·g^{−δ_i·c_i}
with δ_i = (a − a_i) + z·(o − o_i).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from ballot.crypto import hashing as h
from ballot.crypto.batch import BatchVerifier
from ballot.crypto.elgamal import Ciphertext, PublicKey
from ballot.crypto.group import Element, RandomSource

TAG = "ballot/v1/selection-proof"
TAG_COMBINER = "ballot/v1/selection-combiner"
BRANCHES: tuple[tuple[int, int], ...] = ((0, 0), (1, 0), (0, 1))  # abstain, approve, oppose


@dataclass(frozen=True)
class SelectionProof:
    commitments: tuple[tuple[Element, Element], ...]  # (a_i, b_i) per branch
    challenges: tuple[int, ...]
    responses: tuple[int, ...]


def _statement(
    key: PublicKey, approve: Ciphertext, oppose: Ciphertext, context: Sequence[bytes]
) -> list[bytes]:
    g = key.group
    return [
        h.seq(context),
        h.element(g, key.k),
        h.element(g, approve.alpha),
        h.element(g, approve.beta),
        h.element(g, oppose.alpha),
        h.element(g, oppose.beta),
    ]


def combiner(
    key: PublicKey, approve: Ciphertext, oppose: Ciphertext, context: Sequence[bytes]
) -> int:
    d = h.digest(TAG_COMBINER, *_statement(key, approve, oppose, context))
    return 1 + int.from_bytes(d, "big") % (int(key.group.q) - 1)


def challenge(
    key: PublicKey,
    approve: Ciphertext,
    oppose: Ciphertext,
    context: Sequence[bytes],
    commitments: Sequence[tuple[Element, Element]],
) -> int:
    g = key.group
    return h.hash_to_q(
        g,
        TAG,
        *_statement(key, approve, oppose, context),
        h.seq(h.element(g, x) for pair in commitments for x in pair),
    )


def prove(
    key: PublicKey,
    approve: Ciphertext,
    oppose: Ciphertext,
    a: int,
    o: int,
    r_a: int,
    r_o: int,
    context: Sequence[bytes],
    rng: RandomSource,
) -> SelectionProof:
    if (a, o) not in BRANCHES:
        raise ValueError("a selection is abstain (0,0), approve (1,0) or oppose (0,1)")
    g = key.group
    q = int(g.q)
    z = combiner(key, approve, oppose, context)
    big_r = (r_a + z * r_o) % q
    real = BRANCHES.index((a, o))
    commitments: list[tuple[Element, Element]] = []
    challenges = [0] * len(BRANCHES)
    responses = [0] * len(BRANCHES)
    u = g.random_scalar(rng)
    for i, (a_i, o_i) in enumerate(BRANCHES):
        if i == real:
            commitments.append((g.pow_g(u), key.pow(u)))
            continue
        c_i, v_i = g.random_scalar(rng), g.random_scalar(rng)
        challenges[i], responses[i] = c_i, v_i
        t = (v_i - big_r * c_i) % q
        delta = (a - a_i) + z * (o - o_i)
        commitments.append((g.pow_g(t), g.mul(key.pow(t), g.pow_g(-delta * c_i))))
    c = challenge(key, approve, oppose, context, commitments)
    challenges[real] = (c - sum(challenges)) % q
    responses[real] = (u + challenges[real] * big_r) % q
    return SelectionProof(tuple(commitments), tuple(challenges), tuple(responses))


def shape_ok(proof: SelectionProof, q: int) -> bool:
    n = len(BRANCHES)
    return (
        len(proof.commitments) == n
        and len(proof.challenges) == n
        and len(proof.responses) == n
        and all(len(pair) == 2 for pair in proof.commitments)
        and all(0 <= x < q for x in (*proof.challenges, *proof.responses))
    )


def challenge_ok(
    key: PublicKey,
    approve: Ciphertext,
    oppose: Ciphertext,
    context: Sequence[bytes],
    proof: SelectionProof,
) -> bool:
    q = int(key.group.q)
    if not shape_ok(proof, q):
        return False
    c = challenge(key, approve, oppose, context, proof.commitments)
    return sum(proof.challenges) % q == c


def add_to_batch(
    batch: BatchVerifier, approve: Ciphertext, oppose: Ciphertext, z: int, proof: SelectionProof
) -> None:
    """Add the 6 equations  g^{v_i} = a_i·A^{c_i},  K^{v_i}·g^{(a_i + z·o_i)·c_i} = b_i·Bʹ^{c_i}
    (A = α_a·α_o^z, Bʹ = β_a·β_o^z), spreading A's and Bʹ's exponents onto the received
    ciphertexts so the batch needs no new bases."""
    for (a_i, o_i), (a, b), c_i, v_i in zip(
        BRANCHES, proof.commitments, proof.challenges, proof.responses, strict=True
    ):
        w = batch.weight()
        batch.lhs_g(w * v_i)
        batch.rhs(a, w, in_subgroup=False)
        batch.rhs(approve.alpha, w * c_i, in_subgroup=True)
        batch.rhs(oppose.alpha, w * c_i * z, in_subgroup=True)
        w = batch.weight()
        batch.lhs_k(w * v_i)
        batch.lhs_g(w * (a_i + z * o_i) * c_i)
        batch.rhs(b, w, in_subgroup=False)
        batch.rhs(approve.beta, w * c_i, in_subgroup=True)
        batch.rhs(oppose.beta, w * c_i * z, in_subgroup=True)
