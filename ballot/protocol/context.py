"""Names and contexts the services, the clients and the verifier must build identically
(docs/PROTOCOL.md): round ids, ballot contexts, and what a decryption share is bound to."""

from __future__ import annotations

from collections.abc import Sequence

from ballot.crypto import hashing as h
from ballot.crypto.ballot import BallotContext

OPTIONS = ("approve", "oppose")


def round_id(meeting_public_id: str, number: int) -> str:
    return f"{meeting_public_id}/round-{number}"


def ceremony_id(meeting_public_id: str) -> str:
    return f"{meeting_public_id}/ceremony"


def ballot_context(
    meeting_public_id: str,
    number: int,
    record_hex: str,
    candidates: Sequence[str],
    max_approvals: int,
) -> BallotContext:
    """Every proof on a round's ballots is bound to the record's hash before the round opened."""
    return BallotContext(
        bytes.fromhex(record_hex),
        round_id(meeting_public_id, number),
        tuple(candidates),
        max_approvals,
    )


def decryption_context(
    meeting_public_id: str, number: int, record_hex: str, option: str, index: int
) -> list[bytes]:
    """The caller's context of a decryption share of one round's total for one candidate."""
    return [
        h.raw(bytes.fromhex(record_hex)),
        h.text(round_id(meeting_public_id, number)),
        h.text(option),
        h.u32(index),
    ]
