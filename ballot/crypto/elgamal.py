"""Exponential ElGamal: Enc(m; r) = (g^r, g^m · K^r), added by multiplying componentwise."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from ballot.crypto.arith import Num
from ballot.crypto.group import Group
from ballot.crypto.multiexp import FixedBase


@dataclass(frozen=True)
class Ciphertext:
    alpha: Num
    beta: Num


@dataclass(frozen=True, eq=False)
class PublicKey:
    """The joint election key K = g^s (s known to nobody alone), with its power table."""

    group: Group
    k: Num
    table: FixedBase = field(init=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "table", self.group.fixed_base(self.k))

    def pow(self, e: int) -> Num:
        return self.table.pow(e % int(self.group.q))


def encrypt(key: PublicKey, m: int, r: int) -> Ciphertext:
    g = key.group
    return Ciphertext(alpha=g.pow_g(r), beta=g.pow_g(m) * key.pow(r) % g.p)


def add(group: Group, ciphertexts: Iterable[Ciphertext]) -> Ciphertext:
    """The ciphertext of the sum of the plaintexts (homomorphic aggregation)."""
    alpha: Num = 1
    beta: Num = 1
    for c in ciphertexts:
        alpha = alpha * c.alpha % group.p
        beta = beta * c.beta % group.p
    return Ciphertext(alpha, beta)


def decrypt_to_power(group: Group, c: Ciphertext, secret: int) -> Num:
    """g^m from a ciphertext with the whole secret (tests and single-key tools only)."""
    return c.beta * group.inv(group.backend.powmod(c.alpha, secret, group.p)) % group.p
