"""What an anonymous credential certifies: "this P-256 key may cast one ballot in this round of
this meeting". The member's device has the issuer blind-sign (RFC 9474, `blind_rsa`) the
credential message below, so the issuer signs it without seeing the key it certifies."""

from __future__ import annotations

from ballot.crypto import hashing as h
from ballot.crypto.signature import load_public_key

TAG = "ballot/v1/credential"


def credential_message(meeting_id: str, round_id: str, credential_key: bytes) -> bytes:
    """text(tag) ‖ text(meeting id) ‖ text(round id) ‖ bytes(uncompressed P-256 key)."""
    load_public_key(credential_key)  # refuse anything that is not a P-256 point
    return h.text(TAG) + h.text(meeting_id) + h.text(round_id) + h.raw(credential_key)
