"""The chair's word on a round (主任签署): opening a round and closing it are statements the
chair's own member key signs (`attest`, docs/PROTOCOL.md §14) over the very event body the
record keeps — the round, its candidates, the members confirmed present by name, and at the
close the counts and the digests of the published credential and ballot lists — so the server
cannot open a round the chair did not open, or close one on other ballots. Each change is two
steps: the console fetches the body it is about to sign (`*_opening`/`*_closing`), shows it to
the chair, signs it, and sends the signature; the service recomputes the body and keeps it only
if the signature is the chair's over exactly that body (`round-changed` when the room moved
meanwhile: the console asks again)."""

from __future__ import annotations

import json
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from ballot.crypto.errors import CryptoError
from ballot.crypto.signature import verify
from ballot.protocol import statements
from ballot.protocol.chain import canonical_json
from ballot.services import member_keys
from ballot.services.errors import ServiceError
from ballot.services.hexes import hex_bytes
from ballot.storage import models as m


def chair_of(session: Session, meeting: m.Meeting, member_id: int | None) -> m.Member:
    """The chair who acts: `member_id` when given (the signed-in chair), which must be a chair
    of the meeting's committee; else the committee's first chair."""
    query = select(m.Member).where(
        m.Member.committee_id == meeting.committee_id, m.Member.role == "chair"
    )
    if member_id is not None:
        query = query.where(m.Member.id == member_id)
    found = session.scalars(query.order_by(m.Member.id)).first()
    if found is None:
        raise ServiceError(
            "forbidden",
            en="only the committee's chair signs the opening and closing of a round",
            zh="只有本评委会主任才能签署开始与结束投票",
        )
    return found


def signed_body(
    session: Session,
    meeting: m.Meeting,
    chair: m.Member,
    kind: str,
    body: dict[str, Any],
    signature_hex: object,
    seen: object,
) -> str:
    """Check that `signature_hex` is the chair's member key over `attest(chair, kind, body)`
    (`seen`: the body the console showed and signed, when it says); returns the signature."""
    if seen is not None and not isinstance(seen, dict):
        raise ServiceError(
            "malformed",
            en="body must be the object the console was given to sign",
            zh="body 须为控制台收到并签署的对象",
        )
    if seen is not None and _canonical(seen) != _canonical(body):
        raise ServiceError(
            "round-changed",
            en="the room changed while you were confirming (someone was checked in or out, "
            "or a ballot arrived): look at what you sign again, and confirm again",
            zh="您确认期间会场情况有变（有人签到或离会，或有选票送达）：请重新核对要签署的内容并再次确认",
        )
    signature = hex_bytes(signature_hex, "the chair's signature", "主任签名", size=64)
    key = member_keys.signing_key(session, meeting, chair)
    try:
        verify(key, statements.attest(meeting.public_id, "chair", kind, body), signature)
    except (CryptoError, ValueError):
        raise ServiceError(
            "bad-chair-signature",
            en=f"this is not signed by {chair.name}'s member key over what is being recorded: "
            "reload the console (the chair's key is the one this console keeps) and try again",
            zh=f"该签名不是 {chair.name} 的成员密钥对所记录内容的签名：请刷新控制台后重试"
            "（主任密钥保存在本控制台所在的浏览器中）",
        ) from None
    return signature.hex()


def already(session: Session, meeting: m.Meeting, kind: str, signature_hex: object) -> Any:
    """The body of this meeting's `kind` event that carries this very chair signature, if
    one does: the same signed request sent again after its answer was lost is answered again."""
    if not isinstance(signature_hex, str) or len(signature_hex) != 128:
        return None
    for text in session.scalars(
        select(m.Event.body).where(
            m.Event.meeting_id == meeting.id,
            m.Event.kind == kind,
            m.Event.body.contains(signature_hex.lower()),
        )
    ):
        body = json.loads(text)
        if body.get("chair_signature") == signature_hex.lower():
            return body
    return None


def _canonical(value: object) -> bytes | None:
    try:
        return canonical_json(value)
    except (TypeError, ValueError):
        return None


__all__ = ["already", "chair_of", "signed_body"]
