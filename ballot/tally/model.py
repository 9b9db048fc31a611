"""The data a tally takes and gives: meeting, counts, ballots asked for, decisions."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Literal

from ballot.language.text import Text
from ballot.tally.rules import Rules

BallotKind = Literal["ballot", "revote"]
TierStatus = Literal["decided", "in progress", "not reached"]


@dataclass(frozen=True)
class Candidate:
    """A candidate organisation (候选组织).

    `outside_cap` names the tiers in which a win takes none of that year's places: a past
    Quality Award winner that wins again (萧山 第二十八条: 再次获奖的 … 不占当年奖项名额).

    `listed` is the tier whose own candidate list names it, where a regulation gives each tier
    its own list (重庆 第十六条(六)2, 江阴 第十五条); None where one slate serves every tier. A
    listed candidate is on the ballot of its tier and, if not selected there, of later tiers,
    never of an earlier one: a nominee-list organisation cannot win the award.
    """

    name: str
    outside_cap: frozenset[str] = frozenset()
    listed: str | None = None


@dataclass(frozen=True)
class Meeting:
    """Committee size (应到), attendance (实到), the slate and the other evaluated organisations."""

    members: int
    present: int
    candidates: tuple[Candidate, ...]
    others: tuple[Candidate, ...] = ()

    def candidate(self, name: str) -> Candidate | None:
        return next((c for c in self.candidates + self.others if c.name == name), None)


@dataclass(frozen=True)
class Counts:
    """The published counts of one ballot: per candidate 同意 / 不同意 / 弃权, and optionally
    the ballots returned (收回), the members present at the count and the ballots issued (发出)
    in that round. Ballots returned may never exceed ballots issued (收回选票不得多于发出选票):
    a member who votes and leaves before the count has cast a valid ballot. Without `issued`
    the bound is the members present."""

    approve: Mapping[str, int]
    oppose: Mapping[str, int] = field(default_factory=dict)
    abstain: Mapping[str, int] = field(default_factory=dict)
    ballots: int | None = None
    present: int | None = None
    issued: int | None = None


@dataclass(frozen=True)
class Ballot:
    """One ballot (轮次) the procedure asks for."""

    tier: str
    kind: BallotKind
    candidates: tuple[str, ...]
    places: int
    max_approvals: int
    outside_cap: tuple[str, ...] = ()
    revote: int = 0  # 0 for a tier's first ballot, n for its n-th re-vote


@dataclass(frozen=True)
class Revote:
    """A re-vote among exactly the candidates tied at the cut-off, for exactly the places left."""

    candidates: tuple[str, ...]
    places: int


@dataclass(frozen=True)
class RoundDecision:
    number: int
    ballot: Ballot
    counts: Counts
    present: int
    threshold: int | None
    void: bool
    selected: tuple[str, ...]
    revote: Revote | None
    empty_places: int
    reasons: tuple[Text, ...]


@dataclass(frozen=True)
class TierOutcome:
    id: str
    places: int | None
    selected: tuple[str, ...]
    outside_cap: tuple[str, ...]
    empty_places: int | None
    status: TierStatus
    reasons: tuple[Text, ...]


@dataclass(frozen=True)
class QuorumCheck:
    met: bool
    members: int
    present: int
    needed: int | None
    reason: Text


@dataclass(frozen=True)
class Outcome:
    """Everything decided from the counts so far, and what the procedure needs next."""

    rules: Rules
    meeting: Meeting
    quorum: QuorumCheck
    rounds: tuple[RoundDecision, ...]
    next: Ballot | None
    next_threshold: int | None
    complete: bool
    tiers: tuple[TierOutcome, ...]
    motions: tuple[MotionDecision, ...] = ()

    def removed(self) -> set[str]:
        """Winners a review vote (复议) did not confirm: out of the result, places not refilled."""
        return {m.candidate for m in self.motions if not m.void and not m.passed}

    def result(self) -> dict[str, list[str]]:
        """Each tier's winners in order (outside-cap winners after those taking places), less
        any a review vote did not confirm."""
        out = self.removed()
        return {
            t.id: [c for c in list(t.selected) + list(t.outside_cap) if c not in out]
            for t in self.tiers
        }


@dataclass(frozen=True)
class MotionCounts:
    """The counts of a review vote (复议) on one published winner: yes (approve), no (oppose),
    abstain, and optionally the ballots returned, the members present and the ballots issued."""

    candidate: str
    approve: int
    oppose: int = 0
    abstain: int = 0
    ballots: int | None = None
    present: int | None = None
    issued: int | None = None


@dataclass(frozen=True)
class MotionDecision:
    number: int
    candidate: str
    counts: MotionCounts
    present: int
    void: bool
    passed: bool
    needed: int | None
    reason: Text
