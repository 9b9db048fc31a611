"""The two state machines of a meeting: the meeting's own life and each round's.

    meeting:  setup ─┬─> ceremony ──> ready ──> open ──> closed
                     └──────────────> ready            (a ceremony held elsewhere, recorded)
    round:    open ─┬─> closed ──> counted
                    └─> void                            (no quorum at the close, or more
                                                         ballots than credentials than issued)

A motion (复议) is a round like any other; it may be opened while the meeting is `open` or
after it is `closed`. The services move a meeting or a round only through `advance`, so no
code path can skip a step (docs/architecture.md shows the same tables, and a test keeps the
two equal).
"""

from __future__ import annotations

from collections.abc import Mapping
from enum import StrEnum
from typing import TypeVar

from ballot.language.text import Text


class MeetingStatus(StrEnum):
    SETUP = "setup"  # roster, slate and scrutineers named
    CEREMONY = "ceremony"  # the scrutineers' key ceremony is under way
    READY = "ready"  # the joint key is recorded; the meeting is not open yet
    OPEN = "open"  # voting: rounds open and close
    CLOSED = "closed"  # every tier is decided (a motion may still follow)
    CANCELLED = "cancelled"  # set up by mistake: the office cancelled it before any round


class RoundStatus(StrEnum):
    OPEN = "open"  # credentials are issued and ballots cast
    CLOSED = "closed"  # ballots published and totalled; waiting for the scrutineers' shares
    VOID = "void"  # closed without a quorum, or with impossible counts: held again
    COUNTED = "counted"  # decrypted, counted and decided


MEETING_TRANSITIONS: Mapping[MeetingStatus, frozenset[MeetingStatus]] = {
    MeetingStatus.SETUP: frozenset(
        {MeetingStatus.CEREMONY, MeetingStatus.READY, MeetingStatus.CANCELLED}
    ),
    MeetingStatus.CEREMONY: frozenset({MeetingStatus.READY, MeetingStatus.CANCELLED}),
    MeetingStatus.READY: frozenset({MeetingStatus.OPEN, MeetingStatus.CANCELLED}),
    MeetingStatus.OPEN: frozenset({MeetingStatus.CLOSED, MeetingStatus.CANCELLED}),
    MeetingStatus.CLOSED: frozenset(),
    MeetingStatus.CANCELLED: frozenset(),
}

ROUND_TRANSITIONS: Mapping[RoundStatus, frozenset[RoundStatus]] = {
    RoundStatus.OPEN: frozenset({RoundStatus.CLOSED, RoundStatus.VOID}),
    RoundStatus.CLOSED: frozenset({RoundStatus.COUNTED}),
    RoundStatus.VOID: frozenset(),
    RoundStatus.COUNTED: frozenset(),
}


# while members' devices make statements of their own (enrol keys, confirm presence): from
# the ceremony's end to the meeting's close
IN_SESSION: frozenset[MeetingStatus] = frozenset({MeetingStatus.READY, MeetingStatus.OPEN})

S = TypeVar("S", MeetingStatus, RoundStatus)


class LifecycleError(Exception):
    """A step the state machine does not allow (a bug or a race: the services check first)."""

    def __init__(self, text: Text) -> None:
        super().__init__(text.en)
        self.text = text


def advance_meeting(current: str, to: MeetingStatus) -> MeetingStatus:
    """The meeting's next status, if `current` may become `to`."""
    return _advance("meeting", MeetingStatus(current), to, MEETING_TRANSITIONS)


def advance_round(current: str, to: RoundStatus) -> RoundStatus:
    """The round's next status, if `current` may become `to`."""
    return _advance("round", RoundStatus(current), to, ROUND_TRANSITIONS)


def _advance(what: str, current: S, to: S, table: Mapping[S, frozenset[S]]) -> S:
    if to not in table[current]:
        zh = {"meeting": "会议", "round": "轮次"}[what]
        raise LifecycleError(
            Text(
                en=f"a {what} that is {current} cannot become {to}",
                zh=f"状态为 {current} 的{zh}不能变为 {to}",
            )
        )
    return to
