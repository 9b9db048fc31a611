"""Every text that reaches a page, an error or the record is written in both languages.

Statically: every message the package builds — `Text`, `ServiceError`, the crypto core's
`refuse`, `AuditError` — names `zh=` and `en=` by keyword (so the two can never be swapped),
and the Chinese holds Chinese while the English holds English. The vocabulary has both words
for every entry. In a meeting's record every reason is a {"zh", "en"} pair. (Templates are
checked by tests/unit/test_web_i18n.py.)"""

from __future__ import annotations

import ast
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

import ballot
from ballot.language import vocabulary
from ballot.language.text import Text
from ballot.services.errors import ServiceError

PACKAGE = Path(ballot.__file__).parent
MESSAGES = {"Text", "ServiceError", "refuse", "AuditError"}
CJK = re.compile(r"[\u4e00-\u9fff]")
LATIN = re.compile(r"[A-Za-z]")


def _literal_parts(node: ast.expr) -> str | None:
    """The literal text of a string or f-string (None when the value is computed)."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node.value
    if isinstance(node, ast.JoinedStr):
        return "".join(v.value for v in node.values if isinstance(v, ast.Constant))
    if isinstance(node, ast.BinOp):  # "a" "b" spread over lines is one Constant; + is rare
        left, right = _literal_parts(node.left), _literal_parts(node.right)
        return None if left is None or right is None else left + right
    return None


def _messages() -> Iterator[tuple[str, ast.Call]]:
    for path in sorted(PACKAGE.rglob("*.py")):
        if "migrations" in path.parts:
            continue  # sa.Text() columns
        for node in ast.walk(ast.parse(path.read_text("utf-8"))):
            if isinstance(node, ast.Call):
                name = getattr(node.func, "id", getattr(node.func, "attr", None))
                if name in MESSAGES:
                    yield f"{path.relative_to(PACKAGE)}:{node.lineno}", node


def test_every_message_names_both_languages_by_keyword() -> None:
    found = list(_messages())
    assert len(found) > 250  # the scan sees the package's messages
    problems = []
    for where, call in found:
        keywords = {k.arg: k.value for k in call.keywords}
        if not {"zh", "en"} <= set(keywords):
            problems.append(f"{where}: zh= and en= are both needed")
            continue
        zh, en = _literal_parts(keywords["zh"]), _literal_parts(keywords["en"])
        # (a text assembled from other texts may have only punctuation of its own)
        if zh is not None and LATIN.search(zh) and not CJK.search(zh):
            problems.append(f"{where}: the Chinese text has no Chinese: {zh!r}")
        if en is not None and CJK.search(en) and not LATIN.search(en):
            problems.append(f"{where}: the English text has no English: {en!r}")
        if zh is not None and en is not None and zh == en and LATIN.search(zh):
            problems.append(f"{where}: the same text in both languages: {zh!r}")
    assert problems == []


def test_the_check_itself_finds_a_missing_or_swapped_language() -> None:
    one = ast.parse('Text(en="只有中文", zh="only English")').body[0].value  # type: ignore[attr-defined]
    keywords = {k.arg: k.value for k in one.keywords}
    zh, en = _literal_parts(keywords["zh"]) or "", _literal_parts(keywords["en"]) or ""
    assert LATIN.search(zh) and not CJK.search(zh)
    assert CJK.search(en) and not LATIN.search(en)
    with pytest.raises(TypeError):
        Text("English", "中文")  # type: ignore[misc]
    with pytest.raises(TypeError):
        ServiceError("code", "English", "中文")  # type: ignore[misc]


def test_the_vocabulary_has_both_words_for_everything() -> None:
    tables = [
        vocabulary.ROLES,
        vocabulary.TIERS,
        vocabulary.KINDS,
        vocabulary.OPTIONS,
        vocabulary.MEETING_STATUSES,
        vocabulary.ROUND_STATUSES,
    ]
    for table in tables:
        for key, text in table.items():
            assert CJK.search(text.zh) and LATIN.search(text.en), key
    assert vocabulary.word(vocabulary.KINDS, "unknown") == Text(zh="unknown", en="unknown")


def _reasons(value: Any, path: str = "") -> Iterator[tuple[str, Any]]:
    if isinstance(value, dict):
        for key, item in value.items():
            if key in ("reason", "reasons") and item is not None:
                for one in item if isinstance(item, list) else [item]:
                    yield f"{path}.{key}", one
            else:
                yield from _reasons(item, f"{path}.{key}")
    elif isinstance(value, list):
        for i, item in enumerate(value):
            yield from _reasons(item, f"{path}[{i}]")


def test_every_reason_in_a_record_has_both_languages(tmp_path: Path) -> None:
    from ballot.devtools import demo

    done = demo.simulate(9, 7, 6, 7, tmp_path / "record.json", say=lambda _line: None)
    reasons = [
        (f"event {e['seq']} {e['kind']}{where}", text)
        for e in done["record"]["events"]
        for where, text in _reasons(e["body"])
    ]
    assert len(reasons) > 10
    for where, text in reasons:
        assert isinstance(text, dict) and set(text) == {"zh", "en"}, where
        assert CJK.search(text["zh"]) and LATIN.search(text["en"]), where
