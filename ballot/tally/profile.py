"""Rule profiles: one per regulation, every setting citing its clause (or saying it is unstated).

A profile is data (see `ballot/tally/profiles/*.toml`); this module turns the parsed mapping into
typed settings and applies a scenario's overrides, key by key, to give the `Rules` a tally runs.
Reading the files is the caller's job: this module does no I/O.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, TypeVar, cast

from ballot.language.text import Text
from ballot.tally import reading
from ballot.tally.errors import TallyError
from ballot.tally.model import Candidate
from ballot.tally.rules import (
    BASES,
    POOLS,
    TIER_IDS,
    MaxApprovals,
    Pool,
    Proportion,
    Rules,
    Setting,
    Source,
    Threshold,
    Tier,
    parse_fraction,
)

T = TypeVar("T")

OVERRIDABLE = (
    "quorum",
    "threshold",
    "tiers",
    "max_revotes",
    "max_approvals",
    "revote_threshold",
    "review_threshold",
)


@dataclass(frozen=True)
class TierSpec:
    """A tier as the regulation describes it."""

    id: str
    name: Text
    places: Setting[int]
    pool: Setting[Pool]
    # whether a past winner that wins this tier again takes none of that year's places
    # (only 萧山 第二十八条¶2 has the rule, for its 质量奖)
    outside_cap: Setting[bool]


@dataclass(frozen=True)
class Profile:
    """One regulation's rules, each setting with its provenance."""

    id: str
    title: Text
    document: str
    body: Text
    quorum: Setting[Proportion]
    threshold: Setting[Threshold]
    tiers: tuple[TierSpec, ...]
    max_approvals: Setting[MaxApprovals]
    max_revotes: Setting[int]
    revote_threshold: Setting[bool]
    review_threshold: Setting[Threshold]
    slate_weights: Setting[Mapping[str, Any]]
    slate_lists: Setting[list[Any]]

    def tier(self, tier_id: str) -> TierSpec | None:
        return next((t for t in self.tiers if t.id == tier_id), None)


# --- values -------------------------------------------------------------------------------


def parse_quorum(raw: object, where: str) -> Proportion:
    table = reading.mapping(raw, where)
    reading.only_keys(table, ("fraction", "inclusive"), where)
    return Proportion(
        fraction=parse_fraction(reading.required(table, "fraction", where), f"{where}.fraction"),
        inclusive=reading.boolean(
            reading.required(table, "inclusive", where), f"{where}.inclusive"
        ),
    )


def parse_threshold(raw: object, where: str) -> Threshold:
    table = reading.mapping(raw, where)
    reading.only_keys(table, ("fraction", "inclusive", "base"), where)
    base = reading.required(table, "base", where)
    if base not in BASES:
        raise reading.fail(
            f"{where}.base must be one of {', '.join(BASES)}, got {base!r}",
            f"{where}.base 须为 {', '.join(BASES)} 之一，实际为 {base!r}",
        )
    return Threshold(
        proportion=Proportion(
            fraction=parse_fraction(
                reading.required(table, "fraction", where), f"{where}.fraction"
            ),
            inclusive=reading.boolean(
                reading.required(table, "inclusive", where), f"{where}.inclusive"
            ),
        ),
        base=base,
    )


def parse_max_approvals(raw: object, where: str) -> MaxApprovals:
    if raw is None or raw == "places":
        return cast(MaxApprovals, raw)
    if isinstance(raw, int) and not isinstance(raw, bool):
        return reading.integer(raw, where, minimum=1)
    raise reading.fail(
        f'{where} must be "places", a whole number of at least 1, or null; got {raw!r}',
        f'{where} 须为 "places"、不小于 1 的整数或 null；实际为 {raw!r}',
    )


def parse_max_revotes(raw: object, where: str) -> int | None:
    return None if raw is None else reading.integer(raw, where, minimum=0, maximum=100)


NO_REVIEW = {
    "none": True,
    "default": "the regulation has no review vote (复议); if the committee holds one on a "
    "published winner, it stands with more yes than no, unless rules.review_threshold sets a "
    "rule",
}


def _review_threshold(raw: object, where: str) -> Threshold | None:
    return None if raw is None else parse_threshold(raw, where)


NO_OUTSIDE_CAP = {
    "value": False,
    "default": "the regulation has no rule by which a past winner wins outside the cap: every "
    "winner takes a place",
}


def parse_flag(raw: object, where: str) -> bool:
    if not isinstance(raw, bool):
        raise reading.fail(
            f"{where} must be true or false, got {raw!r}",
            f"{where} 须为 true 或 false，实际为 {raw!r}",
        )
    return raw


def check_outside_cap(profile: Profile, candidates: Sequence[Candidate]) -> None:
    """Refuse a candidate marked to win a tier outside the cap where the regulation has no such
    rule (only 萧山's 质量奖 does: 第二十八条¶2; a repeat 创新奖 winner takes a place, ¶3)."""
    for c in candidates:
        for tier in sorted(c.outside_cap):
            spec = profile.tier(tier)
            if spec is not None and spec.outside_cap.value:
                continue
            raise TallyError(
                Text(
                    en=f"{c.name}: outside_cap names {tier}, but under {profile.id} a past winner "
                    "of that tier takes a place like any other winner (the rule exists only in "
                    "Xiaoshan 第二十八条¶2, for its 质量奖): remove the flag",
                    zh=f"{c.name}：outside_cap 列出了 {tier}，但依 {profile.id}，该奖项往届获奖者再次"
                    "获奖同样占用名额（仅萧山办法第二十八条对其质量奖有不占名额的规定）：请删去此标记",
                )
            )


def separate_lists(profile: Profile) -> tuple[str, ...]:
    """The tiers that head a candidate list of their own, where the regulation gives each tier
    its own list (重庆 第十六条(六)2, 江阴 第十五条); empty where one slate serves every tier."""
    rules = profile.slate_lists.value or []
    if len(rules) < 2:
        return ()
    return tuple(str(rule["tiers"][0]) for rule in rules)


def check_lists(
    profile: Profile, rules: Rules, candidates: Sequence[Candidate], others: Sequence[Candidate]
) -> None:
    """Each candidate names its tier's list where the regulation gives each tier its own list,
    and none does where one slate serves every tier; a list is a tier of this meeting."""
    heads = separate_lists(profile)
    clause = profile.slate_lists.source.note.split(":")[0]
    tiers = [t.id for t in rules.tiers]
    for c in others:
        if c.listed is not None:
            raise TallyError(
                Text(
                    en=f"{c.name} is an organisation off the slate and is on no candidate list: "
                    'remove its "list", or move it to the candidates',
                    zh=f'{c.name} 是名单外组织，不在任何候选名单上：请删去其 "list"，或将其列入候选组织',
                )
            )
    for c in candidates:
        if not heads and c.listed is not None:
            raise TallyError(
                Text(
                    en=f'{c.name}: "list" names {c.listed}, but under {profile.id} one slate '
                    'serves every tier: remove "list"',
                    zh=f'{c.name}："list" 为 {c.listed}，但依 {profile.id}，各奖项共用一份候选名单：'
                    '请删去 "list"',
                )
            )
        if heads and c.listed is None:
            raise TallyError(
                Text(
                    en=f"{c.name}: under {profile.id} each tier has its own candidate list "
                    f"({clause}): say which list names it, "
                    f'"list": one of {", ".join(heads)}',
                    zh=f"{c.name}：依 {profile.id}，各奖项有各自的候选名单"
                    f"（{clause}）：请注明其所在名单，"
                    f'"list" 为 {", ".join(heads)} 之一',
                )
            )
        if c.listed is not None and c.listed not in tiers:
            raise TallyError(
                Text(
                    en=f'{c.name}: "list" names {c.listed!r}, which is not a tier of this '
                    f"meeting ({', '.join(tiers)})",
                    zh=f'{c.name}："list" 为 {c.listed!r}，不是本次会议的奖项（{", ".join(tiers)}）',
                )
            )


def parse_pool(raw: object, where: str) -> Pool:
    if raw not in POOLS:
        raise reading.fail(
            f"{where} must be one of {', '.join(POOLS)}, got {raw!r}",
            f"{where} 须为 {', '.join(POOLS)} 之一，实际为 {raw!r}",
        )
    return raw


def parse_places(raw: object, where: str) -> int:
    return reading.integer(raw, where, minimum=1, maximum=1000)


def parse_tier_id(raw: object, where: str) -> str:
    if raw not in TIER_IDS:
        raise reading.fail(
            f"{where} must be one of {', '.join(TIER_IDS)}, got {raw!r}",
            f"{where} 须为 {', '.join(TIER_IDS)} 之一，实际为 {raw!r}",
        )
    return str(raw)


# --- profile files --------------------------------------------------------------------------


def _setting(raw: object, name: str, profile: str, parse: Callable[[object, str], T]) -> Setting[T]:
    where = f"profile {profile}: {name}"
    table = reading.mapping(raw, where)
    reading.only_keys(table, ("value", "none", "clause", "default", "unstated"), where)
    kinds = [k for k in ("clause", "default", "unstated") if k in table]
    if len(kinds) != 1:
        raise reading.fail(
            f"{where} must cite exactly one of clause, default or unstated",
            f"{where} 须且只须注明 clause、default 或 unstated 之一",
        )
    kind = kinds[0]
    note = reading.text(table[kind], f"{where}.{kind}", max_length=2000)
    if kind == "unstated":
        if "value" in table:
            raise reading.fail(
                f"{where}: an unstated setting has no value", f"{where}：未规定的设置不应有取值"
            )
        return Setting(name=name, profile=profile, value=None, source=Source("unstated", note))
    if "none" in table:  # TOML has no null: `none = true` says "no such rule" (no limit)
        if table["none"] is not True or "value" in table:
            raise reading.fail(
                f"{where}: give either a value or none = true",
                f"{where}：须给出 value，或写 none = true",
            )
        value = parse(None, f"{where}.value")
    else:
        value = parse(reading.required(table, "value", where), f"{where}.value")
    return Setting(name=name, profile=profile, value=value, source=Source(cast(Any, kind), note))


def _bilingual(raw: object, where: str) -> Text:
    table = reading.mapping(raw, where)
    reading.only_keys(table, ("zh", "en"), where)
    return Text(
        en=reading.text(reading.required(table, "en", where), f"{where}.en"),
        zh=reading.text(reading.required(table, "zh", where), f"{where}.zh"),
    )


def _any(raw: object, where: str) -> Any:
    return raw


def parse_profile(raw: Mapping[str, Any]) -> Profile:
    """Build a `Profile` from the mapping a profile file holds."""
    pid = reading.text(reading.required(raw, "id", "profile"), "profile.id", max_length=64)
    where = f"profile {pid}"
    reading.only_keys(
        raw,
        (
            "id",
            "title",
            "document",
            "body",
            "seed",
            "quorum",
            "threshold",
            "tiers",
            "max_approvals",
            "max_revotes",
            "revote_threshold",
            "review_threshold",
            "slate",
        ),
        where,
    )
    tiers: list[TierSpec] = []
    for i, entry in enumerate(
        reading.sequence(reading.required(raw, "tiers", where), f"{where}: tiers")
    ):
        t = reading.mapping(entry, f"{where}: tiers[{i}]")
        reading.only_keys(
            t, ("id", "name", "places", "pool", "outside_cap"), f"{where}: tiers[{i}]"
        )
        tid = parse_tier_id(
            reading.required(t, "id", f"{where}: tiers[{i}]"), f"{where}: tiers[{i}].id"
        )
        tiers.append(
            TierSpec(
                id=tid,
                name=_bilingual(
                    reading.required(t, "name", f"{where}: tiers[{i}]"), f"{where}: tiers[{i}].name"
                ),
                places=_setting(t.get("places"), f"tiers.{tid}.places", pid, parse_places),
                pool=_setting(t.get("pool"), f"tiers.{tid}.pool", pid, parse_pool),
                outside_cap=_setting(
                    t.get("outside_cap", NO_OUTSIDE_CAP),
                    f"tiers.{tid}.outside_cap",
                    pid,
                    parse_flag,
                ),
            )
        )
    slate = reading.mapping(raw.get("slate", {}), f"{where}: slate")
    reading.only_keys(slate, ("weights", "lists"), f"{where}: slate")
    return Profile(
        id=pid,
        title=_bilingual(reading.required(raw, "title", where), f"{where}: title"),
        document=reading.text(
            reading.required(raw, "document", where), f"{where}: document", max_length=500
        ),
        body=_bilingual(reading.required(raw, "body", where), f"{where}: body"),
        quorum=_setting(raw.get("quorum"), "quorum", pid, parse_quorum),
        threshold=_setting(raw.get("threshold"), "threshold", pid, parse_threshold),
        tiers=tuple(tiers),
        max_approvals=_setting(raw.get("max_approvals"), "max_approvals", pid, parse_max_approvals),
        max_revotes=_setting(raw.get("max_revotes"), "max_revotes", pid, parse_max_revotes),  # type: ignore[arg-type]
        revote_threshold=_setting(
            raw.get("revote_threshold"), "revote_threshold", pid, reading.boolean
        ),
        review_threshold=_setting(
            raw.get("review_threshold", NO_REVIEW),
            "review_threshold",
            pid,
            _review_threshold,  # type: ignore[arg-type]
        ),
        slate_weights=_setting(slate.get("weights"), "slate.weights", pid, _any),
        slate_lists=_setting(slate.get("lists"), "slate.lists", pid, _any),
    )


# --- overrides ------------------------------------------------------------------------------


def _supplied(name: str, profile: str, value: T | None) -> Setting[T]:
    return Setting(
        name=name,
        profile=profile,
        value=value,
        source=Source("scenario", 'supplied in the scenario\'s "rules"'),
    )


def resolve(profile: Profile, overrides: Mapping[str, Any] | None = None) -> Rules:
    """The rules to apply: the profile's settings, replaced key by key by `overrides`.

    `overrides` keys: quorum, threshold, tiers, max_revotes, max_approvals, revote_threshold,
    review_threshold.
    A null value means "no such rule". `tiers` replaces the whole list of tiers; a tier that
    gives no `pool` keeps the profile's pool for that tier id (or `remaining`).
    """
    o = dict(overrides or {})
    reading.only_keys(o, OVERRIDABLE, "rules")
    pid = profile.id

    def pick(key: str, current: Setting[T], parse: Callable[[object, str], T]) -> Setting[T]:
        if key not in o:
            return current
        raw = o[key]
        return _supplied(key, pid, None if raw is None else parse(raw, f"rules.{key}"))

    quorum = pick("quorum", profile.quorum, parse_quorum)
    threshold = pick("threshold", profile.threshold, parse_threshold)
    max_approvals = pick("max_approvals", profile.max_approvals, parse_max_approvals)
    max_revotes = (
        _supplied("max_revotes", pid, parse_max_revotes(o["max_revotes"], "rules.max_revotes"))
        if "max_revotes" in o
        else profile.max_revotes
    )
    revote_threshold = pick("revote_threshold", profile.revote_threshold, reading.boolean)
    review_threshold = pick("review_threshold", profile.review_threshold, parse_threshold)
    if "revote_threshold" in o and o["revote_threshold"] is None:
        revote_threshold = _supplied("revote_threshold", pid, False)

    if "tiers" in o:
        tiers = _override_tiers(profile, o["tiers"])
    else:
        tiers = tuple(Tier(id=t.id, places=t.places, pool=t.pool) for t in profile.tiers)
    return Rules(
        profile=pid,
        quorum=quorum,
        threshold=threshold,
        tiers=tiers,
        max_revotes=max_revotes,
        revote_threshold=revote_threshold,
        max_approvals=max_approvals,
        review_threshold=review_threshold,
    )


def _override_tiers(profile: Profile, raw: object) -> tuple[Tier, ...]:
    entries = reading.sequence(raw, "rules.tiers", max_length=len(TIER_IDS))
    if not entries:
        raise reading.fail(
            "rules.tiers must name at least one tier", "rules.tiers 至少须有一个奖项"
        )
    tiers: list[Tier] = []
    for i, entry in enumerate(entries):
        where = f"rules.tiers[{i}]"
        t = reading.mapping(entry, where)
        reading.only_keys(t, ("id", "places", "pool"), where)
        tid = parse_tier_id(reading.required(t, "id", where), f"{where}.id")
        if any(x.id == tid for x in tiers):
            raise reading.fail(
                f"{where}: tier '{tid}' is listed twice", f"{where}：奖项 '{tid}' 重复"
            )
        spec = profile.tier(tid)
        places = _supplied(
            f"tiers.{tid}.places",
            profile.id,
            parse_places(reading.required(t, "places", where), f"{where}.places"),
        )
        pool: Setting[Pool]
        if "pool" in t:
            pool = _supplied(
                f"tiers.{tid}.pool", profile.id, parse_pool(t["pool"], f"{where}.pool")
            )
        elif spec is not None:
            pool = spec.pool
        else:
            pool = Setting(
                name=f"tiers.{tid}.pool",
                profile=profile.id,
                value="remaining",
                source=Source("default", "tier added by the scenario: candidates not yet selected"),
            )
        tiers.append(Tier(id=tid, places=places, pool=pool))
    return tuple(tiers)
