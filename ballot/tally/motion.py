"""A review vote (复议) on a published winner, e.g. after an objection (嘉兴 §三(四)3: the
candidate stays an awardee only with ≥ 1/2 of all members' approval; otherwise it leaves the
result and its place is not refilled). Its rule is the profile's `review_threshold`, fixed by
its own clause and not by the selection threshold; with none, it stands with more yes than no.
Pure: the services and the verifier decide it with the same functions."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from ballot.language.text import Text
from ballot.tally.errors import TallyError
from ballot.tally.model import Meeting, MotionCounts, MotionDecision
from ballot.tally.rules import Rules


def motion_result(
    rules: Rules, candidate: str, counts: dict[str, Any], ballots: int, present: int, members: int
) -> dict[str, Any]:
    """Whether a review vote passed, as the record's motion-decision says it."""
    yes, no = counts["approve"][candidate], counts["oppose"][candidate]
    rule = rules.review_threshold.get()
    if rule is None:
        passed = yes > no
        return {
            "candidate": candidate,
            "yes": yes,
            "no": no,
            "needed": None,
            "passed": passed,
            "reason": {
                "en": f"{yes} yes, {no} no: {'passed' if passed else 'not passed'} "
                "(no review rule: more yes than no)",
                "zh": f"同意 {yes} 票，不同意 {no} 票：{'通过' if passed else '未通过'}"
                "（无复议规则：同意多于不同意）",
            },
        }
    base = {"members": members, "present": present, "ballots": ballots}[rule.base]
    needed = rule.proportion.needed(base)
    passed = yes >= needed
    return {
        "candidate": candidate,
        "yes": yes,
        "no": no,
        "needed": needed,
        "passed": passed,
        "reason": {
            "en": f"{yes} yes; {needed} of {base} needed ({rule.describe_en()}): "
            f"{'passed' if passed else 'not passed'}",
            "zh": f"同意 {yes} 票；需 {needed} 票（{rule.describe_zh()}）："
            f"{'通过' if passed else '未通过'}",
        },
    }


def review(
    rules: Rules,
    meeting: Meeting,
    winners: set[str],
    motions: Sequence[MotionCounts],
    first_number: int,
) -> tuple[MotionDecision, ...]:
    """Decide the review votes held after the result, in order. Each must be on a candidate the
    result still names, with counts one ballot per member could give; a vote counted without
    a quorum is void (it changes nothing)."""
    from ballot.tally.engine import check_quorum  # (the engine imports this module's types)

    standing = set(winners)
    out: list[MotionDecision] = []
    for i, m in enumerate(motions):
        number = first_number + i
        label = Text(en=f"round {number} (review vote)", zh=f"第 {number} 轮（复议）")
        if m.candidate not in standing:
            raise _error(
                label,
                f"{m.candidate!r} is not a winner the result names: a review vote is held only "
                "on a published winner",
                f"{m.candidate!r} 不在结果名单中：复议只针对已公布的拟奖对象",
            )
        present = meeting.present if m.present is None else m.present
        bound = m.issued if m.issued is not None else present
        returned = m.ballots if m.ballots is not None else m.approve + m.oppose + m.abstain
        if not 0 <= present <= meeting.members or min(m.approve, m.oppose, m.abstain) < 0:
            raise _error(label, "impossible counts", "票数不可能")
        if returned > bound or m.approve + m.oppose + m.abstain > returned:
            raise _error(
                label,
                f"{m.approve} yes, {m.oppose} no and {m.abstain} abstentions from {returned} "
                f"ballots, {bound} issued: no ballot marks twice and ballots may never exceed "
                "those issued",
                f"同意 {m.approve}、不同意 {m.oppose}、弃权 {m.abstain}，收回 {returned} 张，发出 {bound} 张："
                "每张选票只能表态一次，收回选票不得多于发出选票",
            )
        quorum = check_quorum(rules, meeting.members, present)
        if not quorum.met:
            out.append(
                MotionDecision(number, m.candidate, m, present, True, False, None, quorum.reason)
            )
            continue
        counts = {"approve": {m.candidate: m.approve}, "oppose": {m.candidate: m.oppose}}
        decided = motion_result(rules, m.candidate, counts, returned, present, meeting.members)
        reason = Text(en=decided["reason"]["en"], zh=decided["reason"]["zh"])
        if not decided["passed"]:
            standing.discard(m.candidate)
            reason = Text(
                en=f"{reason.en}: {m.candidate} leaves the result; its place is not refilled",
                zh=f"{reason.zh}：{m.candidate} 不再列入结果，名额不补",
            )
        out.append(
            MotionDecision(
                number, m.candidate, m, present, False, decided["passed"], decided["needed"], reason
            )
        )
    return tuple(out)


def _error(label: Text, en: str, zh: str) -> TallyError:
    return TallyError(Text(en=f"{label.en}: {en}", zh=f"{label.zh}：{zh}"))
