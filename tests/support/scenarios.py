"""Shared helpers: run a scenario mapping through the same path `ballot replay` takes."""

from __future__ import annotations

from typing import Any

from ballot.tally.engine import tally
from ballot.tally.model import Outcome
from ballot.tally.profiles import load_profile
from ballot.tally.report import outcome
from ballot.tally.scenario import parse_scenario


def run_outcome(scenario: dict[str, Any]) -> Outcome:
    s = parse_scenario(scenario, load_profile)
    return tally(s.rules, s.meeting, s.rounds, s.motions)


def replay(scenario: dict[str, Any]) -> dict[str, Any]:
    """The JSON `ballot replay` would print for this scenario."""
    return outcome(run_outcome(scenario))


def names(prefix: str, count: int) -> list[str]:
    return [f"{prefix}{i}" for i in range(1, count + 1)]
