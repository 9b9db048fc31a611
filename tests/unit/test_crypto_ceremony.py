"""Key ceremony, threshold decryption and keys at rest: k of n decrypt, fewer cannot, and every
tampering is refused with the scrutineer at fault named."""

from __future__ import annotations

import base64
import itertools
import json
import random
from dataclasses import dataclass, replace
from functools import cache

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ballot.crypto import ceremony as cer
from ballot.crypto import hashing as h
from ballot.crypto import keystore as ks
from ballot.crypto.arith import INT
from ballot.crypto.ceremony import (
    CeremonyParams,
    CommitmentMessage,
    CommitteeKey,
    Dealing,
    EncryptedShare,
    ScrutineerShare,
)
from ballot.crypto.decryption import (
    DecryptionShare,
    combine,
    decrypt,
    interpolate,
    lagrange_at_zero,
    partial_decrypt,
    verify_share,
)
from ballot.crypto.discrete_log import DiscreteLog
from ballot.crypto.elgamal import Ciphertext, PublicKey, add, encrypt
from ballot.crypto.errors import CryptoError
from ballot.crypto.group import Group, production_group
from ballot.devtools.seeded import SeededRandom
from tests.support.small_group import small_group

RECORD = bytes(range(32))
FAST = ks.ScryptParams(n=2**10, r=8, p=1)  # tests only: the default stays n = 2^15


@dataclass(frozen=True)
class Run:
    group: Group
    params: CeremonyParams
    dealings: tuple[Dealing, ...]
    messages: tuple[CommitmentMessage, ...]
    dealt: tuple[tuple[EncryptedShare, ...], ...]  # dealt[i - 1][ℓ - 1]: from i to ℓ
    shares: tuple[ScrutineerShare, ...]
    committee: CommitteeKey

    def to(self, ell: int) -> list[EncryptedShare]:
        return [d[ell - 1] for d in self.dealt]

    def secret(self) -> int:
        return sum(d.coefficients[0] for d in self.dealings) % int(self.group.q)


def run(group: Group, k: int, n: int, seed: object = 0, cid: str = "meeting-1/ceremony") -> Run:
    params = CeremonyParams(cid, k, n)
    rng = SeededRandom(f"ceremony-{seed}")
    started = [cer.begin(group, params, i, rng) for i in range(1, n + 1)]
    dealings = tuple(d for d, _ in started)
    messages = tuple(m for _, m in started)
    dealt = tuple(cer.deal(group, params, d, messages, rng) for d in dealings)
    finished = [
        cer.finish(group, params, d, messages, [x[d.index - 1] for x in dealt], rng)
        for d in dealings
    ]
    assert all(c == finished[0][1] for _, c in finished)  # everyone agrees on the outcome
    return Run(
        group,
        params,
        dealings,
        messages,
        dealt,
        tuple(s for s, _ in finished),
        finished[0][1],
    )


@cache
def small_run() -> Run:
    return run(small_group(), 3, 5)


def ctx(round_id: str = "meeting-1/round-1", candidate: int = 0) -> list[bytes]:
    return [h.raw(RECORD), h.text(round_id), h.u32(candidate), h.text("approve")]


def encrypted_total(r: Run, votes: list[int], seed: object = 0) -> Ciphertext:
    key = PublicKey(r.group, r.committee.joint_key)
    rng = SeededRandom(f"votes-{seed}")
    return add(r.group, (encrypt(key, v, r.group.random_scalar(rng)) for v in votes))


def all_shares(r: Run, ct: Ciphertext, context: list[bytes]) -> list[DecryptionShare]:
    rng = SeededRandom("partial")
    return [partial_decrypt(r.group, r.committee, s, ct, context, rng) for s in r.shares]


def refusal(fn: object, *args: object) -> CryptoError:
    with pytest.raises(CryptoError) as err:
        fn(*args)  # type: ignore[operator]
    return err.value


# --- honest ceremonies ------------------------------------------------------------------------


def check_outcome(r: Run) -> None:
    g, q = r.group, int(r.group.q)
    # Everyone (and an outsider) derives the same public outcome from the transcript.
    outsider = cer.verify_transcript(g, r.params, list(reversed(r.messages)), SeededRandom("o"))
    assert outsider == r.committee
    assert r.committee.joint_key == g.pow_g(r.secret())
    for s in r.shares:
        assert r.committee.share_key(s.index) == g.pow_g(s.secret)
        assert s.secret == sum(cer.evaluate(d.coefficients, s.index, q) for d in r.dealings) % q


def test_a_3_of_5_ceremony_lets_every_3_decrypt_a_sum() -> None:
    r = small_run()
    check_outcome(r)
    ct = encrypted_total(r, [1, 0, 1, 1, 0, 1, 1])
    shares = all_shares(r, ct, ctx())
    log = DiscreteLog(r.group, 10)
    subsets = list(itertools.combinations(shares, 3))
    assert len(subsets) == 10
    for subset in subsets:
        assert decrypt(r.group, r.committee, ct, list(subset), ctx(), log) == 5
    assert decrypt(r.group, r.committee, ct, shares, ctx(), log) == 5  # more than k is fine


def test_a_3_of_5_ceremony_in_the_production_group() -> None:
    r = run(production_group(), 3, 5, seed="production")
    check_outcome(r)
    ct = encrypted_total(r, [1, 1, 0, 1, 1, 1, 0, 1, 1])
    shares = all_shares(r, ct, ctx())
    log = DiscreteLog(r.group, 16)
    for subset in itertools.combinations(shares, 3):
        assert decrypt(r.group, r.committee, ct, list(subset), ctx(), log) == 7


def test_both_arithmetic_backends_give_the_same_ceremony() -> None:
    a = small_run()
    b = run(small_group(INT), 3, 5)
    assert int(b.committee.joint_key) == int(a.committee.joint_key)
    assert [int(x) for x in b.committee.share_keys] == [int(x) for x in a.committee.share_keys]
    assert b.shares == a.shares


def test_one_of_one_is_an_ordinary_key() -> None:
    r = run(small_group(), 1, 1)
    check_outcome(r)
    ct = encrypted_total(r, [1, 1])
    shares = all_shares(r, ct, ctx())
    assert decrypt(r.group, r.committee, ct, shares, ctx(), DiscreteLog(r.group, 5)) == 2


@settings(max_examples=100, deadline=None)
@given(
    st.integers(1, 7).flatmap(lambda n: st.tuples(st.just(n), st.integers(1, n))),
    st.lists(st.integers(0, 3), min_size=1, max_size=6),
    st.randoms(use_true_random=False),
    st.integers(0, 2**32),
)
def test_any_k_of_n_decrypt_the_right_total(
    size: tuple[int, int], votes: list[int], choice: random.Random, seed: int
) -> None:
    n, k = size
    r = run(small_group(), k, n, seed=seed)
    ct = encrypted_total(r, votes, seed)
    subset = sorted(choice.sample(range(n), k))
    rng = SeededRandom(seed)
    shares = [partial_decrypt(r.group, r.committee, r.shares[i], ct, ctx(), rng) for i in subset]
    assert decrypt(r.group, r.committee, ct, shares, ctx(), DiscreteLog(r.group, 18)) == sum(votes)


# --- fewer than k -----------------------------------------------------------------------------


def test_two_of_a_3_of_5_committee_cannot_decrypt() -> None:
    r = small_run()
    g, q = r.group, int(r.group.q)
    ct = encrypted_total(r, [1, 1, 1])
    shares = all_shares(r, ct, ctx())
    s = r.secret()
    # f(x) = s + A1·x + A2·x², the sum of the five polynomials.
    a2 = sum(d.coefficients[2] for d in r.dealings) % q
    assert a2 != 0
    log = DiscreteLog(g, 10)
    for pair in itertools.combinations(shares, 2):
        err = refusal(combine, g, r.committee, ct, list(pair), ctx())
        assert err.code == "too-few-shares"
        assert "3 of the 5" in err.text.en
        # Forced through Lagrange, two points give the line L through (ℓ1, f(ℓ1)), (ℓ2, f(ℓ2)).
        # f − L is quadratic, zero at ℓ1 and ℓ2, with leading coefficient A2, so
        # L(0) = f(0) − A2·ℓ1·ℓ2 ≠ s: the result is α^{s − A2·ℓ1·ℓ2}, not α^s.
        (l1, m1), (l2, m2) = ((x.index, x.value) for x in pair)
        forced = interpolate(g, [(l1, m1), (l2, m2)])
        assert forced == g.pow(ct.alpha, (s - a2 * l1 * l2) % q)
        assert forced != g.pow(ct.alpha, s)
        with pytest.raises(CryptoError) as no_log:
            log(ct.beta * g.inv(forced) % g.p)
        assert no_log.value.code == "no-small-log"


def test_lagrange_coefficients_at_zero() -> None:
    q = 101
    lam = lagrange_at_zero([1, 2, 3], q)
    # For f(x) = 7 + 5x + 2x²: Σ λ_ℓ f(ℓ) = f(0).
    assert sum(c * (7 + 5 * x + 2 * x * x) for c, x in zip(lam, [1, 2, 3], strict=True)) % q == 7


# --- tampered shares in the ceremony ----------------------------------------------------------


def finish_for(r: Run, ell: int, shares: list[EncryptedShare]) -> CryptoError:
    return refusal(
        cer.finish,
        r.group,
        r.params,
        r.dealings[ell - 1],
        list(r.messages),
        shares,
        SeededRandom(9),
    )


def with_share_from(r: Run, ell: int, sender: int, share: EncryptedShare) -> list[EncryptedShare]:
    return [share if s.sender == sender else s for s in r.to(ell)]


def test_a_wrong_share_value_is_refused_naming_the_sender() -> None:
    r = small_run()
    sender, ell = 2, 4
    d = r.dealings[sender - 1]
    wrong = (cer.evaluate(d.coefficients, ell, int(r.group.q)) + 1) % int(r.group.q)
    share = cer.encrypt_share(
        r.group,
        r.params,
        sender,
        d.transport_private,
        ell,
        r.messages[ell - 1].transport_key,
        wrong,
        SeededRandom(5),
    )
    err = finish_for(r, ell, with_share_from(r, ell, sender, share))
    assert err.code == "bad-share"
    assert "scrutineer 2" in err.text.en and "监票人 2" in err.text.zh


def test_a_share_whose_associated_data_names_another_recipient_is_refused() -> None:
    r = small_run()
    sender, ell = 2, 4
    d = r.dealings[sender - 1]
    value = cer.evaluate(d.coefficients, ell, int(r.group.q))
    # Encrypted to 4's key (so 4 derives the right AES key), but the AD says recipient 5.
    share = cer.encrypt_share(
        r.group,
        r.params,
        sender,
        d.transport_private,
        5,
        r.messages[ell - 1].transport_key,
        value,
        SeededRandom(5),
    )
    share = replace(share, recipient=ell)
    err = finish_for(r, ell, with_share_from(r, ell, sender, share))
    assert err.code == "share-unreadable"
    assert "scrutineer 2" in err.text.en
    # Control: the same value with the right AD is accepted by the low-level decryption.
    good = cer.encrypt_share(
        r.group,
        r.params,
        sender,
        d.transport_private,
        ell,
        r.messages[ell - 1].transport_key,
        value,
        SeededRandom(5),
    )
    got = cer.decrypt_share(
        r.group,
        r.params,
        good,
        ell,
        r.dealings[ell - 1].transport_private,
        r.messages[sender - 1].transport_key,
    )
    assert got == value


def flip(data: bytes, at: int = 0) -> bytes:
    return data[:at] + bytes([data[at] ^ 1]) + data[at + 1 :]


@pytest.mark.parametrize(
    "tamper",
    [
        lambda s: replace(s, ciphertext=flip(s.ciphertext)),
        lambda s: replace(s, ciphertext=flip(s.ciphertext, len(s.ciphertext) - 1)),
        lambda s: replace(s, ciphertext=s.ciphertext[:-1]),
        lambda s: replace(s, nonce=flip(s.nonce)),
        lambda s: replace(s, nonce=s.nonce[:8]),
        lambda s: replace(s, ephemeral_key=flip(s.ephemeral_key, 5)),
    ],
    ids=["ciphertext", "tag", "truncated", "nonce", "short-nonce", "ephemeral-key"],
)
def test_a_modified_encrypted_share_is_refused_naming_the_sender(tamper: object) -> None:
    r = small_run()
    share = tamper(r.dealt[2][0])  # type: ignore[operator]
    err = finish_for(r, 1, with_share_from(r, 1, 3, share))
    assert err.code == "share-unreadable"
    assert "scrutineer 3" in err.text.en and "监票人 3" in err.text.zh


def test_a_share_forged_in_another_scrutineers_name_is_unreadable() -> None:
    r = small_run()
    # Scrutineer 5 knows its own polynomial but not 2's transport key; it cannot pass a share
    # off as coming from 2, even a share that would match 5's own commitments.
    d5 = r.dealings[4]
    forged = cer.encrypt_share(
        r.group,
        r.params,
        2,
        d5.transport_private,
        1,
        r.messages[0].transport_key,
        cer.evaluate(d5.coefficients, 1, int(r.group.q)),
        SeededRandom(6),
    )
    err = finish_for(r, 1, with_share_from(r, 1, 2, forged))
    assert err.code == "share-unreadable" and "scrutineer 2" in err.text.en


def test_a_share_from_another_ceremony_is_unreadable() -> None:
    r = small_run()
    other = CeremonyParams("meeting-2/ceremony", 3, 5)
    d = r.dealings[1]
    share = cer.encrypt_share(
        r.group,
        other,
        2,
        d.transport_private,
        1,
        r.messages[0].transport_key,
        cer.evaluate(d.coefficients, 1, int(r.group.q)),
        SeededRandom(7),
    )
    err = finish_for(r, 1, with_share_from(r, 1, 2, share))
    assert err.code == "share-unreadable"


def test_missing_duplicate_or_misaddressed_shares_are_refused() -> None:
    r = small_run()
    shares = r.to(1)
    err = finish_for(r, 1, shares[:-1])
    assert err.code == "ceremony-shape" and "scrutineer 5" in err.text.en
    err = finish_for(r, 1, [*shares, shares[0]])
    assert err.code == "ceremony-shape" and "two shares" in err.text.en
    err = finish_for(r, 1, [*shares[:-1], r.dealt[4][1]])
    assert err.code == "ceremony-shape" and "addressed to 2" in err.text.en
    err = finish_for(r, 1, [*shares[:-1], replace(shares[-1], sender=6)])
    assert err.code == "unknown-scrutineer"


# --- the public transcript --------------------------------------------------------------------


def with_message(r: Run, i: int, message: CommitmentMessage) -> list[CommitmentMessage]:
    return [message if m.sender == i else m for m in r.messages]


def with_coefficient(r: Run, i: int, j: int, **changes: object) -> list[CommitmentMessage]:
    m = r.messages[i - 1]
    c = m.coefficients[j]
    proof_changes = {k: v for k, v in changes.items() if k != "value"}
    new = replace(
        c,
        value=changes.get("value", c.value),
        proof=replace(c.proof, **proof_changes),  # type: ignore[arg-type]
    )
    coefficients = tuple(new if x == j else old for x, old in enumerate(m.coefficients))
    return with_message(r, i, replace(m, coefficients=coefficients))


def transcript_refusal(r: Run, messages: list[CommitmentMessage]) -> CryptoError:
    return refusal(cer.verify_transcript, r.group, r.params, messages, SeededRandom(3))


@pytest.mark.parametrize("field", ["challenge", "response"])
def test_a_bad_schnorr_proof_is_refused_naming_scrutineer_and_coefficient(field: str) -> None:
    r = small_run()
    old = getattr(r.messages[3].coefficients[1].proof, field)
    err = transcript_refusal(r, with_coefficient(r, 4, 1, **{field: (old + 1) % int(r.group.q)}))
    assert err.code == "bad-proof"
    assert "scrutineer 4" in err.text.en and "coefficient 1" in err.text.en
    assert "监票人 4" in err.text.zh


def test_proofs_are_bound_to_their_scrutineer_position_and_ceremony() -> None:
    r = small_run()
    g = r.group
    # A commitment changed to another group element no longer matches its proof.
    c = r.messages[0].coefficients[2].value
    err = transcript_refusal(r, with_coefficient(r, 1, 2, value=c * g.g % g.p))
    assert err.code == "bad-proof" and "coefficient 2" in err.text.en
    # Scrutineer 1's message replayed as scrutineer 2's (a copied C_20 would let 2 cancel 1).
    copied = replace(r.messages[0], sender=2, transport_key=r.messages[1].transport_key)
    err = transcript_refusal(r, with_message(r, 2, copied))
    assert err.code == "bad-proof" and "scrutineer 2" in err.text.en
    # Two coefficients swapped.
    m = r.messages[2]
    swapped = replace(m, coefficients=(m.coefficients[1], m.coefficients[0], m.coefficients[2]))
    err = transcript_refusal(r, with_message(r, 3, swapped))
    assert err.code == "bad-proof" and "scrutineer 3" in err.text.en
    # The same messages under another ceremony id, or another threshold.
    for params in (
        CeremonyParams("meeting-2/ceremony", 3, 5),
        CeremonyParams(r.params.ceremony_id, 3, 6),
    ):
        msgs = list(r.messages)
        if params.n == 6:
            msgs.append(run(g, 3, 6).messages[5])
        err = refusal(cer.verify_transcript, g, params, msgs, SeededRandom(3))
        assert err.code == "bad-proof"
    # Another transport key under the same commitments (a relay swapping keys to read shares).
    other_key = run(g, 3, 5, seed="other").messages[1].transport_key
    err = transcript_refusal(r, with_message(r, 2, replace(r.messages[1], transport_key=other_key)))
    assert err.code == "bad-proof" and "scrutineer 2" in err.text.en


def bad_elements(g: Group) -> dict[str, int]:
    order_2q = (g.p - 1) * g.g % g.p
    # An element of order dividing r = (p − 1)/q, not 1: a quadratic residue outside the
    # order-q subgroup when r is even (only the batched check's exponent test catches it).
    x = 3
    while g.backend.powmod(x, g.q * 2, g.p) == 1:
        x += 1
    order_r = g.backend.powmod(x, g.q * 2, g.p)
    assert g.backend.powmod(order_r, g.q, g.p) != 1
    return {
        "zero": 0,
        "one": 1,
        "p-1": int(g.p - 1),
        "p": int(g.p),
        "order-2q": int(order_2q),
        "order-divides-r": int(order_r),
        "negative": -4,
    }


@pytest.mark.parametrize(
    "name", ["zero", "one", "p-1", "p", "order-2q", "order-divides-r", "negative"]
)
@pytest.mark.parametrize("where", ["value", "commitment"])
def test_a_commitment_outside_the_subgroup_is_refused(name: str, where: str) -> None:
    r = small_run()
    bad = bad_elements(r.group)[name]
    err = transcript_refusal(r, with_coefficient(r, 5, 1, **{where: bad}))
    assert err.code == "not-in-group"
    assert "scrutineer 5" in err.text.en and "coefficient 1" in err.text.en


def test_an_element_of_the_wrong_order_in_the_production_group_is_refused() -> None:
    g = production_group()
    params = CeremonyParams("c", 1, 1)
    _, message = cer.begin(g, params, 1, SeededRandom(1))
    cer.verify_transcript(g, params, [message], SeededRandom(2))
    for bad in (bad_elements(g)["order-divides-r"], bad_elements(g)["order-2q"]):
        c = replace(message.coefficients[0], value=bad)
        err = refusal(
            cer.verify_transcript, g, params, [replace(message, coefficients=(c,))], SeededRandom(2)
        )
        assert err.code == "not-in-group" and "scrutineer 1" in err.text.en


def test_non_numbers_in_the_transcript_are_refused() -> None:
    r = small_run()
    err = transcript_refusal(r, with_coefficient(r, 2, 0, value="12345"))
    assert err.code == "not-in-group"
    err = transcript_refusal(r, with_coefficient(r, 2, 0, value=True))
    assert err.code == "not-in-group"
    err = transcript_refusal(r, with_coefficient(r, 2, 0, response="1"))
    assert err.code == "bad-proof" and "scrutineer 2" in err.text.en


def test_a_transcript_of_the_wrong_shape_is_refused() -> None:
    r = small_run()
    msgs = list(r.messages)
    assert transcript_refusal(r, msgs[:-1]).code == "ceremony-shape"
    err = transcript_refusal(r, [*msgs[:-1], msgs[0]])
    assert err.code == "ceremony-shape" and "scrutineer 1" in err.text.en
    err = transcript_refusal(r, [*msgs[:-1], replace(msgs[-1], sender=0)])
    assert err.code == "unknown-scrutineer"
    short = replace(msgs[2], coefficients=msgs[2].coefficients[:2])
    err = transcript_refusal(r, with_message(r, 3, short))
    assert err.code == "ceremony-shape" and "scrutineer 3" in err.text.en
    same_key = replace(msgs[3], transport_key=msgs[0].transport_key)
    err = transcript_refusal(r, with_message(r, 4, same_key))
    assert err.code == "ceremony-shape" and "same transport key" in err.text.en
    err = transcript_refusal(r, with_message(r, 4, replace(msgs[3], transport_key=b"\x01" * 31)))
    assert err.code == "ceremony-shape"


def test_a_dealer_refuses_a_transcript_that_altered_its_own_message() -> None:
    r = small_run()
    g = r.group
    # A different but valid message for scrutineer 2 (same ceremony, other randomness).
    impostor = run(g, 3, 5, seed="impostor").messages[1]
    msgs = with_message(r, 2, impostor)
    cer.verify_transcript(g, r.params, msgs, SeededRandom(1))  # valid on its own
    err = refusal(cer.deal, g, r.params, r.dealings[1], msgs, SeededRandom(1))
    assert err.code == "ceremony-shape" and "scrutineer 2" in err.text.en


def test_the_transcript_digest_is_order_free_and_covers_every_proof() -> None:
    r = small_run()
    g = r.group
    d = cer.transcript_digest(g, r.params, list(r.messages))
    assert d == cer.transcript_digest(g, r.params, list(reversed(r.messages)))
    changed = with_coefficient(
        r, 3, 2, response=(r.messages[2].coefficients[2].proof.response + 1) % int(g.q)
    )
    assert cer.transcript_digest(g, r.params, changed) != d


@pytest.mark.parametrize(
    ("k", "n"), [(0, 1), (2, 1), (1, 101), (101, 101), (0, 0), (True, 2), (1.0, 2)]
)
def test_ceremony_size_bounds(k: object, n: object) -> None:
    err = refusal(CeremonyParams, "c", k, n)
    assert err.code == "ceremony-params"


def test_ceremony_size_limits_are_inclusive() -> None:
    CeremonyParams("c", 1, 1)
    CeremonyParams("c", 100, 100)
    assert refusal(CeremonyParams, "", 1, 1).code == "ceremony-params"


# --- decryption shares ------------------------------------------------------------------------


@cache
def decryption_case() -> tuple[Ciphertext, tuple[DecryptionShare, ...]]:
    r = small_run()
    ct = encrypted_total(r, [1, 1, 0, 1], seed="dec")
    return ct, tuple(all_shares(r, ct, ctx()))


def combine_refusal(
    shares: list[DecryptionShare], context: list[bytes] | None = None
) -> CryptoError:
    r = small_run()
    ct, _ = decryption_case()
    return refusal(combine, r.group, r.committee, ct, shares, context or ctx())


def test_honest_decryption_shares_verify() -> None:
    r = small_run()
    ct, shares = decryption_case()
    for s in shares:
        verify_share(r.group, r.committee, ct, s, ctx())
    assert decrypt(r.group, r.committee, ct, list(shares[:3]), ctx(), DiscreteLog(r.group, 5)) == 3


def test_a_modified_decryption_share_is_refused_naming_the_scrutineer() -> None:
    r = small_run()
    g = r.group
    _, shares = decryption_case()
    s = shares[1]
    q = int(g.q)
    tampered = [
        replace(s, value=s.value * g.g % g.p),
        replace(s, proof=replace(s.proof, response=(s.proof.response + 1) % q)),
        replace(s, proof=replace(s.proof, challenge=(s.proof.challenge + 1) % q)),
        replace(s, proof=replace(s.proof, commitment_a=s.proof.commitment_a * g.g % g.p)),
        replace(s, proof=replace(s.proof, commitment_g=s.proof.commitment_g * g.g % g.p)),
        replace(s, index=4),  # scrutineer 2's share passed off as 4's
    ]
    for bad in tampered:
        err = combine_refusal([shares[0], bad, shares[2]])
        assert err.code == "bad-proof"
        assert f"scrutineer {bad.index}" in err.text.en and f"监票人 {bad.index}" in err.text.zh


def test_a_decryption_share_outside_the_group_is_refused() -> None:
    r = small_run()
    _, shares = decryption_case()
    err = combine_refusal([shares[0], shares[1], replace(shares[2], value=int(r.group.p - 1))])
    assert err.code == "not-in-group" and "scrutineer 3" in err.text.en


def test_a_decryption_share_for_another_round_or_ciphertext_is_refused() -> None:
    r = small_run()
    _, shares = decryption_case()
    for other in (ctx(round_id="meeting-1/round-2"), ctx(candidate=1)):
        err = combine_refusal(list(shares[:3]), other)
        assert err.code == "bad-proof" and "scrutineer 1" in err.text.en
    other_ct = encrypted_total(r, [1, 1, 0, 1], seed="other")
    err = refusal(combine, r.group, r.committee, other_ct, list(shares[:3]), ctx())
    assert err.code == "bad-proof"


def test_duplicate_or_unknown_decryption_shares_are_refused() -> None:
    _, shares = decryption_case()
    err = combine_refusal([shares[0], shares[1], shares[1]])
    assert err.code == "duplicate-share" and "scrutineer 2" in err.text.en
    for index in (0, 6, -1, True):
        err = combine_refusal([shares[0], shares[1], replace(shares[2], index=index)])
        assert err.code == "unknown-scrutineer"
    assert combine_refusal([]).code == "too-few-shares"


def test_a_scrutineer_refuses_to_decrypt_outside_the_subgroup_or_ceremony() -> None:
    r = small_run()
    g = r.group
    ct, _ = decryption_case()
    bad = Ciphertext(int(g.p - 1) * ct.alpha % g.p, ct.beta)  # would leak s mod 2
    err = refusal(partial_decrypt, g, r.committee, r.shares[0], bad, ctx(), SeededRandom(1))
    assert err.code == "not-in-group"
    other = replace(r.shares[0], ceremony_id="elsewhere")
    err = refusal(partial_decrypt, g, r.committee, other, ct, ctx(), SeededRandom(1))
    assert err.code == "wrong-ceremony"
    wrong_secret = replace(r.shares[0], secret=r.shares[1].secret)
    err = refusal(partial_decrypt, g, r.committee, wrong_secret, ct, ctx(), SeededRandom(1))
    assert err.code == "wrong-ceremony"


# --- keys at rest -----------------------------------------------------------------------------


def test_a_share_file_round_trips_and_refuses_a_wrong_passphrase() -> None:
    share = small_run().shares[2]
    text = ks.seal_share(share, "监票人三号 passphrase", SeededRandom(1), scrypt=FAST)
    doc = json.loads(text)
    assert doc["purpose"] == ks.PURPOSE_SHARE and doc["kdf"]["n"] == 2**10
    assert format(share.secret, "x") not in text
    assert ks.open_share(text, "监票人三号 passphrase") == share
    err = refusal(ks.open_share, text, "监票人三号 passphrasE")
    assert err.code == "keystore-unreadable"


def test_passphrases_are_compared_after_unicode_normalisation() -> None:
    share = small_run().shares[0]
    text = ks.seal_share(share, "caf\u00e9", SeededRandom(1), scrypt=FAST)
    assert ks.open_share(text, "cafe\u0301") == share


def reseal(text: str, **changes: object) -> str:
    doc = json.loads(text)
    doc.update(changes)
    return json.dumps(doc)


def b64_flip(value: str, at: int = 0) -> str:
    return base64.b64encode(flip(base64.b64decode(value), at)).decode()


def test_a_tampered_share_file_is_refused() -> None:
    share = small_run().shares[0]
    text = ks.seal_share(share, "pw", SeededRandom(2), scrypt=FAST)
    doc = json.loads(text)
    unreadable = [
        reseal(text, ciphertext=b64_flip(doc["ciphertext"])),
        reseal(text, ciphertext=b64_flip(doc["ciphertext"], 40)),
        reseal(text, nonce=b64_flip(doc["nonce"])),
        reseal(text, salt=b64_flip(doc["salt"])),
        reseal(text, kdf={"name": "scrypt", "n": 2**11, "r": 8, "p": 1}),
    ]
    for bad in unreadable:
        assert refusal(ks.open_share, bad, "pw").code == "keystore-unreadable"
    malformed = [
        "not json",
        reseal(text, version=2),
        reseal(text, version=True),  # equal to 1 in Python, but not the format
        reseal(text, format="other"),
        reseal(text, nonce=base64.b64encode(b"\x00" * 8).decode()),
        reseal(text, ciphertext="***"),
        reseal(text, kdf={"name": "scrypt", "n": 2**40, "r": 8, "p": 1}),
        reseal(text, kdf={"name": "scrypt", "n": 3000, "r": 8, "p": 1}),
        reseal(text, kdf={"name": "argon2", "n": 2**10, "r": 8, "p": 1}),
    ]
    for bad in malformed:
        assert refusal(ks.open_share, bad, "pw").code == "keystore-format"
    err = refusal(ks.open_share, reseal(text, purpose=ks.PURPOSE_COMMITTEE_KEY), "pw")
    assert err.code == "keystore-purpose"
    assert refusal(ks.open_committee_key, text, "pw").code == "keystore-purpose"


def test_sealing_uses_scrypt_2_15_unless_told_otherwise() -> None:
    assert ks.ScryptParams(2**15, 8, 1) == ks.DEFAULT_SCRYPT
    sealed = ks.seal(b"secret", "pw", "test", SeededRandom(3))
    assert (sealed.kdf.n, sealed.kdf.r, sealed.kdf.p) == (2**15, 8, 1)
    assert len(sealed.salt) == 16 and len(sealed.nonce) == 12
    text = sealed.to_json()
    assert json.loads(text)["kdf"] == {"name": "scrypt", "n": 32768, "r": 8, "p": 1}
    assert ks.open_sealed(ks.Sealed.from_json(text), "pw", "test") == b"secret"
    assert refusal(ks.seal, b"x", "", "test", SeededRandom(3)).code == "keystore-passphrase"


def test_fresh_salts_and_nonces_each_time() -> None:
    rng = SeededRandom(4)
    a = ks.seal(b"same", "pw", "test", rng, scrypt=FAST)
    b = ks.seal(b"same", "pw", "test", rng, scrypt=FAST)
    assert a.salt != b.salt and a.nonce != b.nonce and a.ciphertext != b.ciphertext


def test_the_committee_key_signs_and_verifies() -> None:
    private = ks.new_committee_key(SeededRandom(5))
    text = ks.seal_committee_key(private, "委员会", SeededRandom(6), scrypt=FAST)
    assert private.hex() not in text
    opened = ks.open_committee_key(text, "委员会")
    assert opened == private
    public = ks.committee_public_key(opened)
    message = b"record head " + bytes(32)
    signature = ks.sign(opened, message)
    ks.verify_signature(public, message, signature)
    assert refusal(ks.verify_signature, public, message + b"!", signature).code == "bad-signature"
    assert (
        refusal(ks.verify_signature, public, message, flip(signature, 10)).code == "bad-signature"
    )
    other = ks.committee_public_key(ks.new_committee_key(SeededRandom(7)))
    assert refusal(ks.verify_signature, other, message, signature).code == "bad-signature"
    assert refusal(ks.open_committee_key, text, "委员").code == "keystore-unreadable"
    assert refusal(ks.verify_signature, b"short", message, signature).code == "bad-signature"
