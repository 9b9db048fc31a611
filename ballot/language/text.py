"""Bilingual text: every decision and error the product shows is said in Chinese and English."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass


@dataclass(frozen=True, kw_only=True)
class Text:
    """One message in both languages, always built with keywords: `Text(zh=…, en=…)`."""

    en: str
    zh: str

    def as_dict(self) -> dict[str, str]:
        return {"zh": self.zh, "en": self.en}

    def one_line(self) -> str:
        """Both languages on a single line, English first, for terminals and logs."""
        return f"{self.en} | {self.zh}"


def names_en(names: Iterable[str]) -> str:
    """'A', 'A and B', 'A, B and C'."""
    items = list(names)
    if not items:
        return "none"
    if len(items) == 1:
        return items[0]
    return ", ".join(items[:-1]) + " and " + items[-1]


def names_zh(names: Iterable[str]) -> str:
    """'A'、'A、B'."""
    items = list(names)
    return "、".join(items) if items else "无"


def plural(count: int, singular: str, plural_form: str | None = None) -> str:
    """'1 place', '3 places'."""
    word = singular if count == 1 else (plural_form or singular + "s")
    return f"{count} {word}"
