"""The award rules re-run: every round opened as the rules ask, every decision and the result
(motions against their own rule)."""

from __future__ import annotations

from typing import Any

from ballot.protocol.chain import canonical_json
from ballot.tally.engine import tally
from ballot.tally.errors import TallyError
from ballot.tally.model import Counts, Meeting
from ballot.tally.motion import motion_result
from ballot.tally.report import ballot as next_json
from ballot.tally.report import outcome as outcome_json
from ballot.verify.evidence import Evidence
from ballot.verify.report import Check


def _check_motion(
    v: Evidence, c: Check, number: int, r: dict[str, Any], standing: set[str] | None
) -> None:
    """A review vote: on one winner the result still names (`standing`: the final result less
    the winners earlier review votes removed; None before the procedure is complete)."""
    opened = r["opened"]
    if len(opened.get("candidates", [])) != 1 or opened.get("max_approvals") != 1:
        c.fail(f"round {number}: a motion is on exactly one candidate, one mark per ballot")
    if standing is None:
        c.fail(f"round {number}: a review vote before the result was complete")
    elif opened["candidates"][0] not in standing:
        c.fail(f"round {number}: the review vote names no winner of the result")
    closed, decision = r.get("round-closed"), r.get("motion-decision")
    if closed is None or closed["void"] or number not in v.counts:
        return
    if decision is None:
        c.fail(f"round {number}: a counted motion without its decision")
        return
    expected = motion_result(
        v.rules,
        opened["candidates"][0],
        v.counts[number],
        closed["ballots"],
        closed["present"],
        len(v.roster),
    )
    if not _same({k: decision.get(k) for k in expected}, expected):  # (0 is not False)
        c.fail(
            f"round {number}: the motion's recorded decision differs from the rules' "
            f"({decision.get('passed')!r} vs {expected['passed']!r})"
        )
    if standing is not None and not expected["passed"]:
        standing.discard(opened["candidates"][0])


def _same(a: Any, b: Any) -> bool:
    """Equal as the record's canonical JSON has them: types included (0 is not False)."""
    try:
        return canonical_json(a) == canonical_json(b)
    except (TypeError, ValueError):
        return False


def _stray_decisions(v: Evidence, c: Check, rounds: dict[int, Any]) -> None:
    """Each `motion-decision` is the one decision of a counted review vote, and the meeting is
    closed once: a decision for another round, or a second one, would change the result the
    people sign (`protocol.result.standing`) without a vote behind it."""
    seen: set[Any] = set()
    for i, e in enumerate(v.events):
        if e["kind"] == "meeting-closed" and any(
            x["kind"] == "meeting-closed" for x in v.events[:i]
        ):
            c.fail(f"event {i}: the meeting is closed a second time")
        if e["kind"] != "motion-decision":
            continue
        body: Any = e["body"]
        number = body.get("round") if isinstance(body, dict) else None
        r = rounds.get(number) if type(number) is int else None
        if (
            r is None
            or r["opened"].get("kind") != "motion"
            or r.get("counts") is None
            or r.get("motion-decision_at") != i
            or number in seen
        ):
            c.fail(
                f"event {i}: a motion decision that is not the one decision of a counted review vote"
            )
        seen.add(number)


def check_procedure(v: Evidence, c: Check) -> None:
    rounds = v.rounds()
    _stray_decisions(v, c, rounds)
    members = len(v.roster)
    counted: list[Counts] = []
    final = None
    standing: set[str] | None = None  # the winners a review vote may be held on
    for number in sorted(rounds):
        r = rounds[number]
        opened = r["opened"]
        c.items += 1
        if opened.get("kind") == "motion":
            if standing is None and final is not None and final["complete"]:
                standing = {n for names in final["result"].values() for n in names}
            _check_motion(v, c, number, r, standing)
            continue
        meeting = Meeting(
            members,
            v.present_at.get(r["opened_at"], -1),
            tuple(v.slate),
            tuple(v.others),
        )
        try:
            before = tally(v.rules, meeting, counted)
        except TallyError as err:
            c.fail(f"round {number}: {err.text.en}")
            continue
        expected = None if before.next is None else next_json(before.next, before.next_threshold)
        actual = {
            k: opened.get(k)
            for k in ("tier", "kind", "candidates", "places", "max_approvals", "threshold")
        }
        if expected is None or {k: expected[k] for k in actual} != actual:
            c.fail(f"round {number}: opened as {actual}; the rules ask for {expected}")
        closed = r.get("round-closed")
        if closed is None or closed["void"] or number not in v.counts:
            continue
        cn = v.counts[number]
        counted.append(
            Counts(
                approve=cn["approve"],
                oppose=cn["oppose"],
                abstain=cn["abstain"],
                ballots=cn["ballots"],
                present=closed["present"],
                issued=closed["issued"],
            )
        )
        try:
            after = outcome_json(tally(v.rules, meeting, counted))
        except TallyError as err:
            c.fail(f"round {number}: {err.text.en}")
            continue
        decision = r.get("decision")
        if decision is None:
            c.fail(f"round {number}: counted but no decision recorded")
            continue
        for key, value in (
            ("decision", after["rounds"][-1]),
            ("next", after["next"]),
            ("complete", after["complete"]),
            ("result", after["result"]),
        ):
            if not _same(decision.get(key), value):
                c.fail(
                    f"round {number}: the recorded {key} differs from the rules' "
                    f"({decision.get(key)!r} vs {value!r})"
                )
        final = after
    closed_meeting = v.of("meeting-closed")
    if closed_meeting:
        if final is None or not final["complete"]:
            c.fail("the meeting was closed before the procedure was complete")
        elif not _same(closed_meeting[0]["body"]["result"], final["result"]):
            c.fail("the published result differs from the rules' result")
        elif not _same(closed_meeting[0]["body"]["tiers"], final["tiers"]):
            c.fail("the published tiers (places, reasons, winners) differ from the rules'")
