"""An `Outcome` as plain JSON-ready data: what `ballot replay` prints and the record will keep."""

from __future__ import annotations

import unicodedata
from typing import Any

from ballot.tally import explain
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
        "motions": [
            {
                "round": mo.number,
                "candidate": mo.candidate,
                "yes": mo.counts.approve,
                "no": mo.counts.oppose,
                "abstain": mo.counts.abstain,
                "present": mo.present,
                "needed": mo.needed,
                "void": mo.void,
                "passed": mo.passed,
                "reason": mo.reason.as_dict(),
            }
            for mo in o.motions
        ],
        "result": o.result(),
    }


def _width(s: str) -> int:
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in s)


def _pad(s: str, width: int) -> str:
    return s + " " * max(0, width - _width(s))


def outcome_text(o: Outcome) -> str:
    """The decisions for people at the meeting: Chinese first, English under it."""
    tier_names = {t.id: (t.name_zh(), t.name_en()) for t in o.rules.tiers}
    lines = [f"规则 profile: {o.rules.profile}", f"{o.quorum.reason.zh}", f"{o.quorum.reason.en}"]
    for d in o.rounds:
        zh, en = tier_names[d.ballot.tier]
        label = explain.round_label(d.number, d.ballot, en, zh)
        need = "—" if d.threshold is None else str(d.threshold)
        lines += [
            "",
            f"{label.zh} / {label.en}",
            f"  名额 places {d.ballot.places} · 每票最多同意 max approvals {d.ballot.max_approvals}"
            f" · 入选票数 threshold {need} · 实到 present {d.present}"
            + ("" if d.counts.ballots is None else f" · 收回选票 ballots {d.counts.ballots}"),
        ]
        width = max(_width(c) for c in d.ballot.candidates) + 2
        lines.append(f"  {_pad('候选组织', width)}同意  不同意  弃权")
        for c in d.ballot.candidates:
            mark = "  ✓" if c in d.selected else ""
            lines.append(
                f"  {_pad(c, width)}{d.counts.approve.get(c, 0):>4}"
                f"{d.counts.oppose.get(c, 0):>8}{d.counts.abstain.get(c, 0):>6}{mark}"
            )
        for r in d.reasons:
            lines += [f"  · {r.zh}", f"    {r.en}"]
    for mo in o.motions:
        lines += [
            "",
            f"第 {mo.number} 轮（复议 {mo.candidate}） / round {mo.number} (review vote on "
            f"{mo.candidate}): 同意 yes {mo.counts.approve} · 不同意 no {mo.counts.oppose}"
            f" · 弃权 abstain {mo.counts.abstain}",
            f"  · {mo.reason.zh}",
            f"    {mo.reason.en}",
        ]
    removed = o.removed()
    lines += ["", "结果 / Result"]
    for t in o.tiers:
        zh, en = tier_names[t.id]
        winners = [n for n in t.selected if n not in removed] + [
            f"{n}（不占名额 / outside the cap）" for n in t.outside_cap if n not in removed
        ]
        status = {
            "decided": "",
            "in progress": "（进行中 / in progress）",
            "not reached": "（未开始 / not reached）",
        }[t.status]
        lines.append(
            f"  {zh} {en}{status}: {'、'.join(winners) if winners else '—'}"
            + ("" if not t.empty_places else f"；空缺 {t.empty_places} 个 / {t.empty_places} empty")
        )
    if o.next is not None:
        zh, en = tier_names[o.next.tier]
        kind = "再投票 re-vote" if o.next.kind == "revote" else "投票 ballot"
        lines += [
            "",
            f"下一轮 / Next: {zh} {en} {kind}：{'、'.join(o.next.candidates)}"
            f"，名额 {o.next.places} places，每票最多同意 {o.next.max_approvals}",
        ]
    elif o.complete:
        lines += ["", "程序完成 / The procedure is complete."]
    return "\n".join(lines) + "\n"
