"""The slate (候选授奖组织名单): candidate lists per tier from the review scores.

Pure: CSV text and a profile in, lists out. Scores are exact rationals; a tie in score at a
list's cut-off is reported for the office to settle and never broken silently.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from fractions import Fraction
from typing import Any

from ballot.language.text import Text, names_en, names_zh
from ballot.tally import reading
from ballot.tally.profile import Profile, separate_lists
from ballot.tally.rules import parse_fraction

COMPONENTS = ("document", "site", "defence")
COMPONENT_ZH = {"document": "资料评审", "site": "现场评审", "defence": "答辩", "score": "综合得分"}
HEADERS = {
    "organisation": "organisation",
    "organization": "organisation",
    "组织": "organisation",
    "单位": "organisation",
    "名称": "organisation",
    "受评组织": "organisation",
    "document": "document",
    "资料评审": "document",
    "资料评审得分": "document",
    "site": "site",
    "现场评审": "site",
    "现场评审得分": "site",
    "defence": "defence",
    "defense": "defence",
    "答辩": "defence",
    "答辩得分": "defence",
}
MAX_SCORE = {"document": Fraction(1000), "site": Fraction(1000), "defence": Fraction(100)}
MAX_ROWS = 2000
WEIGHTS_REMEDY = Text(
    en="give the weights the committee uses with --weights, e.g. --weights document=3/10,site=7/10",
    zh="请用 --weights 给出评委会采用的权重，如 --weights document=3/10,site=7/10",
)
LISTS_REMEDY = Text(
    en="the builder has no list rule to apply; the office draws up the slate by its own decision",
    zh="本工具无名单规则可循；候选名单由评审办依其决定确定",
)


@dataclass(frozen=True)
class Review:
    """One organisation's review scores."""

    organisation: str
    document: Fraction
    site: Fraction
    defence: Fraction | None = None

    def component(self, name: str) -> Fraction | None:
        return {"document": self.document, "site": self.site, "defence": self.defence}[name]


@dataclass(frozen=True)
class ListRule:
    """Who goes on one candidate list: minimum scores (inclusive), then the best `top`, or
    `ratio` candidates per place of the list's tiers."""

    tiers: tuple[str, ...]
    minimum: Mapping[str, Fraction]
    top: int | None = None
    ratio: int | None = None


@dataclass(frozen=True)
class CutoffTie:
    score: Fraction
    organisations: tuple[str, ...]
    places: int


@dataclass(frozen=True)
class CandidateList:
    rule: ListRule
    size: int | None
    candidates: tuple[str, ...]
    tie: CutoffTie | None
    reasons: tuple[Text, ...]


@dataclass(frozen=True)
class Slate:
    weights: Mapping[str, Fraction]
    scores: tuple[tuple[Review, Fraction], ...]
    lists: tuple[CandidateList, ...]
    others: tuple[str, ...]
    ties: tuple[tuple[Fraction, tuple[str, ...]], ...]


def decimal_text(value: Fraction) -> str:
    """An exact rational as a decimal when it has one ("512.3"), else as "a/b"."""
    den = value.denominator
    for p in (2, 5):
        while den % p == 0:
            den //= p
    if den != 1:
        return str(value)
    text = format(Decimal(value.numerator) / Decimal(value.denominator), "f")
    return text.rstrip("0").rstrip(".") if "." in text else text


def _score_value(raw: str, column: str, row: int) -> Fraction:
    try:
        value = Fraction(Decimal(raw.strip()))
    except (InvalidOperation, ValueError):
        raise reading.fail(
            f"scores line {row}: {column} score {raw!r} is not a number",
            f"评分表第 {row} 行：{COMPONENT_ZH[column]}得分 {raw!r} 不是数字",
        ) from None
    if not 0 <= value <= MAX_SCORE[column]:
        top = MAX_SCORE[column]
        raise reading.fail(
            f"scores line {row}: {column} score {raw} is outside 0..{top}",
            f"评分表第 {row} 行：{COMPONENT_ZH[column]}得分 {raw} 超出 0..{top}",
        )
    return value


def read_reviews(text: str) -> tuple[Review, ...]:
    """Parse a CSV with a header row: organisation, document, site[, defence]."""
    try:
        numbered = list(enumerate(csv.reader(io.StringIO(text)), start=1))
    except csv.Error as err:
        raise reading.fail(
            f"the scores file is not a readable CSV ({err}): one organisation per line",
            f"评分表不是可读的 CSV（{err}）：每行一个组织",
        ) from None
    numbered = [(n, r) for n, r in numbered if any(cell.strip() for cell in r)]
    rows = [r for _, r in numbered]  # (errors name the sheet's own row numbers)
    if not rows:
        raise reading.fail(
            "the scores file is empty; it needs a header row and one row per organisation",
            "评分表为空；须有表头行及每个组织一行",
        )
    header = [HEADERS.get(h.strip().lower(), h.strip()) for h in rows[0]]
    for needed in ("organisation", "document", "site"):
        if needed not in header:
            raise reading.fail(
                f"scores header must name organisation, document and site (defence optional); "
                f"'{needed}' is missing from: {', '.join(rows[0])}",
                f"评分表表头须含 组织、资料评审、现场评审（答辩可选）；缺少 '{needed}'",
            )
    unknown = [h for h in header if h not in ("organisation", *COMPONENTS)]
    if unknown:
        raise reading.fail(
            f"scores header: unknown column {unknown[0]!r}", f"评分表表头：未知列 {unknown[0]!r}"
        )
    if len(rows) - 1 > MAX_ROWS:
        raise reading.fail(
            f"the scores file has {len(rows) - 1} rows; at most {MAX_ROWS}",
            f"评分表有 {len(rows) - 1} 行，最多 {MAX_ROWS} 行",
        )
    reviews: list[Review] = []
    seen: set[str] = set()
    for number, row in numbered[1:]:
        if len(row) != len(header):
            raise reading.fail(
                f"scores line {number} has {len(row)} cells; the header has {len(header)}",
                f"评分表第 {number} 行有 {len(row)} 格，表头有 {len(header)} 格",
            )
        cells = dict(zip(header, row, strict=True))
        name = cells["organisation"].strip()
        if not name:
            raise reading.fail(
                f"scores line {number}: the organisation is empty",
                f"评分表第 {number} 行：组织名称为空",
            )
        if name in seen:
            raise reading.fail(
                f"scores line {number}: {name!r} appears twice",
                f"评分表第 {number} 行：{name!r} 重复",
            )
        seen.add(name)
        defence_raw = cells.get("defence", "").strip()
        reviews.append(
            Review(
                organisation=name,
                document=_score_value(cells["document"], "document", number),
                site=_score_value(cells["site"], "site", number),
                defence=_score_value(defence_raw, "defence", number) if defence_raw else None,
            )
        )
    return tuple(reviews)


def parse_weights(raw: object, where: str) -> dict[str, Fraction]:
    table = reading.mapping(raw, where)
    reading.only_keys(table, COMPONENTS, where)
    if not table:
        raise reading.fail(f"{where}: give at least one weight", f"{where}：至少给出一个权重")
    return {k: parse_fraction(v, f"{where}.{k}") for k, v in table.items()}


def parse_list_rules(raw: object, where: str) -> tuple[ListRule, ...]:
    rules: list[ListRule] = []
    for i, entry in enumerate(reading.sequence(raw, where, max_length=8)):
        item = f"{where}[{i}]"
        t = reading.mapping(entry, item)
        reading.only_keys(t, ("tiers", "minimum", "top", "ratio"), item)
        tiers = tuple(
            reading.text(x, f"{item}.tiers")
            for x in reading.sequence(
                reading.required(t, "tiers", item), f"{item}.tiers", max_length=4
            )
        )
        minimum_raw = reading.mapping(t.get("minimum", {}), f"{item}.minimum")
        reading.only_keys(minimum_raw, ("document", "site", "score"), f"{item}.minimum")
        minimum = {
            k: Fraction(reading.integer(v, f"{item}.minimum.{k}", minimum=0))
            for k, v in minimum_raw.items()
        }
        top = t.get("top")
        ratio = t.get("ratio")
        rules.append(
            ListRule(
                tiers=tiers,
                minimum=minimum,
                top=None if top is None else reading.integer(top, f"{item}.top", minimum=1),
                ratio=None if ratio is None else reading.integer(ratio, f"{item}.ratio", minimum=1),
            )
        )
    return tuple(rules)


def _score(review: Review, weights: Mapping[str, Fraction]) -> Fraction:
    total = Fraction(0)
    for component, weight in weights.items():
        value = review.component(component)
        if value is None:
            raise reading.fail(
                f"{review.organisation} has no {component} score, but the weights use it",
                f"{review.organisation} 缺少{COMPONENT_ZH[component]}得分，但权重需要该项",
            )
        total += weight * value
    return total


def _describe(profile: Profile, rule: ListRule, size: int | None, places: int | None) -> Text:
    mins_en = [f"{k} ≥ {decimal_text(v)}" for k, v in rule.minimum.items()]
    mins_zh = [f"{COMPONENT_ZH[k]}≥{decimal_text(v)}" for k, v in rule.minimum.items()]
    names = [spec.name if (spec := profile.tier(t)) else Text(en=t, zh=t) for t in rule.tiers]
    tiers_en = " and ".join(n.en for n in names)  # the regulation's own names for its tiers
    tiers_zh = "、".join(n.zh for n in names)
    if rule.ratio is not None:
        en_size = f"the best {size} by score ({rule.ratio} per place, {places} places)"
        zh_size = f"按得分取前 {size} 名（名额 {places} 个，1:{rule.ratio}）"
    elif size is not None:
        en_size, zh_size = f"the best {size} by score", f"按得分取前 {size} 名"
    else:
        en_size, zh_size = "all, ranked by score", "全部列入，按得分排序"
    return Text(
        en=f"{tiers_en} list: {' and '.join(mins_en) + ', ' if mins_en else ''}{en_size}.",
        zh=f"{tiers_zh}候选名单：{'、'.join(mins_zh) + '，' if mins_zh else ''}{zh_size}。",
    )


def build_slate(
    profile: Profile,
    reviews: Sequence[Review],
    weights_override: Mapping[str, Fraction] | None = None,
    places_override: Mapping[str, int] | None = None,
) -> Slate:
    """Weighted scores and the candidate lists the profile's slate rule gives (a list sized by
    its tiers' places: the regulation's, or those the committee set, `places_override`)."""
    if weights_override is not None:
        weights = dict(weights_override)
    else:
        weights = parse_weights(
            profile.slate_weights.get(WEIGHTS_REMEDY), f"profile {profile.id}: slate.weights"
        )
    list_rules = parse_list_rules(
        profile.slate_lists.get(LISTS_REMEDY), f"profile {profile.id}: slate.lists"
    )
    scored = sorted(
        ((r, _score(r, weights)) for r in reviews), key=lambda rs: (-rs[1], rs[0].organisation)
    )
    by_name = {r.organisation: (r, s) for r, s in scored}
    placed: set[str] = set()
    lists: list[CandidateList] = []
    for rule in list_rules:
        places: int | None = None
        size = rule.top
        if rule.ratio is not None:
            places = 0
            for tid in rule.tiers:
                spec = profile.tier(tid)
                if spec is None:  # pragma: no cover - profile files are checked by tests
                    raise reading.fail(
                        f"slate list names tier {tid!r}, not in {profile.id}",
                        f"候选名单规则引用了 {profile.id} 中没有的奖项 {tid!r}",
                    )
                given = (places_override or {}).get(tid)
                places += given if given is not None else spec.places.require()
            size = rule.ratio * places
        eligible = [
            name
            for name, (r, s) in by_name.items()
            if name not in placed
            and all(
                (s if k == "score" else r.component(k) or 0) >= v for k, v in rule.minimum.items()
            )
        ]
        eligible.sort(key=lambda n: (-by_name[n][1], n))
        tie: CutoffTie | None = None
        if size is None or len(eligible) <= size:
            chosen = eligible
        else:
            cut = by_name[eligible[size - 1]][1]
            if by_name[eligible[size]][1] < cut:
                chosen = eligible[:size]
            else:
                chosen = [n for n in eligible if by_name[n][1] > cut]
                tied = tuple(sorted(n for n in eligible if by_name[n][1] == cut))
                tie = CutoffTie(score=cut, organisations=tied, places=size - len(chosen))
        reasons = [_describe(profile, rule, size, places)]
        if size is not None and len(chosen) < size and tie is None:
            reasons.append(
                Text(
                    en=f"Only {len(chosen)} organisations qualify for {size} list places.",
                    zh=f"仅 {len(chosen)} 个组织符合条件，名单名额 {size} 个。",
                )
            )
        if tie is not None:
            score = decimal_text(tie.score)
            reasons.append(
                Text(
                    en=f"{names_en(tie.organisations)} tie at {score} for the last {tie.places} "
                    f"list place(s): the office must settle this; the builder breaks no ties, so "
                    f"they are on no list yet.",
                    zh=f"{names_zh(tie.organisations)} 得分并列（{score}），争夺名单最后 {tie.places} "
                    f"个名额：须由评审办决定；本工具不打破并列，暂不列入任何名单。",
                )
            )
            placed.update(tie.organisations)
        placed.update(chosen)
        lists.append(
            CandidateList(
                rule=rule, size=size, candidates=tuple(chosen), tie=tie, reasons=tuple(reasons)
            )
        )
    groups: dict[Fraction, list[str]] = {}
    for r, s in scored:
        groups.setdefault(s, []).append(r.organisation)
    ties = tuple((s, tuple(sorted(names))) for s, names in groups.items() if len(names) > 1)
    others = tuple(r.organisation for r, _ in scored if r.organisation not in placed)
    return Slate(
        weights=weights, scores=tuple(scored), lists=tuple(lists), others=others, ties=ties
    )


def scenario_candidates(profile: Profile, slate: Slate) -> list[Any]:
    """The slate as a scenario's "candidates": plain names where one list serves every tier,
    and each with the tier heading its list where each tier has its own (重庆, 江阴)."""
    if not separate_lists(profile):
        return [name for lst in slate.lists for name in lst.candidates]
    return [
        {"name": name, "list": lst.rule.tiers[0]} for lst in slate.lists for name in lst.candidates
    ]


def slate_report(profile: Profile, slate: Slate) -> dict[str, Any]:
    return {
        "profile": profile.id,
        "weights": {k: str(v) for k, v in slate.weights.items()},
        "scores": [
            {
                "organisation": r.organisation,
                "document": decimal_text(r.document),
                "site": decimal_text(r.site),
                "defence": None if r.defence is None else decimal_text(r.defence),
                "score": decimal_text(s),
            }
            for r, s in slate.scores
        ],
        "lists": [
            {
                "tiers": list(lst.rule.tiers),
                "size": lst.size,
                "candidates": list(lst.candidates),
                "tie_at_cutoff": None
                if lst.tie is None
                else {
                    "score": decimal_text(lst.tie.score),
                    "organisations": list(lst.tie.organisations),
                    "places": lst.tie.places,
                },
                "reasons": [t.as_dict() for t in lst.reasons],
            }
            for lst in slate.lists
        ],
        "ties": [
            {"score": decimal_text(s), "organisations": list(names)} for s, names in slate.ties
        ],
        "scenario": {
            "profile": profile.id,
            "candidates": scenario_candidates(profile, slate),
            "others": list(slate.others),
        },
    }
