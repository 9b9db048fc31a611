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
from ballot.tally.slate import build_slate, read_reviews, slate_report


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


def from_scores(profile_id: str, scores_text: str, places: Mapping[str, str]) -> OfficeSlate:
    """The slate from the score sheet (CSV text) under `profile_id`, holding the tiers given a
    number of places in `places` (tier id → the number as typed; empty: not held)."""
    profile = _profile(profile_id)
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
        tiers.append({"id": tier.id, "places": int(typed)})
    if not tiers:
        raise ServiceError(
            "bad-places",
            en="give at least one tier a number of places",
            zh="请至少为一个奖项填写名额",
        )
    try:
        built = build_slate(profile, read_reviews(scores_text))
    except TallyError as err:
        raise ServiceError.of("bad-scores", err.text) from None
    report = slate_report(profile, built)
    slate = {
        "profile": profile.id,
        "candidates": report["scenario"]["candidates"],
        "others": report["scenario"]["others"],
        "rules": {"tiers": tiers},
    }
    checked_slate(slate)
    return OfficeSlate(slate, report)


def _profile(profile_id: str) -> Any:
    if profile_id not in profile_ids():
        known = ", ".join(profile_ids())
        raise ServiceError(
            "bad-profile",
            en=f"choose one of the regulations ({known})",
            zh=f"请选择评选办法（{known}）",
        )
    return load_profile(profile_id)
