"""Canonical encoding and hashing to Z_q (docs/PROTOCOL.md §3 specifies it byte by byte).

Every hashed value is one field: a type byte, then for variable-length fields a 4-byte
big-endian length, then the content. Group elements and scalars have fixed widths, so the
same values always give the same bytes in Python and in the browser.

    0x01 bytes     len ‖ raw bytes
    0x02 text      len ‖ UTF-8
    0x03 element   p's byte width, big-endian (512 bytes in the 4096-bit group)
    0x04 scalar    q's byte width, big-endian (32 bytes)
    0x05 u32       4 bytes, big-endian
    0x06 list      count (4 bytes) ‖ the fields

    H(tag; f1, …, fn) = int(SHA-256(text(tag) ‖ f1 ‖ … ‖ fn)) mod q
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable

from ballot.crypto.group import Group

MAX_LEN = 0xFFFFFFFF


def _len(n: int) -> bytes:
    if n > MAX_LEN:
        raise ValueError("field too long to encode")
    return n.to_bytes(4, "big")


def raw(data: bytes) -> bytes:
    return b"\x01" + _len(len(data)) + data


def text(value: str) -> bytes:
    data = value.encode("utf-8")
    return b"\x02" + _len(len(data)) + data


def element(group: Group, x: int) -> bytes:
    if not 0 <= x < group.p:
        raise ValueError("element out of range")
    return b"\x03" + int(x).to_bytes(group.element_bytes, "big")


def scalar(group: Group, x: int) -> bytes:
    if not 0 <= x < group.q:
        raise ValueError("scalar out of range")
    return b"\x04" + int(x).to_bytes(group.scalar_bytes, "big")


def u32(n: int) -> bytes:
    if not 0 <= n <= MAX_LEN:
        raise ValueError("u32 out of range")
    return b"\x05" + n.to_bytes(4, "big")


def seq(fields: Iterable[bytes]) -> bytes:
    items = list(fields)
    return b"\x06" + _len(len(items)) + b"".join(items)


def digest(tag: str, *fields: bytes) -> bytes:
    """SHA-256 of the tagged, encoded fields."""
    h = hashlib.sha256(text(tag))
    for f in fields:
        h.update(f)
    return h.digest()


def hash_to_q(group: Group, tag: str, *fields: bytes) -> int:
    """H(tag; fields) reduced mod q: a Fiat–Shamir challenge or a derived scalar."""
    return int.from_bytes(digest(tag, *fields), "big") % int(group.q)
