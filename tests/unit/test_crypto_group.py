"""The group: constants validated at load, every received element checked, both backends."""

from __future__ import annotations

from pathlib import Path

import pytest

from ballot.crypto.arith import GMPY2, INT
from ballot.crypto.batch import BatchVerifier
from ballot.crypto.errors import CryptoError
from ballot.crypto.group import Group, build, production_group
from ballot.crypto.multiexp import FixedBase, _pippenger, _straus, multi_exp
from ballot.devtools.seeded import SeededRandom
from tests.support.small_group import small_group

BACKENDS = [INT] + ([GMPY2] if GMPY2 is not None else [])


@pytest.fixture(scope="module")
def group() -> Group:
    return production_group()


def test_the_production_group_is_electionguards(group: Group) -> None:
    assert int(group.p).bit_length() == 4096
    assert int(group.q) == 2**256 - 189
    assert group.p - 1 == group.q * group.r
    assert group.production and group.batchable
    assert group.element_bytes == 512 and group.scalar_bytes == 32


def test_gmpy2_is_used_when_installed(group: Group) -> None:
    if GMPY2 is None:
        pytest.skip("gmpy2 is not installed here")
    assert group.backend.name == "gmpy2"


def test_bad_constants_are_refused() -> None:
    g = production_group()
    with pytest.raises(ValueError, match="g is not of order q"):
        build(
            "bad",
            int(g.p),
            int(g.q),
            int(g.r),
            2,
            backend=g.backend,
            production=False,
            batchable=False,
        )
    with pytest.raises(ValueError, match="p - 1 != q·r"):
        build(
            "bad",
            int(g.p),
            int(g.q),
            int(g.r) + 2,
            int(g.g),
            backend=g.backend,
            production=False,
            batchable=False,
        )


def test_the_installed_package_builds_no_group_but_the_production_one() -> None:
    """The small test group lives in tests/support: no module of the package calls
    `group.build` except `production_group`, so production code cannot make a weak group."""
    import ast

    import ballot

    package = Path(ballot.__file__).parent
    callers = []
    for path in package.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text("utf-8"))):
            if isinstance(node, ast.FunctionDef):
                calls = [
                    c
                    for c in ast.walk(node)
                    if isinstance(c, ast.Call)
                    and getattr(c.func, "id", getattr(c.func, "attr", None)) == "build"
                ]
                if calls:
                    callers.append(f"{path.relative_to(package)}:{node.name}")
    assert callers == ["crypto/group.py:_production_group"]
    assert not small_group().production


def outsiders(group: Group) -> list[int]:
    """Values a hostile client might send that are not elements of the order-q subgroup."""
    p = int(group.p)
    s_part = pow(3, 2 * int(group.q), p)  # a quadratic residue of order s: not in the subgroup
    return [
        0,
        1,
        p - 1,
        p,
        p + 1,
        -int(group.g),
        2 * p,
        s_part,
        int(group.g) * s_part % p,
        p - int(group.g),
    ]


def test_every_kind_of_outsider_is_refused_alone(group: Group) -> None:
    for x in outsiders(group):
        assert not group.is_element(x), x
        with pytest.raises(CryptoError) as err:
            group.element(x, "a test value")
        assert err.value.code == "not-in-group"
    assert group.is_element(int(group.g))
    assert group.is_element(int(group.pow_g(12345)))


def test_batched_check_finds_an_outsider_anywhere(group: Group) -> None:
    rng = SeededRandom(1)
    good = [int(group.pow_g(group.random_scalar(rng))) for _ in range(20)]
    assert len(group.check_elements(good, "x", rng)) == 20
    for bad in outsiders(group):
        for where in (0, 7, 19):
            values = good.copy()
            values[where] = bad
            with pytest.raises(CryptoError) as err:
                group.check_elements(values, "ballot ciphertexts", rng)
            assert err.value.code == "not-in-group"


def test_two_outsiders_cannot_cancel_in_a_batch(group: Group) -> None:
    rng = SeededRandom(2)
    p = int(group.p)
    good = int(group.pow_g(99))
    s_part = pow(3, 2 * int(group.q), p)
    inverse = pow(s_part, -1, p)
    pair = [good * s_part % p, good * inverse % p]  # their product is in the subgroup
    for _ in range(20):
        with pytest.raises(CryptoError):
            group.check_elements(pair, "x", rng)
    with pytest.raises(CryptoError):  # order-2 parts cancelling: caught by the Jacobi symbol
        group.check_elements([p - good, p - int(group.pow_g(7))], "x", rng)


@pytest.mark.parametrize("backend", BACKENDS, ids=lambda b: b.name)
def test_backends_agree(backend: object) -> None:
    g = small_group(backend)  # type: ignore[arg-type]
    ref = small_group(INT)
    rng = SeededRandom(3)
    for _ in range(50):
        e = ref.random_scalar(rng)
        assert int(g.pow_g(e)) == pow(int(ref.g), e, int(ref.p))
    assert g.backend.jacobi(g.p - 1, g.p) == INT.jacobi(int(ref.p) - 1, int(ref.p))


def test_backends_agree_on_the_production_group() -> None:
    if GMPY2 is None:
        pytest.skip("gmpy2 is not installed here")
    a, b = production_group(INT), production_group(GMPY2)
    for e in (1, 2, 12345, 2**255 + 7, int(a.q) - 1):
        assert int(a.pow_g(e)) == int(b.pow_g(e)) == pow(int(a.g), e, int(a.p))


def test_fixed_base_and_multi_exp_match_plain_pow() -> None:
    g = small_group()
    p, q = int(g.p), int(g.q)
    rng = SeededRandom(4)
    table = FixedBase(g.g, g.p, q.bit_length(), window=5)
    for _ in range(100):
        e = rng.randbelow(q)
        assert int(table.pow(e)) == pow(int(g.g), e, p)
    bases = [int(g.pow_g(rng.randbelow(q))) for _ in range(40)]
    for n in (0, 1, 2, 7, 40):
        exps = [rng.randbits(rng.randbelow(300) + 1) for _ in range(n)]
        expected = 1
        for b, e in zip(bases, exps, strict=False):
            expected = expected * pow(b, e, p) % p
        assert int(multi_exp(bases[:n], exps, p)) == expected
        pairs = [(b, e) for b, e in zip(bases, exps, strict=False) if e]
        if pairs:  # both methods, whichever multi_exp would choose
            bits = max(e.bit_length() for _, e in pairs)
            assert int(_straus(pairs, bits, p)) == int(_pippenger(pairs, bits, p)) == expected


def test_a_batch_checks_the_order_of_the_elements_it_is_told_to() -> None:
    """A ballot's ciphertexts are only screened (range, residue) on arrival; their order q is
    checked inside the proofs' batch. A residue with an order-s part must make it fail, even
    in an equation its exponent reduced mod q would make true."""
    g = production_group()
    rng = SeededRandom(9)
    inside = g.pow_g(12345)
    s_part = pow(3, 2 * int(g.q), int(g.p)) * int(g.g) % int(g.p)  # a residue, order q·s
    assert g.backend.jacobi(s_part, g.p) == 1 and not g.is_element(s_part)

    def batch(x: int, claim: bool) -> bool:
        b = BatchVerifier(g, None, rng)
        w = b.weight()  # 1 = x^(w·q): true for an element of order q, and mod q always
        b.rhs(x, w * int(g.q), in_subgroup=True)
        if claim:
            b.claim_subgroup(x)
        return b.holds()

    assert batch(inside, claim=True) and batch(inside, claim=False)
    assert batch(s_part, claim=False)  # what the claim is for
    assert not batch(s_part, claim=True)
    lone = BatchVerifier(g, None, rng)
    lone.claim_subgroup(s_part)  # claimed, in no equation
    assert not lone.holds()
