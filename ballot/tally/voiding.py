"""When a closed round does not count (本轮无效) and why, in both languages: the quorum is
re-checked at the close, and the ballots returned may not exceed the credentials registered,
nor those the credentials issued (收回选票不得多于发出选票). A void round is held again."""

from __future__ import annotations

from ballot.language.text import Text
from ballot.tally.rules import Proportion


def void_reason(
    quorum: Proportion | None,
    members: int,
    present: int,
    issued: int,
    credentials: int,
    ballots: int,
) -> Text | None:
    """Why the round closing with these numbers is void, or None when it counts."""
    if quorum is not None and not quorum.met(present, members):
        needed = quorum.needed(members)
        return Text(
            en=f"quorum not met at close: {present} of {members} present, {needed} needed",
            zh=f"结束时不足法定人数：应到 {members} 人，实到 {present} 人，需 {needed} 人",
        )
    if not ballots <= credentials <= issued:
        return Text(
            en=f"{ballots} ballots, {credentials} credentials and {issued} issued: "
            "ballots may never exceed credentials or credentials those issued",
            zh=f"收回选票 {ballots} 张、登记凭证 {credentials} 张、发出凭证 {issued} 张："
            "收回选票不得多于登记凭证，登记凭证不得多于发出凭证",
        )
    return None
