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
    return tally(s.rules, s.meeting, s.rounds)


def replay(scenario: dict[str, Any]) -> dict[str, Any]:
    """The JSON `ballot replay` would print for this scenario."""
    return outcome(run_outcome(scenario))


def names(prefix: str, count: int) -> list[str]:
    return [f"{prefix}{i}" for i in range(1, count + 1)]


def node_executable(module: str) -> str:
    """The `node` executable (version 20 or later) for the tests of a browser module; skipped
    with the reason where it is missing, but a failure in CI, which must run them."""
    import os
    import re
    import shutil
    import subprocess

    import pytest

    path = shutil.which("node")
    problem = "node is not installed"
    if path is not None:
        version = subprocess.run(
            [path, "--version"], capture_output=True, text=True, check=True
        ).stdout.strip()
        major = re.match(r"v(\d+)\.", version)
        if major and int(major[1]) >= 20:
            return path
        problem = f"node {version} is older than 20"
    message = f"{problem}: the browser module {module} is untested"
    if os.environ.get("CI"):
        pytest.fail(f"{message}; CI must run these tests, so install Node 20 or later")
    pytest.skip(message)
