"""The slate builder: weighted scores and candidate lists per tier, ties reported, never broken."""

from __future__ import annotations

import json
import subprocess
import sys
from fractions import Fraction
from pathlib import Path

import pytest

from ballot.tally.errors import TallyError, UnstatedSetting
from ballot.tally.profiles import load_profile
from ballot.tally.slate import build_slate, decimal_text, read_reviews, slate_report
from tests.support import ROOT
from tests.support.scenarios import replay


def slate(profile: str, csv_text: str, weights: dict[str, Fraction] | None = None):  # type: ignore[no-untyped-def]
    return build_slate(load_profile(profile), read_reviews(csv_text), weights)


def csv_rows(rows: list[tuple[object, ...]], header: str = "organisation,document,site") -> str:
    return header + "\n" + "\n".join(",".join(str(c) for c in r) for r in rows) + "\n"


def test_jiaxing_weights_30_70_exactly() -> None:
    s = slate("jiaxing-2020", csv_rows([("A", "600.5", "700.3"), ("B", 500, 500)]))
    scores = {r.organisation: score for r, score in s.scores}
    assert scores["A"] == Fraction(3, 10) * Fraction("600.5") + Fraction(7, 10) * Fraction("700.3")
    assert decimal_text(scores["A"]) == "670.36"


def test_jiaxing_list_is_twice_the_award_and_nominee_places() -> None:
    rows = [(f"O{i:02}", 500 + i, 500 + i) for i in range(20)]
    s = slate("jiaxing-2020", csv_rows(rows))
    (only,) = s.lists
    assert only.rule.tiers == ("award", "nominee") and only.size == 16  # 1:2 of 5 + 3
    assert list(only.candidates) == [f"O{i:02}" for i in range(19, 3, -1)]
    assert set(s.others) == {"O00", "O01", "O02", "O03"}
    assert only.tie is None


def test_a_score_tie_at_the_cutoff_is_reported_and_not_broken() -> None:
    rows = [(f"O{i:02}", 500 + i, 500 + i) for i in range(3, 20)] + [("X", 504, 504)]
    s = slate("jiaxing-2020", csv_rows(rows))
    (only,) = s.lists
    assert len(only.candidates) == 15
    assert only.tie is not None
    assert only.tie.organisations == ("O04", "X") and only.tie.places == 1
    assert "O04" not in s.others and "X" not in s.others and "O03" in s.others
    assert any("must settle" in r.en and "不打破并列" in r.zh for r in only.reasons)
    assert (Fraction(504), ("O04", "X")) in s.ties


def test_the_shipped_jiaxing_scores_show_a_tie_for_the_office() -> None:
    proc = subprocess.run(
        [
            sys.executable,
            "-m",
            "ballot",
            "slate",
            "examples/scores-jiaxing.csv",
            "--profile",
            "jiaxing-2020",
        ],
        cwd=ROOT,
        capture_output=True,
        check=False,
    )
    assert proc.returncode == 0
    out = json.loads(proc.stdout)
    assert out["lists"][0]["tie_at_cutoff"] == {
        "score": "542.2",
        "organisations": ["大桥电器", "新塍陶瓷"],
        "places": 1,
    }
    assert "warning" in proc.stderr.decode() and "大桥电器" in proc.stderr.decode()
    assert len(out["scenario"]["candidates"]) == 15


def test_chongqing_composite_and_both_lists() -> None:
    rows = [
        ("A", 600, 700, 90),
        ("B", 520, 510, 80),
        ("C", 499, 800, 99),
        ("D", 450, 420, 50),
        ("E", 400, 400, 10),
        ("F", 399, 900, 100),
    ]
    s = slate("chongqing-2015", csv_rows(rows, "organisation,document,site,defence"))
    scores = {r.organisation: score for r, score in s.scores}
    assert scores["A"] == Fraction(1, 5) * 600 + Fraction(4, 5) * 700 + 90 == 770
    award, nominee = s.lists
    assert award.candidates == ("A", "B")  # both scores ≥ 500
    assert nominee.candidates == ("C", "D", "E")  # both ≥ 400, not on the award list
    assert s.others == ("F",)  # document below 400
    assert award.size == nominee.size == 5


def test_chongqing_slate_scenario_keeps_each_tiers_list_off_the_award_ballot() -> None:
    """The scenario `ballot slate` prints names each candidate's list (第十六条(六)2), so a
    nominee-list organisation with a 499 document score is not on the award ballot."""
    rows = [("A", 600, 700, 90), ("B", 520, 510, 80), ("C", 499, 800, 99)]
    profile = load_profile("chongqing-2015")
    built = build_slate(profile, read_reviews(csv_rows(rows, "organisation,document,site,defence")))
    scenario = slate_report(profile, built)["scenario"]
    assert scenario["candidates"] == [
        {"name": "A", "list": "award"},
        {"name": "B", "list": "award"},
        {"name": "C", "list": "nominee"},
    ]
    threshold = {"fraction": "1/2", "inclusive": True, "base": "members"}
    out = replay(
        {**scenario, "members": 3, "present": 3, "rules": {"threshold": threshold}, "rounds": []}
    )
    assert out["next"]["candidates"] == ["A", "B"]


def test_jiaxing_slate_scenario_is_one_list_of_names() -> None:
    rows = [("A", 600, 700), ("B", 520, 510)]
    profile = load_profile("jiaxing-2020")
    built = build_slate(profile, read_reviews(csv_rows(rows)))
    assert slate_report(profile, built)["scenario"]["candidates"] == ["A", "B"]


def test_chongqing_top_five_by_composite() -> None:
    rows = [(f"O{i}", 500, 500 + 10 * i, 50) for i in range(7)]
    award, nominee = slate(
        "chongqing-2015", csv_rows(rows, "organisation,document,site,defence")
    ).lists
    assert award.candidates == ("O6", "O5", "O4", "O3", "O2")
    assert nominee.candidates == ("O1", "O0")


def test_chongqing_needs_the_defence_score() -> None:
    with pytest.raises(TallyError) as err:
        slate("chongqing-2015", csv_rows([("A", 600, 600)]))
    assert "A has no defence score" in err.value.text.en


def test_xiaoshan_candidates_reach_500_on_site_after_500_on_documents() -> None:
    rows = [("A", 500, 650), ("B", 700, 499), ("C", 499, 900), ("D", 520, 500)]
    (lst,) = slate("xiaoshan-draft", csv_rows(rows)).lists
    assert lst.rule.tiers == ("award", "innovation")
    assert lst.candidates == ("A", "D")  # ranked by the site score


def test_jiangyin_needs_weights_then_600_and_500() -> None:
    rows = [("A", 600, 650), ("B", 600, 580), ("C", 500, 520), ("D", 400, 480)]
    with pytest.raises(UnstatedSetting) as err:
        slate("jiangyin-draft", csv_rows(rows))
    assert err.value.setting == "slate.weights" and "--weights" in err.value.text.en
    award, excellence = slate(
        "jiangyin-draft", csv_rows(rows), {"document": Fraction(1, 2), "site": Fraction(1, 2)}
    ).lists
    assert award.candidates == ("A",)  # 625 ≥ 600
    assert excellence.candidates == ("B", "C")  # 590 and 510 ≥ 500


def test_changchun_states_no_list_rule() -> None:
    with pytest.raises(UnstatedSetting) as err:
        slate("changchun-2018", csv_rows([("A", 600, 650)]), {"site": Fraction(1)})
    assert err.value.setting == "slate.lists"


def test_chinese_headers_are_understood() -> None:
    reviews = read_reviews("组织,资料评审,现场评审,答辩\n甲,600,700,80\n")
    assert reviews[0].organisation == "甲" and reviews[0].defence == 80


@pytest.mark.parametrize(
    ("text", "words"),
    [
        ("", "the scores file is empty"),
        ("organisation,site\nA,500\n", "'document' is missing"),
        ("organisation,document,site,colour\nA,1,2,red\n", "unknown column 'colour'"),
        ("organisation,document,site\nA,abc,500\n", "is not a number"),
        ("organisation,document,site\nA,1001,500\n", "outside 0..1000"),
        ("organisation,document,site\nA,-1,500\n", "outside 0..1000"),
        ("organisation,document,site,defence\nA,500,500,101\n", "outside 0..100"),
        ("organisation,document,site\nA,500,500\nA,400,400\n", "'A' appears twice"),
        ("organisation,document,site\nA,500\n", "has 2 cells"),
        ("organisation,document,site\n,500,500\n", "the organisation is empty"),
    ],
)
def test_bad_score_files_are_refused_with_the_line(text: str, words: str) -> None:
    with pytest.raises(TallyError) as err:
        read_reviews(text)
    assert words in err.value.text.en


def test_slate_command_errors_exit_2_with_one_line(tmp_path: Path) -> None:
    bad = tmp_path / "bad.csv"
    bad.write_text("organisation,document,site\nA,x,500\n", "utf-8")
    for args in (
        ["slate", str(bad), "--profile", "jiaxing-2020"],
        ["slate", "examples/scores-jiaxing.csv", "--profile", "jiangyin-draft"],
        [
            "slate",
            "examples/scores-jiaxing.csv",
            "--profile",
            "jiaxing-2020",
            "--weights",
            "document",
        ],
        ["slate", "examples/scores-jiaxing.csv"],
    ):
        proc = subprocess.run(
            [sys.executable, "-m", "ballot", *args], cwd=ROOT, capture_output=True, check=False
        )
        err = proc.stderr.decode()
        assert proc.returncode == 2 and err.count("\n") == 1 and "Traceback" not in err, err
        if "--weights" in args:  # in both languages, like every refusal of the engine
            assert "component=fraction" in err and "评分项=比例" in err, err


@pytest.mark.parametrize(
    ("value", "text"),
    [
        (Fraction(5421, 10), "542.1"),
        (Fraction(572), "572"),
        (Fraction(1, 3), "1/3"),
        (Fraction(1, 8), "0.125"),
    ],
)
def test_decimal_text_is_exact(value: Fraction, text: str) -> None:
    assert decimal_text(value) == text
