"""Members' own keys in service-level tests: each member's device enrols its key once per
meeting (as the ballot page does), confirms its check-in and signs its issuance requests."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from ballot.crypto import keystore
from ballot.crypto.randomness import SystemRandom
from ballot.crypto.signature import CredentialKey
from ballot.devtools.demo import (
    Meeting,
    _member_devices,
    chair_closes,
    chair_opens,
    confirm_presence,
    member_device,
    open_round_view,
)
from ballot.devtools.demo import check_in as member_device_check_in
from ballot.protocol.device import MemberDevice
from ballot.services import meetings, voting
from ballot.services.unit import Db, Session, reading, transaction


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


def check_in(db: Db, meeting: int, member_id: int) -> None:
    """The chair checks the member in and the member's own device confirms it, as the page
    does (the member's key is enrolled first if it is not yet)."""
    member_device_check_in(db, meeting, member_id, SystemRandom())


def device_of(public_id: str, name: str) -> MemberDevice:
    """The key of the member's device that `check_in` made and enrolled for the meeting."""
    return next(
        d for d in _member_devices.values() if (d.meeting_id, d.member) == (public_id, name)
    )


def confirm(db: Db, meeting: int, member_id: int) -> None:
    """The member's own device confirms the check-in the chair made (its key enrolled first)."""
    with reading(db) as s:
        public_id = meetings.public_id(s, meeting)
    device = member_device(db, Meeting(meeting, public_id), member_id, SystemRandom())
    confirm_presence(db, meeting, member_id, device)


def open_round(session: Session, meeting: int, device: MemberDevice | None = None) -> int:
    """The chair opens the round the procedure asks for, signing it with their member key
    (`device`: the one their command line keeps, else the one `check_in` made)."""
    return chair_opens(session, meeting, SystemRandom(), device=device)


def key_file_device(path: Path, passphrase: str) -> MemberDevice:
    """The member key a `ballot vote` key file holds."""
    held = keystore.open_member_key(path.read_text("utf-8"), passphrase)
    return MemberDevice(
        held.meeting_id, held.member, CredentialKey.from_private_bytes(held.private)
    )


def open_motion(session: Session, meeting: int, candidate: str) -> int:
    """The chair opens a review vote (复议) on `candidate`, signing it."""
    return chair_opens(session, meeting, SystemRandom(), motion=candidate)


def close_round(
    session: Session, meeting: int, number: int, sign: Callable[[bytes], bytes]
) -> dict[str, Any]:
    """The chair closes round `number`, signing it with their member key."""
    return chair_closes(session, meeting, number, sign, SystemRandom())


def cast_as(base: str, code: str, choices: list[str], candidates: int | None = None) -> str:
    """One member's whole turn through the HTTP client, as `ballot vote` takes it: log in, the
    open round, the ballot prepared, the member key enrolled, issuance, registration, cast.
    Returns the tracker; `candidates`, if given, is how many the round must have."""
    from ballot.clients.voter import HttpVoter

    voter = HttpVoter(base)
    voter.login(code)
    rnd, who = voter.current_round()
    assert rnd is not None and (candidates is None or len(rnd["candidates"]) == candidates)
    prepared = voter.prepare(rnd, choices)
    signer = device_of(rnd["meeting"], who["name"])
    voter.enrol(signer, who["key"])
    voter.issue(prepared, signer)
    voter.register(prepared)
    return voter.cast(prepared)
