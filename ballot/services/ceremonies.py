"""The scrutineers' key ceremony as the server relays it (docs/PROTOCOL.md §10): the threshold
named, each scrutineer's public commitments checked at once, the encrypted shares relayed
(the server cannot read them), and the transcript checked and recorded with the joint key —
or a ceremony held elsewhere recorded from its public transcript."""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from ballot.crypto import ceremony
from ballot.crypto.codec import (
    commitment_message_from_json,
    commitment_message_json,
    encrypted_share_from_json,
    encrypted_share_json,
)
from ballot.crypto.errors import CryptoError
from ballot.crypto.group import RandomSource, production_group
from ballot.protocol import context
from ballot.protocol.lifecycle import MeetingStatus, advance_meeting
from ballot.services import record
from ballot.services.errors import ServiceError
from ballot.services.meetings import cancelled
from ballot.services.queries import add_once, count_rows
from ballot.storage import models as m


def _crypto(err: CryptoError) -> ServiceError:
    return ServiceError.of(err.code, err.text)


def start_ceremony(session: Session, meeting_id: int, k: int, n: int) -> None:
    """Name the ceremony's threshold: any k of the n scrutineers will decrypt."""
    meeting = record.lock_meeting(session, meeting_id)
    if meeting.status == MeetingStatus.CANCELLED:
        raise cancelled()
    if meeting.status != MeetingStatus.SETUP:
        raise ServiceError(
            "ceremony-done",
            en="this meeting's key ceremony has started already",
            zh="本会议的密钥仪式已开始",
        )
    try:
        ceremony.CeremonyParams(context.ceremony_id(meeting.public_id), k, n)
    except CryptoError as err:
        raise _crypto(err) from None
    meeting.status = advance_meeting(meeting.status, MeetingStatus.CEREMONY)
    record.append(session, meeting.id, "ceremony-started", {"k": k, "n": n})


def _ceremony_params(session: Session, meeting: m.Meeting) -> ceremony.CeremonyParams:
    event = session.scalars(
        select(m.Event).where(m.Event.meeting_id == meeting.id, m.Event.kind == "ceremony-started")
    ).first()
    if meeting.status == MeetingStatus.CANCELLED:
        raise cancelled()
    if meeting.status != MeetingStatus.CEREMONY or event is None:
        raise ServiceError("no-ceremony", en="start the key ceremony first", zh="请先开始密钥仪式")
    body = json.loads(event.body)
    return ceremony.CeremonyParams(context.ceremony_id(meeting.public_id), body["k"], body["n"])


def publish_commitments(session: Session, meeting_id: int, message: Any) -> None:
    """A scrutineer publishes its coefficient commitments and transport key (checked at once)."""
    meeting = record.lock_meeting(session, meeting_id)
    params = _ceremony_params(session, meeting)
    try:
        parsed = commitment_message_from_json(message)
        params.check_index(parsed.sender, "scrutineer", "监票人")
    except CryptoError as err:
        raise _crypto(err) from None
    if len(parsed.coefficients) != params.k:
        raise ServiceError(
            "malformed",
            en=f"{params.k} coefficient commitments are needed",
            zh=f"须有 {params.k} 个系数承诺",
        )
    body = commitment_message_json(parsed)
    stored = session.scalar(
        select(m.CeremonyMessage.body).where(
            m.CeremonyMessage.meeting_id == meeting.id, m.CeremonyMessage.sender == parsed.sender
        )
    )
    if stored == body:
        return  # the very message again (its answer was lost): nothing more to do
    add_once(
        session,
        [m.CeremonyMessage(meeting_id=meeting.id, sender=parsed.sender, body=body)],
        ServiceError(
            "already-published",
            en=f"scrutineer {parsed.sender} has published already",
            zh=f"监票人 {parsed.sender} 已发布",
        ),
    )


def commitments(session: Session, meeting_id: int) -> list[dict[str, Any]]:
    """Every published commitment message, in scrutineer order (what each scrutineer checks
    before dealing its shares)."""
    rows = session.scalars(
        select(m.CeremonyMessage)
        .where(m.CeremonyMessage.meeting_id == meeting_id)
        .order_by(m.CeremonyMessage.sender)
    ).all()
    return [r.body for r in rows]


def publish_shares(session: Session, meeting_id: int, sender: int, shares: Sequence[Any]) -> None:
    """Scrutineer `sender`'s encrypted shares, one for each scrutineer (the server relays them
    and cannot read them)."""
    meeting = record.lock_meeting(session, meeting_id)
    params = _ceremony_params(session, meeting)
    published = count_rows(session, m.CeremonyMessage, m.CeremonyMessage.meeting_id == meeting.id)
    if published < params.n:
        raise ServiceError(
            "commitments-missing",
            en=f"{published} of {params.n} scrutineers "
            "have published their commitments: deal shares after all have",
            zh=f"{params.n} 名监票人中仅 {published} 名已发布承诺：请全部发布后再分发份额",
        )
    try:
        parsed = [encrypted_share_from_json(x) for x in shares]
    except CryptoError as err:
        raise _crypto(err) from None
    if sorted(x.recipient for x in parsed) != list(range(1, params.n + 1)) or any(
        x.sender != sender for x in parsed
    ):
        raise ServiceError(
            "malformed",
            en=f"one share from scrutineer {sender} to each of the {params.n} scrutineers is needed",
            zh=f"须有监票人 {sender} 给每名监票人的一份份额",
        )
    rows = [
        m.CeremonyShare(
            meeting_id=meeting.id,
            sender=x.sender,
            recipient=x.recipient,
            body=encrypted_share_json(x),
        )
        for x in parsed
    ]
    stored = session.scalars(
        select(m.CeremonyShare)
        .where(m.CeremonyShare.meeting_id == meeting.id, m.CeremonyShare.sender == sender)
        .order_by(m.CeremonyShare.recipient)
    ).all()
    if stored and [(r.recipient, r.body) for r in stored] == sorted(
        (r.recipient, r.body) for r in rows
    ):
        return  # the very shares again (the answer was lost): nothing more to do
    add_once(
        session,
        rows,
        ServiceError(
            "already-published",
            en=f"scrutineer {sender} has dealt already",
            zh=f"监票人 {sender} 已分发份额",
        ),
    )


def shares_for(session: Session, meeting_id: int, recipient: int) -> list[dict[str, Any]]:
    """The encrypted shares addressed to one scrutineer."""
    rows = session.scalars(
        select(m.CeremonyShare)
        .where(m.CeremonyShare.meeting_id == meeting_id, m.CeremonyShare.recipient == recipient)
        .order_by(m.CeremonyShare.sender)
    ).all()
    return [r.body for r in rows]


def complete_ceremony(session: Session, meeting_id: int, rng: RandomSource) -> str:
    """Once every commitment and every share is published: check the transcript and take the
    joint key (returned, hex)."""
    meeting = record.lock_meeting(session, meeting_id)
    params = _ceremony_params(session, meeting)
    count = count_rows(session, m.CeremonyShare, m.CeremonyShare.meeting_id == meeting.id)
    if count < params.n * params.n:
        raise ServiceError(
            "shares-missing",
            en=f"{count} of {params.n * params.n} shares are published",
            zh=f"{params.n * params.n} 份份额中仅 {count} 份已发布",
        )
    rows = session.scalars(
        select(m.CeremonyMessage)
        .where(m.CeremonyMessage.meeting_id == meeting.id)
        .order_by(m.CeremonyMessage.sender)
    ).all()
    return _record_transcript(
        session, meeting, params, [commitment_message_from_json(r.body) for r in rows], rng
    )


def _record_transcript(
    session: Session,
    meeting: m.Meeting,
    params: ceremony.CeremonyParams,
    parsed: list[ceremony.CommitmentMessage],
    rng: RandomSource,
) -> str:
    group = production_group()
    try:
        committee = ceremony.verify_transcript(group, params, parsed, rng)
    except CryptoError as err:
        raise _crypto(err) from None
    meeting.joint_key = format(int(committee.joint_key), "x")
    meeting.status = advance_meeting(meeting.status, MeetingStatus.READY)
    record.append(
        session,
        meeting.id,
        "ceremony",
        {
            "k": params.k,
            "n": params.n,
            "messages": [commitment_message_json(x) for x in parsed],
            "transcript_digest": ceremony.transcript_digest(group, params, parsed).hex(),
            "joint_key": meeting.joint_key,
        },
    )
    return meeting.joint_key


def record_ceremony(
    session: Session, meeting_id: int, k: int, n: int, messages: Sequence[Any], rng: RandomSource
) -> str:
    """Record a ceremony held elsewhere (its public transcript at once); returns the joint key."""
    meeting = record.lock_meeting(session, meeting_id)
    if meeting.status != MeetingStatus.SETUP:
        raise ServiceError(
            "ceremony-done",
            en="this meeting's key ceremony is already recorded",
            zh="本会议的密钥仪式已记录",
        )
    try:
        params = ceremony.CeremonyParams(context.ceremony_id(meeting.public_id), k, n)
        parsed = [commitment_message_from_json(x) for x in messages]
    except CryptoError as err:
        raise _crypto(err) from None
    for msg in parsed:
        session.add(
            m.CeremonyMessage(
                meeting_id=meeting.id, sender=msg.sender, body=commitment_message_json(msg)
            )
        )
    return _record_transcript(session, meeting, params, parsed, rng)


def ceremony_state(session: Session, meeting_id: int, index: int) -> dict[str, Any]:
    """What scrutineer `index`'s side of the ceremony needs (their page and `ballot
    ceremony`): the threshold, everyone's commitments, who has dealt, the shares addressed to
    them."""
    meeting = record.meeting(session, meeting_id)
    started = session.scalars(
        select(m.Event.body).where(
            m.Event.meeting_id == meeting_id, m.Event.kind == "ceremony-started"
        )
    ).first()
    dealt = sorted(
        set(
            session.scalars(
                select(m.CeremonyShare.sender).where(m.CeremonyShare.meeting_id == meeting_id)
            )
        )
    )
    params = json.loads(started) if started else {}
    return {
        "meeting": meeting.public_id,
        "status": meeting.status,
        "ceremonyId": context.ceremony_id(meeting.public_id),
        "k": params.get("k"),
        "n": params.get("n"),
        "index": index,
        "messages": commitments(session, meeting_id),
        "dealt": dealt,
        "shares": shares_for(session, meeting_id, index),
    }
