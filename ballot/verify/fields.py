"""The record's field forms, read strictly: a value has one spelling, or the check names it."""

from __future__ import annotations

import re

_HEX = re.compile(r"(?:[0-9a-f]{2})+")


def strict_hex(value: object, what: str) -> bytes:
    """Bytes written as lowercase hex with no spaces, no prefix, an even length, not empty."""
    if not isinstance(value, str) or not _HEX.fullmatch(value):
        raise ValueError(f"{what} must be lowercase hex (0-9, a-f), not {str(value)[:40]!r}")
    return bytes.fromhex(value)
