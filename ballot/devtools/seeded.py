"""A deterministic random source, for test vectors and tests only (never for real ballots)."""

from __future__ import annotations

import random


class SeededRandom:
    """A seeded RandomSource: the same seed gives the same scalars, so vectors are fixed."""

    def __init__(self, seed: int | str) -> None:
        self._r = random.Random(seed)

    def randbelow(self, n: int) -> int:
        return self._r.randrange(n)

    def randbits(self, k: int) -> int:
        return self._r.getrandbits(k)
