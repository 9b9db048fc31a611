"""A small group for fast tests. It lives with the tests, outside the installed package, so
production code cannot build it: records carry the group's name, and the production group is
the only one the package knows."""

from __future__ import annotations

from ballot.crypto.arith import INT, Backend, default_backend
from ballot.crypto.group import Group, build

_GROUP: dict[str, Group] = {}


def _find_test_group() -> tuple[int, int, int, int]:
    """Deterministically find p = 2·q·s + 1 (q 64-bit prime, s 128+-bit prime) and g."""
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
    backend = backend or default_backend()
    if backend.name not in _GROUP:
        p, q, r, g = _find_test_group()
        _GROUP[backend.name] = build(
            "test-small", p, q, r, g, backend=backend, production=False, batchable=True
        )
    return _GROUP[backend.name]
