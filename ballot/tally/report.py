"""An `Outcome` as plain JSON-ready data: what `ballot replay` prints and the record will keep."""

from __future__ import annotations

from typing import Any

from ballot.tally.model import Ballot, Outcome
from ballot.tally.rules import Proportion, Setting, Threshold


def _value(value: object) -> object:
    if isinstance(value, Proportion):
        return {"fraction": str(value.fraction), "inclusive": value.inclusive}
    if isinstance(value, Threshold):
        return {
            "fraction": str(value.proportion.fraction),
            "inclusive": value.proportion.inclusive,
            "base": value.base,
        }
    return value


def setting(s: Setting[Any]) -> dict[str, Any]:
    return {"setting": s.name, "value": _value(s.value), **s.source.as_dict()}


def ballot(b: Ballot, threshold: int | None) -> dict[str, Any]:
    return {
        "tier": b.tier,
        "kind": b.kind,
        "candidates": list(b.candidates),
        "places": b.places,
        "max_approvals": b.max_approvals,
        "threshold": threshold,
        "outside_cap": list(b.outside_cap),
    }


def outcome(o: Outcome) -> dict[str, Any]:
    rounds = []
    for d in o.rounds:
        entry = {"round": d.number, **ballot(d.ballot, d.threshold)}
        entry.update(
            {
                "present": d.present,
                "ballots": d.counts.ballots,
                "counts": {
                    c: {
                        "approve": d.counts.approve.get(c, 0),
                        "oppose": d.counts.oppose.get(c, 0),
                        "abstain": d.counts.abstain.get(c, 0),
                    }
                    for c in d.ballot.candidates
                },
                "void": d.void,
                "selected": list(d.selected),
                "revote": None
                if d.revote is None
                else {"candidates": list(d.revote.candidates), "places": d.revote.places},
                "empty_places": d.empty_places,
                "reasons": [r.as_dict() for r in d.reasons],
            }
        )
        rounds.append(entry)
    return {
        "profile": o.rules.profile,
        "members": o.meeting.members,
        "present": o.meeting.present,
        "settings": [setting(s) for s in o.rules.settings()],
        "quorum_met": o.quorum.met,
        "quorum": {
            "members": o.quorum.members,
            "present": o.quorum.present,
            "needed": o.quorum.needed,
            "reason": o.quorum.reason.as_dict(),
        },
        "rounds": rounds,
        "next": None if o.next is None else ballot(o.next, o.next_threshold),
        "complete": o.complete,
        "tiers": [
            {
                "tier": t.id,
                "places": t.places,
                "status": t.status,
                "selected": list(t.selected),
                "outside_cap": list(t.outside_cap),
                "empty_places": t.empty_places,
                "reasons": [r.as_dict() for r in t.reasons],
            }
            for t in o.tiers
        ],
        "result": o.result(),
    }
