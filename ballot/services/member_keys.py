"""Member keys (成员密钥): each member's own device makes a signing key for the meeting and
enrols its public half here with a signature over the enrolment (docs/PROTOCOL.md §14); the
record keeps every enrolment, so what the member's key signs later can be checked by anyone.
The server never sees the private half. One key per member per meeting: a second device is
told to use the first (the office's replacement of a lost key is a later step)."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from ballot.crypto.errors import CryptoError
from ballot.crypto.signature import verify
from ballot.protocol import statements
from ballot.protocol.lifecycle import MeetingStatus
from ballot.services import record
from ballot.services.errors import ServiceError
from ballot.services.hexes import hex_bytes
from ballot.services.meetings import member_of
from ballot.services.queries import add_once
from ballot.storage import models as m


def _elsewhere(name: str, fingerprint: str | None) -> ServiceError:
    which = f" (fingerprint {fingerprint})" if fingerprint else ""
    which_zh = f"（指纹 {fingerprint}）" if fingerprint else ""
    return ServiceError(
        "key-enrolled",
        en=f"{name}'s key for this meeting is on another device{which}: vote from that device",
        zh=f"{name} 本次会议的成员密钥在另一台设备上{which_zh}：请用那台设备投票",
    )


def enrolled_key(session: Session, meeting_id: int, member_id: int) -> str | None:
    """The member's enrolled key for the meeting (hex), or None."""
    return session.scalar(
        select(m.MemberKey.public_key).where(
            m.MemberKey.meeting_id == meeting_id, m.MemberKey.member_id == member_id
        )
    )


def enrol(
    session: Session, meeting_id: int, member_id: int, public_key_hex: object, signature_hex: object
) -> str:
    """Enrol the member's key (the same key again is answered again: safe to repeat);
    returns its fingerprint."""
    meeting = record.lock_meeting(session, meeting_id)
    if meeting.status not in (MeetingStatus.READY, MeetingStatus.OPEN):
        raise ServiceError(
            "meeting-not-open",
            en="member keys are enrolled while the meeting is open",
            zh="成员密钥须在会议进行期间登记",
        )
    member = member_of(session, meeting, member_id)
    public_key = hex_bytes(public_key_hex, "the member key", "成员公钥", size=65)
    signature = hex_bytes(signature_hex, "the enrolment signature", "登记签名", size=64)
    try:
        message = statements.member_key(meeting.public_id, member.name, public_key)
        verify(public_key, message, signature)
    except (CryptoError, ValueError):
        raise ServiceError(
            "bad-enrolment",
            en="the enrolment is not signed by the key it enrols: reload the page",
            zh="登记签名与所登记的密钥不符：请刷新页面",
        ) from None
    earlier = enrolled_key(session, meeting.id, member.id)
    if earlier == public_key.hex():
        return statements.key_fingerprint(public_key)  # (its answer was lost)
    if earlier is not None:
        raise _elsewhere(member.name, statements.key_fingerprint(bytes.fromhex(earlier)))
    add_once(
        session,
        [
            m.MemberKey(
                meeting_id=meeting.id,
                member_id=member.id,
                public_key=public_key.hex(),
                signature=signature.hex(),
            )
        ],
        _elsewhere(member.name, None),  # (enrolled by a racing request a moment ago)
    )
    record.append(
        session,
        meeting.id,
        "member-key",
        {"member": member.name, "key": public_key.hex(), "signature": signature.hex()},
    )
    return statements.key_fingerprint(public_key)
