"""The procedure: quorum, then each tier's ballot, tie re-votes, and the next tier.

`tally(rules, meeting, rounds)` replays the counts of the ballots held so far, in the order the
procedure asked for them, and returns every decision with its reasons and the ballot the
procedure needs next. It is a pure function: the verifier re-runs it on the published counts.

The order (嘉兴 §三(三)3(3)): the award places go by approvals, highest first, among candidates
that reach the threshold; a tie at the cut-off is settled by a re-vote among exactly the tied
candidates for exactly the places left; each later tier is a fresh ballot over its pool.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace

from ballot.language.text import Text
from ballot.language.vocabulary import OPTIONS
from ballot.tally import explain
from ballot.tally.errors import TallyError
from ballot.tally.model import (
    Ballot,
    Counts,
    Meeting,
    MotionCounts,
    MotionDecision,
    Outcome,
    QuorumCheck,
    Revote,
    RoundDecision,
    TierOutcome,
)
from ballot.tally.motion import motion_result
from ballot.tally.rules import Rules, Threshold, Tier


def check_quorum(rules: Rules, members: int, present: int) -> QuorumCheck:
    rule = rules.quorum.get()
    if rule is None:
        return QuorumCheck(
            True, members, present, None, explain.quorum(None, members, present, None, True)
        )
    needed = rule.needed(members)
    met = rule.met(present, members)
    return QuorumCheck(
        met, members, present, needed, explain.quorum(rule, members, present, needed, met)
    )


def max_approvals(rules: Rules, candidates: int, places: int, outside_cap: int) -> int:
    """Most approvals one ballot may carry (default: the places open, RULES.md §4)."""
    setting = rules.max_approvals.get()
    if setting == "places":
        return min(places + outside_cap, candidates)
    if setting is None:
        return candidates
    return min(int(setting), candidates)


def threshold_for(
    rules: Rules, ballot: Ballot, members: int, present: int, ballots: int | None
) -> tuple[Threshold | None, int | None, int | None]:
    """(rule, base value, votes needed) for this ballot; needed is None when none applies."""
    rule = rules.threshold.get()
    if rule is None:
        return None, None, None
    if ballot.kind == "revote" and not rules.revote_threshold.get():
        return None, None, None
    base = {"members": members, "present": present, "ballots": ballots}[rule.base]
    if base is None:
        return rule, None, None
    return rule, base, rule.proportion.needed(base)


def _label(number: int, ballot: Ballot, tier: Tier) -> Text:
    return explain.round_label(number, ballot, tier.name_en(), tier.name_zh())


def _error(label: Text, en: str, zh: str) -> TallyError:
    return TallyError(Text(en=f"{label.en}: {en}", zh=f"{label.zh}：{zh}"))


def check_counts(ballot: Ballot, counts: Counts, meeting: Meeting, label: Text) -> int:
    """Refuse counts this ballot cannot have produced; return the members present at the count."""
    present = meeting.present if counts.present is None else counts.present
    if not 0 <= present <= meeting.members:
        raise _error(
            label,
            f"{present} present, but the committee has {meeting.members} members",
            f"实到 {present} 人，但委员共 {meeting.members} 人",
        )
    on_ballot = set(ballot.candidates)
    for option, zh_option, table in (
        ("approve", OPTIONS["approve"].zh, counts.approve),
        ("oppose", OPTIONS["oppose"].zh, counts.oppose),
        ("abstain", OPTIONS["abstain"].zh, counts.abstain),
    ):
        for name, value in table.items():
            if name not in on_ballot:
                listed = ", ".join(ballot.candidates)
                raise _error(
                    label,
                    f"'{option}' counts {name!r}, who is not on this ballot "
                    f"(the ballot lists {listed})",
                    f"“{zh_option}”票计入了 {name!r}，但其不在本轮选票上（本轮：{listed}）",
                )
            if isinstance(value, bool) or not isinstance(value, int) or value < 0:
                raise _error(
                    label,
                    f"'{option}' count for {name} must be a whole number ≥ 0, got {value!r}",
                    f"{name} 的“{zh_option}”票数须为不小于 0 的整数，实际为 {value!r}",
                )
    if counts.issued is not None and not 0 <= counts.issued <= meeting.members:
        raise _error(
            label,
            f"{counts.issued} ballots issued, but the committee has {meeting.members} members",
            f"发出选票 {counts.issued} 张，但委员共 {meeting.members} 人",
        )
    if counts.issued is not None and counts.ballots is not None and counts.ballots > counts.issued:
        raise _error(
            label,
            f"{counts.ballots} ballots returned but only {counts.issued} issued; "
            "ballots may never exceed those issued",
            f"收回选票 {counts.ballots} 张，但仅发出 {counts.issued} 张；收回选票不得多于发出选票",
        )
    if counts.issued is None and counts.ballots is not None and counts.ballots > present:
        raise _error(
            label,
            f"{counts.ballots} ballots returned but only {present} members "
            f"present; ballots may never exceed those issued",
            f"收回选票 {counts.ballots} 张，但实到仅 {present} 人；收回选票不得多于发出选票",
        )
    cap = counts.ballots if counts.ballots is not None else present
    cap_en = f"{cap} ballots returned" if counts.ballots is not None else f"{cap} members present"
    cap_zh = f"收回选票 {cap} 张" if counts.ballots is not None else f"实到 {cap} 人"
    for name in ballot.candidates:
        a = counts.approve.get(name, 0)
        marked = a + counts.oppose.get(name, 0) + counts.abstain.get(name, 0)
        if a > cap:
            raise _error(
                label,
                f"{name} has {a} approvals but there are only {cap_en}",
                f"{name} 得同意票 {a} 票，但{cap_zh}",
            )
        if marked > cap:
            raise _error(
                label,
                f"{name} has {marked} approve, oppose and abstain marks together but "
                f"there are only {cap_en}; each ballot marks a candidate once",
                f"{name} 的同意、不同意、弃权合计 {marked} 票，但{cap_zh}；每张选票对每个候选组织只能表态一次",
            )
    total = sum(counts.approve.get(name, 0) for name in ballot.candidates)
    if total > ballot.max_approvals * cap:
        raise _error(
            label,
            f"{total} approvals in all, but {cap_en} with at most "
            f"{ballot.max_approvals} approvals each allow {ballot.max_approvals * cap}",
            f"同意票合计 {total} 票，但{cap_zh}，每张最多 {ballot.max_approvals} 票，"
            f"合计最多 {ballot.max_approvals * cap} 票",
        )
    return present


def _decide(
    ballot: Ballot, counts: Counts, needed: int | None, rule: Threshold | None, base: int | None
) -> tuple[list[str], list[str], Revote | None, int, list[Text], list[Text]]:
    """Rank one valid ballot: (selected, outside-cap selected, re-vote, empty places, reasons
    about those selected, reasons about the rest)."""
    approvals = {c: counts.approve.get(c, 0) for c in ballot.candidates}
    # Nobody is selected on a tier's first ballot without an approval, even where a threshold
    # rounds to 0 (no rule, or a share of 0 ballots returned); a re-vote is among candidates
    # that already qualified, so there the most approvals win.
    floor = needed if needed is not None else 0
    if ballot.kind == "ballot":
        floor = max(floor, 1)
    if floor != needed:
        rule, base = None, None  # explain "no approvals" rather than a threshold of 0
    reasons: list[Text] = []

    in_cap = [c for c in ballot.candidates if c not in ballot.outside_cap]
    eligible = sorted(
        (c for c in in_cap if approvals[c] >= floor), key=lambda c: (-approvals[c], c)
    )
    places = ballot.places
    revote: Revote | None = None
    if len(eligible) <= places:
        chosen = eligible
    else:
        cut = approvals[eligible[places - 1]]
        if approvals[eligible[places]] < cut:
            chosen = eligible[:places]
        else:
            chosen = [c for c in eligible if approvals[c] > cut]
            tied = sorted(c for c in eligible if approvals[c] == cut)
            revote = Revote(candidates=tuple(tied), places=places - len(chosen))
    for c in chosen:
        reasons.append(explain.selected(c, approvals[c]))
    by_votes: dict[int, list[str]] = {}
    for c in chosen:
        by_votes.setdefault(approvals[c], []).append(c)
    for votes, group in sorted(by_votes.items(), reverse=True):
        if len(group) > 1:
            reasons.append(explain.tie_above_cutoff(sorted(group), votes, places))
    head, reasons = reasons, []
    tied_names = set(revote.candidates) if revote else set()
    for c in sorted(in_cap, key=lambda c: (-approvals[c], c)):
        if c in chosen or c in tied_names:
            continue
        if approvals[c] >= floor:
            reasons.append(
                explain.outranked(
                    c, approvals[c], places, ballot.kind == "revote", revote is not None
                )
            )
        else:
            reasons.append(explain.below_threshold(c, approvals[c], floor, rule, base))
    empty = 0
    if revote is None and len(chosen) < places:
        empty = places - len(chosen)
        reasons.append(explain.empty_places(len(chosen), places, needed is not None))

    outside: list[str] = []
    out_floor = max(needed or 0, 1)
    for c in sorted(ballot.outside_cap, key=lambda c: (-approvals[c], c)):
        if approvals[c] >= out_floor:
            outside.append(c)
            reasons.append(explain.outside_cap_selected(c, approvals[c]))
        else:
            reasons.append(explain.outside_cap_not_selected(c, approvals[c], out_floor))
    return chosen, outside, revote, empty, head, reasons


def _pool(rules: Rules, tier: Tier, meeting: Meeting, taken: set[str]) -> tuple[str, ...]:
    pool = tier.pool.require()
    order = [t.id for t in rules.tiers]
    names: list[str] = []
    if pool in ("remaining", "remaining+others"):
        names += [
            c.name
            for c in meeting.candidates
            if c.listed is None or order.index(c.listed) <= order.index(tier.id)
        ]
    if pool in ("others", "remaining+others"):
        names += [c.name for c in meeting.others]
    return tuple(n for n in names if n not in taken)


def _first_ballot(rules: Rules, tier: Tier, meeting: Meeting, pool: tuple[str, ...]) -> Ballot:
    places = tier.places.require()
    outside = tuple(n for n in pool if tier.id in _flags(meeting, n))
    return Ballot(
        tier=tier.id,
        kind="ballot",
        candidates=pool,
        places=places,
        max_approvals=max_approvals(rules, len(pool), places, len(outside)),
        outside_cap=outside,
    )


def _flags(meeting: Meeting, name: str) -> frozenset[str]:
    candidate = meeting.candidate(name)
    return candidate.outside_cap if candidate else frozenset()


def _revote_ballot(rules: Rules, tier: Tier, revote: Revote, number: int) -> Ballot:
    return Ballot(
        tier=tier.id,
        kind="revote",
        candidates=revote.candidates,
        places=revote.places,
        max_approvals=max_approvals(rules, len(revote.candidates), revote.places, 0),
        revote=number,
    )


def tally(
    rules: Rules,
    meeting: Meeting,
    rounds: Sequence[Counts],
    motions: Sequence[MotionCounts] = (),
) -> Outcome:
    """Replay the counts of the ballots held so far and decide everything they decide; then
    the review votes (复议) held on the result, which can only remove winners from it."""
    done = _procedure(rules, meeting, rounds)
    if not motions:
        return done
    if not done.complete:
        raise TallyError(
            Text(
                en="a review vote is held only on a published result: the procedure is not "
                "complete yet",
                zh="复议只针对已公布的结果：评选程序尚未完成",
            )
        )
    winners = {c for names in done.result().values() for c in names}
    return replace(done, motions=review(rules, meeting, winners, motions, len(done.rounds) + 1))


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


def _procedure(rules: Rules, meeting: Meeting, rounds: Sequence[Counts]) -> Outcome:
    """The ballots of the tiers: every round counted, and the ballot needed next."""
    quorum = check_quorum(rules, meeting.members, meeting.present)
    decisions: list[RoundDecision] = []
    tiers: list[TierOutcome] = []
    taken: set[str] = set()
    pending = list(rounds)

    def finish(next_ballot: Ballot | None, complete: bool) -> Outcome:
        reached = {t.id for t in tiers}
        rest = [
            TierOutcome(t.id, t.places.value, (), (), None, "not reached", ())
            for t in rules.tiers
            if t.id not in reached
        ]
        if not quorum.met:
            next_ballot = None  # the next ballot waits for a quorum
        next_threshold = None
        if next_ballot is not None:
            _, _, next_threshold = threshold_for(
                rules, next_ballot, meeting.members, meeting.present, None
            )
        return Outcome(
            rules=rules,
            meeting=meeting,
            quorum=quorum,
            rounds=tuple(decisions),
            next=next_ballot,
            next_threshold=next_threshold,
            complete=complete,
            tiers=tuple(tiers + rest),
        )

    # Without a quorum now, no ballot can be held now; the rounds already held are judged by
    # the attendance at their own count. A round that gives none is taken to have been held
    # with today's attendance, which a quorum-less meeting could not have.
    if not quorum.met and pending and pending[0].present is None:
        raise TallyError(
            Text(
                en=f"round 1 is more than the procedure asks for: {quorum.reason.en}",
                zh=f"第 1 轮超出程序所需：{quorum.reason.zh}",
            )
        )
    if not quorum.met and not pending:
        return finish(None, False)

    for tier in rules.tiers:
        pool = _pool(rules, tier, meeting, taken)
        places = tier.places.require()
        if not pool:
            tiers.append(
                TierOutcome(
                    tier.id,
                    places,
                    (),
                    (),
                    places,
                    "decided",
                    (explain.no_candidates(tier.name_en(), tier.name_zh(), places),),
                )
            )
            continue
        ballot: Ballot | None = _first_ballot(rules, tier, meeting, pool)
        chosen: list[str] = []
        outside: list[str] = []
        empty = 0
        tier_reasons: list[Text] = []
        revotes = 0
        while ballot is not None:
            if not pending:
                tiers.append(
                    TierOutcome(
                        tier.id,
                        places,
                        tuple(chosen),
                        tuple(outside),
                        None,
                        "in progress",
                        tuple(tier_reasons),
                    )
                )
                return finish(ballot, False)
            counts = pending.pop(0)
            number = len(decisions) + 1
            label = _label(number, ballot, tier)
            present = check_counts(ballot, counts, meeting, label)
            close = check_quorum(rules, meeting.members, present)
            rule, base, needed = threshold_for(
                rules, ballot, meeting.members, present, counts.ballots
            )
            if rule is not None and base is None:
                raise _error(
                    label,
                    "the threshold counts ballots cast (threshold.base = "
                    '"ballots"), so this round must give "ballots"',
                    '入选票数以收回选票为基数（threshold.base = "ballots"），本轮须给出 "ballots"',
                )
            if not close.met:
                q = rules.quorum.require()
                assert close.needed is not None
                decisions.append(
                    RoundDecision(
                        number,
                        ballot,
                        counts,
                        present,
                        needed,
                        True,
                        (),
                        None,
                        0,
                        (explain.void_round(q, meeting.members, present, close.needed),),
                    )
                )
                continue
            reasons: list[Text] = []
            if ballot.kind == "ballot" and rule is not None and needed is not None:
                assert base is not None
                reasons.append(explain.threshold(rule, base, needed))
            elif ballot.kind == "ballot":
                reasons.append(explain.no_threshold())
            elif needed is None:
                reasons.append(explain.revote_without_threshold())
            else:
                assert rule is not None and base is not None
                reasons.append(explain.threshold(rule, base, needed))
            won, won_outside, revote, round_empty, head, tail = _decide(
                ballot, counts, needed, rule, base
            )
            reasons += head
            if revote is not None:
                limit = rules.max_revotes.get()
                tied = list(revote.candidates)
                tied_votes = counts.approve.get(tied[0], 0)
                if limit is not None and revotes >= limit:
                    reasons.append(
                        explain.tie_limit(tied, tied_votes, revote.places, revotes, limit)
                    )
                    round_empty = revote.places
                    revote = None
                else:
                    reasons.append(explain.tie_at_cutoff(tied, tied_votes, revote.places))
            reasons += tail
            decisions.append(
                RoundDecision(
                    number,
                    ballot,
                    counts,
                    present,
                    needed,
                    False,
                    tuple(won),
                    revote,
                    round_empty,
                    tuple(reasons),
                )
            )
            chosen += won
            outside += won_outside
            empty += round_empty
            if revote is not None:
                revotes += 1
                ballot = _revote_ballot(rules, tier, revote, revotes)
            else:
                ballot = None
        taken.update(chosen)
        taken.update(outside)
        tier_reasons.append(
            explain.tier_summary(tier.name_en(), tier.name_zh(), chosen, places, empty)
        )
        tiers.append(
            TierOutcome(
                tier.id,
                places,
                tuple(chosen),
                tuple(outside),
                empty,
                "decided",
                tuple(tier_reasons),
            )
        )

    if pending:
        n = len(decisions) + 1
        raise TallyError(
            Text(
                en=f"round {n} is more than the procedure asks for: after round {n - 1} every tier "
                f"is decided; remove the extra rounds",
                zh=f"第 {n} 轮超出程序所需：第 {n - 1} 轮后各奖项均已确定；请删去多余的轮次",
            )
        )
    return finish(None, True)
