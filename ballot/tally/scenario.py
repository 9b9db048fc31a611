"""A replay scenario: a meeting's rules, attendance and the counts of each ballot, as data.

The format is the one `ballot replay` reads (see docs/tally.md). Parsing checks the shape and
the names; the engine checks the counts against the ballot each round was.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from ballot.tally import reading
from ballot.tally.model import Candidate, Counts, Meeting, MotionCounts
from ballot.tally.profile import (
    Profile,
    check_lists,
    check_outside_cap,
    parse_tier_id,
    resolve,
)
from ballot.tally.rules import Rules

MAX_MEMBERS = 1000
MAX_CANDIDATES = 500
MAX_ROUNDS = 1000


@dataclass(frozen=True)
class Scenario:
    profile: Profile
    rules: Rules
    meeting: Meeting
    rounds: tuple[Counts, ...]
    motions: tuple[MotionCounts, ...] = ()


def parse_candidates(raw: object, where: str, seen: set[str]) -> tuple[Candidate, ...]:
    out: list[Candidate] = []
    for i, entry in enumerate(reading.sequence(raw, where, max_length=MAX_CANDIDATES)):
        item = f"{where}[{i}]"
        listed: str | None = None
        if isinstance(entry, str):
            name, flags = reading.text(entry, item), frozenset[str]()
        else:
            table = reading.mapping(entry, item)
            reading.only_keys(table, ("name", "outside_cap", "list"), item)
            name = reading.text(reading.required(table, "name", item), f"{item}.name")
            flags = frozenset(
                parse_tier_id(t, f"{item}.outside_cap")
                for t in reading.sequence(
                    table.get("outside_cap", []), f"{item}.outside_cap", max_length=4
                )
            )
            raw_list = table.get("list")
            listed = None if raw_list is None else parse_tier_id(raw_list, f"{item}.list")
        if name in seen:
            raise reading.fail(f"{item}: {name!r} is listed twice", f"{item}：{name!r} 重复列出")
        seen.add(name)
        out.append(Candidate(name=name, outside_cap=flags, listed=listed))
    return tuple(out)


def _count_table(raw: object, where: str) -> dict[str, int]:
    table = reading.mapping(raw, where)
    return {
        str(name): reading.integer(value, f"{where}.{name}", minimum=0)
        for name, value in table.items()
    }


def _round(raw: object, where: str, known: set[str], members: int) -> Counts:
    table = reading.mapping(raw, where)
    reading.only_keys(
        table, ("approve", "oppose", "abstain", "ballots", "present", "issued"), where
    )
    tables = {}
    for key in ("approve", "oppose", "abstain"):
        counts = _count_table(
            table.get(key, {}) if key != "approve" else reading.required(table, key, where),
            f"{where}.{key}",
        )
        for name in counts:
            if name not in known:
                raise reading.fail(
                    f"{where}.{key}: {name!r} is not a candidate of this meeting",
                    f"{where}.{key}：{name!r} 不是本次会议的候选组织",
                )
        tables[key] = counts
    ballots = table.get("ballots")
    present = table.get("present")
    issued = table.get("issued")
    return Counts(
        approve=tables["approve"],
        oppose=tables["oppose"],
        abstain=tables["abstain"],
        ballots=None
        if ballots is None
        else reading.integer(ballots, f"{where}.ballots", minimum=0),
        present=None
        if present is None
        else reading.integer(present, f"{where}.present", minimum=0, maximum=members),
        issued=None
        if issued is None
        else reading.integer(issued, f"{where}.issued", minimum=0, maximum=members),
    )


def parse_scenario(raw: object, load_profile: Callable[[str], Profile]) -> Scenario:
    """Check a scenario mapping and build what the engine takes."""
    top = reading.mapping(raw, "scenario")
    reading.only_keys(
        top,
        (
            "profile",
            "members",
            "present",
            "candidates",
            "others",
            "rules",
            "rounds",
            "motions",
            "title",
        ),
        "scenario",
    )
    profile = load_profile(
        reading.text(reading.required(top, "profile", "scenario"), "profile", max_length=64)
    )
    members = reading.integer(
        reading.required(top, "members", "scenario"), "members", minimum=1, maximum=MAX_MEMBERS
    )
    present = reading.integer(
        reading.required(top, "present", "scenario"), "present", minimum=0, maximum=members
    )
    seen: set[str] = set()
    candidates = parse_candidates(
        reading.required(top, "candidates", "scenario"), "candidates", seen
    )
    if not candidates:
        raise reading.fail("candidates: the slate is empty", "candidates：候选名单为空")
    others = parse_candidates(top.get("others", []), "others", seen)
    check_outside_cap(profile, candidates + others)
    overrides: Mapping[str, Any] = reading.mapping(top.get("rules", {}), "rules")
    rules = resolve(profile, overrides)
    check_lists(profile, rules, candidates, others)
    rounds = tuple(
        _round(r, f"rounds[{i}]", seen, members)
        for i, r in enumerate(
            reading.sequence(top.get("rounds", []), "rounds", max_length=MAX_ROUNDS)
        )
    )
    motions = tuple(
        _motion(x, f"motions[{i}]", seen, members)
        for i, x in enumerate(reading.sequence(top.get("motions", []), "motions", max_length=20))
    )
    return Scenario(
        profile=profile,
        rules=rules,
        meeting=Meeting(members=members, present=present, candidates=candidates, others=others),
        rounds=rounds,
        motions=motions,
    )


def _motion(raw: object, where: str, known: set[str], members: int) -> MotionCounts:
    """A review vote (复议) after the result: {"candidate", "approve", "oppose"?, "abstain"?,
    "ballots"?, "present"?, "issued"?} — approve is yes, oppose is no."""
    table = reading.mapping(raw, where)
    keys = ("candidate", "approve", "oppose", "abstain", "ballots", "present", "issued")
    reading.only_keys(table, keys, where)
    name = reading.text(reading.required(table, "candidate", where), f"{where}.candidate")
    if name not in known:
        raise reading.fail(
            f"{where}.candidate: {name!r} is not a candidate of this meeting",
            f"{where}.candidate：{name!r} 不是本次会议的候选组织",
        )

    def number(key: str, default: int | None = None) -> int | None:
        value = table.get(key)
        if value is None:
            return default
        return reading.integer(value, f"{where}.{key}", minimum=0, maximum=members)

    return MotionCounts(
        candidate=name,
        approve=reading.integer(
            reading.required(table, "approve", where),
            f"{where}.approve",
            minimum=0,
            maximum=members,
        ),
        oppose=number("oppose", 0) or 0,
        abstain=number("abstain", 0) or 0,
        ballots=number("ballots"),
        present=number("present"),
        issued=number("issued"),
    )
