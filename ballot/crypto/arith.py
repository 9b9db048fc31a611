"""Big-integer arithmetic backend: gmpy2 when importable, Python ints otherwise.

Both give identical results (the tests run both); gmpy2 is about ten times faster at the
modular exponentiations that dominate. `BALLOT_ARITH=int` forces plain ints.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass

# Both backends' numbers behave as Python ints (gmpy2's mpz supports every operation used
# here), so to the type checker a big number is an `int`; the group's elements and scalars are
# the NewTypes `group.Element` and `group.Scalar` over it.


@dataclass(frozen=True)
class Backend:
    name: str
    mpz: Callable[[int], int]
    powmod: Callable[[int, int, int], int]
    invert: Callable[[int, int], int]
    jacobi: Callable[[int, int], int]
    is_prime: Callable[[int], bool]


def _jacobi(a: int, n: int) -> int:
    """The Jacobi symbol (a/n) for odd n > 0."""
    a %= n
    result = 1
    while a:
        while a % 2 == 0:
            a //= 2
            if n % 8 in (3, 5):
                result = -result
        a, n = n, a
        if a % 4 == 3 and n % 4 == 3:
            result = -result
        a %= n
    return result if n == 1 else 0


_SMALL_PRIMES = (2, 3, 5, 7, 11, 13, 17, 19, 23, 29, 31, 37, 41, 43, 47, 53, 59, 61, 67, 71)


def _rounds(n: int) -> int:
    """Miller–Rabin rounds. Only published constants are tested, never numbers an adversary
    chose, and for random odd composites of ≥ 1024 bits one round already errs with probability
    below 2^-80 (Damgård, Landrock and Pomerance 1993); large numbers get 4, small ones 40."""
    return 4 if n.bit_length() >= 1024 else 40


def _is_probable_prime(n: int) -> bool:
    """Miller–Rabin with bases derived deterministically from n."""
    rounds = _rounds(n)
    if n < 2:
        return False
    for p in _SMALL_PRIMES:
        if n % p == 0:
            return n == p
    d, s = n - 1, 0
    while d % 2 == 0:
        d //= 2
        s += 1
    for i in range(rounds):
        a = 2 + (pow(i + 7, 65537, n - 3) if n > 5 else 0)
        x = pow(a, d, n)
        if x in (1, n - 1):
            continue
        for _ in range(s - 1):
            x = x * x % n
            if x == n - 1:
                break
        else:
            return False
    return True


INT = Backend(
    name="int",
    mpz=int,
    powmod=pow,
    invert=lambda a, m: pow(a, -1, m),
    jacobi=_jacobi,
    is_prime=_is_probable_prime,
)


def _gmpy2_backend() -> Backend | None:
    try:
        import gmpy2  # type: ignore[import-untyped]
    except ImportError:
        return None
    return Backend(
        name="gmpy2",
        mpz=gmpy2.mpz,
        powmod=gmpy2.powmod,
        invert=gmpy2.invert,
        jacobi=lambda a, n: int(gmpy2.jacobi(a, n)),
        is_prime=lambda n: bool(gmpy2.is_prime(n, _rounds(int(n)))),
    )


GMPY2 = _gmpy2_backend()


def default_backend() -> Backend:
    choice = os.environ.get("BALLOT_ARITH", "auto")
    if choice == "int" or GMPY2 is None:
        return INT
    return GMPY2


def is_integer(x: object) -> bool:
    """An int or a gmpy2 mpz (never a bool, float or string)."""
    return not isinstance(x, bool) and (isinstance(x, int) or type(x).__name__ == "mpz")
