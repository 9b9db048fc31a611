"""A review vote (复议) on a published winner, e.g. after an objection (嘉兴 §三(四)3: the
candidate stays an awardee only with ≥ 1/2 of all members' approval; otherwise it leaves the
result and its place is not refilled). Its rule is the profile's `review_threshold`, fixed by
its own clause and not by the selection threshold; with none, it stands with more yes than no.
Pure: the services, the verifier and the engine (which applies it to the result: `engine.review`)
decide it with this one function."""

from __future__ import annotations

from typing import Any

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
