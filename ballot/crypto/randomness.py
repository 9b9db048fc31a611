"""The production source of secret randomness: the operating system's CSPRNG."""

from __future__ import annotations

import secrets

from ballot.crypto.group import RandomSource


class SystemRandom:
    def randbelow(self, n: int) -> int:
        return secrets.randbelow(n)

    def randbits(self, k: int) -> int:
        return secrets.randbits(k)


def random_bytes(rng: RandomSource, n: int) -> bytes:
    """n bytes from the injected source (keys, salts and nonces never come from anywhere else)."""
    return int(rng.randbits(8 * n)).to_bytes(n, "big")
