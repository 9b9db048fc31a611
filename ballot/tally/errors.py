"""Errors the core raises for input a person gave it: each carries a bilingual explanation."""

from __future__ import annotations

from ballot.language.text import Text


class TallyError(Exception):
    """Input that the rules or the procedure do not allow; nothing was decided."""

    def __init__(self, text: Text) -> None:
        super().__init__(text.en)
        self.text = text


class UnstatedSetting(TallyError):
    """A setting the regulation does not state was needed and no value was supplied."""

    def __init__(self, setting: str, profile: str, note: str, remedy: Text | None = None) -> None:
        self.setting = setting
        remedy = remedy or Text(
            en='give it a value, or null for no such rule, under "rules"',
            zh='请在 "rules" 中给出取值，或以 null 表示不设此规则',
        )
        super().__init__(
            Text(
                en=f"setting '{setting}' is not stated in profile {profile} ({note}); {remedy.en}",
                zh=f"规则文件 {profile} 未规定“{setting}”（{note}）；{remedy.zh}",
            )
        )
