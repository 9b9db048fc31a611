"""Checked reading of JSON/TOML-shaped data: every refusal says where and what was expected."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from ballot.language.text import Text, invisible_problem
from ballot.tally.errors import TallyError


def fail(en: str, zh: str) -> TallyError:
    return TallyError(Text(en=en, zh=zh))


def mapping(raw: object, where: str) -> Mapping[str, Any]:
    if not isinstance(raw, Mapping):
        raise fail(f"{where} must be an object {{...}}", f"{where} 须为对象 {{...}}")
    return raw


def only_keys(raw: Mapping[str, Any], allowed: Iterable[str], where: str) -> None:
    allowed = list(allowed)
    unknown = sorted(str(k) for k in raw if k not in allowed)
    if unknown:
        raise fail(
            f"{where}: unknown key {unknown[0]!r}; allowed keys are {', '.join(allowed)}",
            f"{where}：未知字段 {unknown[0]!r}；可用字段为 {', '.join(allowed)}",
        )


def required(raw: Mapping[str, Any], key: str, where: str) -> Any:
    if key not in raw:
        raise fail(f"{where}: '{key}' is missing", f"{where}：缺少 '{key}'")
    return raw[key]


def integer(
    raw: object, where: str, *, minimum: int | None = None, maximum: int | None = None
) -> int:
    if isinstance(raw, bool) or not isinstance(raw, int):
        raise fail(
            f"{where} must be a whole number, got {raw!r}", f"{where} 须为整数，实际为 {raw!r}"
        )
    if minimum is not None and raw < minimum:
        raise fail(
            f"{where} must be at least {minimum}, got {raw}",
            f"{where} 不得小于 {minimum}，实际为 {raw}",
        )
    if maximum is not None and raw > maximum:
        raise fail(
            f"{where} must be at most {maximum}, got {raw}",
            f"{where} 不得大于 {maximum}，实际为 {raw}",
        )
    return raw


def boolean(raw: object, where: str) -> bool:
    if not isinstance(raw, bool):
        raise fail(
            f"{where} must be true or false, got {raw!r}",
            f"{where} 须为 true 或 false，实际为 {raw!r}",
        )
    return raw


def text(raw: object, where: str, *, max_length: int = 200) -> str:
    if not isinstance(raw, str) or not raw.strip():
        raise fail(
            f"{where} must be a non-empty string, got {raw!r}",
            f"{where} 须为非空字符串，实际为 {raw!r}",
        )
    if len(raw) > max_length:
        raise fail(
            f"{where} is longer than {max_length} characters", f"{where} 超过 {max_length} 个字符"
        )
    problem = invisible_problem(raw)
    if problem is not None:
        raise fail(f"{where}: {problem.en}", f"{where}：{problem.zh}")
    return raw


def sequence(raw: object, where: str, *, max_length: int = 10_000) -> list[Any]:
    if not isinstance(raw, list):
        raise fail(f"{where} must be a list [...]", f"{where} 须为列表 [...]")
    if len(raw) > max_length:
        raise fail(
            f"{where} has {len(raw)} entries; at most {max_length} are allowed",
            f"{where} 有 {len(raw)} 项，最多允许 {max_length} 项",
        )
    return raw
