"""The group: ElectionGuard 1.x's 4096-bit prime p with the 256-bit prime-order subgroup.

Loaded from `group-4096.json` (the published constants, source named inside) and validated
at load: p and q prime, q | p − 1, g of order q. Every element received from outside is
checked for membership of the order-q subgroup (1 < x < p and x^q = 1), one at a time or, for
a whole ballot, in one batch (see `check_elements`).

A small group for fast tests exists only in the test suite (tests/support/small_group.py),
outside the installed package: `production_group` is the only group production code builds.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from functools import cache
from importlib import resources
from typing import NewType, Protocol

from ballot.crypto.arith import Backend, default_backend, is_integer
from ballot.crypto.errors import refuse
from ballot.crypto.multiexp import FixedBase, multi_exp

BATCH_BITS = 128  # random odd exponents in batched checks: a false pass has probability ≤ 2^-127

Element = NewType("Element", int)
"""A member of the order-q subgroup. A value received from outside becomes one only through
`Group.element` or `Group.check_elements`; the group's operations keep it one."""

Scalar = NewType("Scalar", int)
"""An exponent in [0, q). A received value becomes one only through `Group.scalar`."""


def received(x: int) -> Element:
    """A number read from a message, a file or the record, typed as an element *before* it is
    checked. Only the codec and the services' stored values call this; every path that relies
    on such a value checks it first (`validate_ballot`, `verify_transcript` and
    `verify_shares` check every received element, in batches)."""
    return Element(x)


class RandomSource(Protocol):
    """Where secret randomness comes from: `secrets` in production, a seeded source in tests."""

    def randbelow(self, n: int) -> int: ...

    def randbits(self, k: int) -> int: ...


@dataclass(frozen=True, eq=False)
class Group:
    name: str
    p: int
    q: int
    r: int
    g: Element
    backend: Backend
    production: bool
    # True when (p-1)/2 = q·s with s prime and > 2^BATCH_BITS: then quadratic residues have no
    # small-order part and random-exponent batch checks are sound.
    batchable: bool
    element_bytes: int = field(init=False)
    scalar_bytes: int = field(init=False)
    g_table: FixedBase = field(init=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "element_bytes", (int(self.p).bit_length() + 7) // 8)
        object.__setattr__(self, "scalar_bytes", (int(self.q).bit_length() + 7) // 8)
        object.__setattr__(self, "g_table", FixedBase(self.g, self.p, int(self.q).bit_length()))

    # --- elements -----------------------------------------------------------------------

    def is_element(self, x: int) -> bool:
        """Membership of the order-q subgroup, excluding the identity: 1 < x < p, x^q = 1."""
        return bool(1 < x < self.p and self.backend.powmod(x, self.q, self.p) == 1)

    def element(self, x: int, what: str) -> Element:
        """A received element, checked on its own; refused with the item named."""
        if not is_integer(x) or not self.is_element(x):
            raise refuse(
                "not-in-group", en=f"{what} is not an element of the group", zh=f"{what} 不是群元素"
            )
        return Element(self.backend.mpz(x))

    def received_hex(self, text: str) -> Element:
        """`received` for the hex form elements travel in (still to be checked)."""
        return received(self.backend.mpz(int(text, 16)))

    def scalar(self, x: int, what: str) -> Scalar:
        """A received scalar, checked: an integer with 0 ≤ x < q."""
        if not is_integer(x) or not 0 <= x < self.q:
            raise refuse(
                "not-a-scalar", en=f"{what} is not a number below q", zh=f"{what} 不是小于 q 的数"
            )
        return Scalar(self.backend.mpz(x))

    def _in_range(self, xs: Sequence[int], what: str) -> list[Element]:
        values = []
        for i, x in enumerate(xs):
            if not is_integer(x) or not 1 < x < self.p:
                raise refuse(
                    "not-in-group",
                    en=f"{what} #{i} is outside 1 < x < p",
                    zh=f"{what} 第 {i} 项不在 1 < x < p 范围内",
                )
            values.append(Element(self.backend.mpz(x)))
        return values

    def screen_elements(self, xs: Sequence[int], what: str) -> list[Element]:
        """The cheap part of the membership check, for elements whose x^q = 1 a batch checks
        (`BatchVerifier.claim_subgroup`): each must be an integer with 1 < x < p and a
        quadratic residue. Only for a batchable group."""
        if not self.batchable:
            raise ValueError("membership can be batched only in a batchable group")
        values = self._in_range(xs, what)
        for i, x in enumerate(values):
            if self.backend.jacobi(x, self.p) != 1:
                raise refuse(
                    "not-in-group",
                    en=f"{what} #{i} is not an element of the group",
                    zh=f"{what} 第 {i} 项不是群元素",
                )
        return values

    def _culprit(self, xs: Sequence[Element], what: str) -> None:
        """Refuse, naming the first of these elements outside the subgroup (each checked alone)."""
        for i, x in enumerate(xs):
            if not self.is_element(x):
                raise refuse(
                    "not-in-group",
                    en=f"{what} #{i} is not an element of the group",
                    zh=f"{what} 第 {i} 项不是群元素",
                )

    def check_elements(self, xs: Sequence[int], what: str, rng: RandomSource) -> list[Element]:
        """Check many received elements at once.

        Each must satisfy 1 < x < p and be a quadratic residue (Jacobi symbol 1), which rules
        out the order-2 part; then y = ∏ x_i^{e_i} with random 128-bit e_i must satisfy
        y^q = 1. Any x_i outside the order-q subgroup makes that fail except with probability
        below 2^-127, because the quadratic residues form a group of order q·s, s a large prime.
        """
        if not self.batchable:
            values = self._in_range(xs, what)
            self._culprit(values, what)
            return values
        values = self.screen_elements(xs, what)
        weights = [rng.randbits(BATCH_BITS) | 1 for _ in values]
        y = multi_exp(values, weights, self.p)
        if self.backend.powmod(y, self.q, self.p) != 1:
            self._culprit(values, what)
            raise refuse(
                "not-in-group",
                en=f"{what}: an element is outside the group",
                zh=f"{what}：有元素不属于该群",
            )
        return values

    # --- arithmetic ---------------------------------------------------------------------

    def pow_g(self, e: int) -> Element:
        return Element(self.g_table.pow(e % self.q))

    def pow(self, x: Element, e: int) -> Element:
        return Element(self.backend.powmod(x, e % self.q, self.p))

    def mul(self, *xs: Element) -> Element:
        out = 1
        for x in xs:
            out = out * x % self.p
        return Element(out)

    def product(self, xs: Iterable[Element]) -> Element:
        return self.mul(*xs)

    def inv(self, x: Element) -> Element:
        return Element(self.backend.invert(x, self.p))

    def identity(self) -> Element:
        """1: the product of no elements (never accepted from outside: `element` refuses it)."""
        return Element(1)

    def random_scalar(self, rng: RandomSource) -> Scalar:
        """Uniform in [1, q)."""
        return Scalar(1 + rng.randbelow(int(self.q) - 1))

    def fixed_base(self, base: Element) -> FixedBase:
        return FixedBase(base, self.p, int(self.q).bit_length())


def validate(group: Group) -> None:
    """Refuse constants that do not form the group they claim."""
    b, p, q, r, g = group.backend, group.p, group.q, group.r, group.g
    problems = []
    if not b.is_prime(q):
        problems.append("q is not prime")
    if p - 1 != q * r:
        problems.append("p - 1 != q·r")
    if r % q == 0:
        problems.append("q divides r")
    if not 1 < g < p or b.powmod(g, q, p) != 1:
        problems.append("g is not of order q")
    if not b.is_prime(p):
        problems.append("p is not prime")
    if problems:
        raise ValueError(f"group {group.name}: " + "; ".join(problems))


def build(
    name: str,
    p: int,
    q: int,
    r: int,
    g: int,
    *,
    backend: Backend,
    production: bool,
    batchable: bool,
) -> Group:
    z = backend.mpz
    group = Group(
        name=name,
        p=z(p),
        q=z(q),
        r=z(r),
        g=Element(z(g)),
        backend=backend,
        production=production,
        batchable=batchable,
    )
    validate(group)
    return group


_BUILDING = threading.Lock()


def production_group(backend: Backend | None = None) -> Group:
    """The ElectionGuard 1.x 4096-bit group, validated (cached per process and backend).
    Built once however many threads ask at the same moment (it takes ~150 ms: the primality
    tests and g's power table), not once per thread of a server's first burst of casts."""
    with _BUILDING:
        return _production_group(backend or default_backend())


@cache
def _production_group(backend: Backend) -> Group:
    raw = json.loads(resources.files("ballot.crypto").joinpath("group-4096.json").read_text())
    p, q, r, g = (int(raw[k], 16) for k in ("p", "q", "r", "g"))
    half = r // 2
    batchable = r % 2 == 0 and half.bit_length() > BATCH_BITS and backend.is_prime(half)
    return build(
        "electionguard-4096", p, q, r, g, backend=backend, production=True, batchable=batchable
    )
