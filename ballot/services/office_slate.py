"""The slate the office confirms: computed from the score sheet by `ballot slate`'s rules (the
regulation's weights and list rule), with the places the office gives each tier, checked as a
meeting will check it. Nothing is stored: the office sees it as a table first."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from ballot.language.text import Text
from ballot.services.errors import ServiceError
from ballot.services.meetings import checked_slate
from ballot.tally.errors import TallyError
from ballot.tally.profiles import load_profile, profile_ids
from ballot.tally.slate import build_slate, parse_weights, read_reviews, slate_report


@dataclass(frozen=True)
class TierChoice:
    """A tier of the regulation as the office's form offers it."""

    id: str
    name: Text
    places: int | None  # the regulation's number, None where it leaves it to the committee
    clause: str


@dataclass(frozen=True)
class OfficeSlate:
    slate: dict[str, Any]  # as a meeting takes it ({"profile", "candidates", "others", "rules"})
    report: dict[str, Any]  # `ballot slate`'s report: scores, lists, reasons, ties


def regulations() -> list[tuple[str, Text]]:
    """Every regulation's id and title, for the office to choose from."""
    return [(pid, load_profile(pid).title) for pid in profile_ids()]


def tier_choices(profile_id: str) -> list[TierChoice]:
    profile = _profile(profile_id)
    return [
        TierChoice(
            t.id, t.name, None if t.places.unstated else t.places.get(), t.places.source.note
        )
        for t in profile.tiers
    ]


# what a regulation may leave to the committee, as the office's form asks for it
SETTINGS: dict[str, tuple[Text, str]] = {
    "quorum": (
        Text(en="quorum: the share of all members who must be present, e.g. 2/3 (at least)",
             zh="法定人数：到会须达全体成员的几分之几（含本数），如 2/3"),
        "2/3",
    ),
    "threshold": (
        Text(en="approval: the share of all members whose approval a candidate needs, e.g. 1/2 "
             "(at least)", zh="入选票数：同意票须达全体成员的几分之几（含本数），如 1/2"),
        "1/2",
    ),
    "weights": (
        Text(en="score weights, e.g. document=3/10,site=7/10 (defence= where it counts)",
             zh="评分权重，如 document=3/10,site=7/10（计入答辩时加 defence=）"),
        "document=3/10,site=7/10",
    ),
}  # fmt: skip


def open_settings(profile_id: str) -> list[str]:
    """The settings of SETTINGS this regulation leaves to the committee."""
    profile = _profile(profile_id)
    open_ = {"quorum": profile.quorum.unstated, "threshold": profile.threshold.unstated,
             "weights": profile.slate_weights.unstated and not profile.slate_lists.unstated}  # fmt: skip
    return [key for key in SETTINGS if open_[key]]


def lists_by_hand(profile_id: str) -> bool:
    """Whether the regulation gives no rule for the candidate list (the office lists them)."""
    return bool(_profile(profile_id).slate_lists.unstated)


def _fraction(key: str, typed: str) -> str:
    name = SETTINGS[key][0]
    parts = typed.replace("／", "/").split("/")
    if len(parts) != 2 or not all(p.strip().isascii() and p.strip().isdigit() for p in parts) \
            or not 0 < int(parts[0]) <= int(parts[1]) <= 100:  # fmt: skip
        raise ServiceError(
            "bad-setting",
            en=f"{name.en}: {typed!r} is not a fraction such as 2/3",
            zh=f"{name.zh}：{typed!r} 不是 2/3 这样的分数",
        )
    return f"{int(parts[0])}/{int(parts[1])}"


def committee_rules(profile_id: str, settings: Mapping[str, str]) -> tuple[dict[str, Any], Any]:
    """The rules for what the regulation leaves open (quorum, threshold) and the weights, from
    what the office typed; each one it leaves open must be given."""
    rules: dict[str, Any] = {}
    weights = None
    for key in open_settings(profile_id):
        typed = (settings.get(key) or "").strip()
        if not typed:
            name = SETTINGS[key][0]
            raise ServiceError(
                "bad-setting",
                en=f"the regulation leaves this to the committee: give {name.en}",
                zh=f"办法未规定，须由评委会确定：请填写{name.zh}",
            )
        if key == "quorum":
            rules["quorum"] = {"fraction": _fraction(key, typed), "inclusive": True}
        elif key == "threshold":
            rules["threshold"] = {"fraction": _fraction(key, typed), "inclusive": True,
                                  "base": "members"}  # fmt: skip
        else:
            pairs = [part.partition("=") for part in typed.replace("，", ",").split(",")]
            try:
                if any(not sep for _, sep, _ in pairs):
                    raise TallyError(SETTINGS[key][0])
                weights = parse_weights({k.strip(): v.strip() for k, _, v in pairs}, "weights")
            except TallyError as err:
                raise ServiceError.of("bad-setting", err.text) from None
    return rules, weights


def from_list(profile_id: str, names_text: str, places: Mapping[str, str],
              settings: Mapping[str, str]) -> OfficeSlate:  # fmt: skip
    """The slate the office lists by hand (one organisation per line), where the regulation
    gives no rule for it."""
    tiers = _tiers(_profile(profile_id), places)
    rules, _ = committee_rules(profile_id, settings)
    names = [line.strip() for line in names_text.splitlines() if line.strip()]
    slate = {
        "profile": profile_id,
        "candidates": names,
        "others": [],
        "rules": rules | {"tiers": tiers},
    }
    checked_slate(slate)
    report = {"scores": [], "lists": [{"tiers": [t["id"] for t in tiers], "candidates": names,
                                       "tie_at_cutoff": None, "reasons": []}]}  # fmt: skip
    return OfficeSlate(slate, report)


def from_scores(
    profile_id: str,
    scores_text: str,
    places: Mapping[str, str],
    settings: Mapping[str, str] | None = None,
) -> OfficeSlate:
    """The slate from the score sheet (CSV text) under `profile_id`, holding the tiers given a
    number of places in `places` (tier id → the number as typed; empty: not held), with the
    committee's `settings` where the regulation leaves them open."""
    profile = _profile(profile_id)
    tiers = _tiers(profile, places)
    rules, weights = committee_rules(profile_id, settings or {})
    try:
        given = {t["id"]: t["places"] for t in tiers}
        built = build_slate(profile, read_reviews(scores_text), weights, places_override=given)
    except TallyError as err:
        raise ServiceError.of("bad-scores", err.text) from None
    report = slate_report(profile, built)
    slate = {
        "profile": profile.id,
        "candidates": report["scenario"]["candidates"],
        "others": report["scenario"]["others"],
        "rules": rules | {"tiers": tiers},
    }
    checked_slate(slate)
    return OfficeSlate(slate, report)


def _tiers(profile: Any, places: Mapping[str, str]) -> list[dict[str, Any]]:
    """The tiers held and their places, as the office typed them."""
    tiers = []
    for tier in profile.tiers:
        typed = (places.get(tier.id) or "").strip()
        if not typed:
            continue
        if not typed.isascii() or not typed.isdigit() or not 1 <= int(typed) <= 50:
            name = tier.name
            raise ServiceError(
                "bad-places",
                en=f"places for {name.en}: {typed!r} is not a whole number from 1 to 50",
                zh=f"{name.zh}名额：{typed!r} 须为 1 至 50 的整数",
            )
        cap = None if tier.places.unstated else tier.places.get()
        if cap is not None and int(typed) > cap:
            name = tier.name
            raise ServiceError(
                "bad-places",
                en=f"places for {name.en}: {typed} is more than the regulation's {cap} "
                f"({tier.places.source.note})",
                zh=f"{name.zh}名额 {typed} 个，超过办法规定的 {cap} 个（{tier.places.source.note}）",
            )
        tiers.append({"id": tier.id, "places": int(typed)})
    if not tiers:
        raise ServiceError(
            "bad-places",
            en="give at least one tier a number of places",
            zh="请至少为一个奖项填写名额",
        )
    return tiers


def _profile(profile_id: str) -> Any:
    if profile_id not in profile_ids():
        known = ", ".join(profile_ids())
        raise ServiceError(
            "bad-profile",
            en=f"choose one of the regulations ({known})",
            zh=f"请选择评选办法（{known}）",
        )
    return load_profile(profile_id)
