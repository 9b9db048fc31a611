"""The record's hash chain: any change, removal, insertion or reordering is detected."""

from __future__ import annotations

import copy

import pytest
from hypothesis import given
from hypothesis import strategies as st

from ballot.protocol.chain import GENESIS, canonical_json, chain_problems, make_event


def chain(n: int) -> list[dict]:  # type: ignore[type-arg]
    events, prev = [], GENESIS
    for i in range(n):
        e = make_event(i, "attendance", {"member": f"委员{i}", "present": i % 2 == 0}, prev)
        events.append(e.as_dict())
        prev = e.hash
    return events


def test_a_good_chain_has_no_problems() -> None:
    assert chain_problems(chain(5)) == []


def test_canonical_json_is_one_form() -> None:
    assert (
        canonical_json({"b": 1, "a": [True, None, "嘉"]}) == '{"a":[true,null,"嘉"],"b":1}'.encode()
    )
    for bad in ({"x": 1.5}, {"x": 2**60}, {1: "a"}, {"x": b"bytes"}):
        with pytest.raises(ValueError):
            canonical_json(bad)


@given(st.integers(0, 5), st.sampled_from(["change", "drop", "duplicate", "swap", "insert"]))
def test_every_kind_of_tampering_is_detected(where: int, how: str) -> None:
    events = chain(6)
    bad = copy.deepcopy(events)
    if how == "change":
        bad[where]["body"]["present"] = not bad[where]["body"]["present"]
    elif how == "drop":
        del bad[where]
    elif how == "duplicate":
        bad.insert(where, copy.deepcopy(bad[where]))
    elif how == "swap":
        j = (where + 1) % 6
        bad[where], bad[j] = bad[j], bad[where]
    else:
        bad.insert(where, make_event(where, "attendance", {"member": "x"}, GENESIS).as_dict())
    # Truncating the end leaves a valid shorter chain: the signed head (checkpoints, and the
    # signed close of the meeting) is what catches that, so compare heads as a verifier does.
    assert chain_problems(bad) != [] or bad[-1]["hash"] != events[-1]["hash"]
