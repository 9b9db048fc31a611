"""An encrypted ballot (加密选票) for one round, and every check a server makes on it.

Per candidate the ballot holds two ciphertexts, approve bit a and oppose bit o (abstain is
neither), and one selection proof that a ∈ {0,1}, o ∈ {0,1} and a + o ∈ {0,1} (three 0/1
statements, proven together: `selection_proof`). A final proof shows Σ a ∈ {0..k}, k the most
approvals the round allows. Every proof's challenge is bound to the
record, the round, the ballot's candidate list, k, and the proof's own place on the ballot,
so a proof cannot be replayed in another round, record or position.

Validation checks the shape, every received element (range and quadratic residue here, order q
in the batch), every challenge, and then all proof equations and the ciphertexts' order at once
(`BatchVerifier`). If the batch fails, each
proof is checked alone to name the one at fault.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from ballot.crypto import hashing as h
from ballot.crypto import range_proof, selection_proof
from ballot.crypto.arith import is_integer
from ballot.crypto.batch import BatchVerifier
from ballot.crypto.elgamal import Ciphertext, PublicKey, add, encrypt
from ballot.crypto.errors import refuse
from ballot.crypto.group import RandomSource
from ballot.crypto.range_proof import RangeProof
from ballot.crypto.selection_proof import SelectionProof

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
    proof: SelectionProof  # (approve, oppose) ∈ {(0,0), (1,0), (0,1)}


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
        proof = selection_proof.prove(
            key, ca, co, a, o, ra, ro, ctx.proof_context("selection", i), rng
        )
        selections.append(Selection(approve=ca, oppose=co, proof=proof))
        total_r = (total_r + ra) % q
    total = add(g, (s.approve for s in selections))
    total_proof = range_proof.prove(
        key, total, approvals, total_r, ctx.max_approvals, ctx.proof_context("total", 0), rng
    )
    return EncryptedBallot(tuple(selections), total_proof)


def validate_ballot(
    key: PublicKey, ctx: BallotContext, ballot: EncryptedBallot, rng: RandomSource
) -> None:
    """Every check a server makes before accepting a ballot; raises `CryptoError` naming the
    first failure. `rng` draws the batch weights (any unpredictable source)."""
    g = key.group
    q = int(g.q)
    n = len(ctx.candidates)
    if len(ballot.selections) != n:
        raise refuse(
            "ballot-shape",
            en=f"the ballot has {len(ballot.selections)} candidates; the round has {n}",
            zh=f"选票含 {len(ballot.selections)} 个候选组织，本轮为 {n} 个",
        )
    total_proof = ballot.total_proof
    if total_proof.limit != ctx.max_approvals or not range_proof.shape_ok(
        total_proof, ctx.max_approvals, q
    ):
        raise refuse(
            "ballot-shape",
            en=f"the total proof must cover 0..{ctx.max_approvals}",
            zh=f"同意总数证明范围须为 0..{ctx.max_approvals}",
        )
    for i, s in enumerate(ballot.selections):
        if not selection_proof.shape_ok(s.proof, q):
            raise refuse(
                "ballot-shape",
                en=f"the proof of candidate {i + 1} is malformed",
                zh=f"第 {i + 1} 个候选组织的证明格式不符",
            )
    # 1. every received element: ciphertexts in the subgroup (batched), commitments residues
    raw = [x for s in ballot.selections for c in (s.approve, s.oppose) for x in (c.alpha, c.beta)]
    what = "ballot ciphertexts"
    batch = BatchVerifier(g, key, rng)
    if g.batchable:  # x^q = 1 is checked in the proofs' batch (step 3)
        elements = g.screen_elements(raw, what)
        for x in elements:
            batch.claim_subgroup(x)
    else:
        elements = g.check_elements(raw, what, rng)

    def unscreened() -> None:
        """Before refusing a proof, name an element outside the group if there is one (one
        batched check first, so a refused ballot costs no more than an accepted one)."""
        if g.batchable:
            g.check_elements(elements, what, rng)

    it = iter(elements)
    sels = [
        Selection(Ciphertext(next(it), next(it)), Ciphertext(next(it), next(it)), s.proof)
        for s in ballot.selections
    ]
    commitments = [x for s in sels for pair in s.proof.commitments for x in pair]
    commitments += [x for pair in total_proof.commitments for x in pair]
    for x in commitments:
        if not is_integer(x) or not 1 < x < g.p or g.backend.jacobi(x, g.p) != 1:
            raise refuse(
                "not-in-group",
                en="a proof commitment is not an element of the group",
                zh="证明承诺值不是群元素",
            )
    # 2. every challenge covers its whole statement
    combiners = []
    for i, s in enumerate(sels):
        context = ctx.proof_context("selection", i)
        if not selection_proof.challenge_ok(key, s.approve, s.oppose, context, s.proof):
            unscreened()
            raise refuse(
                "bad-proof",
                en=f"the proof of candidate {i + 1} does not match its challenge",
                zh=f"第 {i + 1} 个候选组织的证明与挑战值不符",
            )
        combiners.append(selection_proof.combiner(key, s.approve, s.oppose, context))
    approvals = [s.approve for s in sels]
    total = add(g, approvals)
    if not range_proof.challenge_ok(
        key, total, ctx.max_approvals, ctx.proof_context("total", 0), total_proof
    ):
        unscreened()
        raise refuse(
            "bad-proof",
            en="the proof of the number of approvals does not match its challenge",
            zh="同意票数证明与挑战值不符",
        )
    # 3. all equations (and the ciphertexts' membership) at once; if the batch fails, find
    # the element or the proof at fault
    for s, z in zip(sels, combiners, strict=True):
        selection_proof.add_to_batch(batch, s.approve, s.oppose, z, s.proof)
    range_proof.add_to_batch(batch, approvals, total_proof)
    if batch.holds():
        return
    unscreened()
    for i, (s, z) in enumerate(zip(sels, combiners, strict=True)):
        single = BatchVerifier(g, key, rng)
        selection_proof.add_to_batch(single, s.approve, s.oppose, z, s.proof)
        if not single.holds():
            raise refuse(
                "bad-proof",
                en=f"the proof of candidate {i + 1} is invalid",
                zh=f"第 {i + 1} 个候选组织的证明无效",
            )
    raise refuse(
        "bad-proof",
        en=f"the proof of at most {ctx.max_approvals} approvals is invalid",
        zh=f"“同意票不超过 {ctx.max_approvals} 张”的证明无效",
    )


def tracker(key: PublicKey, ctx: BallotContext, ballot: EncryptedBallot) -> bytes:
    """The ballot hash (回执 / tracker) a member keeps and the credential signs: SHA-256 over
    the context, the election key and every value of the ballot (docs/PROTOCOL.md §6)."""
    g = key.group

    def proof_fields(p: RangeProof | SelectionProof) -> bytes:
        return h.seq(
            [
                h.seq(h.element(g, x) for pair in p.commitments for x in pair),
                h.seq(h.scalar(g, c) for c in p.challenges),
                h.seq(h.scalar(g, v) for v in p.responses),
            ]
        )

    parts = [h.seq(ctx.fields()), h.element(g, key.k)]
    for s in ballot.selections:
        parts.append(
            h.seq(
                [
                    h.element(g, s.approve.alpha),
                    h.element(g, s.approve.beta),
                    h.element(g, s.oppose.alpha),
                    h.element(g, s.oppose.beta),
                    proof_fields(s.proof),
                ]
            )
        )
    parts.append(proof_fields(ballot.total_proof))
    return h.digest("ballot/v1/tracker", *parts)


CAST_TAG = "ballot/v1/cast"


def cast_message(tracker_bytes: bytes) -> bytes:
    """What the credential key signs: the tag, then the 32-byte tracker (docs/PROTOCOL.md §6)."""
    if len(tracker_bytes) != 32:
        raise ValueError("a tracker is 32 bytes")
    return h.text(CAST_TAG) + h.raw(tracker_bytes)


__all__ = [
    "CAST_TAG",
    "BallotContext",
    "EncryptedBallot",
    "Selection",
    "cast_message",
    "encrypt_ballot",
    "tracker",
    "validate_ballot",
]
