"""The production source of secret randomness: the operating system's CSPRNG."""

from __future__ import annotations

import secrets


class SystemRandom:
    def randbelow(self, n: int) -> int:
        return secrets.randbelow(n)

    def randbits(self, k: int) -> int:
        return secrets.randbits(k)
