"""Batched verification: many group equations checked as one multi-exponentiation.

Each equation is written g^x · K^y = ∏ base_i^{e_i}. The verifier raises each to a fresh
random 128-bit weight and multiplies them all together, so one fixed-base power of g, one of
K and one multi-exponentiation over every distinct base replace several exponentiations per
equation. If any single equation is false, the product equation fails except with probability
below 2^-128, provided every base is a quadratic residue (no small-order part): the caller
checks that for every received element before adding it. Exponents on bases already known to
lie in the order-q subgroup are reduced mod q; the others are kept whole.
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

    def weight(self) -> int:
        self.equations += 1
        return self.rng.randbits(BATCH_BITS) | 1

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

    def holds(self) -> bool:
        g = self.group
        q = int(g.q)
        left = g.pow_g(self.g_exp % q)
        if self.key is not None and self.k_exp % q:
            left = g.mul(left, self.key.pow(self.k_exp % q))
        bases = [t[0] for t in self._terms.values()]
        exps = [t[1] % q if t[2] else t[1] for t in self._terms.values()]
        return bool(left == multi_exp(bases, exps, g.p))
