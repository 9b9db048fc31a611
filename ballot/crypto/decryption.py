"""Threshold decryption (联合解密) of a round total by any k of the n scrutineers.

Scrutineer ℓ's decryption share of a ciphertext (α, β) is M_ℓ = α^{s_ℓ} with a Chaum–Pedersen
proof that log_g K_ℓ = log_α M_ℓ, K_ℓ its public share key from the ceremony. The proof's
context holds the ceremony (group, id, k, n), the scrutineer's index, the whole ciphertext and
the caller's context (record hash, round id, candidate, which count), so a share proves
nothing about another ciphertext, round or scrutineer.

Any set S of at least k verified shares gives α^s = ∏_{ℓ∈S} M_ℓ^{λ_ℓ}, with the Lagrange
coefficients at 0, λ_ℓ = ∏_{m∈S, m≠ℓ} m / (m − ℓ) mod q; then g^m = β / α^s, and m is read
from a small discrete-log table.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from ballot.crypto import chaum_pedersen
from ballot.crypto import hashing as h
from ballot.crypto.arith import is_integer
from ballot.crypto.ceremony import CommitteeKey, ScrutineerShare
from ballot.crypto.chaum_pedersen import EqualityProof
from ballot.crypto.discrete_log import DiscreteLog
from ballot.crypto.elgamal import Ciphertext
from ballot.crypto.errors import CryptoError, refuse
from ballot.crypto.group import Element, Group, RandomSource
from ballot.crypto.multiexp import multi_exp

SHARE_TAG = "ballot/v1/decryption-share"


@dataclass(frozen=True)
class DecryptionShare:
    """Scrutineer `index`'s M = α^{s_index} for one ciphertext, with its proof."""

    index: int
    value: Element
    proof: EqualityProof


def share_context(
    group: Group,
    committee: CommitteeKey,
    index: int,
    ciphertext: Ciphertext,
    context: Sequence[bytes],
) -> list[bytes]:
    """The Chaum–Pedersen context of scrutineer `index`'s share of `ciphertext`."""
    return [
        h.text(SHARE_TAG),
        *committee.params.fields(group),
        h.u32(index),
        h.element(group, ciphertext.alpha),
        h.element(group, ciphertext.beta),
        h.seq(context),
    ]


def _checked_ciphertext(group: Group, ciphertext: Ciphertext) -> Ciphertext:
    for x in (ciphertext.alpha, ciphertext.beta):
        if not is_integer(x) or not group.is_element(x):
            raise refuse(
                "not-in-group",
                en="the ciphertext to decrypt is not a pair of group elements",
                zh="待解密的密文不是一对群元素",
            )
    z = group.backend.mpz
    return Ciphertext(Element(z(ciphertext.alpha)), Element(z(ciphertext.beta)))


def partial_decrypt(
    group: Group,
    committee: CommitteeKey,
    share: ScrutineerShare,
    ciphertext: Ciphertext,
    context: Sequence[bytes],
    rng: RandomSource,
) -> DecryptionShare:
    """Scrutineer `share.index`'s decryption share of `ciphertext`.

    The ciphertext is checked first: raising an element outside the subgroup to s_ℓ would leak
    s_ℓ modulo the small factors of its order. The secret is checked against the public share
    key, so a share file from another ceremony is refused rather than used."""
    if share.ceremony_id != committee.params.ceremony_id:
        raise refuse(
            "wrong-ceremony",
            en=f"this share belongs to ceremony {share.ceremony_id!r}, not "
            f"{committee.params.ceremony_id!r}",
            zh=f"该份额属于仪式 {share.ceremony_id!r}，而非 {committee.params.ceremony_id!r}",
        )
    public = committee.share_key(share.index)
    if group.pow_g(share.secret) != public:
        raise refuse(
            "wrong-ceremony",
            en=f"scrutineer {share.index}'s secret share does not match its public share key",
            zh=f"监票人 {share.index} 的秘密份额与其公开份额公钥不符",
        )
    ct = _checked_ciphertext(group, ciphertext)
    ctx = share_context(group, committee, share.index, ct, context)
    value, proof = chaum_pedersen.prove(group, share.secret, ct.alpha, ctx, rng)
    return DecryptionShare(share.index, value, proof)


def _invalid(index: int) -> CryptoError:
    return refuse(
        "bad-proof",
        en=f"the decryption share of scrutineer {index} is invalid",
        zh=f"监票人 {index} 的解密份额无效",
    )


def _verify_checked(
    group: Group,
    committee: CommitteeKey,
    ct: Ciphertext,
    share: DecryptionShare,
    context: Sequence[bytes],
) -> int:
    index = committee.params.check_index(share.index, "decryption share from", "解密份额来自")
    p = share.proof
    for x in (share.value, p.commitment_g, p.commitment_a):
        if not is_integer(x) or not group.is_element(x):
            raise refuse(
                "not-in-group",
                en=f"the decryption share of scrutineer {index} holds a value outside the group",
                zh=f"监票人 {index} 的解密份额含有非群元素",
            )
    for y in (p.challenge, p.response):
        if not is_integer(y):
            raise _invalid(index)
    ctx = share_context(group, committee, index, ct, context)
    if not chaum_pedersen.verify(group, committee.share_key(index), ct.alpha, share.value, p, ctx):
        raise _invalid(index)
    return index


def verify_share(
    group: Group,
    committee: CommitteeKey,
    ciphertext: Ciphertext,
    share: DecryptionShare,
    context: Sequence[bytes],
) -> None:
    """Refuse, naming the scrutineer, a share that is not α^{s_ℓ} with a valid proof for this
    ciphertext and context."""
    _verify_checked(group, committee, _checked_ciphertext(group, ciphertext), share, context)


def lagrange_at_zero(indices: Sequence[int], q: int) -> list[int]:
    """λ_ℓ = ∏_{m≠ℓ} m / (m − ℓ) mod q for each ℓ in `indices` (distinct, nonzero mod q)."""
    out = []
    for ell in indices:
        num, den = 1, 1
        for m in indices:
            if m != ell:
                num = num * m % q
                den = den * (m - ell) % q
        out.append(num * pow(den, -1, q) % q)
    return out


def interpolate(group: Group, points: Sequence[tuple[int, Element]]) -> Element:
    """∏ y_ℓ^{λ_ℓ} over points (ℓ, y_ℓ = α^{f(ℓ)}): α^{f(0)} whenever deg f < len(points).

    No checks: `combine` is the checked way; this is the bare formula."""
    lambdas = lagrange_at_zero([ell for ell, _ in points], int(group.q))
    return Element(multi_exp([y for _, y in points], lambdas, group.p))


def combine(
    group: Group,
    committee: CommitteeKey,
    ciphertext: Ciphertext,
    shares: Sequence[DecryptionShare],
    context: Sequence[bytes],
) -> Element:
    """g^m for `ciphertext` from at least k decryption shares, each verified.

    Refuses fewer than k shares, two shares from one scrutineer, a share from someone who is
    not a scrutineer of the ceremony, or an invalid share (naming its scrutineer)."""
    params = committee.params
    ct = _checked_ciphertext(group, ciphertext)
    seen: set[int] = set()
    for s in shares:
        index = params.check_index(s.index, "decryption share from", "解密份额来自")
        if index in seen:
            raise refuse(
                "duplicate-share",
                en=f"two decryption shares from scrutineer {index}",
                zh=f"收到监票人 {index} 的两份解密份额",
            )
        seen.add(index)
    if len(seen) < params.k:
        raise refuse(
            "too-few-shares",
            en=f"{len(seen)} decryption shares; {params.k} of the {params.n} scrutineers are needed",
            zh=f"仅有 {len(seen)} 份解密份额，需要 {params.n} 名监票人中的 {params.k} 名",
        )
    for s in shares:
        _verify_checked(group, committee, ct, s, context)
    alpha_s = interpolate(group, [(s.index, s.value) for s in shares])
    return group.mul(ct.beta, group.inv(alpha_s))


def decrypt(
    group: Group,
    committee: CommitteeKey,
    ciphertext: Ciphertext,
    shares: Sequence[DecryptionShare],
    context: Sequence[bytes],
    log: DiscreteLog,
) -> int:
    """The plaintext total m (0 ≤ m ≤ log.limit) from at least k verified shares."""
    return log(combine(group, committee, ciphertext, shares, context))


__all__ = [
    "DecryptionShare",
    "combine",
    "decrypt",
    "interpolate",
    "lagrange_at_zero",
    "partial_decrypt",
    "share_context",
    "verify_share",
]


def partial_decrypt_many(
    group: Group,
    committee: CommitteeKey,
    share: ScrutineerShare,
    items: Sequence[tuple[Ciphertext, Sequence[bytes]]],
    rng: RandomSource,
) -> list[DecryptionShare]:
    """`partial_decrypt` for every (ciphertext, context), checking all the ciphertexts in one
    batch first (their membership protects s_ℓ exactly as the single check does)."""
    values = group.check_elements(
        [x for ct, _ in items for x in (ct.alpha, ct.beta)], "ciphertexts to decrypt", rng
    )
    checked = [Ciphertext(values[2 * i], values[2 * i + 1]) for i in range(len(items))]
    if share.ceremony_id != committee.params.ceremony_id:
        raise refuse(
            "wrong-ceremony",
            en=f"this share belongs to ceremony {share.ceremony_id!r}",
            zh=f"该份额属于仪式 {share.ceremony_id!r}",
        )
    if group.pow_g(share.secret) != committee.share_key(share.index):
        raise refuse(
            "wrong-ceremony",
            en=f"scrutineer {share.index}'s secret share does not match its public key",
            zh=f"监票人 {share.index} 的秘密份额与其公开份额公钥不符",
        )
    out = []
    for ct, (_, context) in zip(checked, items, strict=True):
        ctx = share_context(group, committee, share.index, ct, context)
        value, proof = chaum_pedersen.prove(group, share.secret, ct.alpha, ctx, rng)
        out.append(DecryptionShare(share.index, value, proof))
    return out


def verify_shares(
    group: Group,
    committee: CommitteeKey,
    items: Sequence[tuple[Ciphertext, DecryptionShare, Sequence[bytes]]],
    rng: RandomSource,
    *,
    ciphertexts_checked: bool = False,
) -> None:
    """`verify_share` for many shares at once: every received element in one batched subgroup
    check, every challenge recomputed, and all the Chaum–Pedersen equations as one weighted
    multi-exponentiation (a false share passes with probability below 2^-127). On failure the
    shares are checked one by one to name the scrutineer. `ciphertexts_checked` when the
    caller computed the ciphertexts itself from validated ballots."""
    from ballot.crypto.batch import BatchVerifier

    if not ciphertexts_checked:
        group.check_elements(
            [x for ct, _, _ in items for x in (ct.alpha, ct.beta)], "ciphertexts", rng
        )
    received: list[int] = []
    for _, s, _ in items:
        index = committee.params.check_index(s.index, "decryption share from", "解密份额来自")
        p = s.proof
        if not all(is_integer(x) for x in (p.challenge, p.response)):
            raise _invalid(index)
        received += [s.value, p.commitment_g, p.commitment_a]
    try:
        values = group.check_elements(received, "decryption shares", rng)
    except CryptoError:
        for ct, s, ctx in items:  # name the scrutineer
            _verify_checked(group, committee, ct, s, ctx)
        raise
    q = int(group.q)
    batch = BatchVerifier(group, None, rng)
    for i, (ct, s, context) in enumerate(items):
        m, a, b = values[3 * i : 3 * i + 3]
        p = s.proof
        ctx = share_context(group, committee, s.index, ct, context)
        public = committee.share_key(s.index)
        if not (
            0 <= p.challenge < q and 0 <= p.response < q
        ) or p.challenge != chaum_pedersen.challenge(group, public, ct.alpha, m, a, b, ctx):
            raise _invalid(s.index)
        w = batch.weight()  # g^v = a · K_ℓ^c
        batch.lhs_g(w * p.response)
        batch.rhs(a, w, in_subgroup=True)
        batch.rhs(public, w * p.challenge, in_subgroup=True)
        w = batch.weight()  # 1 = b · M^c · α^{-v}
        batch.rhs(b, w, in_subgroup=True)
        batch.rhs(m, w * p.challenge, in_subgroup=True)
        batch.rhs(ct.alpha, (-w * p.response) % q, in_subgroup=True)
    if not batch.holds():
        for ct, s, ctx in items:
            _verify_checked(group, committee, ct, s, ctx)
        raise refuse("bad-proof", en="a decryption share is invalid", zh="有解密份额无效")
