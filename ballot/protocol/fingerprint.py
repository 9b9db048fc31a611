"""The election key's fingerprint (选举公钥指纹, docs/PROTOCOL.md §10.1): 24 digits in groups
of four that name one ceremony's transcript (which names its meeting) and joint key, short enough to read aloud
and compare between the projector, every member's ballot page, every scrutineer's own page and
the printed result. A server that gives one member another key to encrypt under gives that
member another fingerprint; `ballot vote --expect-key` and `ballot verify --expect-key` refuse
any other."""

from __future__ import annotations

from ballot.crypto import hashing as h
from ballot.crypto.group import Group

FINGERPRINT_TAG = "ballot/v1/election-key-fingerprint"
DIGITS = 24  # 10^24 ≈ 2^79.7: finding another key with this fingerprint costs ~2^79 hashes
GROUP_OF = 4


def election_key_fingerprint(group: Group, transcript_digest: bytes, joint_key: int) -> str:
    """digest(tag; bytes(transcript digest), element(K)): its first 16 bytes as a big-endian
    integer mod 10^24, zero-padded, in groups of four digits.

    Nothing the server chooses goes in: the transcript digest already covers the ceremony id
    (so the meeting), and both inputs are fixed by the scrutineers' ceremony. (An earlier draft
    hashed the meeting id as well, which a server could vary to search for a collision at
    2^40 work instead of a second preimage at 2^79.)"""
    d = h.digest(FINGERPRINT_TAG, h.raw(transcript_digest), h.element(group, joint_key))
    digits = str(int.from_bytes(d[:16], "big") % 10**DIGITS).zfill(DIGITS)
    return " ".join(digits[i : i + GROUP_OF] for i in range(0, DIGITS, GROUP_OF))


def parse_fingerprint(text: str) -> str | None:
    """A fingerprint as someone typed it (spaces, dashes or none between groups), in the
    canonical grouping; None when it is not 24 digits."""
    digits = "".join(ch for ch in text if ch not in " -\t")
    if len(digits) != DIGITS or not digits.isascii() or not digits.isdigit():
        return None
    return " ".join(digits[i : i + GROUP_OF] for i in range(0, DIGITS, GROUP_OF))
