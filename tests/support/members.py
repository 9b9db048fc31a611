"""Members' own keys in service-level tests: each member's device enrols its key once per
meeting (as the ballot page does) and signs its issuance requests with it."""

from __future__ import annotations

from ballot.crypto.randomness import SystemRandom
from ballot.devtools.demo import member_device, open_round_view
from ballot.services import voting
from ballot.services.unit import Db, transaction


def request_signature(db: Db, meeting: int, number: int, member_id: int, blinded_hex: str) -> str:
    """The member's signature on their request for round `number`'s credential (their key is
    enrolled first if it is not yet); the round must be open."""
    view = open_round_view(db, meeting, number)
    signer = member_device(db, view, member_id, SystemRandom())
    return signer.sign_issuance(view.round_id, blinded_hex)


def issue_signed(
    db: Db, meeting: int, number: int, member_id: int, blinded_hex: str, secret: str
) -> str:
    """The issuer's blind signature for the member's signed request (its own transaction)."""
    signature = request_signature(db, meeting, number, member_id, blinded_hex)
    with transaction(db) as session:
        return voting.issue_credential(
            session, meeting, number, member_id, blinded_hex, signature, secret, SystemRandom()
        )
