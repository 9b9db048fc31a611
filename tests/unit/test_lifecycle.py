"""The meeting's and the round's state machines: every step the tables allow is taken, every
other is refused in both languages, and docs/architecture.md shows exactly these tables."""

from __future__ import annotations

import re

import pytest

from ballot.protocol.lifecycle import (
    MEETING_TRANSITIONS,
    ROUND_TRANSITIONS,
    LifecycleError,
    MeetingStatus,
    RoundStatus,
    advance_meeting,
    advance_round,
)
from tests.support import ROOT

DOC = ROOT / "docs" / "architecture.md"


@pytest.mark.parametrize("current", list(MeetingStatus))
@pytest.mark.parametrize("to", list(MeetingStatus))
def test_a_meeting_moves_only_as_its_table_says(current: MeetingStatus, to: MeetingStatus) -> None:
    if to in MEETING_TRANSITIONS[current]:
        assert advance_meeting(current.value, to) is to
    else:
        with pytest.raises(LifecycleError) as err:
            advance_meeting(current.value, to)
        assert current.value in err.value.text.en and to.value in err.value.text.zh


@pytest.mark.parametrize("current", list(RoundStatus))
@pytest.mark.parametrize("to", list(RoundStatus))
def test_a_round_moves_only_as_its_table_says(current: RoundStatus, to: RoundStatus) -> None:
    if to in ROUND_TRANSITIONS[current]:
        assert advance_round(current.value, to) is to
    else:
        with pytest.raises(LifecycleError):
            advance_round(current.value, to)


def test_every_status_is_reachable_and_the_machines_end() -> None:
    for table, start in (
        (MEETING_TRANSITIONS, MeetingStatus.SETUP),
        (ROUND_TRANSITIONS, RoundStatus.OPEN),
    ):
        seen, todo = {start}, [start]
        while todo:
            for nxt in table[todo.pop()]:  # type: ignore[index]
                if nxt not in seen:
                    seen.add(nxt)
                    todo.append(nxt)
        assert seen == set(table)
        assert any(not table[s] for s in table)  # type: ignore[index]


def _documented(title: str) -> dict[str, set[str]]:
    text = DOC.read_text("utf-8")
    section = text.split(f"### {title}", 1)[1].split("\n\n", 2)[1]
    rows = {}
    for line in section.splitlines()[2:]:
        cells = [c.strip() for c in line.strip("|").split("|")]
        rows[cells[0].strip("`")] = set(re.findall(r"`([a-z]+)`", cells[1]))
    return rows


def test_the_documented_tables_are_the_code() -> None:
    assert _documented("Meeting states") == {
        s.value: {t.value for t in to} for s, to in MEETING_TRANSITIONS.items()
    }
    assert _documented("Round states") == {
        s.value: {t.value for t in to} for s, to in ROUND_TRANSITIONS.items()
    }
