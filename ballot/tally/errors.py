"""Errors the core raises for input a person gave it: each carries a bilingual explanation."""

from __future__ import annotations

from ballot.tally.text import Text


class TallyError(Exception):
    """Input that the rules or the procedure do not allow; nothing was decided."""

    def __init__(self, text: Text) -> None:
        super().__init__(text.en)
        self.text = text


class UnstatedSetting(TallyError):
    """A setting the regulation does not state was needed and no value was supplied."""

    def __init__(self, setting: str, profile: str, note: str) -> None:
        self.setting = setting
        super().__init__(
            Text(
                en=(
                    f"setting '{setting}' is not stated in profile {profile} ({note}); "
                    f'give it a value, or null for no such rule, under "rules"'
                ),
                zh=(
                    f"规则文件 {profile} 未规定“{setting}”（{note}）；"
                    f'请在 "rules" 中给出取值，或以 null 表示不设此规则'
                ),
            )
        )
