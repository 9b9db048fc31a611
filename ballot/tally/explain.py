"""The sentences that explain each decision, in Chinese and English, with the numbers."""

from __future__ import annotations

from ballot.language.text import Text, names_en, names_zh, plural
from ballot.tally.model import Ballot
from ballot.tally.rules import BASE_ZH, Proportion, Threshold


def round_label(number: int, ballot: Ballot, tier_en: str, tier_zh: str) -> Text:
    if ballot.kind == "revote":
        return Text(
            en=f"round {number} ({tier_en} re-vote {ballot.revote})",
            zh=f"第 {number} 轮（{tier_zh}第 {ballot.revote} 次再投票）",
        )
    return Text(en=f"round {number} ({tier_en} ballot)", zh=f"第 {number} 轮（{tier_zh}投票）")


def quorum(
    rule: Proportion | None, members: int, present: int, needed: int | None, met: bool
) -> Text:
    if rule is None or needed is None:
        return Text(
            en=f"No quorum rule applies (rules.quorum is null): {present} of {members} present.",
            zh=f"不设法定人数（rules.quorum 为 null）：应到 {members} 人，实到 {present} 人。",
        )
    if met:
        return Text(
            en=f"Quorum met: {present} of {members} members present; "
            f"{rule.symbol_en()} needs {needed}.",
            zh=f"达到法定人数：应到 {members} 人，实到 {present} 人，"
            f"需 {needed} 人（{rule.of_zh('全体成员')}）。",
        )
    return Text(
        en=f"Quorum not met: {present} of {members} members present; "
        f"{rule.symbol_en()} needs {needed}. No ballot may be held.",
        zh=f"未达到法定人数：应到 {members} 人，实到 {present} 人，"
        f"需 {needed} 人（{rule.of_zh('全体成员')}）；不得投票表决。",
    )


def void_round(rule: Proportion, members: int, present: int, needed: int) -> Text:
    return Text(
        en=f"Round void: {present} of {members} members present at the count; "
        f"{rule.symbol_en()} needs {needed}. Hold this ballot again once a quorum is present.",
        zh=f"本轮无效：计票时应到 {members} 人，实到 {present} 人，"
        f"需 {needed} 人（{rule.of_zh('全体成员')}）。请在达到法定人数后重新投票。",
    )


def threshold(rule: Threshold, base_value: int, needed: int) -> Text:
    return Text(
        en=f"Threshold: {needed} approvals needed ({rule.describe_en()}: "
        f"{needed} of {base_value}).",
        zh=f"入选票数：需 {needed} 票（{rule.proportion.of_zh(f'{BASE_ZH[rule.base]} {base_value} 人')}）。",
    )


def no_threshold() -> Text:
    return Text(
        en="No approval threshold applies (rules.threshold is null); "
        "a candidate needs at least one approval.",
        zh="不设入选票数（rules.threshold 为 null）；候选组织至少须获 1 票同意。",
    )


def revote_without_threshold() -> Text:
    return Text(
        en="Re-vote: the threshold is not applied again, since the tied candidates already met "
        "it; the most approvals take the places left.",
        zh="再投票不再适用入选票数（并列候选组织此前均已达到），得票多者入选。",
    )


def selected(name: str, approvals: int) -> Text:
    return Text(
        en=f"{name} had {approvals} approvals: selected.",
        zh=f"{name} 得同意票 {approvals} 票：入选。",
    )


def below_threshold(
    name: str, approvals: int, needed: int, rule: Threshold | None, base_value: int | None
) -> Text:
    if rule is None or base_value is None:
        return Text(en=f"{name} had no approvals: not selected.", zh=f"{name} 未获同意票：未入选。")
    return Text(
        en=f"{name} had {approvals} approvals; {needed} of {base_value} needed "
        f"({rule.describe_en()}): not selected.",
        zh=f"{name} 得同意票 {approvals} 票；需 {needed} 票"
        f"（{rule.proportion.of_zh(f'{BASE_ZH[rule.base]} {base_value} 人')}）：未入选。",
    )


def outranked(name: str, approvals: int, places: int, revote: bool, tie_pending: bool) -> Text:
    """An eligible candidate below the cut-off: the places went to candidates with more
    approvals, or (`tie_pending`) the last of them goes to a re-vote among others."""
    where_en = "in the re-vote" if revote else "(enough to be eligible)"
    where_zh = "再投票" if revote else "（达到入选票数）"
    if tie_pending:
        return Text(
            en=f"{name} had {approvals} approvals {where_en}; candidates with more take the "
            f"{plural(places, 'place')}, the last by a re-vote among those tied: not selected.",
            zh=f"{name} {where_zh}得同意票 {approvals} 票；{places} 个名额由得票更多者取得，"
            f"最后名额由并列者再投票决定：未入选。",
        )
    return Text(
        en=f"{name} had {approvals} approvals {where_en}; the {plural(places, 'place')} went "
        f"to candidates with more: not selected.",
        zh=f"{name} {where_zh}得同意票 {approvals} 票，{places} 个名额已由得票更多者取得：未入选。",
    )


def tie_above_cutoff(names: list[str], approvals: int, places: int) -> Text:
    return Text(
        en=f"{names_en(names)} tied with {approvals} approvals, all within the "
        f"{plural(places, 'place')}: no re-vote is needed.",
        zh=f"{names_zh(names)} 同得 {approvals} 票，均在 {places} 个名额之内，无需再投票。",
    )


def tie_at_cutoff(names: list[str], approvals: int, places_left: int) -> Text:
    return Text(
        en=f"{names_en(names)} tied with {approvals} approvals for the last "
        f"{plural(places_left, 'place')}: re-vote among {names_en(names)} for "
        f"{plural(places_left, 'place')}.",
        zh=f"{names_zh(names)} 同得 {approvals} 票，并列争夺最后 {places_left} 个名额，无法确定："
        f"对 {names_zh(names)} 再投票，确定 {places_left} 个名额。",
    )


def tie_limit(names: list[str], approvals: int, places_left: int, revotes: int, limit: int) -> Text:
    return Text(
        en=f"{names_en(names)} tied with {approvals} approvals for the last "
        f"{plural(places_left, 'place')} after {plural(revotes, 're-vote')}; the limit is "
        f"{limit} (max_revotes): {plural(places_left, 'place')} "
        f"{'stays' if places_left == 1 else 'stay'} empty.",
        zh=f"{names_zh(names)} 同得 {approvals} 票，经 {revotes} 次再投票仍并列，"
        f"已达上限 {limit} 次（max_revotes）：{places_left} 个名额空缺。",
    )


def empty_places(eligible: int, places: int, with_threshold: bool) -> Text:
    empty = places - eligible
    if with_threshold:
        return Text(
            en=f"Only {plural(eligible, 'candidate')} reached the threshold: "
            f"{empty} of {plural(places, 'place')} {'stays' if empty == 1 else 'stay'} empty.",
            zh=f"仅 {eligible} 个候选组织达到入选票数：{places} 个名额中 {empty} 个空缺。",
        )
    return Text(
        en=f"Only {plural(eligible, 'candidate')} received approvals: "
        f"{empty} of {plural(places, 'place')} {'stays' if empty == 1 else 'stay'} empty.",
        zh=f"仅 {eligible} 个候选组织获得同意票：{places} 个名额中 {empty} 个空缺。",
    )


def outside_cap_selected(name: str, approvals: int) -> Text:
    return Text(
        en=f"{name}, a past winner of this award, had {approvals} approvals: selected "
        f"without taking one of this year's places (萧山 第二十八条).",
        zh=f"{name} 曾获本奖项，得同意票 {approvals} 票：入选，不占当年奖项名额（萧山 第二十八条）。",
    )


def outside_cap_not_selected(name: str, approvals: int, needed: int) -> Text:
    return Text(
        en=f"{name}, a past winner of this award, had {approvals} approvals; "
        f"{needed} needed: not selected.",
        zh=f"{name} 曾获本奖项，得同意票 {approvals} 票，需 {needed} 票：未入选。",
    )


def no_candidates(tier_en: str, tier_zh: str, places: int) -> Text:
    return Text(
        en=f"No candidates remain for the {tier_en}: its {plural(places, 'place')} "
        f"{'stays' if places == 1 else 'stay'} empty.",
        zh=f"{tier_zh}已无候选组织：{places} 个名额空缺。",
    )


def tier_summary(
    tier_en: str, tier_zh: str, selected_names: list[str], places: int, empty: int
) -> Text:
    return Text(
        en=f"{tier_en.capitalize()}: {names_en(selected_names)} selected for "
        f"{plural(places, 'place')}; {empty} empty.",
        zh=f"{tier_zh}：{names_zh(selected_names)} 入选，名额 {places} 个，空缺 {empty} 个。",
    )
