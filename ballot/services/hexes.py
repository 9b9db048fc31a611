"""Byte strings that arrive as hex (keys, signatures, blinded messages): parsed, bounded and
sized, or refused with what was wrong."""

from __future__ import annotations

import re

from ballot.services.errors import ServiceError

HEX = re.compile(r"[0-9a-fA-F]*")


def hex_bytes(
    value: object, what: str, what_zh: str, size: int | None = None, most: int = 4096
) -> bytes:
    try:
        if not isinstance(value, str) or len(value) > 2 * most or not HEX.fullmatch(value):
            raise ValueError  # (bytes.fromhex would also take spaces: one spelling only)
        data = bytes.fromhex(value)
    except ValueError:
        raise ServiceError(
            "malformed", en=f"{what} must be hex", zh=f"{what_zh}须为十六进制"
        ) from None
    if size is not None and len(data) != size:
        raise ServiceError(
            "malformed", en=f"{what} must be {size} bytes", zh=f"{what_zh}须为 {size} 字节"
        )
    return data
