"""A table of cases per profile, taken from the regulations' texts.

Each case is a meeting (members, attendance, slate) and the counts of each ballot; the
expectations are what the regulation says must follow.
"""

from __future__ import annotations

import re
from typing import Any

import pytest

from ballot.tally.errors import TallyError
from tests.support.scenarios import replay, run_outcome

JX_TIERS = [
    {"id": "award", "places": 5},
    {"id": "nominee", "places": 3},
    {"id": "innovation", "places": 2},
]


def jiaxing(
    members: int, present: int, candidates: list[str], rounds: list[dict[str, Any]], **extra: Any
) -> dict[str, Any]:
    rules = {"tiers": JX_TIERS, **extra.pop("rules", {})}
    return {
        "profile": "jiaxing-2020",
        "members": members,
        "present": present,
        "candidates": candidates,
        "rules": rules,
        "rounds": rounds,
        **extra,
    }


def approve(**counts: int) -> dict[str, Any]:
    return {"approve": counts}


# --- quorum -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("profile", "members", "present", "met", "needed"),
    [
        ("jiaxing-2020", 15, 10, True, 10),  # 2/3以上（含本数）: 10 of 15 is enough
        ("jiaxing-2020", 15, 9, False, 10),
        ("chongqing-2015", 15, 10, False, 11),  # 超过三分之二: 10 of 15 is not
        ("chongqing-2015", 15, 11, True, 11),
        ("jiaxing-2020", 14, 10, True, 10),
        ("chongqing-2015", 14, 10, True, 10),
        ("jiaxing-2020", 12, 8, True, 8),
        ("chongqing-2015", 12, 8, False, 9),
    ],
)
def test_quorum_inclusive_and_exclusive(
    profile: str, members: int, present: int, met: bool, needed: int
) -> None:
    rules: dict[str, Any] = {"threshold": None} if profile == "chongqing-2015" else {}
    if profile == "jiaxing-2020":
        rules["tiers"] = JX_TIERS
    out = replay(
        {
            "profile": profile,
            "members": members,
            "present": present,
            "candidates": [{"name": n, "list": "award"} for n in "AB"]
            if profile == "chongqing-2015"
            else ["A", "B"],
            "rules": rules,
        }
    )
    assert out["quorum_met"] is met
    assert out["quorum"]["needed"] == needed
    reason = out["quorum"]["reason"]
    assert f"{present} of {members}" in reason["en"]
    assert f"应到 {members} 人，实到 {present} 人，需 {needed} 人" in reason["zh"]
    if met:
        assert out["next"]["tier"] == "award" and not out["complete"]
    else:
        assert out["next"] is None and not out["complete"] and out["rounds"] == []
        assert "No ballot may be held" in reason["en"]


# --- thresholds at 14 and 15 members ------------------------------------------------------


@pytest.mark.parametrize(
    ("members", "present", "b_votes", "b_selected", "threshold"),
    [
        (15, 12, 7, False, 8),  # ≥ 1/2 of 15 members needs 8, whoever is present
        (15, 12, 8, True, 8),
        (14, 12, 7, True, 7),  # ≥ 1/2 of 14 needs 7
        (14, 12, 6, False, 7),
    ],
)
def test_threshold_counts_all_members_not_those_present(
    members: int, present: int, b_votes: int, b_selected: bool, threshold: int
) -> None:
    out = replay(jiaxing(members, present, ["A", "B", "C"], [approve(A=12, B=b_votes, C=1)]))
    r = out["rounds"][0]
    assert r["threshold"] == threshold
    assert ("B" in r["selected"]) is b_selected
    if not b_selected:
        why = " ".join(x["en"] for x in r["reasons"])
        assert f"B had {b_votes} approvals; {threshold} of {members} needed" in why
        assert "≥ 1/2 of all members" in why


def test_threshold_on_members_present_and_on_ballots_cast() -> None:
    base = jiaxing(15, 12, ["A", "B"], [{"approve": {"A": 6, "B": 5}, "ballots": 11}])
    on_present = {
        **base,
        "rules": {
            **base["rules"],
            "threshold": {"fraction": "1/2", "inclusive": True, "base": "present"},
        },
    }
    on_ballots = {
        **base,
        "rules": {
            **base["rules"],
            "threshold": {"fraction": "1/2", "inclusive": False, "base": "ballots"},
        },
    }
    assert replay(on_present)["rounds"][0]["threshold"] == 6
    assert replay(on_present)["rounds"][0]["selected"] == ["A"]
    assert replay(on_ballots)["rounds"][0]["threshold"] == 6  # > 1/2 of 11 ballots
    assert replay(on_ballots)["rounds"][0]["selected"] == ["A"]


# --- ties ---------------------------------------------------------------------------------


def test_tie_at_the_cutoff_goes_to_a_revote_of_exactly_the_tied_for_the_places_left() -> None:
    out = replay(jiaxing(15, 12, list("ABCDEFG"), [approve(A=12, B=11, C=10, D=9, E=9, F=9)]))
    r = out["rounds"][0]
    assert r["selected"] == ["A", "B", "C"]
    assert r["revote"] == {"candidates": ["D", "E", "F"], "places": 2}
    assert out["next"] == {
        "tier": "award",
        "kind": "revote",
        "candidates": ["D", "E", "F"],
        "places": 2,
        "max_approvals": 2,
        "threshold": None,
        "outside_cap": [],
    }
    assert any("re-vote among D, E and F for 2 places" in x["en"] for x in r["reasons"])
    assert any("对 D、E、F 再投票，确定 2 个名额" in x["zh"] for x in r["reasons"])


def test_tie_above_the_cutoff_needs_no_revote() -> None:
    out = replay(jiaxing(15, 12, list("ABCDEF"), [approve(A=12, B=12, C=10, D=10, E=9, F=3)]))
    r = out["rounds"][0]
    assert r["selected"] == ["A", "B", "C", "D", "E"] and r["revote"] is None
    assert out["next"]["tier"] == "nominee"
    assert any("no re-vote is needed" in x["en"] for x in r["reasons"])


def test_revote_winner_takes_the_place_without_the_threshold_again() -> None:
    out = replay(
        jiaxing(
            15, 12, list("ABCDEF"), [approve(A=12, B=11, C=10, D=9, E=8, F=8), approve(E=3, F=2)]
        )
    )
    assert out["rounds"][1]["kind"] == "revote"
    assert out["rounds"][1]["threshold"] is None
    assert out["rounds"][1]["selected"] == ["E"]
    assert out["result"]["award"] == ["A", "B", "C", "D", "E"]


def test_revote_threshold_applies_when_the_profile_says_so() -> None:
    s = jiaxing(
        15,
        12,
        list("ABCDEF"),
        [approve(A=12, B=11, C=10, D=9, E=8, F=8), approve(E=3, F=2)],
        rules={"revote_threshold": True},
    )
    out = replay(s)
    r = out["rounds"][1]
    assert r["threshold"] == 8 and r["selected"] == [] and r["empty_places"] == 1


def test_jiaxing_sets_no_limit_on_tie_revotes_so_a_fourth_is_held() -> None:
    """§三(三)3(3) re-votes the tied (得票数多的入选) and sets no limit: after three re-votes that
    tie again, the procedure asks for a fourth rather than leaving the place empty."""
    rounds = [approve(A=12, B=11, C=10, D=9, E=8, F=8)] + [approve(E=6, F=6)] * 3
    out = replay(jiaxing(15, 12, list("ABCDEF"), rounds))
    assert all(r["revote"] == {"candidates": ["E", "F"], "places": 1} for r in out["rounds"])
    assert out["next"]["kind"] == "revote" and out["next"]["candidates"] == ["E", "F"]
    setting = next(x for x in out["settings"] if x["setting"] == "max_revotes")
    assert setting["value"] is None and setting["source"] == "default"
    done = replay(jiaxing(15, 12, list("ABCDEF"), [*rounds, approve(E=7, F=5)]))
    assert done["result"]["award"] == ["A", "B", "C", "D", "E"]


def test_a_persisting_tie_is_revoted_up_to_max_revotes_then_the_place_stays_empty() -> None:
    """A committee may set a limit (rules.max_revotes); after it the place stays empty."""
    rounds = [approve(A=12, B=11, C=10, D=9, E=8, F=8)] + [approve(E=6, F=6)] * 3
    out = replay(jiaxing(15, 12, list("ABCDEF"), rounds, rules={"max_revotes": 3}))
    kinds = [(r["kind"], r["revote"]) for r in out["rounds"]]
    assert kinds[0][0] == "ballot"
    assert [k for k, _ in kinds[1:]] == ["revote"] * 3
    assert kinds[1][1] == kinds[2][1] == {"candidates": ["E", "F"], "places": 1}
    assert kinds[3][1] is None  # after the 3rd re-vote: the limit
    last = out["rounds"][3]
    assert last["empty_places"] == 1
    assert any("after 3 re-votes; the limit is 3" in x["en"] for x in last["reasons"])
    assert any("经 3 次再投票仍并列" in x["zh"] for x in last["reasons"])
    assert out["result"]["award"] == ["A", "B", "C", "D"]
    assert out["next"]["tier"] == "nominee"
    # E and F were not selected, so the nominee ballot includes them
    assert set(out["next"]["candidates"]) == {"E", "F"}


def test_max_revotes_zero_leaves_a_tied_place_empty_at_once() -> None:
    out = replay(
        jiaxing(
            15,
            12,
            list("ABC"),
            [approve(A=4, B=4, C=4)],
            rules={"tiers": [{"id": "award", "places": 1}], "max_revotes": 0},
        )
    )
    assert out["rounds"][0]["revote"] is None
    assert out["rounds"][0]["empty_places"] == 1
    assert out["complete"] and out["result"] == {"award": []}


def test_a_revote_that_splits_a_larger_tie_narrows_to_the_still_tied() -> None:
    out = replay(
        jiaxing(
            15,
            12,
            list("ABCDEF"),
            [approve(A=12, B=11, C=9, D=9, E=9, F=9), approve(C=5, D=4, E=3, F=3)],
        )
    )
    first, second = out["rounds"]
    assert first["revote"] == {"candidates": ["C", "D", "E", "F"], "places": 3}
    assert second["selected"] == ["C", "D"]
    assert second["revote"] == {"candidates": ["E", "F"], "places": 1}
    assert out["next"]["kind"] == "revote" and out["next"]["candidates"] == ["E", "F"]
    assert out["next"]["places"] == 1 and out["next"]["max_approvals"] == 1


# --- empty places -------------------------------------------------------------------------


def test_places_stay_empty_when_too_few_reach_the_threshold() -> None:
    out = replay(jiaxing(15, 12, list("ABCDEF"), [approve(A=9, B=8, C=7, D=7, E=1)]))
    r = out["rounds"][0]
    assert r["selected"] == ["A", "B"] and r["revote"] is None and r["empty_places"] == 3
    assert any(
        "Only 2 candidates reached the threshold: 3 of 5 places stay empty" in x["en"]
        for x in r["reasons"]
    )
    assert out["tiers"][0]["empty_places"] == 3


def test_tie_below_the_threshold_is_no_tie_at_the_cutoff() -> None:
    out = replay(jiaxing(15, 12, list("ABCD"), [approve(A=9, B=7, C=7, D=7)]))
    assert out["rounds"][0]["selected"] == ["A"] and out["rounds"][0]["revote"] is None


# --- later tiers --------------------------------------------------------------------------


def test_nominee_pool_after_award_revotes_is_the_slate_not_yet_selected() -> None:
    s = jiaxing(
        15,
        12,
        list("ABCDEFGH"),
        [approve(A=12, B=11, C=10, D=9, E=8, F=8, G=2), approve(F=7, E=5)],
        others=["X", "Y"],
    )
    out = replay(s)
    assert out["result"]["award"] == ["A", "B", "C", "D", "F"]
    assert out["next"] == {
        "tier": "nominee",
        "kind": "ballot",
        "candidates": ["E", "G", "H"],
        "places": 3,
        "max_approvals": 3,
        "threshold": 8,
        "outside_cap": [],
    }


def test_innovation_pool_adds_the_other_evaluated_organisations() -> None:
    s = jiaxing(
        15,
        12,
        list("ABCDEFG"),
        [approve(A=12, B=11, C=10, D=9, E=8), approve(F=9, G=8)],
        others=["X", "Y"],
    )
    out = replay(s)
    assert out["next"]["tier"] == "innovation"
    assert out["next"]["candidates"] == ["X", "Y"]  # F and G took nominee places
    s["rounds"].append(approve(X=8, Y=3))
    out = replay(s)
    assert out["complete"] and out["next"] is None
    assert out["result"] == {
        "award": ["A", "B", "C", "D", "E"],
        "nominee": ["F", "G"],
        "innovation": ["X"],
    }
    assert out["tiers"][2]["empty_places"] == 1


def test_a_tier_with_no_candidates_left_is_decided_empty_without_a_ballot() -> None:
    s = jiaxing(
        15,
        12,
        ["A", "B"],
        [approve(A=10, B=9)],
        rules={"tiers": [{"id": "award", "places": 5}, {"id": "nominee", "places": 3}]},
    )
    out = replay(s)
    assert out["complete"] and len(out["rounds"]) == 1
    assert out["tiers"][1]["empty_places"] == 3
    assert "No candidates remain for the nominee award" in out["tiers"][1]["reasons"][0]["en"]


def test_unstated_innovation_places_are_an_error_naming_the_setting() -> None:
    from ballot.tally.errors import UnstatedSetting

    s = jiaxing(
        15, 12, list("ABCDEFGH"), [approve(A=12, B=11, C=10, D=9, E=8), approve(F=9, G=8, H=8)]
    )
    s["rules"] = {}
    with pytest.raises(UnstatedSetting) as err:
        replay(s)
    assert err.value.setting == "tiers.innovation.places"
    assert "创新奖数量由市评审办提请市评委会确定" in err.value.text.en


# --- other profiles -----------------------------------------------------------------------


def test_xiaoshan_past_winner_does_not_take_a_place() -> None:
    s = {
        "profile": "xiaoshan-draft",
        "members": 20,
        "present": 18,
        "candidates": ["A", "B", {"name": "P", "outside_cap": ["award"]}, "C"],
        "rules": {
            "quorum": {"fraction": "2/3", "inclusive": True},
            "threshold": {"fraction": "1/2", "inclusive": False, "base": "present"},
            "tiers": [{"id": "award", "places": 2}, {"id": "innovation", "places": 1}],
        },
        "rounds": [approve(A=15, B=12, P=16, C=11)],
    }
    out = replay(s)
    r = out["rounds"][0]
    assert r["max_approvals"] == 3  # 2 places + the past winner
    assert r["threshold"] == 10  # > 1/2 of 18 present
    assert r["selected"] == ["A", "B"]
    assert out["tiers"][0]["outside_cap"] == ["P"]
    assert out["result"]["award"] == ["A", "B", "P"]
    assert any("不占当年奖项名额" in x["zh"] for x in r["reasons"])
    assert out["next"]["candidates"] == ["C"]  # innovation pool: not yet selected


@pytest.mark.parametrize(
    ("profile", "tier"),
    [("jiaxing-2020", "award"), ("jiaxing-2020", "nominee"), ("xiaoshan-draft", "innovation")],
)
def test_only_xiaoshans_quality_award_lets_a_past_winner_win_outside_the_cap(
    profile: str, tier: str
) -> None:
    """萧山 第二十八条¶2: a repeat 质量奖 winner takes no place; ¶3: a repeat 创新奖 winner does; no
    other regulation has the rule. Under Jiaxing the flag once gave 3 winners for 2 places."""
    s = {
        "profile": profile,
        "members": 20,
        "present": 18,
        "candidates": ["A", "B", {"name": "P", "outside_cap": [tier]}, "C"],
        "rules": {
            "quorum": {"fraction": "2/3", "inclusive": True},
            "threshold": {"fraction": "1/2", "inclusive": False, "base": "present"},
            "tiers": [
                {"id": "award", "places": 2},
                {"id": tier if tier != "award" else "nominee", "places": 1},
            ],
        },
    }
    with pytest.raises(TallyError) as err:
        run_outcome(s)
    assert f"outside_cap names {tier}" in err.value.text.en and "第二十八条" in err.value.text.en
    assert "占用名额" in err.value.text.zh


def test_xiaoshan_without_the_committee_setting_a_rule_is_refused() -> None:
    from ballot.tally.errors import UnstatedSetting

    with pytest.raises(UnstatedSetting) as err:
        replay({"profile": "xiaoshan-draft", "members": 9, "present": 9, "candidates": ["A"]})
    assert err.value.setting == "quorum"


def test_no_threshold_rule_still_needs_an_approval() -> None:
    s = {
        "profile": "changchun-2018",
        "members": 9,
        "present": 7,
        "candidates": ["A", "B", "C"],
        "rules": {"quorum": None, "threshold": None},
        "rounds": [approve(A=3, B=0, C=1)],
    }
    out = replay(s)
    r = out["rounds"][0]
    assert r["threshold"] is None and r["selected"] == ["A", "C"] and r["empty_places"] == 3
    assert "rules.threshold is null" in r["reasons"][0]["en"]
    assert out["next"]["tier"] == "nominee" and out["next"]["places"] == 10
    assert out["next"]["candidates"] == ["B"]


def test_jiangyin_two_awards_then_excellence() -> None:
    s = {
        "profile": "jiangyin-draft",
        "members": 11,
        "present": 9,
        "candidates": [{"name": n, "list": "award"} for n in "ABC"]
        + [{"name": n, "list": "excellence"} for n in "DE"],
        "rules": {
            "quorum": {"fraction": "1/2", "inclusive": False},
            "threshold": {"fraction": "1/2", "inclusive": True, "base": "members"},
        },
        "rounds": [approve(A=8, B=7, C=2), approve(C=7, D=6, E=6)],
    }
    out = replay(s)
    assert out["result"] == {"award": ["A", "B"], "excellence": ["C", "D", "E"]}
    assert out["complete"]


def test_chongqing_16_6_2_nominee_list_is_not_on_the_award_ballot() -> None:
    """重庆 第十六条(六)2 gives the award and the nominee award their own lists: a nominee-list
    organisation (both scores ≥ 400, not ≥ 500) is on no award ballot, and an award-list one
    that is not selected goes on to the nominee ballot."""
    s = {
        "profile": "chongqing-2015",
        "members": 15,
        "present": 12,
        "candidates": [{"name": n, "list": "award"} for n in ("渝江", "两江", "山城")]
        + [{"name": n, "list": "nominee"} for n in ("缙云", "巴南")],
        "rules": {"threshold": {"fraction": "1/2", "inclusive": True, "base": "members"}},
        "rounds": [approve(渝江=12, 两江=9, 山城=3)],
    }
    out = replay(s)
    assert out["rounds"][0]["candidates"] == ["渝江", "两江", "山城"]
    assert out["next"]["tier"] == "nominee"
    assert out["next"]["candidates"] == ["山城", "缙云", "巴南"]
    # counts naming a nominee-list organisation on the award ballot are refused
    s["rounds"] = [approve(渝江=12, 缙云=9)]
    with pytest.raises(TallyError, match="缙云"):
        replay(s)


def test_jiangyin_15_a_594_score_is_not_on_the_mayors_award_ballot() -> None:
    """江阴 第十五条: the 市长质量奖 needs a total ≥ 600, the 优秀奖 ≥ 500, so the 优秀奖 list
    (594) is not on the award ballot however many approve it."""
    s = {
        "profile": "jiangyin-draft",
        "members": 11,
        "present": 11,
        "candidates": [{"name": "澄江", "list": "award"}, {"name": "申港", "list": "excellence"}],
        "rules": {
            "quorum": None,
            "threshold": {"fraction": "1/2", "inclusive": True, "base": "members"},
        },
        "rounds": [approve(澄江=11)],
    }
    out = replay(s)
    assert out["rounds"][0]["candidates"] == ["澄江"]
    assert out["next"]["candidates"] == ["申港"] and out["next"]["tier"] == "excellence"


@pytest.mark.parametrize(
    ("profile", "candidates", "message"),
    [
        ("chongqing-2015", ["A"], "each tier has its own candidate list (第十六条(六)2)"),
        ("jiangyin-draft", ["A"], "each tier has its own candidate list (第十五条)"),
        ("jiaxing-2020", [{"name": "A", "list": "award"}], "one slate serves every tier"),
        ("chongqing-2015", [{"name": "A", "list": "innovation"}], "not a tier of this meeting"),
    ],
)
def test_candidate_lists_are_given_exactly_where_the_regulation_has_them(
    profile: str, candidates: list[Any], message: str
) -> None:
    s = {
        "profile": profile,
        "members": 15,
        "present": 15,
        "candidates": candidates,
        "rules": {"threshold": None, "quorum": None},
    }
    with pytest.raises(TallyError, match=re.escape(message)):
        replay(s)


def test_chongqing_exclusive_quorum_blocks_the_vote() -> None:
    s = {
        "profile": "chongqing-2015",
        "members": 15,
        "present": 10,
        "candidates": [{"name": "A", "list": "award"}],
        "rules": {"threshold": None},
    }
    out = replay(s)
    assert not out["quorum_met"] and "> 2/3 needs 11" in out["quorum"]["reason"]["en"]
    assert "超过全体成员的2/3" in out["quorum"]["reason"]["zh"]


# --- quorum at the count, max approvals ---------------------------------------------------


def test_a_round_counted_without_quorum_is_void_and_asked_again() -> None:
    s = jiaxing(
        15,
        12,
        list("AB"),
        [{"approve": {"A": 9}, "present": 9}, {"approve": {"A": 10, "B": 3}, "present": 11}],
    )
    out = replay(s)
    first, second = out["rounds"]
    assert first["void"] and first["selected"] == []
    assert "Round void: 9 of 15" in first["reasons"][0]["en"]
    assert second["kind"] == "ballot" and second["selected"] == ["A"]


def test_quorum_lost_between_rounds_keeps_the_round_held_and_waits_for_members() -> None:
    """Quorum is checked at each open and close (RULES §4): a member who steps out after round
    1 does not undo round 1; the next ballot waits, saying how many are needed."""
    s = jiaxing(15, 9, list("ABCDEF"), [{"approve": {"A": 10, "B": 9}, "present": 12}])
    out = replay(s)
    assert [r["selected"] for r in out["rounds"]] == [["A", "B"]]
    assert out["next"] is None and out["complete"] is False and out["quorum_met"] is False
    assert (
        "9 of 15" in out["quorum"]["reason"]["en"] and "需 10 人" in out["quorum"]["reason"]["zh"]
    )
    back = replay({**s, "present": 10})
    assert back["next"]["tier"] == "nominee" and back["next"]["candidates"] == list("CDEF")


def test_without_a_quorum_a_first_round_held_at_todays_attendance_is_refused() -> None:
    with pytest.raises(TallyError) as err:
        run_outcome(jiaxing(15, 9, list("AB"), [{"approve": {"A": 9}}]))
    assert "round 1 is more than the procedure asks for" in err.value.text.en


def test_ballots_returned_are_bounded_by_ballots_issued_not_members_still_present() -> None:
    """收回选票不得多于发出选票: 12 ballots issued and returned, then two voters left before the
    count (10 present, still a quorum of 15): the round counts."""
    round_1 = {"approve": {"A": 11, "B": 8}, "ballots": 12, "issued": 12, "present": 10}
    out = replay(jiaxing(15, 10, list("AB"), [round_1]))
    assert out["rounds"][0]["selected"] == ["A", "B"] and not out["rounds"][0]["void"]
    with pytest.raises(TallyError) as err:
        run_outcome(jiaxing(15, 12, list("AB"), [{**round_1, "ballots": 13}]))
    assert "13 ballots returned but only 12 issued" in err.value.text.en
    assert "收回选票不得多于发出选票" in err.value.text.zh
    # without `issued`, the bound stays the members present
    with pytest.raises(TallyError):
        without = {k: v for k, v in round_1.items() if k != "issued"}
        run_outcome(jiaxing(15, 10, list("AB"), [without]))


@pytest.mark.parametrize(("setting", "k"), [("places", 2), (None, 4), (3, 3), (9, 4)])
def test_max_approvals_setting(setting: object, k: int) -> None:
    s = jiaxing(
        15,
        12,
        list("ABCD"),
        [],
        rules={"max_approvals": setting, "tiers": [{"id": "award", "places": 2}]},
    )
    assert replay(s)["next"]["max_approvals"] == k


def test_every_result_shows_the_settings_and_where_they_come_from() -> None:
    out = replay(jiaxing(15, 12, ["A"], []))
    settings = {s["setting"]: s for s in out["settings"]}
    assert settings["quorum"]["source"] == "clause"
    assert settings["quorum"]["value"] == {"fraction": "2/3", "inclusive": True}
    assert settings["tiers.innovation.places"]["source"] == "scenario"
    assert settings["max_revotes"]["source"] == "default"


def test_no_one_wins_a_first_ballot_with_no_approvals_even_if_the_threshold_rounds_to_0() -> None:
    s = jiaxing(
        15,
        12,
        list("AB"),
        [{"approve": {}, "ballots": 0}],
        rules={"threshold": {"fraction": "1/2", "inclusive": True, "base": "ballots"}},
    )
    r = replay(s)["rounds"][0]
    assert r["threshold"] == 0 and r["selected"] == [] and r["empty_places"] == 5
    assert any("A had no approvals: not selected" in x["en"] for x in r["reasons"])


# --- review votes (复议) after the result ----------------------------------------------------


def _reviewed(motions: list[dict[str, Any]], **rules: Any) -> dict[str, Any]:
    tiers = [{"id": "award", "places": 2}, {"id": "nominee", "places": 1}]
    return jiaxing(
        15,
        12,
        list("ABCD"),
        [approve(A=10, B=9, C=3), approve(C=8, D=2)],
        rules={"tiers": tiers, **rules},
        motions=motions,
    )


def test_a_review_vote_that_fails_removes_the_winner_and_its_place_is_not_refilled() -> None:
    """嘉兴 §三(四)3: a contested candidate stays only with ≥ 1/2 of all members (8 of 15);
    with 7 yes, B leaves the result and no one takes its place."""
    out = replay(
        _reviewed(
            [
                {"candidate": "A", "approve": 9, "oppose": 3},
                {"candidate": "B", "approve": 7, "oppose": 5},
            ]
        )
    )
    assert out["result"] == {"award": ["A"], "nominee": ["C"]}
    first, second = out["motions"]
    assert first["round"] == 3 and first["passed"] and first["needed"] == 8
    assert second["round"] == 4 and not second["passed"]
    assert "leaves the result" in second["reason"]["en"] and "名额不补" in second["reason"]["zh"]
    assert out["tiers"][0]["selected"] == ["A", "B"]  # what the ballot decided stays on record


def test_the_review_rule_is_its_own_clause_not_the_committees_selection_threshold() -> None:
    """The committee lowered the selection threshold to > 1/3 of those present; the review
    vote still needs ≥ 1/2 of all members, fixed by §三(四)3."""
    low = {"fraction": "1/3", "inclusive": False, "base": "present"}
    out = replay(_reviewed([{"candidate": "A", "approve": 7, "oppose": 5}], threshold=low))
    assert out["motions"][0]["needed"] == 8 and not out["motions"][0]["passed"]
    assert out["result"]["award"] == ["B"]


@pytest.mark.parametrize(
    ("motions", "message"),
    [
        ([{"candidate": "D", "approve": 9}], "'D' is not a winner the result names"),
        (
            [{"candidate": "B", "approve": 2}, {"candidate": "B", "approve": 9}],
            "'B' is not a winner",
        ),
        ([{"candidate": "A", "approve": 10, "oppose": 5}], "no ballot marks twice"),
    ],
)
def test_a_review_vote_only_on_a_standing_winner_with_possible_counts(
    motions: list[dict[str, Any]], message: str
) -> None:
    with pytest.raises(TallyError) as err:
        run_outcome(_reviewed(motions))
    assert message in err.value.text.en


def test_a_review_vote_before_the_result_is_complete_is_refused() -> None:
    s = jiaxing(15, 12, list("ABCD"), [approve(A=10)], motions=[{"candidate": "A", "approve": 9}])
    with pytest.raises(TallyError) as err:
        run_outcome(s)
    assert "the procedure is not complete" in err.value.text.en
