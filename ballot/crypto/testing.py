"""A small group for fast tests, behind an explicit switch production code cannot reach.

Building it raises unless the environment sets BALLOT_ALLOW_TEST_GROUP=1 (the test suite's
conftest does); records carry the group's name, and the production group is the only one the
services load.
"""

from __future__ import annotations

import os

from ballot.crypto.arith import Backend, default_backend
from ballot.crypto.group import Group, build

_GROUP: dict[str, Group] = {}


def _find_test_group() -> tuple[int, int, int, int]:
    """Deterministically find p = 2·q·s + 1 (q 64-bit prime, s 128+-bit prime) and g."""
    from ballot.crypto.arith import INT

    q = (1 << 64) - 59  # prime
    s = (1 << 129) + 1
    while True:
        s += 2
        if not INT.is_prime(s):
            continue
        p = 2 * q * s + 1
        if INT.is_prime(p):
            break
    r = (p - 1) // q
    h = 2
    while pow(h, r, p) == 1:
        h += 1
    return p, q, r, pow(h, r, p)


def small_group(backend: Backend | None = None) -> Group:
    if os.environ.get("BALLOT_ALLOW_TEST_GROUP") != "1":
        raise RuntimeError(
            "the small test group is for tests only; set "
            "BALLOT_ALLOW_TEST_GROUP=1 in a test process to use it"
        )
    backend = backend or default_backend()
    if backend.name not in _GROUP:
        p, q, r, g = _find_test_group()
        _GROUP[backend.name] = build(
            "test-small", p, q, r, g, backend=backend, production=False, batchable=True
        )
    return _GROUP[backend.name]


class SeededRandom:
    """A deterministic RandomSource for tests and test vectors (never for real ballots)."""

    def __init__(self, seed: int | str) -> None:
        import random

        self._r = random.Random(seed)

    def randbelow(self, n: int) -> int:
        return self._r.randrange(n)

    def randbits(self, k: int) -> int:
        return self._r.getrandbits(k)
