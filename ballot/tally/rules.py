"""The rules a tally applies: proportions, quorum, approval threshold, tiers, re-vote limits.

Every comparison is exact: a proportion is a `Fraction` and "count meets p of base" is decided
by integer arithmetic (`count * den >= num * base`), never by floats. Chinese legal drafting
fixes the words: 以上 / 及以上 / 含本数 are inclusive (≥), 超过 is exclusive (>).
"""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction
from typing import Generic, Literal, TypeVar

from ballot.language.text import Text
from ballot.language.vocabulary import TIERS, word
from ballot.tally.errors import TallyError, UnstatedSetting

Base = Literal["members", "present", "ballots"]
BASES: tuple[Base, ...] = ("members", "present", "ballots")

Pool = Literal["remaining", "remaining+others", "others"]
POOLS: tuple[Pool, ...] = ("remaining", "remaining+others", "others")

SourceKind = Literal["clause", "default", "unstated", "scenario"]

TIER_IDS = ("award", "nominee", "innovation", "excellence")

T = TypeVar("T")


@dataclass(frozen=True)
class Proportion:
    """A share of a base, compared inclusively (≥, 以上（含本数）) or exclusively (>, 超过)."""

    fraction: Fraction
    inclusive: bool

    def needed(self, base: int) -> int:
        """The smallest whole count that meets this proportion of `base`."""
        num, den = self.fraction.numerator, self.fraction.denominator
        if self.inclusive:
            return -((-num * base) // den)  # ceil(num * base / den)
        return (num * base) // den + 1

    def met(self, count: int, base: int) -> bool:
        num, den = self.fraction.numerator, self.fraction.denominator
        if self.inclusive:
            return count * den >= num * base
        return count * den > num * base

    def symbol_en(self) -> str:
        return f"{'≥' if self.inclusive else '>'} {self.fraction}"

    def symbol_zh(self) -> str:
        return f"{self.fraction}以上（含本数）" if self.inclusive else f"超过{self.fraction}"

    def of_zh(self, base: str) -> str:
        """The rule applied to a base, as Chinese regulations word it: "全体成员的2/3以上（含本数）",
        "超过全体成员的2/3"."""
        if self.inclusive:
            return f"{base}的{self.fraction}以上（含本数）"
        return f"超过{base}的{self.fraction}"


BASE_EN = {"members": "all members", "present": "members present", "ballots": "ballots cast"}
BASE_ZH = {"members": "全体委员", "present": "到会委员", "ballots": "收回选票"}


@dataclass(frozen=True)
class Threshold:
    """Approvals a candidate needs to be selected (入选票数): a proportion of a base."""

    proportion: Proportion
    base: Base

    def describe_en(self) -> str:
        return f"{self.proportion.symbol_en()} of {BASE_EN[self.base]}"

    def describe_zh(self) -> str:
        return self.proportion.of_zh(BASE_ZH[self.base])


MaxApprovals = Literal["places"] | int | None
"""Most approvals one ballot may carry: 'places' (the places open in that round), a fixed
number, or None (no limit: every candidate on the ballot)."""


@dataclass(frozen=True)
class Source:
    """Where a setting's value comes from."""

    kind: SourceKind
    note: str

    def as_dict(self) -> dict[str, str]:
        return {"source": self.kind, "note": self.note}


@dataclass(frozen=True)
class Setting(Generic[T]):
    """A rule setting with its provenance: a clause of the regulation, a project default
    where the text is silent, a value the scenario supplied, or 'unstated' (no value)."""

    name: str
    profile: str
    value: T | None
    source: Source

    @property
    def unstated(self) -> bool:
        return self.source.kind == "unstated"

    def get(self, remedy: Text | None = None) -> T | None:
        """The value; raises `UnstatedSetting`, naming the setting and what to do, when the
        text is silent."""
        if self.unstated:
            raise UnstatedSetting(self.name, self.profile, self.source.note, remedy)
        return self.value

    def require(self) -> T:
        """The value, which must not be None."""
        value = self.get()
        if value is None:  # pragma: no cover - guarded by parsing
            raise ValueError(f"setting {self.name} has no value")
        return value


@dataclass(frozen=True)
class Tier:
    """One award tier (奖项), decided by its own ballot over the pool the profile names."""

    id: str
    places: Setting[int]
    pool: Setting[Pool]

    def name_en(self) -> str:
        """The engine's short name (vocabulary.TIERS), used in its reasons."""
        return word(TIERS, self.id).en

    def name_zh(self) -> str:
        return word(TIERS, self.id).zh


@dataclass(frozen=True)
class Rules:
    """Everything the engine applies, each setting carrying its provenance."""

    profile: str
    quorum: Setting[Proportion]
    threshold: Setting[Threshold]
    tiers: tuple[Tier, ...]
    max_revotes: Setting[int]
    revote_threshold: Setting[bool]
    max_approvals: Setting[MaxApprovals]
    # what a review vote (复议) on a published winner needs (嘉兴 §三(四)3: ≥ 1/2 of all
    # members); None: more yes than no. Fixed by its own clause, not by `threshold`.
    review_threshold: Setting[Threshold]

    def settings(self) -> list[Setting[object]]:
        out: list[Setting[object]] = [self.quorum, self.threshold]  # type: ignore[list-item]
        for tier in self.tiers:
            out += [tier.places, tier.pool]  # type: ignore[list-item]
        out += [self.max_approvals, self.max_revotes, self.revote_threshold]  # type: ignore[list-item]
        out.append(self.review_threshold)  # type: ignore[arg-type]
        return out


def parse_fraction(raw: object, where: str) -> Fraction:
    """A proportion written as a string: "2/3", "1/2", "0.5". Floats are refused (inexact)."""
    if not isinstance(raw, str):
        raise TallyError(
            Text(
                en=f'{where}: a fraction must be a string such as "2/3", got {raw!r}',
                zh=f'{where}：比例须写成字符串，如 "2/3"，实际为 {raw!r}',
            )
        )
    try:
        value = Fraction(raw.strip())
    except (ValueError, ZeroDivisionError):
        raise TallyError(
            Text(
                en=f'{where}: {raw!r} is not a fraction; write it like "2/3"',
                zh=f'{where}：{raw!r} 不是比例，请写成 "2/3" 的形式',
            )
        ) from None
    if not 0 < value <= 1:
        raise TallyError(
            Text(
                en=f"{where}: {raw} must be more than 0 and at most 1",
                zh=f"{where}：{raw} 须大于 0 且不大于 1",
            )
        )
    return value
