"""`ballot replay` as a person runs it: shipped examples decide; bad input exits 2 with one line."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from tests.support import ROOT

EXAMPLES = sorted((ROOT / "examples").glob("*.json"))


def run(*args: str, stdin: bytes | None = None) -> subprocess.CompletedProcess[bytes]:
    return subprocess.run(
        [sys.executable, "-m", "ballot", *args],
        input=stdin,
        capture_output=True,
        cwd=ROOT,
        timeout=60,
        check=False,
    )


def replay_json(scenario: Any) -> subprocess.CompletedProcess[bytes]:
    return run("replay", "-", stdin=json.dumps(scenario).encode())


def test_examples_are_shipped() -> None:
    assert {p.stem for p in EXAMPLES} >= {"jiaxing-2020", "chongqing-2015", "xiaoshan-draft"}


@pytest.mark.parametrize("path", EXAMPLES, ids=lambda p: p.stem)
def test_each_shipped_example_replays_to_a_complete_decision(path: Path) -> None:
    proc = run("replay", str(path))
    assert proc.returncode == 0, proc.stderr.decode()
    out = json.loads(proc.stdout)
    for key in ("quorum_met", "rounds", "next", "complete", "result"):
        assert key in out
    assert out["quorum_met"] and out["complete"] and out["next"] is None
    for r in out["rounds"]:
        for key in (
            "tier",
            "kind",
            "candidates",
            "places",
            "max_approvals",
            "threshold",
            "selected",
            "revote",
            "reasons",
        ):
            assert key in r
        assert all(x["zh"] and x["en"] for x in r["reasons"])


def test_main_example_decides_what_the_readme_says() -> None:
    out = json.loads(run("replay", "examples/jiaxing-2020.json").stdout)
    assert out["rounds"][0]["revote"] == {"candidates": ["平湖光电", "桐乡化纤"], "places": 1}
    assert out["result"] == {
        "award": ["嘉禾电子", "南湖纺织", "海盐装备", "秀洲精工", "平湖光电"],
        "nominee": ["桐乡化纤", "嘉善木业", "海宁皮革"],
        "innovation": ["梅湾医药", "月河食品"],
    }
    readme = (ROOT / "README.md").read_text("utf-8")
    assert "ballot replay examples/jiaxing-2020.json" in readme


def test_text_output_is_for_people() -> None:
    proc = run("replay", "--text", "examples/jiaxing-2020.json")
    assert proc.returncode == 0
    text = proc.stdout.decode()
    assert "达到法定人数：应到 15 人，实到 12 人，需 10 人" in text
    assert "对 平湖光电、桐乡化纤 再投票" in text
    assert "程序完成 / The procedure is complete." in text


def test_a_meeting_in_progress_says_what_ballot_comes_next() -> None:
    scenario = json.loads((ROOT / "examples/jiaxing-2020.json").read_text("utf-8"))
    scenario["rounds"] = scenario["rounds"][:1]
    out = json.loads(replay_json(scenario).stdout)
    assert not out["complete"]
    assert out["next"]["kind"] == "revote"
    assert out["next"]["candidates"] == ["平湖光电", "桐乡化纤"] and out["next"]["places"] == 1


BASE: dict[str, Any] = {
    "profile": "jiaxing-2020",
    "members": 15,
    "present": 12,
    "candidates": ["A", "B", "C"],
    "others": ["X"],
    "rules": {"tiers": [{"id": "award", "places": 2}, {"id": "innovation", "places": 1}]},
    "rounds": [{"approve": {"A": 10, "B": 9}, "oppose": {"A": 1}, "abstain": {}, "ballots": 12}],
}


def variant(**changes: Any) -> dict[str, Any]:
    scenario = json.loads(json.dumps(BASE))
    scenario.update(changes)
    return scenario


INVALID: list[tuple[str, Any, str]] = [
    ("unknown profile", variant(profile="hangzhou-2030"), "unknown profile 'hangzhou-2030'"),
    (
        "unknown candidate",
        variant(rounds=[{"approve": {"Z": 3}}]),
        "'Z' is not a candidate of this meeting",
    ),
    (
        "candidate not on that ballot",
        variant(rounds=[{"approve": {"A": 9, "B": 7, "C": 7}}, {"approve": {"A": 1}}]),
        "'A', who is not on this ballot",
    ),
    (
        "approvals above ballots",
        variant(rounds=[{"approve": {"A": 11}, "ballots": 10}]),
        "A has 11 approvals but there are only 10 ballots returned",
    ),
    (
        "approvals above present",
        variant(rounds=[{"approve": {"A": 13}}]),
        "A has 13 approvals but there are only 12 members present",
    ),
    (
        "marks above ballots",
        variant(
            rounds=[{"approve": {"A": 6}, "oppose": {"A": 4}, "abstain": {"A": 2}, "ballots": 11}]
        ),
        "12 approve, oppose and abstain marks",
    ),
    (
        "more ballots than present",
        variant(rounds=[{"approve": {"A": 1}, "ballots": 13}]),
        "13 ballots returned but only 12 members present",
    ),
    (
        "total approvals above max × ballots",
        variant(rounds=[{"approve": {"A": 10, "B": 10, "C": 5}, "ballots": 12}]),
        "25 approvals in all, but 12 ballots returned with at most 2 approvals each allow 24",
    ),
    (
        "more rounds than the procedure asks",
        variant(rounds=[*BASE["rounds"], {"approve": {"X": 9}}, {"approve": {"C": 1}}]),
        "round 3 is more than the procedure asks for",
    ),
    ("rounds without a quorum", variant(present=9), "Quorum not met: 9 of 15"),
    (
        "missing unstated setting",
        variant(rules={}, rounds=[*BASE["rounds"], {"approve": {"C": 8}}]),
        "setting 'tiers.innovation.places' is not stated in profile jiaxing-2020",
    ),
    (
        "missing unstated quorum",
        variant(profile="xiaoshan-draft", rules={}),
        "setting 'quorum' is not stated in profile xiaoshan-draft",
    ),
    ("negative count", variant(rounds=[{"approve": {"A": -1}}]), "at least 0"),
    ("fractional count", variant(rounds=[{"approve": {"A": 1.5}}]), "whole number"),
    ("present above members", variant(present=16), "present must be at most 15"),
    ("duplicate candidate", variant(candidates=["A", "A"]), "'A' is listed twice"),
    ("candidate also in others", variant(others=["A"]), "'A' is listed twice"),
    ("no candidates", variant(candidates=[]), "the slate is empty"),
    ("unknown key", variant(rouns=[]), "unknown key 'rouns'"),
    ("not an object", [1, 2], "scenario must be an object"),
    ("approve missing", variant(rounds=[{"oppose": {"A": 1}}]), "'approve' is missing"),
    (
        "threshold on ballots without ballots",
        variant(
            rules={
                **BASE["rules"],
                "threshold": {"fraction": "1/2", "inclusive": True, "base": "ballots"},
            },
            rounds=[{"approve": {"A": 3}}],
        ),
        'this round must give "ballots"',
    ),
]


@pytest.mark.parametrize(("case", "scenario", "message"), INVALID, ids=[c[0] for c in INVALID])
def test_invalid_input_exits_2_with_one_clear_line(case: str, scenario: Any, message: str) -> None:
    proc = replay_json(scenario)
    err = proc.stderr.decode()
    assert proc.returncode == 2, (case, proc.stdout.decode(), err)
    assert proc.stdout == b""
    assert "Traceback" not in err
    assert err.count("\n") == 1 and err.endswith("\n"), err
    assert message in err, err
    assert " | " in err  # English, then Chinese on the same line


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"{not json", "is not valid JSON: Expecting property name"),
        (b"", "is not valid JSON"),
        (b"\xff\xfe{}", "is not UTF-8 text"),
        (
            b'{"profile": "jiaxing-2020", "members": 15' + b" " * (11 * 1024 * 1024) + b"}",
            "larger than 10 MiB",
        ),
    ],
    ids=["broken", "empty", "not-utf8", "oversized"],
)
def test_malformed_files_exit_2(data: bytes, message: str) -> None:
    proc = run("replay", "-", stdin=data)
    err = proc.stderr.decode()
    assert proc.returncode == 2 and message in err and err.count("\n") == 1, err


def test_missing_file_and_bad_usage_exit_2() -> None:
    proc = run("replay", "no-such-file.json")
    assert proc.returncode == 2
    assert "cannot read scenario no-such-file.json" in proc.stderr.decode()
    proc = run("replay")
    assert proc.returncode == 2 and proc.stderr.decode().count("\n") == 1
    proc = run("frobnicate")
    assert proc.returncode == 2 and "invalid choice" in proc.stderr.decode()


def test_the_issue_example_runs() -> None:
    scenario = {
        "profile": "jiaxing-2020",
        "members": 15,
        "present": 12,
        "candidates": ["A", "B", "C"],
        "others": ["X"],
        "rules": {
            "threshold": {"fraction": "1/2", "inclusive": True, "base": "members"},
            "tiers": [{"id": "award", "places": 5}, {"id": "innovation", "places": 2}],
        },
        "rounds": [
            {"approve": {"A": 10, "B": 9}, "oppose": {"A": 1}, "abstain": {}, "ballots": 12}
        ],
    }
    proc = replay_json(scenario)
    assert proc.returncode == 0, proc.stderr
    out = json.loads(proc.stdout)
    assert out["result"]["award"] == ["A", "B"]
    assert out["rounds"][0]["empty_places"] == 3
    assert out["next"] == {
        "tier": "innovation",
        "kind": "ballot",
        "candidates": ["C", "X"],
        "places": 2,
        "max_approvals": 2,
        "threshold": 8,
        "outside_cap": [],
    }
