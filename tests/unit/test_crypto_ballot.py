"""Encrypted ballots and proofs: honest ballots pass; every tampering is refused."""

from __future__ import annotations

from dataclasses import replace

import pytest
from hypothesis import given
from hypothesis import strategies as st

from ballot.crypto import chaum_pedersen, range_proof, schnorr, selection_proof
from ballot.crypto import hashing as h
from ballot.crypto.ballot import (
    BallotContext,
    EncryptedBallot,
    Selection,
    encrypt_ballot,
    tracker,
    validate_ballot,
)
from ballot.crypto.discrete_log import DiscreteLog
from ballot.crypto.elgamal import PublicKey, add, decrypt_to_power, encrypt
from ballot.crypto.errors import CryptoError
from ballot.crypto.group import Group, production_group
from ballot.devtools.seeded import SeededRandom
from tests.support.small_group import small_group

RECORD = bytes(range(32))


def keypair(group: Group, seed: int = 0) -> tuple[int, PublicKey]:
    secret = group.random_scalar(SeededRandom(f"key{seed}"))
    return secret, PublicKey(group, group.pow_g(secret))


def context(n: int = 4, k: int = 2, round_id: str = "meeting-1/round-1") -> BallotContext:
    return BallotContext(RECORD, round_id, tuple(f"候选{i}" for i in range(n)), k)


def refused(key: PublicKey, ctx: BallotContext, ballot: EncryptedBallot) -> str:
    with pytest.raises(CryptoError) as err:
        validate_ballot(key, ctx, ballot, SeededRandom("check"))
    return err.value.code


# --- honest ballots -----------------------------------------------------------------------


def test_a_16_candidate_ballot_in_the_production_group_validates() -> None:
    g = production_group()
    secret, key = keypair(g)
    ctx = context(16, 5)
    choices = ["approve"] * 5 + ["oppose"] * 4 + ["abstain"] * 7
    ballot = encrypt_ballot(key, ctx, choices, SeededRandom(1))
    validate_ballot(key, ctx, ballot, SeededRandom(2))
    total = add(g, (s.approve for s in ballot.selections))
    assert DiscreteLog(g, 16)(decrypt_to_power(g, total, secret)) == 5


CHOICES = st.sampled_from(["approve", "oppose", "abstain"])


@given(
    st.integers(1, 6).flatmap(
        lambda n: st.tuples(st.lists(CHOICES, min_size=n, max_size=n), st.integers(0, n))
    ),
    st.integers(0, 2**32),
)
def test_any_allowed_ballot_round_trips(case: tuple[list[str], int], seed: int) -> None:
    choices, k = case
    if sum(c == "approve" for c in choices) > k:
        k = sum(c == "approve" for c in choices)
    g = small_group()
    secret, key = keypair(g, seed % 5)
    ctx = context(len(choices), k)
    ballot = encrypt_ballot(key, ctx, choices, SeededRandom(seed))
    validate_ballot(key, ctx, ballot, SeededRandom(seed + 1))
    log = DiscreteLog(g, 10)
    for choice, s in zip(choices, ballot.selections, strict=True):
        assert log(decrypt_to_power(g, s.approve, secret)) == (choice == "approve")
        assert log(decrypt_to_power(g, s.oppose, secret)) == (choice == "oppose")
    assert len(tracker(key, ctx, ballot)) == 32


def test_an_encryptor_refuses_more_approvals_than_allowed() -> None:
    g = small_group()
    _, key = keypair(g)
    with pytest.raises(ValueError, match="at most 2"):
        encrypt_ballot(key, context(4, 2), ["approve"] * 3 + ["oppose"], SeededRandom(0))


# --- tampering ----------------------------------------------------------------------------


@pytest.fixture(scope="module")
def honest() -> tuple[PublicKey, BallotContext, EncryptedBallot]:
    g = small_group()
    _, key = keypair(g)
    ctx = context(3, 2)
    return key, ctx, encrypt_ballot(key, ctx, ["approve", "oppose", "abstain"], SeededRandom(7))


def with_selection(ballot: EncryptedBallot, i: int, **changes: object) -> EncryptedBallot:
    sels = list(ballot.selections)
    sels[i] = replace(sels[i], **changes)  # type: ignore[arg-type]
    return replace(ballot, selections=tuple(sels))


def bump(group: Group, x: int) -> int:
    return int(x) * int(group.g) % int(group.p)  # another subgroup element


@pytest.mark.parametrize("field", ["approve", "oppose"])
@pytest.mark.parametrize("part", ["alpha", "beta"])
def test_a_changed_ciphertext_is_refused(honest, field: str, part: str) -> None:  # type: ignore[no-untyped-def]
    key, ctx, ballot = honest
    ct = getattr(ballot.selections[1], field)
    changed = replace(ct, **{part: bump(key.group, getattr(ct, part))})
    assert refused(key, ctx, with_selection(ballot, 1, **{field: changed})) == "bad-proof"


@pytest.mark.parametrize("branch", [0, 1, 2])
@pytest.mark.parametrize("what", ["commitment", "challenge", "response"])
def test_a_changed_proof_value_is_refused(honest, branch: int, what: str) -> None:  # type: ignore[no-untyped-def]
    key, ctx, ballot = honest
    g = key.group
    p = ballot.selections[0].proof
    q = int(g.q)
    if what == "commitment":
        pairs = list(p.commitments)
        pairs[branch] = (pairs[branch][0], bump(g, pairs[branch][1]))
        changed = replace(p, commitments=tuple(pairs))
    elif what == "challenge":
        values = list(p.challenges)
        values[branch] = (values[branch] + 1) % q
        changed = replace(p, challenges=tuple(values))
    else:
        values = list(p.responses)
        values[branch] = (values[branch] + 1) % q
        changed = replace(p, responses=tuple(values))
    assert refused(key, ctx, with_selection(ballot, 0, proof=changed)) == "bad-proof"


def test_a_changed_total_proof_is_refused(honest) -> None:  # type: ignore[no-untyped-def]
    key, ctx, ballot = honest
    p = ballot.total_proof
    changed = replace(p, responses=(*p.responses[:-1], (p.responses[-1] + 1) % int(key.group.q)))
    assert refused(key, ctx, replace(ballot, total_proof=changed)) == "bad-proof"


@pytest.mark.parametrize("bad", ["zero", "one", "minus-one", "p", "s-part", "big"])
def test_elements_outside_the_subgroup_are_refused(honest, bad: str) -> None:  # type: ignore[no-untyped-def]
    key, ctx, ballot = honest
    g = key.group
    p = int(g.p)
    value = {
        "zero": 0,
        "one": 1,
        "minus-one": p - 1,
        "p": p,
        "big": p + 5,
        "s-part": pow(3, 2 * int(g.q), p) * int(g.g) % p,
    }[bad]
    ct = replace(ballot.selections[2].oppose, alpha=value)
    assert refused(key, ctx, with_selection(ballot, 2, oppose=ct)) == "not-in-group"
    p0 = ballot.selections[2].proof
    pairs = ((value, p0.commitments[0][1]), *p0.commitments[1:])
    code = refused(key, ctx, with_selection(ballot, 2, proof=replace(p0, commitments=pairs)))
    assert code in ("not-in-group", "bad-proof")
    if bad != "s-part":  # an s-part commitment passes the residue test; the equations catch it
        assert code == "not-in-group"


@pytest.mark.parametrize(
    "other",
    [
        {"round_id": "meeting-1/round-2"},
        {"record": bytes(32)},
        {"candidates": ("候选0", "候选2", "候选1")},
    ],
)
def test_a_ballot_replayed_in_another_round_or_record_is_refused(honest, other) -> None:  # type: ignore[no-untyped-def]
    key, ctx, ballot = honest
    assert refused(key, replace(ctx, **other), ballot) == "bad-proof"


def test_proofs_swapped_between_candidates_are_refused(honest) -> None:  # type: ignore[no-untyped-def]
    key, ctx, ballot = honest
    a, b = ballot.selections[0], ballot.selections[1]
    swapped = replace(ballot, selections=(b, a, *ballot.selections[2:]))
    assert refused(key, ctx, swapped) == "bad-proof"


def test_wrong_shapes_are_refused(honest) -> None:  # type: ignore[no-untyped-def]
    key, ctx, ballot = honest
    assert refused(key, ctx, replace(ballot, selections=ballot.selections[:2])) == "ballot-shape"
    assert refused(key, replace(ctx, max_approvals=3), ballot) == "ballot-shape"


def lying_ballot(
    key: PublicKey,
    ctx: BallotContext,
    plain: list[tuple[int, int]],
    claimed_total: int | None = None,
) -> EncryptedBallot:
    """A cheating client: encrypts any values and makes proofs claiming allowed ones."""
    g = key.group
    q = int(g.q)
    rng = SeededRandom("liar")
    sels, total_r = [], 0
    for i, (a, o) in enumerate(plain):
        ra, ro = g.random_scalar(rng), g.random_scalar(rng)
        ca, co = encrypt(key, a, ra), encrypt(key, o, ro)
        claim = (a, o) if (a, o) in selection_proof.BRANCHES else (1, 0)
        sels.append(
            Selection(
                ca,
                co,
                selection_proof.prove(
                    key, ca, co, *claim, ra, ro, ctx.proof_context("selection", i), rng
                ),
            )
        )
        total_r = (total_r + ra) % q
    total = add(g, (s.approve for s in sels))
    claim_total = (
        min(sum(a for a, _ in plain), ctx.max_approvals) if claimed_total is None else claimed_total
    )
    return EncryptedBallot(
        tuple(sels),
        range_proof.prove(
            key, total, claim_total, total_r, ctx.max_approvals, ctx.proof_context("total", 0), rng
        ),
    )


def test_an_honest_liar_baseline_passes(honest) -> None:  # type: ignore[no-untyped-def]
    key, ctx, _ = honest
    validate_ballot(key, ctx, lying_ballot(key, ctx, [(1, 0), (0, 1), (0, 0)]), SeededRandom(0))


def test_a_ballot_over_k_approvals_is_refused(honest) -> None:  # type: ignore[no-untyped-def]
    key, ctx, _ = honest
    assert refused(key, ctx, lying_ballot(key, ctx, [(1, 0), (1, 0), (1, 0)])) == "bad-proof"


def test_approve_and_oppose_on_one_candidate_is_refused(honest) -> None:  # type: ignore[no-untyped-def]
    key, ctx, _ = honest
    assert refused(key, ctx, lying_ballot(key, ctx, [(1, 1), (0, 0), (0, 0)])) == "bad-proof"


def test_a_bit_of_two_is_refused(honest) -> None:  # type: ignore[no-untyped-def]
    key, ctx, _ = honest
    assert refused(key, ctx, lying_ballot(key, ctx, [(2, 0), (0, 0), (0, 0)])) == "bad-proof"


def test_compact_verification_agrees() -> None:
    g = small_group()
    _, key = keypair(g)
    rng = SeededRandom(9)
    ct = encrypt(key, 3, 777)
    ctxf = [h.text("test")]
    proof = range_proof.prove(key, ct, 3, 777, 5, ctxf, rng)
    assert range_proof.verify_compact(key, ct, 5, ctxf, proof.challenges, proof.responses)
    assert not range_proof.verify_compact(
        key, ct, 5, [h.text("other")], proof.challenges, proof.responses
    )
    bad = (proof.responses[0] + 1) % int(g.q), *proof.responses[1:]
    assert not range_proof.verify_compact(key, ct, 5, ctxf, proof.challenges, bad)


# --- Schnorr and Chaum–Pedersen -----------------------------------------------------------


def test_schnorr_proof_of_knowledge() -> None:
    g = small_group()
    rng = SeededRandom(10)
    x = g.random_scalar(rng)
    ctx = [h.text("ceremony"), h.u32(1)]
    proof = schnorr.prove(g, x, ctx, rng)
    assert schnorr.verify(g, g.pow_g(x), proof, ctx)
    assert not schnorr.verify(g, g.pow_g(x), proof, [h.text("ceremony"), h.u32(2)])
    assert not schnorr.verify(g, g.pow_g(x + 1), proof, ctx)
    assert not schnorr.verify(g, g.pow_g(x), replace(proof, response=proof.response ^ 1), ctx)
    assert not schnorr.verify(
        g, g.pow_g(x), replace(proof, commitment=bump(g, proof.commitment)), ctx
    )
    assert not schnorr.verify(g, g.pow_g(x), replace(proof, challenge=int(g.q)), ctx)


def test_chaum_pedersen_decryption_share() -> None:
    g = small_group()
    rng = SeededRandom(11)
    s = g.random_scalar(rng)
    alpha = g.pow_g(g.random_scalar(rng))
    ctx = [h.text("round-1"), h.text("decrypt")]
    m, proof = chaum_pedersen.prove(g, s, alpha, ctx, rng)
    public = g.pow_g(s)
    assert chaum_pedersen.verify(g, public, alpha, m, proof, ctx)
    assert not chaum_pedersen.verify(g, public, alpha, bump(g, m), proof, ctx)
    assert not chaum_pedersen.verify(g, public, alpha, m, proof, [h.text("round-2")])
    assert not chaum_pedersen.verify(g, public, bump(g, alpha), m, proof, ctx)
    for f in ("commitment_g", "commitment_a"):
        changed = replace(proof, **{f: bump(g, getattr(proof, f))})
        assert not chaum_pedersen.verify(g, public, alpha, m, changed, ctx)
    assert not chaum_pedersen.verify(
        g, public, alpha, m, replace(proof, response=(proof.response + 1) % int(g.q)), ctx
    )


def test_a_bit_of_two_in_oppose_and_a_negative_choice_are_refused(honest) -> None:  # type: ignore[no-untyped-def]
    key, ctx, _ = honest
    q = int(key.group.q)
    assert refused(key, ctx, lying_ballot(key, ctx, [(0, 2), (0, 0), (0, 0)])) == "bad-proof"
    assert refused(key, ctx, lying_ballot(key, ctx, [(q - 1, 0), (0, 0), (0, 0)])) == "bad-proof"


def test_selection_proof_combiner_depends_on_both_ciphertexts() -> None:
    g = small_group()
    _, key = keypair(g)
    a, o = encrypt(key, 1, 5), encrypt(key, 0, 6)
    z = selection_proof.combiner(key, a, o, [h.text("x")])
    assert 1 <= z < int(g.q)
    assert z != selection_proof.combiner(key, a, encrypt(key, 0, 7), [h.text("x")])
    assert z != selection_proof.combiner(key, encrypt(key, 1, 8), o, [h.text("x")])


def test_both_arithmetic_backends_make_the_same_ballot() -> None:
    from ballot.crypto.arith import GMPY2, INT
    from ballot.devtools.vectors import ballot_json

    if GMPY2 is None:
        pytest.skip("gmpy2 is not installed here")
    made = []
    for backend in (INT, GMPY2):
        g = small_group(backend)
        key = PublicKey(g, g.pow_g(12345))
        ctx = context(3, 2)
        ballot = encrypt_ballot(key, ctx, ["approve", "oppose", "abstain"], SeededRandom(5))
        validate_ballot(key, ctx, ballot, SeededRandom(6))
        made.append((ballot_json(ballot), tracker(key, ctx, ballot)))
    assert made[0] == made[1]


@given(st.integers(1, 2**64), st.integers(0, 6), st.integers(0, 2**32), st.text(max_size=20))
def test_schnorr_chaum_pedersen_and_range_proofs_round_trip(
    secret: int, m: int, seed: int, label: str
) -> None:
    g = small_group()
    rng = SeededRandom(seed)
    ctx = [h.text(label), h.u32(m)]
    proof = schnorr.prove(g, secret, ctx, rng)
    assert schnorr.verify(g, g.pow_g(secret), proof, ctx)
    base = g.pow_g(g.random_scalar(rng))
    value, eq = chaum_pedersen.prove(g, secret, base, ctx, rng)
    assert chaum_pedersen.verify(g, g.pow_g(secret), base, value, eq, ctx)
    _, key = keypair(g, seed % 3)
    r = g.random_scalar(rng)
    ct = encrypt(key, m, r)
    limit = max(m, 1) + seed % 3
    rp = range_proof.prove(key, ct, m, r, limit, ctx, rng)
    assert range_proof.verify_compact(key, ct, limit, ctx, rp.challenges, rp.responses)
    assert range_proof.challenge_ok(key, ct, limit, ctx, rp)


def test_validating_needs_no_table_of_the_election_key_and_threads_build_it_once(
    honest,  # type: ignore[no-untyped-def]
) -> None:
    """A server's first burst of casts must not build the key's 4 MiB power table once per
    thread: validation does without it, and the table is built once however many ask."""
    import threading

    key, ctx, ballot = honest
    fresh = PublicKey(key.group, key.k)
    validate_ballot(fresh, ctx, ballot, SeededRandom(3))
    assert fresh._table == []
    tables = []
    start = threading.Barrier(8)

    def ask() -> None:
        start.wait()
        tables.append(fresh.table)

    threads = [threading.Thread(target=ask) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(fresh._table) == 1 and all(t is fresh._table[0] for t in tables)


def test_a_refused_proof_costs_no_exponentiation_per_element(honest, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    """Before blaming a proof the validator makes sure no ciphertext element is outside the
    group, in one batch: checking each element alone (a 256-bit power each) would make a
    stream of refused ballots from one credential far dearer than honest ones."""
    key, ctx, ballot = honest
    g = key.group
    calls = []
    original = type(g).is_element

    def counted(self, x):  # type: ignore[no-untyped-def]
        calls.append(x)
        return original(self, x)

    monkeypatch.setattr(type(g), "is_element", counted)
    p = ballot.selections[0].proof
    bad_challenge = replace(p, challenges=((p.challenges[0] + 1) % int(g.q), *p.challenges[1:]))
    assert refused(key, ctx, with_selection(ballot, 0, proof=bad_challenge)) == "bad-proof"
    bad_response = replace(p, responses=((p.responses[0] + 1) % int(g.q), *p.responses[1:]))
    assert refused(key, ctx, with_selection(ballot, 0, proof=bad_response)) == "bad-proof"
    assert calls == []
