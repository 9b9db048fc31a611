"""`ballot bench`: the cost of encrypting and of validating one ballot, measured here.

Reports medians over repeated runs in one process (compare figures as ratios: the machine is
shared and noisy), the operations each step performs, the cost of one full modular
exponentiation (`powmod_ms`) and each step in those units, and the same per proven 0/1
selection (three per candidate: approve ∈ {0,1}, oppose ∈ {0,1}, approve + oppose ∈ {0,1}).
"""

from __future__ import annotations

import os
import statistics
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import replace
from typing import Any

from ballot.crypto import multiexp, range_proof, selection_proof
from ballot.crypto.arith import Backend, default_backend
from ballot.crypto.ballot import (
    BallotContext,
    EncryptedBallot,
    cast_message,
    encrypt_ballot,
    tracker,
    validate_ballot,
)
from ballot.crypto.elgamal import PublicKey, add
from ballot.crypto.group import production_group
from ballot.crypto.randomness import SystemRandom
from ballot.crypto.signature import CredentialKey
from ballot.crypto.signature import verify as verify_signature


def _counting(backend: Backend, ops: Counter[str]) -> Backend:
    def powmod(x: Any, e: Any, m: Any) -> Any:
        ops["powmod"] += 1
        return backend.powmod(x, e, m)

    def jacobi(x: Any, n: Any) -> int:
        ops["jacobi"] += 1
        return backend.jacobi(x, n)

    return replace(backend, name=backend.name + "+counted", powmod=powmod, jacobi=jacobi)


def _median_ms(fn: Callable[[], object], repeats: int) -> float:
    times = []
    for _ in range(repeats):
        t0 = time.perf_counter()
        fn()
        times.append((time.perf_counter() - t0) * 1000)
    return statistics.median(times)


def naive_validate(key: PublicKey, ctx: BallotContext, ballot: EncryptedBallot) -> None:
    """The same checks done the plain way, for comparison only: every element checked with its
    own powmod, every proof equation with its own exponentiations, no tables, no batching."""
    g = key.group
    b = g.backend
    p, q = g.p, int(g.q)

    def power(x: Any, e: int) -> Any:
        return b.powmod(x, e % q, p)

    elements = [
        x for s in ballot.selections for c in (s.approve, s.oppose) for x in (c.alpha, c.beta)
    ]
    elements += [x for s in ballot.selections for pair in s.proof.commitments for x in pair]
    elements += [x for pair in ballot.total_proof.commitments for x in pair]
    if not all(g.is_element(x) for x in elements):
        raise ValueError("element check failed")
    for i, s in enumerate(ballot.selections):
        context = ctx.proof_context("selection", i)
        if not selection_proof.challenge_ok(key, s.approve, s.oppose, context, s.proof):
            raise ValueError("challenge")
        z = selection_proof.combiner(key, s.approve, s.oppose, context)
        big_a = s.approve.alpha * power(s.oppose.alpha, z) % p
        for (a_i, o_i), (a, bb), c, v in zip(
            selection_proof.BRANCHES,
            s.proof.commitments,
            s.proof.challenges,
            s.proof.responses,
            strict=True,
        ):
            big_b = s.approve.beta * power(s.oppose.beta, z) * power(g.g, -(a_i + z * o_i)) % p
            if (
                power(g.g, v) != a * power(big_a, c) % p
                or power(key.k, v) != bb * power(big_b, c) % p
            ):
                raise ValueError("equation")
    total = add(g, (s.approve for s in ballot.selections))
    t = ballot.total_proof
    if not range_proof.challenge_ok(
        key, total, ctx.max_approvals, ctx.proof_context("total", 0), t
    ):
        raise ValueError("challenge")
    for j, ((a, bb), c, v) in enumerate(zip(t.commitments, t.challenges, t.responses, strict=True)):
        shifted = total.beta * power(g.g, -j) % p
        if (
            power(g.g, v) != a * power(total.alpha, c) % p
            or power(key.k, v) != bb * power(shifted, c) % p
        ):
            raise ValueError("equation")


def run(
    candidates: int, max_approvals: int, repeats: int = 9, naive: bool = False
) -> dict[str, Any]:
    if not 1 <= max_approvals <= candidates:
        raise ValueError("--max-approvals must be between 1 and --candidates")
    base = default_backend()
    counted: Counter[str] = Counter()
    group = production_group(_counting(base, counted))
    rng = SystemRandom()
    key = PublicKey(group, group.pow_g(group.random_scalar(rng)))
    ctx = BallotContext(
        os.urandom(32),
        "bench/round-1",
        tuple(f"candidate-{i}" for i in range(candidates)),
        max_approvals,
    )
    opposing = min(candidates - max_approvals, max_approvals)
    choices = (
        ["approve"] * max_approvals
        + ["oppose"] * opposing
        + ["abstain"] * (candidates - max_approvals - opposing)
    )
    credential = CredentialKey.generate(rng)

    def cast() -> tuple[Any, bytes]:
        ballot = encrypt_ballot(key, ctx, choices, rng)
        return ballot, credential.sign(cast_message(tracker(key, ctx, ballot)))

    ballot, signature = cast()

    def check() -> None:
        validate_ballot(key, ctx, ballot, rng)
        verify_signature(
            credential.public_bytes(), cast_message(tracker(key, ctx, ballot)), signature
        )

    def measure_ops(fn: Callable[[], object]) -> dict[str, int]:
        counted.clear()
        before = Counter(multiexp.OPS)
        fn()
        after = Counter(multiexp.OPS)
        after.subtract(before)
        return {**{k: v for k, v in counted.items()}, **{k: v for k, v in after.items() if v}}

    check()  # warm up, and refuse to report figures for a ballot that does not validate
    encrypt_ops = measure_ops(cast)
    validate_ops = measure_ops(check)
    encrypt_ms = _median_ms(cast, repeats)
    validate_ms = _median_ms(check, repeats)
    x = group.pow_g(group.random_scalar(rng))
    exponents = [group.random_scalar(rng) for _ in range(repeats * 4)]
    it = iter(exponents)
    powmod_ms = _median_ms(lambda: base.powmod(x, next(it), group.p), repeats * 4)
    selections = 3 * candidates
    extra: dict[str, Any] = {}
    if naive:
        naive_validate(key, ctx, ballot)
        extra["naive_validate_ms"] = round(
            _median_ms(lambda: naive_validate(key, ctx, ballot), max(1, repeats // 3)), 2
        )
    return {
        "candidates": candidates,
        "max_approvals": max_approvals,
        "arithmetic": base.name,
        "repeats": repeats,
        "encrypt_ms": round(encrypt_ms, 2),
        "validate_ms": round(validate_ms, 2),
        "powmod_ms": round(powmod_ms, 3),
        "encrypt_powmod_equivalents": round(encrypt_ms / powmod_ms, 1),
        "validate_powmod_equivalents": round(validate_ms / powmod_ms, 1),
        "encrypt_ops": encrypt_ops,
        "validate_ops": validate_ops,
        "selections": selections,
        "encrypt_ms_per_selection": round(encrypt_ms / selections, 3),
        "validate_ms_per_selection": round(validate_ms / selections, 3),
        **extra,
    }


def report_text(r: dict[str, Any]) -> str:
    return (
        "\n".join(
            [
                f"ballot of {r['candidates']} candidates, at most {r['max_approvals']} approvals "
                f"({r['arithmetic']} arithmetic, median of {r['repeats']})",
                f"  encrypt, prove and sign: {r['encrypt_ms']:8.2f} ms "
                f"= {r['encrypt_powmod_equivalents']} powmods  {r['encrypt_ops']}",
                f"  validate (all checks):   {r['validate_ms']:8.2f} ms "
                f"= {r['validate_powmod_equivalents']} powmods  {r['validate_ops']}",
                f"  one powmod (256-bit exponent, 4096-bit modulus): {r['powmod_ms']} ms",
                *(
                    [
                        f"  validate the plain way (no tables, no batching): {r['naive_validate_ms']} ms"
                    ]
                    if "naive_validate_ms" in r
                    else []
                ),
                f"  per proven 0/1 selection ({r['selections']}): encrypt "
                f"{r['encrypt_ms_per_selection']} ms, validate {r['validate_ms_per_selection']} ms",
            ]
        )
        + "\n"
    )
