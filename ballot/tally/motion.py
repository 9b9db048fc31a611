"""A motion (复议): yes or no on one candidate, e.g. the review of an objection after
publication. Pure: the services and the verifier decide it with the same function."""

from __future__ import annotations

from typing import Any

from ballot.tally.rules import Rules


def motion_result(
    rules: Rules, candidate: str, counts: dict[str, Any], ballots: int, present: int, members: int
) -> dict[str, Any]:
    """Whether a motion passed: approvals against the profile's threshold (嘉兴 §三(四)3:
    ≥ 1/2 of all members), or, with no threshold rule, more yes than no. Pure: the verifier
    re-runs it."""
    yes, no = counts["approve"][candidate], counts["oppose"][candidate]
    rule = rules.threshold.get()
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
                "(no threshold rule: more yes than no)",
                "zh": f"同意 {yes} 票，不同意 {no} 票：{'通过' if passed else '未通过'}"
                "（无入选票数规则：同意多于不同意）",
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
