"""Confirmed presence (到会确认): the chair checks a member in, and the member's own device
signs that they are in the room (`presence`, docs/PROTOCOL.md §14); only members whose device
confirmed after their latest check-in count towards the quorum or are issued credentials. So
the server cannot make a quorum of people who are not there: it has no member's key. The
device signs "left" when it sees its member checked out, which ends that confirmation; a
later check-in needs a new one (n counts the member's statements, so an old one is useless)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from ballot.crypto.errors import CryptoError
from ballot.crypto.signature import verify
from ballot.protocol import statements
from ballot.protocol.lifecycle import IN_SESSION, MeetingStatus
from ballot.services import member_keys, record
from ballot.services.errors import ServiceError
from ballot.services.hexes import hex_bytes
from ballot.services.meetings import member_of
from ballot.storage import models as m


@dataclass(frozen=True)
class Presence:
    """What a member's device needs to know to confirm: checked in now, confirmed since, the
    number of presence statements it has signed in the meeting and the last one's state."""

    checked_in: bool
    confirmed: bool
    statements: int
    last: str | None
    answers: str | None = None  # the hash of the check-in (or check-out) event to answer
    taking: bool = True  # the meeting takes presence statements now (set up, not closed)

    def wanted(self) -> str | None:
        """The statement the device should sign now, if any."""
        if not self.taking or self.answers is None:
            return None
        if self.checked_in and not self.confirmed:
            return "present"
        if not self.checked_in and self.last == "present":
            return "left"
        return None

    def for_page(self) -> dict[str, Any]:
        return {
            "checked_in": self.checked_in,
            "confirmed": self.confirmed,
            "statements": self.statements,
            "last": self.last,
            "wanted": self.wanted(),
            "answers": self.answers,
        }


def _row(session: Session, meeting_id: int, member_id: int) -> m.Attendance | None:
    return session.scalar(
        select(m.Attendance).where(
            m.Attendance.meeting_id == meeting_id, m.Attendance.member_id == member_id
        )
    )


def of(session: Session, meeting_id: int, member_id: int) -> Presence:
    row = _row(session, meeting_id, member_id)
    meeting = session.get(m.Meeting, meeting_id)
    taking = meeting is not None and meeting.status in IN_SESSION
    if row is None:
        return Presence(False, False, 0, None, None, taking)
    return Presence(row.present, row.confirmed, row.statements, row.last_state, row.answers, taking)


def device_state(session: Session, meeting_id: int, member_id: int | None) -> dict[str, Any] | None:
    """What the member's device on a page needs (their meeting, name, enrolled key, presence),
    unless the meeting was cancelled or is not set up yet."""
    meeting = session.get(m.Meeting, meeting_id)
    if member_id is None or meeting is None:
        return None
    if meeting.status not in IN_SESSION | {MeetingStatus.CLOSED}:
        return None  # (closed: the chair still signs review votes)
    return {
        "meeting": meeting.public_id,
        "member": {
            "name": member_of(session, meeting, member_id).name,
            "key": member_keys.enrolled_key(session, meeting.id, member_id),
        },
        "presence": of(session, meeting.id, member_id).for_page(),
    }


def confirm(
    session: Session,
    meeting_id: int,
    member_id: int,
    state: object,
    n: object,
    signature_hex: object,
    answers: object = None,
) -> Presence:
    """Record the member device's signed `presence` statement (the same one again is answered
    again: safe to repeat); returns the member's presence after it."""
    meeting = record.lock_meeting(session, meeting_id)
    if meeting.status not in IN_SESSION:
        raise ServiceError(
            "meeting-not-open",
            en="presence is confirmed while the meeting is open",
            zh="须在会议进行期间确认到会",
        )
    member = member_of(session, meeting, member_id)
    if state not in statements.PRESENCE:
        raise ServiceError(
            "malformed",
            en='the presence state must be "present" or "left"',
            zh="到会状态须为 present 或 left",
        )
    if not isinstance(n, int) or isinstance(n, bool) or not 1 <= n <= 10_000:
        raise ServiceError(
            "malformed",
            en="n must be a whole number from 1 (this member's presence statements so far + 1)",
            zh="n 须为从 1 起的整数（该委员已签的到会声明数 + 1）",
        )
    signature = hex_bytes(signature_hex, "the presence signature", "到会签名", size=64)
    key = member_keys.signing_key(session, meeting, member)
    row = _row(session, meeting.id, member.id)
    if row is None or row.answers is None:
        raise ServiceError(
            "not-checked-in",
            en=f"{member.name} is not checked in: check in with the chair first, then "
            "the device confirms",
            zh=f"{member.name} 尚未签到：请先到主任处签到，设备随后确认",
        )
    if answers is not None and answers != row.answers:
        raise ServiceError(
            "stale-presence",
            en=f"{member.name} was checked in or out again since this device looked: it "
            "answers the latest check-in (reload the page)",
            zh=f"此设备查看后 {member.name} 又被签到或取消签到：须回应最近一次签到（请刷新页面）",
        )
    try:
        message = statements.presence(
            meeting.public_id, member.name, state, n, bytes.fromhex(row.answers)
        )
        verify(key, message, signature)
    except (CryptoError, ValueError):
        raise ServiceError(
            "bad-presence-signature",
            en=f"the presence statement is not signed by {member.name}'s member key for "
            "their latest check-in: reload the page",
            zh=f"该到会声明不是 {member.name} 的成员密钥对其最近一次签到的签名：请刷新页面",
        ) from None
    done = 0 if row is None else row.statements
    if row is not None and n == done and row.last_signature == signature.hex():
        return of(session, meeting.id, member.id)  # (its answer was lost)
    if n != done + 1:
        raise ServiceError(
            "stale-presence",
            en=f"{member.name}'s device has signed {done} presence statements in this meeting; "
            f"the next is number {done + 1}, not {n}: reload the page",
            zh=f"{member.name} 的设备在本次会议已签 {done} 份到会声明，下一份应为第 {done + 1} 份，"
            f"而非第 {n} 份：请刷新页面",
        )
    if state == "present":
        if row is None or not row.present:
            raise ServiceError(
                "not-checked-in",
                en=f"{member.name} is not checked in: check in with the chair first, then "
                "the device confirms",
                zh=f"{member.name} 尚未签到：请先到主任处签到，设备随后确认",
            )
        if row.confirmed:
            raise ServiceError(
                "already-confirmed",
                en=f"{member.name}'s presence is already confirmed",
                zh=f"{member.name} 已确认到会",
            )
        row.confirmed = True
    else:
        if row is None or row.last_state != "present":
            raise ServiceError(
                "not-confirmed",
                en=f"{member.name}'s device has not said they are present: there is no "
                "presence to end",
                zh=f"{member.name} 的设备未曾确认到会：无需声明离会",
            )
        row.confirmed = False
    row.statements, row.last_state, row.last_signature = n, state, signature.hex()
    session.flush()
    record.append(
        session,
        meeting.id,
        "presence",
        {
            "member": member.name,
            "state": state,
            "n": n,
            "answers": row.answers,
            "signature": signature.hex(),
        },
    )
    return of(session, meeting.id, member.id)


def unconfirmed(session: Session, meeting_id: int) -> list[str]:
    """The members checked in whose device has not confirmed (the chair's console lists them)."""
    return list(
        session.scalars(
            select(m.Member.name)
            .join(m.Attendance, m.Attendance.member_id == m.Member.id)
            .where(
                m.Attendance.meeting_id == meeting_id,
                m.Attendance.present.is_(True),
                m.Attendance.confirmed.is_(False),
            )
            .order_by(m.Member.id)
        )
    )


__all__ = ["Presence", "confirm", "device_state", "of", "unconfirmed"]
