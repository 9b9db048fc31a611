"""Every string a page shows is written in both languages at its use (`t(zh="中文", en="English")`):
after removing template code, tags and script data, no words may be left in a template."""

from __future__ import annotations

import re
from importlib import resources

# what may stay as it is in both languages: the product's name, commands, units
ALLOWED = {
    "ballot",
    "ballot verify ballot-record.json",
    "ballot verify ballot-record.json --tracker",
    "ballot audit ballot-audit.json --record ballot-record.json",
    "HTTP",
    "中文",  # the language switch names each language in itself
    "English",
}


def _bare_text(source: str) -> list[str]:
    source = re.sub(r"\{#.*?#\}", " ", source, flags=re.S)
    source = re.sub(r"\{% block body_class %\}.*?\{% endblock %\}", " ", source)
    source = re.sub(r"\{%.*?%\}", " ", source, flags=re.S)
    source = re.sub(r"\{\{.*?\}\}", " ", source, flags=re.S)
    source = re.sub(r"<script\b.*?</script>", " ", source, flags=re.S)
    source = re.sub(r"<style\b.*?</style>", " ", source, flags=re.S)
    source = re.sub(r"<[^>]*>", "\n", source)
    source = re.sub(r"&[a-z]+;|&#\d+;", " ", source)
    words = []
    for chunk in source.split("\n"):
        chunk = chunk.strip(" \t·:,.()—–-/…✓")
        if chunk and re.search(r"[A-Za-z\u4e00-\u9fff]", chunk) and chunk not in ALLOWED:
            words.append(chunk)
    return words


def test_no_template_has_untranslated_text() -> None:
    folder = resources.files("ballot.web").joinpath("templates")
    found = {
        name.name: _bare_text(name.read_text(encoding="utf-8"))
        for name in folder.iterdir()
        if name.name.endswith(".html")
    }
    assert len(found) >= 10
    assert {k: v for k, v in found.items() if v} == {}


def test_the_check_itself_finds_bare_text() -> None:
    assert _bare_text("<p>{{ t('是', 'yes') }} 未翻译</p>") == ["未翻译"]
    assert _bare_text("<p>Untranslated {{ x }}</p>") == ["Untranslated"]
    assert _bare_text('<p title="{{ t(\'a\', \'b\') }}">{{ t("是", "yes") }}</p>') == []


def test_the_projector_keeps_the_rule_ties_and_empty_places_and_leaves_rows_to_the_table() -> None:
    from ballot.web.public import room_reasons

    reasons = [
        {"zh": "入选票数：需 8 票", "en": "8 needed"},
        {"zh": "南湖纺织 得同意票 11 票：入选。", "en": "selected"},
        {"zh": "南湖 得同意票 3 票；需 8 票：未入选。", "en": "not selected"},
        {"zh": "平湖光电、桐乡化纤 同得 8 票，并列", "en": "tie"},
        {"zh": "南湖纺织 入选，名额 2 个，空缺 1 个", "en": "one place empty"},
    ]
    shown = room_reasons({"reasons": reasons}, ["南湖纺织", "南湖", "平湖光电", "桐乡化纤"])
    assert [r["en"] for r in shown] == ["8 needed", "tie", "one place empty"]
