"""Two languages, Chinese (zh-CN) by default and English on request. Every string a page shows
is written at its use in both languages: `t(zh="应到", en="Members")` in templates, so no
string can be left untranslated (tests/unit/test_web_i18n.py checks the templates)."""

from __future__ import annotations

from collections.abc import Mapping

from flask import request

from ballot.language.text import Text

LANGS = ("zh", "en")


def lang() -> str:
    chosen = request.cookies.get("lang", "zh")
    return chosen if chosen in LANGS else "zh"


def t(*, zh: str, en: str) -> str:
    return en if lang() == "en" else zh


def say(text: Text | Mapping[str, str]) -> str:
    """A Text, or its JSON form {"zh", "en"} (the engine's reasons, the record's texts)."""
    if isinstance(text, Text):
        return t(zh=text.zh, en=text.en)
    return t(zh=str(text["zh"]), en=str(text["en"]))
