"""Fast exponentiation: fixed-base tables and simultaneous multi-exponentiation.

Encrypting and proving raise only the generator g and the joint key K to secret exponents, so
a table of precomputed powers makes each exponentiation ~32 multiplications instead of ~300.
Validating a ballot checks many equations at once as one product of many bases raised to
many exponents, which costs far less than one exponentiation each: for up to a few hundred
bases by interleaved sliding windows (Straus: one shared chain of squarings, each base
multiplied in once per window of its own exponent), for more by Pippenger's bucket method.
`multi_exp` estimates both and takes the cheaper.
"""

from __future__ import annotations

import re
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


def _sliding_window(bits: int) -> int:
    """The window for one base's exponent of this many bits: the table of odd powers costs
    2^(w−1) multiplications, the exponent about bits/(w+1)."""
    return min(range(1, 9), key=lambda w: (1 << (w - 1)) + bits / (w + 1))


_WINDOWS = {w: re.compile("1" if w == 1 else f"1(?:[01]{{0,{w - 2}}}1)?") for w in range(1, 9)}


# Measured here (a ballot's batch timed with each method forced): per counted multiplication,
# Straus's loop costs about 1.5× Pippenger's (its tables are read all over memory; Pippenger's
# first entry in each bucket is free).
STRAUS_WEIGHT = 1.5


def _straus_cost(bit_lengths: Sequence[int]) -> float:
    cost = float(max(bit_lengths))  # the shared squarings
    for b in bit_lengths:
        w = _sliding_window(b)
        cost += (1 << (w - 1)) + b / (w + 1)
    return cost


def _pippenger_cost(bit_lengths: Sequence[int]) -> float:
    bits = max(bit_lengths)
    c = _best_window(len(bit_lengths), bits)
    return bits + sum(-(-b // c) for b in bit_lengths) + -(-bits // c) * (2 << c)


def multi_exp(bases: Sequence[int], exponents: Sequence[int], modulus: int) -> int:
    """∏ bases[i]^exponents[i] mod p (exponents ≥ 0), by whichever of Straus's interleaved
    sliding windows and Pippenger's buckets is estimated cheaper for these exponents."""
    if len(bases) != len(exponents):
        raise ValueError("bases and exponents differ in length")
    pairs = [(b, e) for b, e in zip(bases, exponents, strict=True) if e]
    if not pairs:
        return 1
    if any(e < 0 for _, e in pairs):
        raise ValueError("negative exponent")
    OPS["multi_exp"] += 1
    OPS["multi_exp_bases"] += len(pairs)
    lengths = [e.bit_length() for _, e in pairs]
    if STRAUS_WEIGHT * _straus_cost(lengths) <= _pippenger_cost(lengths):
        return _straus(pairs, max(lengths), modulus)
    return _pippenger(pairs, max(lengths), modulus)


def _straus(pairs: Sequence[tuple[int, int]], bits: int, m: int) -> int:
    """Left-to-right interleaved sliding windows: each exponent is cut into windows that start
    and end with a 1 bit; the odd power for each window is multiplied in at the window's
    lowest bit, on the way down one chain of squarings shared by all bases."""
    if any(e.bit_length() > bits for _, e in pairs):
        raise ValueError("an exponent is longer than the bits given")
    at: list[list[int]] = [[] for _ in range(bits)]
    for base, e in pairs:
        text = format(e, "b")
        w = _sliding_window(len(text))
        odd = [base]  # base^1, base^3, …, base^(2^w − 1)
        if w > 1:
            square = base * base % m
            for _ in range((1 << (w - 1)) - 1):
                odd.append(odd[-1] * square % m)
        top = len(text)
        for window in _WINDOWS[w].finditer(text):
            at[top - window.end()].append(odd[int(window.group(), 2) >> 1])
    result: int = 1
    for bit in range(bits - 1, -1, -1):
        if result != 1:
            result = result * result % m
        for factor in at[bit]:
            result = factor if result == 1 else result * factor % m
    return result


def _pippenger(pairs: Sequence[tuple[int, int]], bits: int, modulus: int) -> int:
    if any(e.bit_length() > bits for _, e in pairs):
        raise ValueError("an exponent is longer than the bits given")
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
