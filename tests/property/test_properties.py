"""Property tests: whole committee meetings driven through the tally engine.

Each example sets up a meeting (a profile, 1-30 members, attendance that meets the quorum, a
threshold or none, a re-vote limit, a slate of 2-10 candidates, sometimes other evaluated
organisations and a past winner outside the cap), then holds the ballots the procedure asks
for, one at a time: tally the rounds so far, read the next ballot, draw valid counts for exactly
that ballot (through `st.data()`, so a failure prints each round's counts), append them and
tally again, until the meeting is complete (at most MAX_ROUNDS ballots). The report the
properties check is the one `replay` gives for the whole meeting.

The checks on a finished report are plain functions (`check_*`); the tests at the end feed them
tampered reports to show that each one really inspects the data it is about, and measure how
often the generated meetings reach re-votes, the re-vote limit, void rounds and outside-cap wins.
(Run with --hypothesis-show-statistics to see the same figures as events for each property.)
"""

from __future__ import annotations

import contextlib
import copy
import itertools
import json
from collections import Counter
from collections.abc import Callable
from fractions import Fraction
from functools import cache
from random import Random
from typing import Any

import pytest
from hypothesis import Phase, event, find, given, settings
from hypothesis import strategies as st
from hypothesis.errors import NoSuchExample

from ballot.tally.engine import tally
from ballot.tally.errors import TallyError
from ballot.tally.model import Counts
from ballot.tally.profiles import load_profile
from ballot.tally.report import ballot as ballot_json
from ballot.tally.rules import Proportion
from ballot.tally.scenario import parse_scenario
from tests.support import ROOT
from tests.support.scenarios import replay, run_outcome

Scenario = dict[str, Any]
Report = dict[str, Any]
Round = dict[str, Any]
Draw = Callable[[st.SearchStrategy[Any]], Any]

MAX_ROUNDS = 12
SETTLE_AFTER = 3  # re-votes in a row that may tie again (max_revotes is at most 3, or None)
PROFILES = ("jiaxing-2020", "chongqing-2015", "xiaoshan-draft")
# Xiaoshan's text states no quorum: its committee sets one (given under "rules")
COMMITTEE_QUORUM = {"xiaoshan-draft": {"fraction": "2/3", "inclusive": True}}
# only Xiaoshan's 质量奖 lets a past winner win outside the cap (第二十八条¶2)
PAST_WINNER_TIERS = {"xiaoshan-draft": ["award"]}
# Chinese and Latin names, so that the engine's name order (code points) is exercised too.
NAMES = (
    "嘉禾电子",
    "南湖纺织",
    "秀洲精工",
    "海盐装备",
    "平湖光电",
    "桐乡化纤",
    "嘉善木业",
    "海宁皮革",
    "月河食品",
    "乌镇软件",
    "Acme",
    "acme",
    "Zeta Works",
)
LATER_TIERS = ("nominee", "innovation", "excellence")
POOLS = ("remaining", "remaining+others", "others")
KEEP = "keep the profile's value"
PLACES = st.sampled_from([1, 1, 2, 2, 3, 4, 5])  # fewer places than candidates, mostly
SPREAD = st.sampled_from([(step, shift) for step in (1, 2, 3) for shift in (0, 1, 2)])
EXTRA_TIED = st.sampled_from([0, 0, 0, 1, 2])  # tied beyond places + 1
SOMETIMES = st.sampled_from([False, False, True])
SHAPES = st.sampled_from(
    list(
        itertools.product(
            # how approvals are made up: re-votes mostly settle the tie, first ballots mostly tie
            ["tie on a first ballot", "patterns", "levels", "tie on a first ballot", "tie"],
            [False] * 3 + [True],  # the count gives its own "present"
            [False] * 3 + [True],  # fewer ballots than present
            [True, False],  # "ballots" given
            range(5),  # quarters of the unmarked ballots marked oppose
            [False, True],  # the rest marked abstain
            [True, False],  # zero approvals written out
        )
    )
)


# --- generating meetings --------------------------------------------------------------------


PROFILE = st.sampled_from(PROFILES)
SEPARATE_LISTS = {"chongqing-2015"}  # 第十六条(六)2: an award list and a nominee list
MEMBERS = st.integers(1, 30)
LATER = st.lists(st.sampled_from(LATER_TIERS), unique=True, max_size=3)
POOL = st.sampled_from([None, *POOLS])
CUSTOM: list[Any] = [  # thresholds
    {"fraction": fraction, "inclusive": inclusive, "base": base}
    for fraction in ("1/2", "2/3", "1/3", "3/4", "1")
    for inclusive in (True, False)
    for base in ("members", "present", "ballots")
]
# One draw settles the rule overrides: the threshold (the profile's, null or one of the custom
# ones; chongqing-2015 states none, so there it must be given), max_revotes, revote_threshold
# and max_approvals. KEEP leaves a setting out of "rules".
OVERRIDES = {
    profile: st.sampled_from(
        list(
            itertools.product(
                ([KEEP] * 10 if profile == "jiaxing-2020" else []) + [None] * 10 + CUSTOM,
                [KEEP, 0, 1, 2, None, 0, 1],  # max_revotes
                [KEEP, True, False],  # revote_threshold
                [KEEP, "places", None, 1, 2],  # max_approvals
            )
        )
    )
    for profile in PROFILES
}


@st.composite
def meetings(draw: Draw) -> Scenario:
    """A meeting that reaches its quorum, with no rounds held yet."""
    profile = draw(PROFILE)
    members = draw(MEMBERS)
    quorum = quorum_of(profile)
    present = draw(st.integers(quorum.needed(members), members))

    names = rotate(list(NAMES), draw(st.integers(0, len(NAMES) - 1)))
    size = draw(st.integers(2, 10))
    slate, others = names[:size], names[size : size + draw(st.integers(0, 3))]
    # Now and then a past winner, whose win takes no place in the tiers it is flagged for.
    allowed = PAST_WINNER_TIERS.get(profile)
    past = slate[draw(st.integers(0, size - 1))] if allowed and draw(SOMETIMES) else None
    candidates: list[Any] = [{"name": n, "outside_cap": allowed} if n == past else n for n in slate]

    tiers: list[dict[str, Any]] = [{"id": "award", "places": draw(PLACES)}]
    for tier_id in draw(LATER):
        tier: dict[str, Any] = {"id": tier_id, "places": draw(PLACES)}
        pool = draw(POOL)
        if pool is not None:
            tier["pool"] = pool
        tiers.append(tier)
    if profile in SEPARATE_LISTS:  # each tier its own candidate list: say whose each is on
        tier_ids = st.sampled_from([t["id"] for t in tiers])
        candidates = [
            {"name": c, "list": draw(tier_ids)} if isinstance(c, str) else c | {"list": "award"}
            for c in candidates
        ]
    rules: dict[str, Any] = {"tiers": tiers}
    if profile in COMMITTEE_QUORUM:
        rules["quorum"] = COMMITTEE_QUORUM[profile]

    threshold, max_revotes, revote_threshold, max_approvals = draw(OVERRIDES[profile])
    for key, value in (
        ("threshold", threshold),
        ("max_revotes", max_revotes),
        ("revote_threshold", revote_threshold),
        ("max_approvals", max_approvals),
    ):
        if value != KEEP:
            rules[key] = value

    scenario: Scenario = {
        "profile": profile,
        "members": members,
        "present": present,
        "candidates": candidates,
        "rules": rules,
    }
    if others:
        scenario["others"] = others
    return scenario


def quorum_of(profile: str) -> Proportion:
    given = COMMITTEE_QUORUM.get(profile)
    if given is None:
        return load_profile(profile).quorum.require()
    return Proportion(Fraction(given["fraction"]), given["inclusive"])


def rotate(names: list[str], start: int) -> list[str]:
    start %= len(names)
    return names[start:] + names[:start]


@cache
def high(top: int) -> st.SearchStrategy[int]:
    """0..top, often near top (full attendance, approvals that can reach the threshold)."""
    near = [max(top - down, 0) for down in (0, 0, 1, 2)]
    return st.sampled_from(near * max(1, (top + 1) // 4) + list(range(top + 1)))


def _by_patterns(draw: Draw, names: list[str], limit: int, cast: int) -> dict[str, int]:
    """Approvals from one to three ballot patterns (runs of at most `limit` names), each cast
    by some, often the same, number of members: valid by construction."""
    count = draw(st.integers(1, 3))
    patterns = [
        rotate(names, draw(st.integers(0, len(names) - 1)))[: draw(st.integers(1, limit))]
        for _ in range(count)
    ]
    if draw(st.booleans()):
        behind = [draw(high(cast // count))] * count
    else:
        behind, left = [], cast
        for _ in patterns:
            behind.append(draw(high(left)))
            left -= behind[-1]
    approve = dict.fromkeys(names, 0)
    for pattern, n in zip(patterns, behind, strict=True):
        for name in pattern:
            approve[name] += n
    return approve


def _by_levels(draw: Draw, names: list[str], limit: int, cast: int) -> dict[str, int]:
    """Approvals at one to three levels, then capped at the highest common value that keeps the
    total within `limit` approvals per ballot, which ties everyone above it. Any counts with each
    name <= cast and a total <= limit * cast can be marked on `cast` ballots of at most `limit`
    approvals each (fill the ballots name by name, round-robin), so these are valid too."""
    levels = [draw(high(cast)) for _ in range(draw(st.integers(1, 3)))]
    step, shift = draw(SPREAD)
    approve = {name: levels[(i * step + shift) % len(levels)] for i, name in enumerate(names)}
    top = max(approve.values())
    while sum(min(v, top) for v in approve.values()) > limit * cast:
        top -= 1
    return {name: min(v, top) for name, v in approve.items()}


def _tie_at_cutoff(
    draw: Draw, names: list[str], places: int, limit: int, cast: int
) -> dict[str, int]:
    """More names than places (when there are) share the top count, as high as the budget
    allows; the rest share a lower one. Whether the tie meets the threshold is up to the draw."""
    size = min(places + 1 + draw(EXTRA_TIED), len(names))
    tied = rotate(names, draw(st.integers(0, len(names) - 1)))[:size]
    most = min(cast, limit * cast // size)
    top = most - draw(st.integers(0, min(most, 2)))
    below = draw(st.integers(0, top - 1)) if top else 0
    approve = dict.fromkeys(names, 0)
    left = limit * cast - top * size
    for name in names:
        if name in tied:
            approve[name] = top
        else:
            approve[name] = min(below, left)
            left -= approve[name]
    return approve


@st.composite
def counts_for(
    draw: Draw,
    ballot: dict[str, Any],
    members: int,
    present: int,
    need_ballots: bool,
    settle: bool = False,
) -> dict[str, Any]:
    """Valid counts for `ballot`, biased toward ties: approvals as if each returned ballot
    approved at most max_approvals names; oppose and abstain fill some of the rest.

    `settle` (after a run of re-votes) gives the places to as many names, every member present
    approving them, so that meetings without a re-vote limit end too."""
    names: list[str] = ballot["candidates"]
    limit: int = ballot["max_approvals"]
    if settle:
        size = min(ballot["places"], limit)
        winners = rotate(names, draw(st.integers(0, len(names) - 1)))[:size]
        return {"approve": dict.fromkeys(winners, present), "ballots": present}
    # One draw settles how the count reads: how approvals are made up, whether the count
    # records its own attendance (now and then, which may fall below the quorum), whether fewer
    # ballots came back than members present, whether "ballots" is given, how many oppose and
    # abstain marks there are, and whether zero approvals are written out.
    mode, own_present, fewer, give, quarters, fill, zeros = draw(SHAPES)
    at_count = draw(st.integers(0, members)) if own_present else None
    cap = present if at_count is None else at_count
    ballots = draw(st.just(0) | st.integers(0, cap)) if fewer else cap
    give_ballots = need_ballots or give
    cast = ballots if give_ballots else cap

    if mode == "tie on a first ballot":
        mode = "tie" if ballot["kind"] == "ballot" else "levels"
    if mode == "patterns":
        approve = _by_patterns(draw, names, limit, cast)
    elif mode == "levels":
        approve = _by_levels(draw, names, limit, cast)
    else:
        approve = _tie_at_cutoff(draw, names, ballot["places"], limit, cast)

    # Oppose takes a share of each name's unmarked ballots, abstain all or none of the rest
    # (so approve + oppose + abstain can reach the ballots exactly).
    oppose: dict[str, int] = {}
    abstain: dict[str, int] = {}
    for name in names:
        room = cast - approve[name]
        if room * quarters // 4:
            oppose[name] = room * quarters // 4
        if fill and room - room * quarters // 4:
            abstain[name] = room - room * quarters // 4
    if not zeros:
        approve = {name: n for name, n in approve.items() if n}

    counts: dict[str, Any] = {"approve": approve}
    if oppose:
        counts["oppose"] = oppose
    if abstain:
        counts["abstain"] = abstain
    if give_ballots:
        counts["ballots"] = ballots
    if at_count is not None:
        counts["present"] = at_count
    return counts


def setting_value(report: Report, name: str) -> Any:
    return next(s["value"] for s in report["settings"] if s["setting"] == name)


def as_counts(raw: dict[str, Any]) -> Counts:
    return Counts(
        approve=raw["approve"],
        oppose=raw.get("oppose", {}),
        abstain=raw.get("abstain", {}),
        ballots=raw.get("ballots"),
        present=raw.get("present"),
    )


def drive(draw: Draw, scenario: Scenario) -> tuple[Scenario, Report]:
    """Hold the ballots the procedure asks for until it is complete; (scenario, final report).

    Between rounds the loop calls `tally` on the parsed meeting and reads the next ballot as the
    report would show it (`ballot.tally.report.ballot`); the final report, which the properties
    check, goes through `replay`, the path `ballot replay` takes."""
    parsed = parse_scenario({**scenario, "rounds": []}, load_profile)
    threshold = parsed.rules.threshold.value
    need_ballots = threshold is not None and threshold.base == "ballots"
    rounds: list[dict[str, Any]] = []
    state = tally(parsed.rules, parsed.meeting, [])
    streak = 0  # re-vote ballots in a row
    while not state.complete and state.next is not None and len(rounds) < MAX_ROUNDS:
        ballot = ballot_json(state.next, state.next_threshold)
        streak = streak + 1 if ballot["kind"] == "revote" else 0
        rounds.append(
            draw(
                counts_for(
                    ballot,
                    scenario["members"],
                    scenario["present"],
                    need_ballots,
                    settle=streak > SETTLE_AFTER,
                )
            )
        )
        state = tally(parsed.rules, parsed.meeting, [as_counts(r) for r in rounds])
    held = {**scenario, "rounds": rounds}
    return held, replay(held)


@st.composite
def played(draw: Draw) -> tuple[Scenario, Report]:
    """A whole meeting as one strategy (for `find`); the tests drive it through `st.data()`."""
    return drive(draw, draw(meetings()))


# --- reading a report -----------------------------------------------------------------------


def approvals(rnd: Round) -> dict[str, int]:
    return {name: marks["approve"] for name, marks in rnd["counts"].items()}


def floor(rnd: Round) -> int:
    """Fewest approvals that can select in this round: on a first ballot the threshold but at
    least 1 (nobody wins without an approval, even where a share of 0 ballots rounds to 0);
    on a re-vote the threshold if re-votes apply it (revote_threshold), else 0."""
    threshold = 0 if rnd["threshold"] is None else int(rnd["threshold"])
    return max(threshold, 1) if rnd["kind"] == "ballot" else threshold


def in_cap(rnd: Round) -> list[str]:
    return [c for c in rnd["candidates"] if c not in rnd["outside_cap"]]


def ballot_after(report: Report, index: int) -> dict[str, Any] | None:
    """The ballot held (or asked for) right after round `index`."""
    rounds: list[Round] = report["rounds"]
    following: dict[str, Any] | None = (
        rounds[index + 1] if index + 1 < len(rounds) else report["next"]
    )
    return following


def tier_rounds(report: Report, tier_id: str) -> list[Round]:
    return [r for r in report["rounds"] if r["tier"] == tier_id]


def features(report: Report) -> set[str]:
    """What a meeting went through, for `event()` statistics and the coverage test."""
    found: set[str] = set()
    for r in report["rounds"]:
        if r["void"]:
            found.add("void round")
            continue
        if r["revote"] is not None:
            found.add("re-vote")
        elif tie_at_cutoff(r):
            found.add("re-vote limit reached")
        if r["kind"] == "revote":
            found.add("re-vote round held")
            if r["selected"]:
                found.add("re-vote selected someone")
        if r["ballots"] is not None and r["ballots"] < r["present"]:
            found.add("fewer ballots than present")
    if any(t["outside_cap"] for t in report["tiers"]):
        found.add("outside-cap winner")
    if report["complete"]:
        found.add("complete")
        if sum(1 for t in report["tiers"] if t["selected"]) >= 2:
            found.add("winners in two tiers")
    else:
        found.add("stopped at the round limit")
    return found


def tie_at_cutoff(rnd: Round) -> bool:
    votes = approvals(rnd)
    ranked = sorted((votes[c] for c in in_cap(rnd) if votes[c] >= floor(rnd)), reverse=True)
    places: int = rnd["places"]
    return len(ranked) > places and ranked[places - 1] == ranked[places]


# --- the properties -------------------------------------------------------------------------


def check_places(report: Report) -> None:
    """Never more winners than places, per round and per tier (outside-cap winners aside)."""
    for r in report["rounds"]:
        assert len(r["selected"]) <= r["places"], f"round {r['round']} over-fills its places"
        assert len(set(r["selected"])) == len(r["selected"]), f"round {r['round']} repeats a name"
        if r["void"]:
            assert r["selected"] == [] and r["revote"] is None, f"void round {r['round']} decided"
    for t in report["tiers"]:
        assert len(t["selected"]) <= t["places"], f"tier {t['tier']} has more winners than places"
        held = [c for r in tier_rounds(report, t["tier"]) for c in r["selected"]]
        assert t["selected"] == held, f"tier {t['tier']} winners differ from its rounds' winners"
        assert report["result"][t["tier"]] == t["selected"] + t["outside_cap"]
        if t["status"] == "decided":
            assert len(t["selected"]) + t["empty_places"] == t["places"], t


def check_thresholds(report: Report) -> None:
    """Every winner of a first ballot met the threshold and had at least one approval; a re-vote
    winner meets the threshold too when re-votes apply it; outside-cap winners alike."""
    for r in report["rounds"]:
        if r["void"]:
            continue
        votes = approvals(r)
        for c in r["selected"]:
            assert c in in_cap(r), f"round {r['round']} selects {c!r}, not on its ballot's cap"
            if r["kind"] == "ballot":
                need = floor(r)
                assert votes[c] >= need, f"round {r['round']}: {c} won with {votes[c]} < {need}"
            elif r["threshold"] is not None:
                assert votes[c] >= r["threshold"], f"re-vote {r['round']}: {c} below threshold"
    for t in report["tiers"]:
        if not t["outside_cap"]:
            continue
        firsts = [r for r in tier_rounds(report, t["tier"]) if r["kind"] == "ballot"]
        held = [r for r in firsts if not r["void"]]
        assert len(held) == 1, f"tier {t['tier']} has outside-cap winners but no ballot"
        votes = approvals(held[0])
        for c in t["outside_cap"]:
            assert c in held[0]["outside_cap"], f"{c} was not outside the cap in {t['tier']}"
            need = floor(held[0])
            assert votes[c] >= need, f"outside-cap {c} won {t['tier']} with {votes[c]} < {need}"


def check_revotes(report: Report) -> None:
    """A re-vote names exactly the candidates tied at the cut-off, for exactly the places left,
    and is the next ballot; a tie at the cut-off goes without one only at the re-vote limit;
    the selection is the top of the ranking; a void round is held again as it was."""
    limit = setting_value(report, "max_revotes")
    held: Counter[str] = Counter()
    rounds = report["rounds"]
    for i, r in enumerate(rounds):
        if r["kind"] == "revote":
            assert i > 0, "the first round cannot be a re-vote"
            prev = rounds[i - 1]
            asked = prev["revote"] if not prev["void"] else prev
            assert asked is not None, f"re-vote round {r['round']} follows no tie"
            assert sorted(asked["candidates"]) == sorted(r["candidates"])
            assert asked["places"] == r["places"] and prev["tier"] == r["tier"]
        nxt = ballot_after(report, i)
        if r["void"]:
            assert nxt is not None, f"void round {r['round']} is not held again"
            for key in ("tier", "kind", "places", "max_approvals", "outside_cap"):
                assert nxt[key] == r[key], f"void round {r['round']} held again with new {key}"
            assert nxt["candidates"] == r["candidates"]
            continue
        votes = approvals(r)
        eligible = [c for c in in_cap(r) if votes[c] >= floor(r)]
        selected = set(r["selected"])
        if r["revote"] is not None:
            tied = r["revote"]["candidates"]
            places = r["revote"]["places"]
            values = {votes[c] for c in tied}
            assert len(values) == 1, f"round {r['round']}: re-vote over unequal approvals {values}"
            (cut,) = values
            assert len(set(tied)) == len(tied) and set(tied) <= set(in_cap(r))
            assert cut >= floor(r), f"round {r['round']}: tied candidates below the threshold"
            assert set(tied) == {c for c in eligible if votes[c] == cut}, "tied set incomplete"
            assert selected == {c for c in eligible if votes[c] > cut}, "a higher one not selected"
            assert cut == min(votes[c] for c in [*selected, *tied])
            assert len(tied) > places >= 1, f"round {r['round']}: {len(tied)} tied for {places}"
            assert len(selected) + places == r["places"]
            assert nxt is not None and nxt["kind"] == "revote" and nxt["tier"] == r["tier"]
            assert sorted(nxt["candidates"]) == sorted(tied) and nxt["places"] == places
            assert limit is None or held[r["tier"]] < limit, "more re-votes than max_revotes"
            held[r["tier"]] += 1
            continue
        ranked = sorted(eligible, key=lambda c: -votes[c])
        if len(ranked) <= r["places"]:
            assert selected == set(eligible), f"round {r['round']} leaves out an eligible one"
        elif tie_at_cutoff(r):
            cut = votes[ranked[r["places"] - 1]]
            assert limit is not None and held[r["tier"]] >= limit, "a tie got no re-vote"
            assert selected == {c for c in eligible if votes[c] > cut}
            assert r["empty_places"] == r["places"] - len(selected)
        else:
            assert selected == set(ranked[: r["places"]]), f"round {r['round']} misranks"
        assert nxt is None or (nxt["kind"] == "ballot" and nxt["tier"] != r["tier"])


def check_no_winner_twice(report: Report) -> None:
    """A winner of one tier is on no later ballot, and no name wins twice."""
    order = [t["tier"] for t in report["tiers"]]
    positions = [order.index(r["tier"]) for r in report["rounds"]]
    assert positions == sorted(positions), "tiers are balloted out of order"
    won: set[str] = set()
    for t in report["tiers"]:
        ballots = [r["candidates"] for r in tier_rounds(report, t["tier"])]
        if report["next"] is not None and report["next"]["tier"] == t["tier"]:
            ballots.append(report["next"]["candidates"])
        for names in ballots:
            again = won & set(names)
            assert not again, f"{sorted(again)} won already but are on the {t['tier']} ballot"
        winners = t["selected"] + t["outside_cap"]
        assert len(set(winners)) == len(winners) and not won & set(winners)
        won |= set(winners)
    everyone = [c for tier in report["result"].values() for c in tier]
    assert len(everyone) == len(set(everyone)), "a candidate appears in two results"


def check_same_decisions(a: Report, b: Report) -> None:
    """Two reports decide the same, up to the order the candidates were listed in."""
    assert a["result"] == b["result"]
    assert a["complete"] == b["complete"]
    assert len(a["rounds"]) == len(b["rounds"])
    for x, y in zip(a["rounds"], b["rounds"], strict=True):
        for key in ("tier", "kind", "places", "max_approvals", "threshold", "void", "selected"):
            assert x[key] == y[key], f"round {x['round']}: {key} {x[key]!r} != {y[key]!r}"
        assert sorted(x["candidates"]) == sorted(y["candidates"])
        assert sorted(x["outside_cap"]) == sorted(y["outside_cap"])
        assert x["revote"] == y["revote"], f"round {x['round']}: re-votes differ"
        assert x["empty_places"] == y["empty_places"]
    for s, t in zip(a["tiers"], b["tiers"], strict=True):
        assert (s["tier"], s["status"], s["empty_places"]) == (
            t["tier"],
            t["status"],
            t["empty_places"],
        )
        assert s["selected"] == t["selected"] and s["outside_cap"] == t["outside_cap"]
    if a["next"] is None or b["next"] is None:
        assert a["next"] is b["next"] is None
    else:
        for key in ("tier", "kind", "places", "max_approvals", "threshold"):
            assert a["next"][key] == b["next"][key]
        assert sorted(a["next"]["candidates"]) == sorted(b["next"]["candidates"])


def observe(report: Report) -> None:
    for name in sorted(features(report)):
        event(name)
    event(f"rounds held: {len(report['rounds'])}")


# --- the property tests ---------------------------------------------------------------------


@given(meeting=meetings(), data=st.data())
def test_never_more_winners_than_places(meeting: Scenario, data: st.DataObject) -> None:
    _, report = drive(data.draw, meeting)
    observe(report)
    check_places(report)


@given(meeting=meetings(), data=st.data())
def test_winners_met_the_threshold_except_by_revote(meeting: Scenario, data: st.DataObject) -> None:
    _, report = drive(data.draw, meeting)
    observe(report)
    check_thresholds(report)


@given(meeting=meetings(), data=st.data())
def test_revote_only_names_the_tied_candidates(meeting: Scenario, data: st.DataObject) -> None:
    _, report = drive(data.draw, meeting)
    observe(report)
    check_revotes(report)


@given(meeting=meetings(), data=st.data())
def test_replay_is_deterministic_and_ignores_candidate_order(
    meeting: Scenario, data: st.DataObject
) -> None:
    scenario, report = drive(data.draw, meeting)
    observe(report)
    again = replay(copy.deepcopy(scenario))
    assert json.dumps(again, ensure_ascii=False) == json.dumps(report, ensure_ascii=False)

    shuffled = dict(scenario)
    shuffled["candidates"] = data.draw(st.permutations(scenario["candidates"]), label="slate")
    if "others" in scenario:
        shuffled["others"] = data.draw(st.permutations(scenario["others"]), label="others")
    check_same_decisions(report, replay(shuffled))


@given(meeting=meetings(), data=st.data())
def test_no_candidate_wins_twice(meeting: Scenario, data: st.DataObject) -> None:
    _, report = drive(data.draw, meeting)
    observe(report)
    check_no_winner_twice(report)


@given(meeting=meetings(), data=st.data())
def test_no_candidate_is_on_a_ballot_before_its_own_list(
    meeting: Scenario, data: st.DataObject
) -> None:
    """重庆 第十六条(六)2: a nominee-list organisation is on no award ballot, so it never wins
    the award; an award-list organisation not selected may go on to the nominee ballot."""
    _, report = drive(data.draw, meeting)
    observe(report)
    listed = {
        c["name"]: c["list"] for c in meeting["candidates"] if isinstance(c, dict) and "list" in c
    }
    order = [t["id"] for t in meeting["rules"]["tiers"]]
    for r in report["rounds"]:
        for name in r["candidates"]:
            if name in listed:
                assert order.index(listed[name]) <= order.index(r["tier"])
    for tier, winners in report["result"].items():
        for name in winners:
            if name in listed:
                assert order.index(listed[name]) <= order.index(tier)


@given(
    profile=st.sampled_from(PROFILES),
    members=st.integers(1, 30),
    data=st.data(),
)
def test_quorum_not_met_decides_nothing(profile: str, members: int, data: st.DataObject) -> None:
    needed = quorum_of(profile).needed(members)
    present = data.draw(st.integers(0, needed - 1), label="present")
    names = data.draw(st.lists(st.sampled_from(NAMES), min_size=2, max_size=10, unique=True))
    scenario: Scenario = {
        "profile": profile,
        "members": members,
        "present": present,
        "candidates": [{"name": n, "list": "award"} for n in names]
        if profile in SEPARATE_LISTS
        else names,
        "rules": {
            "tiers": [{"id": "award", "places": 2}, {"id": "nominee", "places": 1}],
            **({"quorum": COMMITTEE_QUORUM[profile]} if profile in COMMITTEE_QUORUM else {}),
            **({"threshold": None} if profile == "xiaoshan-draft" else {}),
        },
    }
    report = replay(scenario)
    assert report["quorum_met"] is False
    assert report["complete"] is False
    assert report["next"] is None
    assert report["rounds"] == []
    assert report["result"] == {"award": [], "nominee": []}
    assert {t["status"] for t in report["tiers"]} == {"not reached"}

    held = {**scenario, "rounds": [{"approve": {names[0]: min(present, 1)}}]}
    with pytest.raises(TallyError):
        run_outcome(held)


# --- the checks can fail, and the generator reaches what they check -------------------------


def example_report() -> Report:
    """examples/jiaxing-2020.json: a tie at the award cut-off, then three more ballots."""
    path = ROOT / "examples" / "jiaxing-2020.json"
    return replay(json.loads(path.read_text(encoding="utf-8")))


def _first_revote(report: Report) -> Round:
    return next(r for r in report["rounds"] if r["revote"] is not None)


def _over_fill(report: Report) -> None:
    r = report["rounds"][-1]
    r["selected"].append(next(c for c in r["candidates"] if c not in r["selected"]))


def _lower_a_winner(report: Report) -> None:
    r = report["rounds"][0]
    r["counts"][r["selected"][-1]]["approve"] = r["threshold"] - 1


def _untie(report: Report) -> None:
    r = _first_revote(report)
    r["counts"][r["revote"]["candidates"][0]]["approve"] += 1


def _revote_for_all_places(report: Report) -> None:
    r = _first_revote(report)
    r["revote"]["places"] = len(r["revote"]["candidates"])


def _skip_the_revote(report: Report) -> None:
    r = _first_revote(report)
    report["rounds"][r["round"]]["kind"] = "ballot"


def _winner_on_later_ballot(report: Report) -> None:
    winner = report["rounds"][0]["selected"][0]
    report["rounds"][-1]["candidates"].append(winner)


def _reorder_result(report: Report) -> None:
    report["result"]["award"].reverse()


@pytest.mark.parametrize(
    ("check", "tamper"),
    [
        (check_places, _over_fill),
        (check_thresholds, _lower_a_winner),
        (check_revotes, _untie),
        (check_revotes, _revote_for_all_places),
        (check_revotes, _skip_the_revote),
        (check_no_winner_twice, _winner_on_later_ballot),
        (lambda r: check_same_decisions(example_report(), r), _reorder_result),
    ],
)
def test_each_check_rejects_a_tampered_report(
    check: Callable[[Report], None], tamper: Callable[[Report], None]
) -> None:
    report = example_report()
    assert _first_revote(report)["revote"] == {"candidates": ["平湖光电", "桐乡化纤"], "places": 1}
    for ok in (check_places, check_thresholds, check_revotes, check_no_winner_twice):
        ok(report)
    check_same_decisions(report, example_report())
    tamper(report)
    with pytest.raises(AssertionError):
        check(report)


RARE = (
    "re-vote selected someone",
    "re-vote limit reached",
    "void round",
    "outside-cap winner",
    "winners in two tiers",
)


def test_generated_meetings_reach_what_the_properties_are_about() -> None:
    """Over one seeded run of the generator (stopping once every feature has shown up in at
    least 50 meetings), count the meetings showing each feature: the properties above would pass
    vacuously if re-votes, the re-vote limit, void rounds and the rest never happened."""
    seen: Counter[str] = Counter()

    def record(meeting: tuple[Scenario, Report]) -> bool:
        seen["meetings"] += 1
        seen.update(features(meeting[1]))
        return seen["meetings"] >= 50 and all(seen[name] for name in RARE)

    with contextlib.suppress(NoSuchExample):  # the budget ran out: the asserts say what is amiss
        find(
            played(),
            record,
            settings=settings(database=None, phases=[Phase.generate]),
            random=Random(2020),
        )
    total = seen["meetings"]
    assert total >= 50, seen
    # Hypothesis explores by mutating earlier examples, so shares vary a lot from run to run:
    # over 30 seeds of 100 meetings re-votes came in 6-40% of meetings, completion in 93-100%.
    assert seen["complete"] >= 0.8 * total, seen
    assert seen["re-vote"] >= 0.04 * total, seen
    for name in RARE:
        assert seen[name] >= 1, seen


@pytest.mark.parametrize(("slate", "places"), [(["A", "B"], 5), (["A", "B", "C"], 1)])
def test_nobody_wins_a_first_ballot_without_an_approval(slate: list[str], places: int) -> None:
    """Half of 0 ballots returned is a threshold of 0, yet 0 approvals win nothing and tie for
    nothing. (The engine as this file was first written selected A and B in the first case and
    called a re-vote among A, B and C in the second; `check_thresholds` and `check_revotes`
    catch it as soon as a generated round returns 0 ballots.)"""
    report = replay(
        {
            "profile": "jiaxing-2020",
            "members": 3,
            "present": 3,
            "candidates": slate,
            "rules": {
                "tiers": [{"id": "award", "places": places}],
                "threshold": {"fraction": "1/2", "inclusive": True, "base": "ballots"},
            },
            "rounds": [{"approve": {}, "ballots": 0}],
        }
    )
    assert report["rounds"][0]["threshold"] == 0
    assert report["rounds"][0]["revote"] is None
    assert report["result"] == {"award": []}
    assert report["complete"] is True
