"""The final result, signed (签署最终结果; docs/PROTOCOL.md §14, `protocol/result.py`): once the
procedure is complete, the chair's console and each scrutineer's page (or `ballot
scrutinise`) fetch the result as the record has it, show it, and sign it; the service keeps a
signature only if it is the signer's own key over exactly that result, answering the latest
event that gave it, and records it as a `result-signed` event. The same signer again is
answered again (nothing new is recorded), so a lost answer is safe to retry."""

from __future__ import annotations

import json
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from ballot.crypto.errors import CryptoError
from ballot.crypto.group import RandomSource, production_group
from ballot.crypto.signature import verify
from ballot.protocol import result as result_of
from ballot.protocol import share_signing
from ballot.protocol.chain import canonical_json
from ballot.protocol.lifecycle import MeetingStatus, RoundStatus
from ballot.services import member_keys, overview, record
from ballot.services.chair import chair_of
from ballot.services.counting import Signer, checkpoint, committee_key
from ballot.services.errors import ServiceError
from ballot.services.hexes import hex_bytes
from ballot.storage import models as m


def _not_ready(en: str, zh: str) -> ServiceError:
    return ServiceError("result-not-ready", en=en, zh=zh)  # (409)


def standing(session: Session, meeting: m.Meeting) -> tuple[str, dict[str, list[str]]]:
    """(the hash of the event that gave the result, the result per tier) as the record has
    it now; `result-not-ready` (409) while the procedure or a review vote is under way."""
    if meeting.status != MeetingStatus.CLOSED:
        raise _not_ready(
            "the result is signed once the last round is counted and the meeting closed",
            "最终结果须在最后一轮计票完成、会议结束后签署",
        )
    pending = session.scalar(
        select(m.Round.number).where(
            m.Round.meeting_id == meeting.id,
            m.Round.status.in_((RoundStatus.OPEN, RoundStatus.CLOSED)),
        )
    )
    if pending is not None:
        raise _not_ready(
            f"review vote {pending} is under way: the result is signed once it is counted",
            f"第 {pending} 轮复议正在进行：计票完成后再签署最终结果",
        )
    events = record.events(session, meeting.id, kinds=result_of.RESULT_EVENTS)
    found = result_of.standing(events)
    if found is None:  # (a closed meeting always has its meeting-closed event)
        raise _not_ready("the record has no result yet", "记录中尚无结果")
    index, result = found
    return str(events[index]["hash"]), result


def signed_by(session: Session, meeting: m.Meeting, answers: str) -> list[dict[str, Any]]:
    """The `result-signed` bodies that answer the event `answers`, in record order."""
    rows = session.scalars(
        select(m.Event.body)
        .where(m.Event.meeting_id == meeting.id, m.Event.kind == result_of.KIND)
        .order_by(m.Event.seq)
    )
    return [b for b in map(json.loads, rows) if b.get("answers") == answers]


def signatures(session: Session, meeting_id: int) -> dict[str, Any] | None:
    """Who has signed the result as it stands: {chair: name or None, scrutineers: [i…], k};
    None while there is no result to sign."""
    meeting = record.meeting(session, meeting_id)
    try:
        answers, _ = standing(session, meeting)
    except ServiceError:
        return None
    signed = signed_by(session, meeting, answers)
    ceremony = record.events(session, meeting.id, kinds=("ceremony",))
    return {
        "chair": next((b.get("chair") for b in signed if b.get("role") == "chair"), None),
        "scrutineers": sorted(b["scrutineer"] for b in signed if b.get("role") == "scrutineer"),
        "k": ceremony[0]["body"].get("k") if ceremony else None,
    }


def chair_result(session: Session, meeting_id: int, member_id: int | None) -> dict[str, Any]:
    """What the chair signs now (`GET /chair/ID/result.json`), whether they have, and which
    scrutineers have."""
    meeting = record.meeting(session, meeting_id)
    chair = chair_of(session, meeting, member_id)
    answers, result = standing(session, meeting)
    body = result_of.chair_body(chair.name, answers, result)
    signed = signed_by(session, meeting, answers)
    done = any(b.get("role") == "chair" and b.get("chair") == chair.name for b in signed)
    scrutineers = sorted(b["scrutineer"] for b in signed if b.get("role") == "scrutineer")
    return {"kind": result_of.KIND, "body": body, "signed": done, "scrutineers": scrutineers}


def scrutineer_result(session: Session, meeting_id: int, index: int) -> dict[str, Any] | None:
    """What scrutineer `index` signs now and who has signed it; None before there is one."""
    meeting = record.meeting(session, meeting_id)
    try:
        answers, result = standing(session, meeting)
    except ServiceError:
        return None
    signed = signed_by(session, meeting, answers)
    names = overview.tier_names(meeting.profile_id)
    return {
        "body": result_of.scrutineer_body(index, answers, result),
        "tiers": {t: {"zh": names[t].zh, "en": names[t].en} for t in result if t in names},
        "chair": any(b.get("role") == "chair" for b in signed),
        "scrutineers": sorted(b["scrutineer"] for b in signed if b.get("role") == "scrutineer"),
    }


def _same(seen: object, body: dict[str, Any]) -> None:
    try:
        same = isinstance(seen, dict) and canonical_json(seen) == canonical_json(body)
    except (TypeError, ValueError):
        same = False
    if not same:
        raise ServiceError(
            "result-changed",
            en="the result to sign is not the one you were shown (a review vote changed it, or "
            "the page is out of date): reload, look at the result again and sign again",
            zh="要签署的结果与您看到的不同（复议改变了结果，或页面已过时）：请刷新、重新核对后再签署",
        )


def _record(
    session: Session, meeting: m.Meeting, body: dict[str, Any], sign: Signer
) -> dict[str, Any]:
    """Append the signed result (unless this signer already signed it) and a checkpoint."""
    for done in signed_by(session, meeting, body["answers"]):
        if done.get("role") == body["role"] and (
            done.get("chair") == body.get("chair")
            and done.get("scrutineer") == body.get("scrutineer")
        ):
            return done
    record.append(session, meeting.id, result_of.KIND, body)
    checkpoint(session, meeting, sign)
    return body


def sign_as_chair(
    session: Session,
    meeting_id: int,
    member_id: int | None,
    seen: object,
    signature_hex: object,
    sign: Signer,
) -> dict[str, Any]:
    """Keep the chair's signature of the result they were shown (`POST /chair/ID/result`)."""
    meeting = record.lock_meeting(session, meeting_id)
    chair = chair_of(session, meeting, member_id)
    answers, result = standing(session, meeting)
    body = result_of.chair_body(chair.name, answers, result)
    _same(seen, body)
    signature = hex_bytes(signature_hex, "the chair's signature", "主任签名", size=64)
    key = member_keys.signing_key(session, meeting, chair)
    try:
        verify(key, result_of.statement(meeting.public_id, body), signature)
    except (CryptoError, ValueError):
        raise ServiceError(
            "bad-result-signature",
            en=f"this is not {chair.name}'s member key over the result: reload the console "
            "(the chair's key is the one this console keeps) and sign again",
            zh=f"该签名不是 {chair.name} 的成员密钥对最终结果的签名：请刷新控制台后重新签署",
        ) from None
    return _record(session, meeting, {**body, result_of.SIGNATURE: signature.hex()}, sign)


def sign_as_scrutineer(
    session: Session,
    meeting_id: int,
    index: int,
    seen: object,
    signature: object,
    sign: Signer,
    rng: RandomSource,
) -> dict[str, Any]:
    """Keep scrutineer `index`'s signature of the result (`POST /scrutineer/result`), made
    with their share key."""
    meeting = record.lock_meeting(session, meeting_id)
    if index < 1:
        raise ServiceError(
            "forbidden", en="only a scrutineer signs as one", zh="只有监票人才能以监票人身份签署"
        )
    answers, result = standing(session, meeting)
    body = result_of.scrutineer_body(index, answers, result)
    _same(seen, body)
    committee = committee_key(session, meeting_id, rng)
    message = result_of.statement(meeting.public_id, body)
    if not share_signing.holds(production_group(), committee.share_key(index), message, signature):
        raise ServiceError(
            "bad-result-signature",
            en=f"the result is not signed with scrutineer {index}'s share key: open this "
            "scrutineer's own share file and sign again",
            zh=f"最终结果未以监票人 {index} 的份额密钥签名：请打开本人的份额文件后重新签署",
        )
    return _record(session, meeting, {**body, result_of.SIGNATURE: signature}, sign)


__all__ = [
    "chair_result",
    "scrutineer_result",
    "sign_as_chair",
    "sign_as_scrutineer",
    "signatures",
    "signed_by",
    "standing",
]
