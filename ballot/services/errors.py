"""Refusals from the services: a stable code, and what to do, in English and Chinese."""

from __future__ import annotations

from ballot.language.text import Text


class ServiceError(Exception):
    def __init__(self, code: str, *, en: str, zh: str) -> None:
        super().__init__(f"{code}: {en}")
        self.code = code
        self.text = Text(en=en, zh=zh)

    @classmethod
    def of(cls, code: str, text: Text) -> ServiceError:
        """The refusal `code` saying `text` (a reason the engine or the crypto core gave)."""
        return cls(code, en=text.en, zh=text.zh)
