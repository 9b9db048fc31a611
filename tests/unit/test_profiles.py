"""The shipped profiles say what their regulation says, and cite it for every setting."""

from __future__ import annotations

from fractions import Fraction

import pytest

from ballot.tally.errors import TallyError, UnstatedSetting
from ballot.tally.profile import parse_profile, resolve
from ballot.tally.profiles import load_profile, profile_ids
from ballot.tally.rules import Proportion, Threshold

EXPECTED_TIERS = {
    "jiaxing-2020": ["award", "nominee", "innovation"],
    "xiaoshan-draft": ["award", "innovation"],
    "jiangyin-draft": ["award", "excellence"],
    "chongqing-2015": ["award", "nominee"],
    "changchun-2018": ["award", "nominee"],
}


def test_the_five_regulations_are_shipped() -> None:
    assert profile_ids() == sorted(EXPECTED_TIERS)


@pytest.mark.parametrize("pid", sorted(EXPECTED_TIERS))
def test_tiers_are_as_the_text_has_them(pid: str) -> None:
    assert [t.id for t in load_profile(pid).tiers] == EXPECTED_TIERS[pid]


@pytest.mark.parametrize("pid", sorted(EXPECTED_TIERS))
def test_every_setting_cites_a_clause_or_says_why_not(pid: str) -> None:
    profile = load_profile(pid)
    settings = [*resolve(profile).settings(), profile.slate_weights, profile.slate_lists]
    assert len(settings) >= 7
    for s in settings:
        assert s.source.kind in ("clause", "default", "unstated")
        assert len(s.source.note) > 10, s.name
        if s.source.kind == "unstated":
            assert s.value is None
        if s.source.kind == "clause":
            # a clause citation names the clause: §, 第…条 or the like
            assert "§" in s.source.note or "第" in s.source.note, s.name


@pytest.mark.parametrize(
    ("pid", "places"),
    [
        ("jiaxing-2020", {"award": 5, "nominee": 3, "innovation": None}),
        ("xiaoshan-draft", {"award": 5, "innovation": 5}),
        ("jiangyin-draft", {"award": 2, "excellence": 3}),
        ("chongqing-2015", {"award": 5, "nominee": 5}),
        ("changchun-2018", {"award": 5, "nominee": 10}),
    ],
)
def test_places_per_tier(pid: str, places: dict[str, int | None]) -> None:
    assert {t.id: t.places.value for t in load_profile(pid).tiers} == places


def test_jiaxing_quorum_and_threshold_are_the_texts() -> None:
    p = load_profile("jiaxing-2020")
    assert p.quorum.value == Proportion(Fraction(2, 3), inclusive=True)
    assert p.threshold.value == Threshold(Proportion(Fraction(1, 2), True), "members")
    assert "2/3以上（含本数）" in p.quorum.source.note
    assert p.tier("innovation") is not None
    assert p.tier("innovation").pool.value == "remaining+others"  # type: ignore[union-attr]
    assert p.tier("nominee").pool.value == "remaining"  # type: ignore[union-attr]


def test_chongqing_quorum_is_exclusive() -> None:
    p = load_profile("chongqing-2015")
    assert p.quorum.value == Proportion(Fraction(2, 3), inclusive=False)
    assert "超过三分之二" in p.quorum.source.note
    assert p.threshold.unstated


@pytest.mark.parametrize("pid", ["xiaoshan-draft", "jiangyin-draft", "changchun-2018"])
def test_texts_without_a_quorum_or_threshold_mark_them_unstated(pid: str) -> None:
    p = load_profile(pid)
    assert p.quorum.unstated and p.threshold.unstated


def test_using_an_unstated_setting_names_it() -> None:
    rules = resolve(load_profile("xiaoshan-draft"))
    with pytest.raises(UnstatedSetting) as err:
        rules.quorum.get()
    assert err.value.setting == "quorum"
    assert "'quorum'" in err.value.text.en and "xiaoshan-draft" in err.value.text.en
    assert "第二十二条" in err.value.text.en
    assert "未规定" in err.value.text.zh


def test_overrides_replace_key_by_key() -> None:
    p = load_profile("jiaxing-2020")
    rules = resolve(p, {"quorum": None, "tiers": [{"id": "award", "places": 2}]})
    assert rules.quorum.get() is None and rules.quorum.source.kind == "scenario"
    assert rules.threshold == p.threshold
    assert [(t.id, t.places.value) for t in rules.tiers] == [("award", 2)]
    assert rules.tiers[0].pool == p.tiers[0].pool


@pytest.mark.parametrize(
    ("overrides", "words"),
    [
        ({"quorom": None}, "unknown key 'quorom'"),
        ({"threshold": {"fraction": "1/2", "inclusive": True}}, "'base' is missing"),
        ({"threshold": {"fraction": "1/2", "inclusive": True, "base": "all"}}, "base must be"),
        ({"tiers": [{"id": "gold", "places": 1}]}, "must be one of"),
        ({"tiers": [{"id": "award", "places": 0}]}, "at least 1"),
        ({"tiers": [{"id": "award", "places": 1}, {"id": "award", "places": 2}]}, "twice"),
        ({"tiers": []}, "at least one tier"),
        ({"max_approvals": 0}, "max_approvals"),
        ({"max_revotes": -1}, "at least 0"),
        ({"quorum": {"fraction": 0.66, "inclusive": True}}, "must be a string"),
    ],
)
def test_bad_overrides_are_refused(overrides: dict[str, object], words: str) -> None:
    with pytest.raises(TallyError) as err:
        resolve(load_profile("jiaxing-2020"), overrides)
    assert words in err.value.text.en


def test_a_profile_file_must_cite_each_setting() -> None:
    raw = {
        "id": "x",
        "title": {"zh": "某", "en": "X"},
        "document": "doc",
        "body": {"zh": "某", "en": "x"},
        "quorum": {"value": {"fraction": "2/3", "inclusive": True}},
        "tiers": [],
    }
    with pytest.raises(TallyError) as err:
        parse_profile(raw)
    assert "exactly one of clause, default or unstated" in err.value.text.en
