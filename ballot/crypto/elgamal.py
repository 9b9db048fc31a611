"""Exponential ElGamal: Enc(m; r) = (g^r, g^m · K^r), added by multiplying componentwise."""

from __future__ import annotations

import threading
from collections.abc import Iterable
from dataclasses import dataclass, field

from ballot.crypto.group import Element, Group
from ballot.crypto.multiexp import FixedBase


@dataclass(frozen=True)
class Ciphertext:
    alpha: Element
    beta: Element


@dataclass(frozen=True, eq=False)
class PublicKey:
    """The joint election key K = g^s (s known to nobody alone).

    Its power table (4 MiB, ~40 ms to build) is made on the first `pow`, once however many
    threads ask at the same moment: encrypting and proving need it, validating a ballot does
    not (the batch raises K inside its multi-exponentiation)."""

    group: Group
    k: Element
    _table: list[FixedBase] = field(init=False, default_factory=list, repr=False)
    _lock: threading.Lock = field(init=False, default_factory=threading.Lock, repr=False)

    @property
    def table(self) -> FixedBase:
        if not self._table:
            with self._lock:
                if not self._table:
                    self._table.append(self.group.fixed_base(self.k))
        return self._table[0]

    def pow(self, e: int) -> Element:
        return Element(self.table.pow(e % int(self.group.q)))


def encrypt(key: PublicKey, m: int, r: int) -> Ciphertext:
    g = key.group
    return Ciphertext(alpha=g.pow_g(r), beta=g.mul(g.pow_g(m), key.pow(r)))


def add(group: Group, ciphertexts: Iterable[Ciphertext]) -> Ciphertext:
    """The ciphertext of the sum of the plaintexts (homomorphic aggregation)."""
    alpha = beta = 1
    for c in ciphertexts:
        alpha = alpha * c.alpha % group.p
        beta = beta * c.beta % group.p
    return Ciphertext(Element(alpha), Element(beta))


def decrypt_to_power(group: Group, c: Ciphertext, secret: int) -> Element:
    """g^m from a ciphertext with the whole secret (tests and single-key tools only)."""
    return group.mul(c.beta, group.inv(group.pow(c.alpha, secret)))
