"""The record's grammar (`protocol/grammar.py`, PROTOCOL.md §12.1): each body's exact fields and
types, and the order of events — a record the services could not have written is refused with
the event's seq. The lifecycle is tested on skeleton meetings (kinds and the few fields the
order depends on); the bodies on small hand-made ones; tests/test_verify_checks.py does both on
a real record through `ballot verify`."""

from __future__ import annotations

import copy
from typing import Any

import pytest

from ballot.protocol import grammar
from ballot.protocol.grammar import event_problems, lifecycle_problems

pytestmark = pytest.mark.unit


def E(event_kind: str, **body: Any) -> dict[str, Any]:
    return {"kind": event_kind, "body": body}


def a_round(
    n: int, kind: str = "award", void: bool = False, last: bool = False, ballots: int = 1
) -> list[dict[str, Any]]:
    events = [
        E("round-opened", round=n, kind=kind),
        E("credential-issued", round=n),
        *([] if kind == "motion" else [E("presence", member="A")]),  # (check-ins go on)
        E("credentials", round=n),
        *[E("ballot", round=n) for _ in range(ballots)],
        E("round-closed", round=n, void=void),
        E("checkpoint"),
    ]
    if void:
        return events
    if ballots:
        for s in (1, 2):
            events += [E("round-accepted", round=n, scrutineer=s)]
            events += [E("decryption-shares", round=n, scrutineer=s)]
    events.append(E("counts", round=n))
    if kind == "motion":
        return [*events, E("motion-decision", round=n), E("checkpoint")]
    events.append(E("decision", round=n))
    return [*events, E("meeting-closed"), E("checkpoint")] if last else [*events, E("checkpoint")]


def meeting() -> list[dict[str, Any]]:
    return [
        E("meeting-created"),
        E("code-replaced"),
        E("ceremony-started"),
        E("ceremony"),
        E("meeting-opened"),
        E("attendance"),
        E("member-key"),
        E("presence"),
        *a_round(1, void=True),
        *a_round(2),
        *a_round(3, ballots=0, last=True),
        E("result-signed"),
        E("checkpoint"),
        *a_round(4, kind="motion"),
        E("result-signed"),
        E("checkpoint"),
    ]


def where(events: list[dict[str, Any]], kind: str, n: int | None = None, nth: int = 0) -> int:
    found = [
        i
        for i, e in enumerate(events)
        if e["kind"] == kind and (n is None or e["body"].get("round") == n)
    ]
    return found[nth]


def test_a_whole_meeting_follows_the_grammar() -> None:
    assert lifecycle_problems(meeting()) == []


def test_people_check_in_and_enrol_before_the_meeting_opens() -> None:
    # the services accept check-ins from the manifest on, and devices' enrolments and
    # presence from the ceremony's end (the meeting is ready, not yet opened)
    events = meeting()
    opened = where(events, "meeting-opened")
    early = [E("attendance"), E("member-key"), E("presence")]
    moved = [*events[:3], E("attendance"), *events[3:opened], *early, *events[opened:]]
    assert lifecycle_problems(moved) == []


def test_a_meeting_cancelled_before_any_round() -> None:
    events = [E("meeting-created"), E("ceremony"), E("meeting-cancelled")]
    assert lifecycle_problems(events) == []
    assert lifecycle_problems([*events, E("attendance")]) == [
        "event 3 (attendance): nothing follows the meeting's cancellation"
    ]
    late = [*meeting()[:20], E("meeting-cancelled")]
    assert "a meeting is cancelled only before any round was opened" in " ".join(
        lifecycle_problems(late)
    )


@pytest.mark.parametrize(
    ("edit", "said"),
    [
        (lambda ev: ev.pop(0), "event 0 (code-replaced): a record begins with meeting-created"),
        (lambda ev: ev.insert(3, E("meeting-created")), "event 3 (meeting-created): a second"),
        (lambda ev: ev.insert(4, E("ceremony")), "event 4 (ceremony): a second ceremony"),
        (
            lambda ev: ev.insert(5, E("ceremony-started")),
            "event 5 (ceremony-started): the ceremony comes once, before the meeting opens",
        ),
        (
            lambda ev: ev.insert(1, E("meeting-opened")),
            "event 1 (meeting-opened): the meeting opens once, after the ceremony",
        ),
        (
            lambda ev: ev.insert(1, E("presence")),
            "event 1 (presence): comes before the ceremony, when no device enrols or confirms",
        ),
        (
            lambda ev: ev.insert(len(ev) - 2, E("attendance")),
            "comes after the meeting closed, when nobody checks in or enrols",
        ),
        (
            lambda ev: ev.insert(1, E("round-closed", round=1)),
            "event 1 (round-closed): comes before the meeting opened",
        ),
        (
            lambda ev: ev.insert(6, E("checkpoint")),
            "event 6 (checkpoint): a checkpoint follows only",
        ),
    ],
)
def test_the_meeting_s_own_life(edit: Any, said: str) -> None:
    events = meeting()
    edit(events)
    assert any(said in p for p in lifecycle_problems(events)), lifecycle_problems(events)


def test_a_signed_step_is_followed_by_its_checkpoint() -> None:
    events = meeting()
    closed = where(events, "round-closed", 2)
    del events[closed + 1]
    assert f"event {closed} (round-closed): not followed at once by its checkpoint" in (
        lifecycle_problems(events)
    )
    cut = meeting()[:-1]
    assert lifecycle_problems(cut) == [
        f"event {len(cut) - 1} (result-signed): not followed by its checkpoint"
    ]


def test_the_meeting_closes_once_right_after_the_deciding_decision() -> None:
    events = meeting()
    again = [*events, E("meeting-closed"), E("checkpoint")]
    assert f"event {len(events)} (meeting-closed): the meeting is closed a second time" in (
        lifecycle_problems(again)
    )
    early = copy.deepcopy(events)
    early.insert(where(early, "decision", 2) + 2, E("meeting-closed"))
    assert any(
        "the meeting closes right after the decision that completes it" in p
        for p in lifecycle_problems(early)
    )


def test_the_result_is_signed_only_once_the_procedure_stands() -> None:
    events = meeting()
    before = copy.deepcopy(events)
    before.insert(where(before, "round-opened", 2), E("result-signed"))
    before.insert(where(before, "round-opened", 2), E("checkpoint"))
    said = lifecycle_problems(before)
    assert any("the result is signed only after the meeting closed" in p for p in said), said
    during = copy.deepcopy(events)
    i = where(during, "counts", 4)
    during[i:i] = [E("result-signed"), E("checkpoint")]
    said = lifecycle_problems(during)
    assert any("the result is signed while round 4 is under way" in p for p in said), said


@pytest.mark.parametrize(
    ("edit", "said"),
    [
        (
            lambda ev: ev[where(ev, "round-opened", 2)]["body"].update(round=7),
            "round 7 opened; the next round is 2",
        ),
        (
            lambda ev: ev.insert(where(ev, "counts", 2), E("round-opened", round=3, kind="award")),
            "round 2 is still closed",
        ),
        (
            lambda ev: ev[where(ev, "round-opened", 4)]["body"].update(kind="award"),
            "after the meeting closed, only a review vote (motion) is held",
        ),
        (
            lambda ev: ev.insert(where(ev, "counts", 2), E("ballot", round=9)),
            "names round 9, which was not opened",
        ),
        (
            lambda ev: ev.insert(where(ev, "counts", 2), E("ballot", round="2")),
            'names round "2", which was not opened',
        ),
        (
            lambda ev: ev.insert(where(ev, "counts", 3), E("ballot", round=2)),
            "round 2 is over; round 3 is the current one",
        ),
        (
            lambda ev: ev.insert(where(ev, "round-closed", 2) + 2, E("credential-issued", round=2)),
            "a credential is issued only while round 2 is open",
        ),
        (
            lambda ev: ev.insert(where(ev, "round-closed", 2), E("credentials", round=2)),
            "round 2's credentials are published once",
        ),
        (
            lambda ev: ev.insert(where(ev, "credentials", 2), E("ballot", round=2)),
            "round 2's ballots are published at its close, after its credentials",
        ),
        (
            lambda ev: ev.insert(where(ev, "counts", 2), E("round-closed", round=2, void=False)),
            "round 2 closes once",
        ),
        (
            lambda ev: ev.insert(
                where(ev, "counts", 2), E("round-accepted", round=2, scrutineer=1)
            ),
            "a scrutineer accepts round 2 once",
        ),
        (
            lambda ev: ev.insert(
                where(ev, "counts", 2), E("decryption-shares", round=2, scrutineer=3)
            ),
            "decryption shares follow at once their scrutineer's acceptance",
        ),
        (
            lambda ev: ev.insert(where(ev, "decryption-shares", 2), E("attendance")),
            "an acceptance is followed at once by that scrutineer's decryption shares",
        ),
        (
            lambda ev: ev.insert(where(ev, "round-closed", 1) + 2, E("counts", round=1)),
            "round 1 is counted once, after a close that is not void",
        ),
        (
            lambda ev: ev.insert(where(ev, "counts", 2), E("decision", round=2)),
            "round 2 is decided once, by a decision right after its counts",
        ),
        (
            lambda ev: ev.__setitem__(where(ev, "motion-decision", 4), E("decision", round=4)),
            "round 4 is decided once, by a motion-decision right after its counts",
        ),
    ],
)
def test_each_round_s_life(edit: Any, said: str) -> None:
    events = meeting()
    edit(events)
    problems = lifecycle_problems(events)
    assert any(said in p for p in problems), problems


@pytest.mark.parametrize(
    ("cut_after", "said"),
    [
        ("ballot", "round 5 was opened and never closed"),
        ("round-closed", "round 5 was closed and never counted"),
        ("counts", "round 5 was counted and never decided"),
    ],
)
def test_every_round_ends_void_or_decided(cut_after: str, said: str) -> None:
    events = meeting()
    r5 = a_round(5, kind="motion")
    events += r5[: next(i for i, e in enumerate(r5) if e["kind"] == cut_after) + 1]
    events.append(E("attendance"))
    assert said in lifecycle_problems(events)


# --- bodies ------------------------------------------------------------------------------------

H = "ab" * 32
SIG = "cd" * 64
POINT = "04" + "11" * 64


def ev(i: int, kind: str, body: dict[str, Any]) -> dict[str, Any]:
    return {"seq": i, "kind": kind, "body": body, "prev": H, "hash": H}


ATTENDANCE = {"member": "A", "present": True, "present_count": 1}


def test_a_body_as_the_services_write_it() -> None:
    assert event_problems(3, ev(3, "attendance", ATTENDANCE)) == []
    signed = {"role": "chair", "chair": "A", "answers": H, "result": {"award": ["X"]}}
    assert event_problems(4, ev(4, "result-signed", {**signed, "signature": SIG})) == []
    schnorr = {"commitment": "5", "challenge": "6", "response": "7"}
    by_scrutineer = {**signed, "role": "scrutineer", "scrutineer": 2, "signature": schnorr}
    del by_scrutineer["chair"]
    assert event_problems(4, ev(4, "result-signed", by_scrutineer)) == []


@pytest.mark.parametrize(
    ("body", "said"),
    [
        (
            {**ATTENDANCE, "present_count": "1"},
            '.present_count must be a whole number ≥ 0, not "1"',
        ),
        (
            {**ATTENDANCE, "present_count": True},
            ".present_count must be a whole number ≥ 0, not true",
        ),
        ({**ATTENDANCE, "present_count": -1}, ".present_count must be a whole number ≥ 0, not -1"),
        ({**ATTENDANCE, "present": 1}, ".present must be true or false, not 1"),
        ({**ATTENDANCE, "member": ""}, '.member must be a non-empty string, not ""'),
        ({**ATTENDANCE, "extra": 0}, "has field(s) the grammar does not know: extra"),
        ({"member": "A", "present": True}, "lacks the field(s) present_count"),
        ({**ATTENDANCE, "member": ["x" * 60]}, "…"),
    ],
)
def test_a_field_of_the_wrong_type_is_named(body: dict[str, Any], said: str) -> None:
    problems = event_problems(7, ev(7, "attendance", body))
    assert any(p.startswith("event 7 (attendance)") and said in p for p in problems), problems


@pytest.mark.parametrize(
    ("kind", "body", "said"),
    [
        ("presence", {"member": "A", "state": "gone", "n": 1, "answers": H, "signature": SIG},
         ".state must be one of present, left"),
        ("presence", {"member": "A", "state": "left", "n": 0, "answers": H, "signature": SIG},
         ".n must be a whole number ≥ 1"),
        ("presence", {"member": "A", "state": "left", "n": 1, "answers": H.upper(), "signature": SIG},
         ".answers must be 32 bytes of lowercase hex"),
        ("member-key", {"member": "A", "key": POINT[:-2], "signature": SIG}, ".key must be 65 bytes"),
        ("credential-issued", {"round": 1, "member": "A", "blinded": "abc", "signature": SIG},
         ".blinded must be lowercase hex of whole bytes"),
        ("checkpoint", {"seq": 1, "head": H, "signature": SIG[:-2]}, ".signature must be 64 bytes"),
        ("meeting-cancelled", {"by": "office", "reason": 5}, ".reason must be a string"),
        ("counts", {"round": 1, "ballots": 1, "scrutineers": [1], "approve": [], "oppose": {},
                    "abstain": {}}, ".approve must be an object"),
        ("counts", {"round": 1, "ballots": 1, "scrutineers": [1], "approve": {"": 1},
                    "oppose": {}, "abstain": {}}, ".approve key must be a non-empty string"),
        ("counts", {"round": 1, "ballots": 1, "scrutineers": 1, "approve": {}, "oppose": {},
                    "abstain": {}}, ".scrutineers must be a list"),
        ("decision", {"round": 1, "decision": [], "next": None, "complete": True, "result": {}},
         ".decision must be an object"),
        ("round-accepted", {"round": 1, "scrutineer": 1, "ballots": 1, "ballot_list": H,
                            "credential_list": H, "totals": H, "scrutineer_signature": "x"},
         ".scrutineer_signature must be an object"),
        ("round-closed", {"round": 1, "members": 3, "present": 3, "present_members": [],
                          "credential_list": H, "ballot_list": H, "chair": "A",
                          "chair_signature": SIG, "issued": 1, "credentials": 1, "ballots": 1,
                          "void": False, "reason": None,
                          "aggregates": [{"approve": ["1"], "oppose": ["1", "2"]}]},
         ".aggregates[0].approve must hold exactly 2 items, not 1"),
        ("round-closed", {"round": 1, "members": 3, "present": 3, "present_members": [],
                          "credential_list": H, "ballot_list": H, "chair": "A",
                          "chair_signature": SIG, "issued": 1, "credentials": 1, "ballots": 1,
                          "void": False, "reason": None,
                          "aggregates": [{"approve": ["0x1", "1"], "oppose": ["1", "2"]}]},
         ".aggregates[0].approve[0] must be a number in lowercase hex"),
        ("ballot", {"round": 1, "tracker": H, "credential_key": POINT, "signature": SIG,
                    "ballot": {"selections": [], "total_proof": {}}},
         ".ballot.selections must hold at least 1 item(s)"),
        ("result-signed", {"role": "scrutineer", "scrutineer": 1, "answers": H, "result": {},
                           "signature": SIG}, ".signature must be an object"),
        ("result-signed", {"role": "auditor", "answers": H, "result": {}, "signature": SIG,
                           "chair": "A"}, ".role must be one of chair"),
    ],
)  # fmt: skip
def test_each_kind_s_fields(kind: str, body: dict[str, Any], said: str) -> None:
    problems = event_problems(2, ev(2, kind, body))
    assert any(said in p for p in problems), problems


def test_a_long_list_is_reported_a_few_items_at_a_time() -> None:
    body = {"round": 1, "credentials": [{"public_key": 1, "prepared": 2, "signature": 3}] * 50}
    problems = event_problems(2, ev(2, "credentials", body))
    assert 5 < len(problems) < 10


def test_the_envelope() -> None:
    assert event_problems(0, []) == ["event 0 is not an object"]
    assert event_problems(1, {**ev(1, "attendance", ATTENDANCE), "extra": 1}) == [
        "event 1 must have exactly the fields seq, kind, body, prev, hash"
    ]
    assert event_problems(2, ev(1, "attendance", ATTENDANCE)) == ["event 2: its seq is 1, not 2"]
    assert event_problems(1, ev(1, "tally", {})) == [
        'event 1: "tally" is not a kind of event this record version has'
    ]
    bad = {**ev(1, "attendance", ATTENDANCE), "prev": "00"}
    assert event_problems(1, bad) == ['event 1.prev must be 32 bytes of lowercase hex, not "00"']


def test_the_reader_keeps_repeated_keys_and_refuses_fractions() -> None:
    read = grammar.loads('{"a": 1, "b": {"c": 1, "c": 2}, "l": [{"d": 1, "d": 1}]}')
    assert read["b"] == {"c": 2}
    assert grammar.duplicate_keys(read, "x") == [
        "x.b: the key 'c' is given twice",
        "x.l[0]: the key 'd' is given twice",
    ]
    with pytest.raises(ValueError, match="has a fraction or an exponent"):
        grammar.loads('{"a": 1.0}')
    with pytest.raises(ValueError, match="is not JSON"):
        grammar.loads('{"a": NaN}')
    problems = event_problems(0, grammar.loads(
        '{"seq": 0, "seq": 0, "kind": "attendance", "body": {"member": "A", "present": true, '
        f'"present_count": 1}}, "prev": "{H}", "hash": "{H}"}}'
    ))  # fmt: skip
    assert problems == ["event 0: the key 'seq' is given twice"]


def test_mid_meeting_a_round_may_be_under_way() -> None:
    # a scrutineer checks the record as it stands at a round's close (verify/scrutiny.py)
    events = meeting()
    r5 = a_round(5, kind="motion")
    events += r5[: next(i for i, e in enumerate(r5) if e["kind"] == "round-closed") + 2]
    assert lifecycle_problems(events, complete=False) == []
    assert lifecycle_problems(events) == ["round 5 was closed and never counted"]


def test_shares_follow_their_own_scrutineer_s_acceptance() -> None:
    events = meeting()
    i = where(events, "decryption-shares", 2)
    events[i]["body"]["scrutineer"] = 2  # after scrutineer 1's acceptance
    said = lifecycle_problems(events)
    assert any("follow at once their scrutineer's acceptance" in p for p in said), said


def test_the_record_s_own_fields() -> None:
    good = {"format": "ballot-record", "version": 5, "meeting": "m", "events": []}
    assert grammar.record_problems(good) == []
    assert grammar.record_problems([]) == ["the record is not a JSON object"]
    assert grammar.record_problems({**good, "note": 1}) == [
        "the record must have exactly the fields format, version, meeting, events"
    ]
    # two "events" arrays: a reader that keeps the first would see another record
    twice = grammar.loads('{"format": "ballot-record", "version": 5, "meeting": "m", '
                          '"events": [1], "events": []}')  # fmt: skip
    assert grammar.record_problems(twice) == ["record: the key 'events' is given twice"]


def test_one_spelling_for_every_number_and_name() -> None:
    closed = {
        "round": 1, "members": 3, "present": 3, "present_members": [], "credential_list": H,
        "ballot_list": H, "chair": "A", "chair_signature": SIG, "issued": 1, "credentials": 1,
        "ballots": 1, "void": False, "reason": None,
        "aggregates": [{"approve": ["1a", "0"], "oppose": ["1", "2"]}],
    }  # fmt: skip
    assert event_problems(2, ev(2, "round-closed", closed)) == []
    padded = copy.deepcopy(closed)
    padded["aggregates"][0]["approve"][0] = "01a"  # the same number, another byte string
    assert any("no leading zero" in p for p in event_problems(2, ev(2, "round-closed", padded)))
    lone = {**ATTENDANCE, "member": "A\ud800"}
    assert any("lone surrogate" in p for p in event_problems(2, ev(2, "attendance", lone)))
    assert any(
        "lone surrogate" in p
        for p in event_problems(2, ev(2, "meeting-cancelled", {"by": "o", "reason": "\udc00"}))
    )


def test_the_browser_files_are_plain_names() -> None:
    opened = {"group": "g", "issuer_key": {"scheme": "s", "n": "ab", "e": "01"},
              "committee_key": H, "client": {"protocol.js": H}}  # fmt: skip
    assert event_problems(2, ev(2, "meeting-opened", opened)) == []
    for name in ("../../etc/hostname", "/proc/self/mem", "a.py"):
        bad = {**opened, "client": {name: H}}
        assert any(
            "is not the name of a browser file" in p
            for p in event_problems(2, ev(2, "meeting-opened", bad))
        ), name
    assert any(
        "must be an object" in p
        for p in event_problems(2, ev(2, "meeting-opened", {**opened, "client": []}))
    )


def test_the_reader_refuses_a_record_nested_too_deep() -> None:
    with pytest.raises(ValueError, match="nested deeper than any record is"):
        grammar.loads("[" * 100_000 + "]" * 100_000)
