"""An encrypted ballot (加密选票) for one round, and every check a server makes on it.

Per candidate the ballot holds two ciphertexts, approve bit a and oppose bit o (abstain is
neither), with three 0/1 proofs: a ∈ {0,1}, o ∈ {0,1} and a + o ∈ {0,1}. A final proof shows
Σ a ∈ {0..k}, k the most approvals the round allows. Every proof's challenge is bound to the
record, the round, the ballot's candidate list, k, and the proof's own place on the ballot,
so a proof cannot be replayed in another round, record or position.

Validation checks the shape, every received element (batched subgroup check), every
challenge, and then all proof equations at once (`BatchVerifier`). If the batch fails, each
proof is checked alone to name the one at fault.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from ballot.crypto import hashing as h
from ballot.crypto import range_proof
from ballot.crypto.arith import is_integer
from ballot.crypto.batch import BatchVerifier
from ballot.crypto.elgamal import Ciphertext, PublicKey, add, encrypt
from ballot.crypto.errors import refuse
from ballot.crypto.group import RandomSource
from ballot.crypto.range_proof import RangeProof

Choice = str  # "approve" | "oppose" | "abstain"
CHOICES = ("approve", "oppose", "abstain")


@dataclass(frozen=True)
class BallotContext:
    """What a ballot is for: the record it extends, the round, the candidates in ballot order,
    and the most approvals one ballot may carry."""

    record: bytes
    round_id: str
    candidates: tuple[str, ...]
    max_approvals: int

    def fields(self) -> list[bytes]:
        return [
            h.raw(self.record),
            h.text(self.round_id),
            h.seq(h.text(c) for c in self.candidates),
            h.u32(self.max_approvals),
        ]

    def proof_context(self, kind: str, index: int) -> list[bytes]:
        return [*self.fields(), h.text(kind), h.u32(index)]


@dataclass(frozen=True)
class Selection:
    approve: Ciphertext
    oppose: Ciphertext
    approve_proof: RangeProof
    oppose_proof: RangeProof
    either_proof: RangeProof  # approve + oppose ∈ {0, 1}


@dataclass(frozen=True)
class EncryptedBallot:
    selections: tuple[Selection, ...]
    total_proof: RangeProof  # Σ approve ∈ {0..k}


def encrypt_ballot(
    key: PublicKey, ctx: BallotContext, choices: Sequence[Choice], rng: RandomSource
) -> EncryptedBallot:
    """Encrypt one member's choices (one per candidate, in ballot order) with all proofs."""
    if len(choices) != len(ctx.candidates):
        raise ValueError("one choice per candidate is needed")
    if any(c not in CHOICES for c in choices):
        raise ValueError("a choice is approve, oppose or abstain")
    approvals = sum(c == "approve" for c in choices)
    if approvals > ctx.max_approvals:
        raise ValueError(f"{approvals} approvals; at most {ctx.max_approvals} allowed")
    g = key.group
    q = int(g.q)
    selections = []
    total_r = 0
    for i, choice in enumerate(choices):
        a, o = int(choice == "approve"), int(choice == "oppose")
        ra, ro = g.random_scalar(rng), g.random_scalar(rng)
        ca, co = encrypt(key, a, ra), encrypt(key, o, ro)
        either = add(g, (ca, co))
        selections.append(
            Selection(
                approve=ca,
                oppose=co,
                approve_proof=range_proof.prove(
                    key, ca, a, ra, 1, ctx.proof_context("approve", i), rng
                ),
                oppose_proof=range_proof.prove(
                    key, co, o, ro, 1, ctx.proof_context("oppose", i), rng
                ),
                either_proof=range_proof.prove(
                    key, either, a + o, (ra + ro) % q, 1, ctx.proof_context("either", i), rng
                ),
            )
        )
        total_r = (total_r + ra) % q
    total = add(g, (s.approve for s in selections))
    total_proof = range_proof.prove(
        key, total, approvals, total_r, ctx.max_approvals, ctx.proof_context("total", 0), rng
    )
    return EncryptedBallot(tuple(selections), total_proof)


def _proofs(ballot: EncryptedBallot) -> list[tuple[str, int, list[Ciphertext], RangeProof, int]]:
    """(kind, index, parts of the proven ciphertext, proof, limit) for every proof."""
    out: list[tuple[str, int, list[Ciphertext], RangeProof, int]] = []
    for i, s in enumerate(ballot.selections):
        out.append(("approve", i, [s.approve], s.approve_proof, 1))
        out.append(("oppose", i, [s.oppose], s.oppose_proof, 1))
        out.append(("either", i, [s.approve, s.oppose], s.either_proof, 1))
    return out


def validate_ballot(
    key: PublicKey, ctx: BallotContext, ballot: EncryptedBallot, rng: RandomSource
) -> None:
    """Every check a server makes before accepting a ballot; raises `CryptoError` naming the
    first failure. `rng` draws the batch weights (any unpredictable source)."""
    g = key.group
    n = len(ctx.candidates)
    if len(ballot.selections) != n:
        raise refuse(
            "ballot-shape",
            f"the ballot has {len(ballot.selections)} candidates; the round has {n}",
            f"选票含 {len(ballot.selections)} 个候选组织，本轮为 {n} 个",
        )
    if ballot.total_proof.limit != ctx.max_approvals:
        raise refuse(
            "ballot-shape",
            f"the total proof covers 0..{ballot.total_proof.limit}; the "
            f"round allows 0..{ctx.max_approvals}",
            f"同意总数证明范围为 0..{ballot.total_proof.limit}，本轮为 0..{ctx.max_approvals}",
        )
    proofs = _proofs(ballot)
    for kind, i, _, proof, limit in proofs:
        if proof.limit != limit:
            raise refuse(
                "ballot-shape",
                f"the {kind} proof of candidate {i + 1} has the wrong size",
                f"第 {i + 1} 个候选组织的 {kind} 证明大小不符",
            )
    elements = [
        x for s in ballot.selections for c in (s.approve, s.oppose) for x in (c.alpha, c.beta)
    ]
    checked = g.check_elements(elements, "ballot ciphertexts", rng)
    it = iter(checked)
    sels = [
        Selection(
            Ciphertext(next(it), next(it)),
            Ciphertext(next(it), next(it)),
            s.approve_proof,
            s.oppose_proof,
            s.either_proof,
        )
        for s in ballot.selections
    ]
    checked_ballot = EncryptedBallot(tuple(sels), ballot.total_proof)
    commitments = [
        x for *_, proof, _ in _proofs(checked_ballot) for pair in proof.commitments for x in pair
    ] + [x for pair in ballot.total_proof.commitments for x in pair]
    for x in commitments:
        if not is_integer(x) or not 1 < x < g.p or g.backend.jacobi(x, g.p) != 1:
            raise refuse(
                "not-in-group",
                "a proof commitment is not an element of the group",
                "证明承诺值不是群元素",
            )
    all_proofs = [
        *_proofs(checked_ballot),
        ("total", 0, [s.approve for s in sels], ballot.total_proof, ctx.max_approvals),
    ]
    for kind, i, parts, proof, limit in all_proofs:
        ct = add(g, parts) if len(parts) > 1 else parts[0]
        if not range_proof.challenge_ok(key, ct, limit, ctx.proof_context(kind, i), proof):
            raise refuse(
                "bad-proof",
                f"the {kind} proof of candidate {i + 1} does not match its challenge",
                f"第 {i + 1} 个候选组织的 {kind} 证明与挑战值不符",
            )
    batch = BatchVerifier(g, key, rng)
    for _, _, parts, proof, _ in all_proofs:
        range_proof.add_to_batch(batch, parts, proof)
    if batch.holds():
        return
    for kind, i, parts, proof, _ in all_proofs:
        single = BatchVerifier(g, key, rng)
        range_proof.add_to_batch(single, parts, proof)
        if not single.holds():
            raise refuse(
                "bad-proof",
                f"the {kind} proof of candidate {i + 1} is invalid",
                f"第 {i + 1} 个候选组织的 {kind} 证明无效",
            )
    raise refuse("bad-proof", "the ballot's proofs do not hold", "选票证明不成立")


def tracker(ctx: BallotContext, ballot: EncryptedBallot, element_bytes: int) -> bytes:
    """The ballot hash a member keeps (回执): SHA-256 over the context and every value."""

    def el(x: int) -> bytes:
        return b"\x03" + int(x).to_bytes(element_bytes, "big")

    def sc(x: int) -> bytes:
        return b"\x04" + int(x).to_bytes(32, "big")

    def proof_fields(p: RangeProof) -> bytes:
        return h.seq(
            [
                h.seq(el(x) for pair in p.commitments for x in pair),
                h.seq(sc(c) for c in p.challenges),
                h.seq(sc(v) for v in p.responses),
            ]
        )

    parts = [h.seq(ctx.fields())]
    for s in ballot.selections:
        parts.append(
            h.seq(
                [
                    el(s.approve.alpha),
                    el(s.approve.beta),
                    el(s.oppose.alpha),
                    el(s.oppose.beta),
                    proof_fields(s.approve_proof),
                    proof_fields(s.oppose_proof),
                    proof_fields(s.either_proof),
                ]
            )
        )
    parts.append(proof_fields(ballot.total_proof))
    return h.digest("ballot/v1/tracker", *parts)


__all__ = [
    "BallotContext",
    "EncryptedBallot",
    "Selection",
    "encrypt_ballot",
    "tracker",
    "validate_ballot",
]
