"""Why the cryptographic core refused something: a stable code and a bilingual explanation."""

from __future__ import annotations

from ballot.language.text import Text


class CryptoError(Exception):
    """Received data failed a check. `code` names the check (stable, for tests and logs)."""

    def __init__(self, code: str, text: Text) -> None:
        super().__init__(f"{code}: {text.en}")
        self.code = code
        self.text = text


def refuse(code: str, *, en: str, zh: str) -> CryptoError:
    return CryptoError(code, Text(en=en, zh=zh))
