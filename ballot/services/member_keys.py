"""Member keys (成员密钥): each member's own device makes a signing key for the meeting and
enrols its public half here with a signature over the enrolment (docs/PROTOCOL.md §14); the
record keeps every enrolment, so what the member's key signs later can be checked by anyone.
The server never sees the private half. One key per member per meeting: a second device is
told to use the first, unless the office withdraws the first (a lost device), which the record
names (`member-key-replaced`) so that an auditor asks the member whether it was theirs to ask."""

from __future__ import annotations

import json

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from ballot.crypto.errors import CryptoError
from ballot.crypto.signature import verify
from ballot.protocol import statements
from ballot.protocol.lifecycle import IN_SESSION
from ballot.services import overview, record
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


def _withdrawn(session: Session, meeting_id: int) -> set[str]:
    """The keys the office withdrew in this meeting (never enrolled again)."""
    bodies = session.scalars(
        select(m.Event.body).where(
            m.Event.meeting_id == meeting_id, m.Event.kind == "member-key-replaced"
        )
    )
    return {json.loads(body).get("key", "") for body in bodies}


def enrolled_key(session: Session, meeting_id: int, member_id: int) -> str | None:
    """The member's enrolled key for the meeting (hex), or None."""
    return session.scalar(
        select(m.MemberKey.public_key).where(
            m.MemberKey.meeting_id == meeting_id, m.MemberKey.member_id == member_id
        )
    )


def signing_key(session: Session, meeting: m.Meeting, member: m.Member) -> bytes:
    """The member's enrolled key, which must sign what the member says; refused if none yet."""
    key = enrolled_key(session, meeting.id, member.id)
    if key is None:
        raise ServiceError(
            "no-member-key",
            en=f"{member.name} has no member key for this meeting yet: the device enrols "
            "its key first (reload the page, or run ballot vote again)",
            zh=f"{member.name} 尚未登记本次会议的成员密钥：设备须先登记密钥（请刷新页面，或重新运行 ballot vote）",
        )
    return bytes.fromhex(key)


def enrol(
    session: Session, meeting_id: int, member_id: int, public_key_hex: object, signature_hex: object
) -> str:
    """Enrol the member's key (the same key again is answered again: safe to repeat);
    returns its fingerprint."""
    meeting = record.lock_meeting(session, meeting_id)
    if meeting.status not in IN_SESSION:
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
    if public_key.hex() in _withdrawn(session, meeting.id):
        raise ServiceError(
            "key-withdrawn",
            en="this device's member key was withdrawn by the office (a lost device): it "
            "cannot be enrolled again; vote from the new device",
            zh="此设备的成员密钥已被会务组撤销（设备遗失）：不能再次登记；请用新设备投票",
        )
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


def replace_key(session: Session, member_id: int) -> tuple[str, str, str]:
    """The office withdraws a member's enrolled key for their committee's current meeting (the
    device was lost or broken), so their new device can enrol its own; the record names the
    withdrawn key. Returns (member, meeting title, the withdrawn key's fingerprint)."""
    member = session.get(m.Member, member_id)
    if member is None:
        raise ServiceError("not-a-member", en="no such member", zh="没有这位委员")
    meeting_id = overview.current_meeting(session, member.committee_id)
    if meeting_id is None:
        raise ServiceError(
            "no-member-key",
            en=f"{member.name} has no meeting to hold a member key for",
            zh=f"{member.name} 没有需要成员密钥的会议",
        )
    meeting = record.lock_meeting(session, meeting_id)
    if meeting.status not in IN_SESSION:
        raise ServiceError(
            "meeting-not-open",
            en="a member key is replaced while the meeting is open",
            zh="成员密钥只能在会议进行期间更换",
        )
    key = enrolled_key(session, meeting.id, member.id)
    if key is None:
        raise ServiceError(
            "no-member-key",
            en=f"{member.name} has no member key for “{meeting.title}” yet: nothing to "
            "replace; their device enrols one when they open the ballot page",
            zh=f"{member.name} 尚未登记「{meeting.title}」的成员密钥：无需更换；"
            "其设备打开选票页面时会自行登记",
        )
    session.execute(
        delete(m.MemberKey).where(
            m.MemberKey.meeting_id == meeting.id, m.MemberKey.member_id == member.id
        )
    )
    record.append(session, meeting.id, "member-key-replaced", {"member": member.name, "key": key})
    return member.name, meeting.title, statements.key_fingerprint(bytes.fromhex(key))
