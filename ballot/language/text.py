"""Bilingual text: every decision and error the product shows is said in Chinese and English."""

from __future__ import annotations

import unicodedata
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


# characters that print nothing or reorder what is around them: two names differing only in
# these look identical on a ballot (zero-width spaces and joiners, bidi controls, the BOM)
_INVISIBLE = set("\u200b\u200c\u200d\u200e\u200f\u2060\ufeff") | {
    chr(c) for c in (*range(0x202A, 0x202F), *range(0x2066, 0x206A))
}


def invisible_problem(value: str) -> Text | None:
    """Why `value` cannot be a name or title people read: a control character (NUL, a line
    break …) or a character that prints nothing or reorders the text. None when it is fine."""
    for i, ch in enumerate(value):
        if ch in _INVISIBLE or unicodedata.category(ch) == "Cc":
            return Text(
                en=f"character {i + 1} (U+{ord(ch):04X}) is invisible or a control character: "
                "type the name again without it",
                zh=f"第 {i + 1} 个字符（U+{ord(ch):04X}）不可见或为控制字符：请去掉后重新输入",
            )
    return None


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
