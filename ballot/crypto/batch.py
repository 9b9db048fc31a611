"""Batched verification: many group equations checked as one multi-exponentiation.

Each equation is written g^x · K^y = ∏ base_i^{e_i}. The verifier raises each to a fresh
random 128-bit weight and multiplies them all together, so one fixed-base power of g, one of
K and one multi-exponentiation over every distinct base replace several exponentiations per
equation. If any single equation is false, the product equation fails except with probability
below 2^-127 (odd weights: 127 random bits), provided every base is a quadratic residue (no small-order part): the caller
checks that for every received element before adding it. Exponents on bases already known to
lie in the order-q subgroup are reduced mod q; the others are kept whole.

A base can also be *claimed* to lie in the subgroup (`claim_subgroup`): the batch then checks
base^q = 1 too, by adding r·q (r a fresh random weight) to the base's reduced exponent, so a
ballot's ciphertexts need no separate membership multi-exponentiation. Soundness: the
quadratic residues have order q·s (s prime, s > 2^128); in the order-s part the product's
logarithm is Σ r_i·q·u_i + (terms that do not depend on r), u_i the order-s part of base i, so
whatever the other weights, if any u_i ≠ 0 at most one r_i in 2^127 makes it vanish; once every u_i = 0 the reductions
mod q are exact and the argument above applies.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from ballot.crypto.elgamal import PublicKey
from ballot.crypto.group import BATCH_BITS, Element, Group, RandomSource
from ballot.crypto.multiexp import multi_exp


@dataclass
class BatchVerifier:
    group: Group
    key: PublicKey | None
    rng: RandomSource
    g_exp: int = 0
    k_exp: int = 0
    equations: int = 0
    # base → (base, its exponent so far, whether it is known to have order q)
    _terms: dict[int, tuple[Element, int, bool]] = field(default_factory=dict)
    # base → its random weight r for the claim base^q = 1
    _claims: dict[int, tuple[Element, int]] = field(default_factory=dict)

    _pool: int = 0
    _pooled: int = 0

    def weight(self) -> int:
        """A fresh random odd BATCH_BITS-bit weight. Drawn from the source 64 at a time (one
        system call instead of 64; the bits are just as uniform and independent)."""
        self.equations += 1
        if not self._pooled:
            self._pool, self._pooled = self.rng.randbits(BATCH_BITS * 64), 64
        w = self._pool & ((1 << BATCH_BITS) - 1)
        self._pool >>= BATCH_BITS
        self._pooled -= 1
        return w | 1

    def lhs_g(self, e: int) -> None:
        self.g_exp += e

    def lhs_k(self, e: int) -> None:
        if self.key is None:
            raise ValueError("this batch has no public key")
        self.k_exp += e

    def rhs(self, base: Element, e: int, in_subgroup: bool) -> None:
        """base^e on the right-hand side; `in_subgroup` when base is known to have order q."""
        key = int(base)
        term = self._terms.get(key)
        if term is None:
            self._terms[key] = (base, e, in_subgroup)
        else:
            self._terms[key] = (base, term[1] + e, term[2] and in_subgroup)

    def claim_subgroup(self, base: Element) -> None:
        """Check base^q = 1 in this batch (the base must be a quadratic residue, 1 < x < p)."""
        if not self.group.batchable:
            raise ValueError(
                "membership can be batched only in a group whose residues have no small-order part"
            )
        if int(base) not in self._claims:
            self._claims[int(base)] = (base, self.weight())

    def holds(self) -> bool:
        g = self.group
        q = int(g.q)
        left = g.pow_g(self.g_exp % q)
        bases = [t[0] for t in self._terms.values()]
        exps = [t[1] % q if t[2] else t[1] for t in self._terms.values()]
        for i, key in enumerate(self._terms):
            if key in self._claims:
                exps[i] += self._claims[key][1] * q
        for key, (base, r) in self._claims.items():
            if key not in self._terms:
                bases.append(base)
                exps.append(r * q)
        if self.key is not None and self.k_exp % q:  # K^x on the left is K^(q−x) on the right
            bases.append(self.key.k)
            exps.append(q - self.k_exp % q)
        return bool(left == multi_exp(bases, exps, g.p))
