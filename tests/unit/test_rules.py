"""Exact proportions: the words 以上（含本数） and 超过 decide quorum and thresholds."""

from __future__ import annotations

from fractions import Fraction

import pytest

from ballot.tally.errors import TallyError
from ballot.tally.rules import Proportion, parse_fraction

TWO_THIRDS_INCL = Proportion(Fraction(2, 3), inclusive=True)
TWO_THIRDS_EXCL = Proportion(Fraction(2, 3), inclusive=False)
HALF_INCL = Proportion(Fraction(1, 2), inclusive=True)
HALF_EXCL = Proportion(Fraction(1, 2), inclusive=False)


@pytest.mark.parametrize(
    ("rule", "base", "needed"),
    [
        (TWO_THIRDS_INCL, 15, 10),  # 嘉兴: 2/3以上（含本数） of 15 → 10
        (TWO_THIRDS_EXCL, 15, 11),  # 重庆: 超过三分之二 of 15 → 11
        (TWO_THIRDS_INCL, 14, 10),  # 28/3 = 9.33 → 10
        (TWO_THIRDS_EXCL, 14, 10),
        (TWO_THIRDS_INCL, 12, 8),
        (TWO_THIRDS_EXCL, 12, 9),
        (HALF_INCL, 15, 8),  # 嘉兴: 1/2及以上 of 15 members → 8
        (HALF_INCL, 14, 7),  # of 14 → 7
        (HALF_EXCL, 14, 8),
        (HALF_EXCL, 15, 8),
        (HALF_INCL, 1, 1),
        (HALF_INCL, 0, 0),
    ],
)
def test_needed_is_the_smallest_count_that_meets_the_rule(
    rule: Proportion, base: int, needed: int
) -> None:
    assert rule.needed(base) == needed
    assert rule.met(needed, base)
    assert needed == 0 or not rule.met(needed - 1, base)


def test_met_agrees_with_needed_for_every_small_case() -> None:
    for num in range(1, 6):
        for den in range(num, 7):
            for inclusive in (True, False):
                rule = Proportion(Fraction(num, den), inclusive)
                for base in range(0, 40):
                    for count in range(0, base + 2):
                        assert rule.met(count, base) == (count >= rule.needed(base))


@pytest.mark.parametrize("raw", ["2/3", "1/2", "0.5", " 1/3 ", "1"])
def test_fraction_strings_are_read_exactly(raw: str) -> None:
    assert parse_fraction(raw, "x") == Fraction(raw.strip())


@pytest.mark.parametrize("raw", [0.5, 1, None, "", "abc", "0", "3/2", "-1/2", "1/0"])
def test_bad_fractions_are_refused_with_the_place_named(raw: object) -> None:
    with pytest.raises(TallyError) as err:
        parse_fraction(raw, "rules.quorum.fraction")
    assert "rules.quorum.fraction" in err.value.text.en
    assert "rules.quorum.fraction" in err.value.text.zh
