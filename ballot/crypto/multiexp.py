"""Fast exponentiation: fixed-base tables and simultaneous multi-exponentiation.

Encrypting and proving raise only the generator g and the joint key K to secret exponents, so
a table of precomputed powers makes each exponentiation ~32 multiplications instead of ~300.
Validating a ballot checks many equations at once as one product of many bases raised to
many exponents (Pippenger's bucket method), which costs far less than one exponentiation each.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence

# Operation counts, read by `ballot bench` to show how far a step is from the arithmetic floor.
OPS: Counter[str] = Counter()


class FixedBase:
    """Powers of one base: table[i][d] = base^(d · 2^(window·i)) mod p, for exponents < 2^bits."""

    __slots__ = ("base", "bits", "modulus", "table", "window")

    def __init__(self, base: int, modulus: int, bits: int, window: int = 8) -> None:
        self.base = base
        self.modulus = modulus
        self.bits = bits
        self.window = window
        rows = -(-bits // window)
        table: list[list[int]] = []
        row_base = base
        for _ in range(rows):
            row = [1, row_base]
            for _ in range(2, 1 << window):
                row.append(row[-1] * row_base % modulus)
            table.append(row)
            row_base = row[-1] * row_base % modulus  # base^(2^(window·(i+1)))
        self.table = table

    def pow(self, exponent: int) -> int:
        """base^exponent mod p for 0 ≤ exponent < 2^bits."""
        if exponent < 0 or exponent.bit_length() > self.bits:
            raise ValueError("exponent outside the table's range")
        OPS["fixed_base_pow"] += 1
        mask = (1 << self.window) - 1
        result: int = 1
        m = self.modulus
        i = 0
        while exponent:
            digit = exponent & mask
            if digit:
                result = result * self.table[i][digit] % m
            exponent >>= self.window
            i += 1
        return result


def _best_window(count: int, bits: int) -> int:
    best, best_cost = 1, None
    for c in range(1, 16):
        cost = -(-bits // c) * (count + (2 << c))
        if best_cost is None or cost < best_cost:
            best, best_cost = c, cost
    return best


def multi_exp(bases: Sequence[int], exponents: Sequence[int], modulus: int) -> int:
    """∏ bases[i]^exponents[i] mod p (exponents ≥ 0), by Pippenger's bucket method."""
    if len(bases) != len(exponents):
        raise ValueError("bases and exponents differ in length")
    pairs = [(b, e) for b, e in zip(bases, exponents, strict=True) if e]
    if not pairs:
        return 1
    if any(e < 0 for _, e in pairs):
        raise ValueError("negative exponent")
    OPS["multi_exp"] += 1
    OPS["multi_exp_bases"] += len(pairs)
    bits = max(e.bit_length() for _, e in pairs)
    c = _best_window(len(pairs), bits)
    mask = (1 << c) - 1
    m = modulus
    result: int = 1
    for w in range(-(-bits // c) - 1, -1, -1):
        if result != 1:
            for _ in range(c):
                result = result * result % m
        shift = w * c
        buckets: dict[int, int] = {}
        for base, e in pairs:
            digit = (e >> shift) & mask
            if digit:
                held = buckets.get(digit)
                buckets[digit] = base if held is None else held * base % m
        if not buckets:
            continue
        # Σ d·bucket[d] as running products: acc = ∏_d running_d, running_d = ∏_{d' ≥ d} bucket[d']
        running: int = 1
        acc: int = 1
        for digit in range(max(buckets), 0, -1):
            held = buckets.get(digit)
            if held is not None:
                running = held if running == 1 else running * held % m
            if running != 1:
                acc = running if acc == 1 else acc * running % m
        result = acc if result == 1 else result * acc % m
    return result
