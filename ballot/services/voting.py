"""From the key ceremony to stored ballots: the steps a meeting takes while members vote.

Each public function runs in its own transaction (`db` is a session factory) and returns only
after it has committed, so a tracker handed to a member is already durable. Checks come first;
a refusal changes nothing.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from ballot.crypto import blind_rsa, keystore
from ballot.crypto.ballot import (
    BallotContext,
    cast_message,
    tracker,
    validate_ballot,
)
from ballot.crypto.codec import (
    ballot_from_json,
)
from ballot.crypto.credential import credential_message
from ballot.crypto.elgamal import PublicKey
from ballot.crypto.errors import CryptoError
from ballot.crypto.group import RandomSource, production_group
from ballot.crypto.signature import verify as verify_signature
from ballot.protocol import context
from ballot.services import record
from ballot.services.errors import ServiceError
from ballot.services.meetings import members_count, present_count, procedure, rules_of
from ballot.services.queries import add_once, count_rows
from ballot.storage import models as m
from ballot.tally.model import Outcome

Db = sessionmaker[Session]
ISSUER_PURPOSE = "issuer-key"
MAX_BALLOT_JSON = 2_000_000
_issuer_cache: dict[str, blind_rsa.IssuerKey] = {}


def _crypto(err: CryptoError) -> ServiceError:
    return ServiceError(err.code, err.text.en, err.text.zh)


def round_id(meeting: m.Meeting, number: int) -> str:
    """The round's id in the protocol: every credential and proof names it."""
    return context.round_id(meeting.public_id, number)


# --- opening ---------------------------------------------------------------------------------


def open_meeting(
    db: Db,
    meeting_id: int,
    issuer: blind_rsa.IssuerKey,
    server_secret: str,
    rng: RandomSource,
    committee_public_key: bytes = b"",
    client: Mapping[str, str] | None = None,
) -> None:
    """Publish the meeting's issuer key (its private half sealed at rest) and the committee's
    Ed25519 public key that will sign the record's checkpoints, and open voting. `client`
    names the SHA-256 of each browser file that will handle keys and votes, so that auditors
    can compare what members ran with the published source."""
    with db.begin() as session:
        meeting = record.lock_meeting(session, meeting_id)
        if meeting.status != "ready":
            raise ServiceError(
                "not-ready",
                "record the key ceremony before opening the meeting",
                "请先完成密钥仪式再开会",
            )
        numbers = "|".join(format(x, "x") for x in (issuer.p, issuer.q, issuer.e, issuer.d))
        meeting.issuer_private_sealed = keystore.seal(
            numbers.encode(), server_secret, ISSUER_PURPOSE, rng
        ).to_json()
        meeting.issuer_public = blind_rsa.encode_public_key(issuer.public)
        meeting.status = "open"
        record.append(
            session,
            meeting.id,
            "meeting-opened",
            {
                "group": production_group().name,
                "issuer_key": meeting.issuer_public,
                "committee_key": committee_public_key.hex(),
                **({"client": dict(client)} if client else {}),
            },
        )


def _issuer(meeting: m.Meeting, server_secret: str) -> blind_rsa.IssuerKey:
    sealed = meeting.issuer_private_sealed or ""
    key = hashlib.sha256(sealed.encode()).hexdigest()
    if key not in _issuer_cache:
        raw = keystore.open_sealed(keystore.Sealed.from_json(sealed), server_secret, ISSUER_PURPOSE)
        p, q, e, d = (int(x, 16) for x in raw.decode().split("|"))
        _issuer_cache[key] = blind_rsa.issuer_key_from_numbers(p, q, e, d)
    return _issuer_cache[key]


# --- rounds ----------------------------------------------------------------------------------


def _start_round(session: Session, meeting: m.Meeting, allowed: tuple[str, ...]) -> Outcome:
    """What opening any round requires: the meeting open (or, for a motion, closed), no other
    round open, and a quorum (refused with the numbers). Returns the engine's view."""
    if meeting.status not in allowed:
        raise ServiceError(
            "meeting-not-open", "the meeting is not open for voting", "会议未开始投票"
        )
    if (
        session.scalar(
            select(m.Round).where(m.Round.meeting_id == meeting.id, m.Round.status == "open")
        )
        is not None
    ):
        raise ServiceError(
            "round-open", "a round is open: close it first", "有轮次正在进行：请先结束该轮"
        )
    outcome = procedure(session, meeting)
    if not outcome.quorum.met:
        q = outcome.quorum.reason
        raise ServiceError("no-quorum", q.en, q.zh)
    return outcome


def _add_round(
    session: Session,
    meeting: m.Meeting,
    outcome: Outcome,
    tier: str,
    kind: str,
    candidates: list[str],
    places: int,
    max_approvals: int,
    threshold: int | None,
) -> int:
    """Store the next round and record its opening, bound to the record's current head."""
    number = count_rows(session, m.Round, m.Round.meeting_id == meeting.id) + 1
    _, prev = record.head(session, meeting.id)
    session.add(
        m.Round(
            meeting_id=meeting.id,
            number=number,
            tier=tier,
            kind=kind,
            candidates=candidates,
            places=places,
            max_approvals=max_approvals,
            present_at_open=outcome.quorum.present,
            record=prev,
            threshold=threshold,
        )
    )
    record.append(
        session,
        meeting.id,
        "round-opened",
        {
            "round": number,
            "round_id": round_id(meeting, number),
            "tier": tier,
            "kind": kind,
            "candidates": candidates,
            "places": places,
            "max_approvals": max_approvals,
            "threshold": threshold,
            "members": outcome.quorum.members,
            "present": outcome.quorum.present,
            "quorum_needed": outcome.quorum.needed,
            "record": prev,
        },
    )
    return number


def open_round(db: Db, meeting_id: int) -> int:
    """Open the ballot the procedure asks for next; refused without a quorum (with the
    numbers), while another round is open, or when the procedure is complete."""
    with db.begin() as session:
        meeting = record.lock_meeting(session, meeting_id)
        outcome = _start_round(session, meeting, ("open",))
        nxt = outcome.next
        if nxt is None:
            raise ServiceError(
                "procedure-complete",
                "every tier is decided: no round to open",
                "各奖项均已确定：无需再投票",
            )
        return _add_round(
            session,
            meeting,
            outcome,
            nxt.tier,
            nxt.kind,
            list(nxt.candidates),
            nxt.places,
            nxt.max_approvals,
            outcome.next_threshold,
        )


def open_motion(db: Db, meeting_id: int, candidate: str) -> int:
    """A motion (复议): yes / no on one candidate, e.g. the review of an objection raised after
    publication (嘉兴 §三(四)3: it stays only with ≥ 1/2 of all members). Same ballots, same
    machinery; approve = yes, oppose = no. Needs a quorum; allowed after the meeting closed."""
    with db.begin() as session:
        meeting = record.lock_meeting(session, meeting_id)
        known = session.scalar(
            select(m.Candidate).where(
                m.Candidate.meeting_id == meeting.id, m.Candidate.name == candidate
            )
        )
        if known is None:
            raise ServiceError(
                "unknown-candidate",
                f"{candidate!r} is not on this meeting's slate",
                f"{candidate!r} 不在本次会议名单中",
            )
        outcome = _start_round(session, meeting, ("open", "closed"))
        rule = rules_of(meeting).threshold.get()
        base = {"members": outcome.quorum.members, "present": outcome.quorum.present}
        needed = (
            None
            if rule is None or rule.base not in base
            else rule.proportion.needed(base[rule.base])
        )
        return _add_round(session, meeting, outcome, "motion", "motion", [candidate], 1, 1, needed)


def _open_round(session: Session, meeting: m.Meeting, number: int) -> m.Round:
    rnd = session.scalar(
        select(m.Round).where(m.Round.meeting_id == meeting.id, m.Round.number == number)
    )
    if rnd is None:
        raise ServiceError("unknown-round", f"there is no round {number}", f"没有第 {number} 轮")
    if rnd.status != "open":
        raise ServiceError("round-closed", f"round {number} is closed", f"第 {number} 轮已结束")
    return rnd


def _hex_bytes(
    value: object, what: str, what_zh: str, size: int | None = None, most: int = 4096
) -> bytes:
    try:
        if not isinstance(value, str) or len(value) > 2 * most:
            raise ValueError
        data = bytes.fromhex(value)
    except ValueError:
        raise ServiceError("malformed", f"{what} must be hex", f"{what_zh}须为十六进制") from None
    if size is not None and len(data) != size:
        raise ServiceError(
            "malformed", f"{what} must be {size} bytes", f"{what_zh}须为 {size} 字节"
        )
    return data


# --- credentials -----------------------------------------------------------------------------


def issue_credential(
    db: Db,
    meeting_id: int,
    number: int,
    member_id: int,
    blinded_hex: str,
    server_secret: str,
    rng: RandomSource,
) -> str:
    """Blind-sign one credential for a member present in this round, once (发出选票)."""
    with db.begin() as session:
        meeting = record.lock_meeting(session, meeting_id)
        rnd = _open_round(session, meeting, number)
        member = session.get(m.Member, member_id)
        if member is None or member.committee_id != meeting.committee_id:
            raise ServiceError(
                "not-a-member",
                "this person is not a member of the committee",
                "此人不是本评委会委员",
            )
        present = session.scalar(
            select(m.Attendance.present).where(
                m.Attendance.meeting_id == meeting.id, m.Attendance.member_id == member.id
            )
        )
        if not present:
            raise ServiceError(
                "not-present",
                f"{member.name} is not checked in: check in first",
                f"{member.name} 未签到：请先签到",
            )
        issuer = _issuer(meeting, server_secret)
        blinded = _hex_bytes(
            blinded_hex, "the blinded credential", "盲化凭证", size=issuer.public.modulus_len
        )
        # one credential per member per round: the database decides, even for racing requests;
        # if signing then fails, the transaction rolls the issuance back
        add_once(
            session,
            [m.Issuance(round_id=rnd.id, member_id=member.id)],
            ServiceError(
                "already-issued",
                f"{member.name} already has a credential for round {number}",
                f"{member.name} 已领取第 {number} 轮凭证",
            ),
        )
        try:
            signature = blind_rsa.blind_sign(issuer, blinded, rng)
        except CryptoError as err:
            raise _crypto(err) from None
        record.append(
            session, meeting.id, "credential-issued", {"round": number, "member": member.name}
        )
        return signature.hex()


def register_credential(
    db: Db, meeting_id: int, number: int, public_key_hex: str, prepared_hex: str, signature_hex: str
) -> None:
    """Register an anonymous credential (a fresh request without a session: nothing here
    names the member). Published at the round's close, sorted, not in arrival order."""
    with db.begin() as session:
        meeting = record.lock_meeting(session, meeting_id)
        rnd = _open_round(session, meeting, number)
        public_key = _hex_bytes(public_key_hex, "the credential key", "凭证公钥", size=65)
        prepared = _hex_bytes(prepared_hex, "the credential", "凭证", most=1024)
        signature = _hex_bytes(signature_hex, "the credential signature", "凭证签名", most=1024)
        try:
            expected = credential_message(meeting.public_id, round_id(meeting, number), public_key)
        except CryptoError as err:
            raise _crypto(err) from None
        if prepared[blind_rsa.PREFIX_LEN :] != expected:
            raise ServiceError(
                "bad-credential",
                "the credential is not for this meeting, round and key",
                "该凭证不属于本会议、本轮次或此公钥",
            )
        issuer = blind_rsa.decode_public_key(meeting.issuer_public or {})
        if not blind_rsa.verify(issuer, prepared, signature):
            raise ServiceError(
                "bad-credential",
                "the credential is not signed by this meeting's issuer key",
                "该凭证未经本会议签发密钥签名",
            )
        issued = count_rows(session, m.Issuance, m.Issuance.round_id == rnd.id)
        registered = count_rows(session, m.Credential, m.Credential.round_id == rnd.id)
        if registered >= issued:
            raise ServiceError(
                "too-many-credentials",
                f"{issued} credentials were issued and {registered} are registered: no more can be",
                f"已发出凭证 {issued} 张、已登记 {registered} 张：不能再登记",
            )
        add_once(
            session,
            [
                m.Credential(
                    round_id=rnd.id,
                    public_key=public_key.hex(),
                    prepared=prepared.hex(),
                    signature=signature.hex(),
                )
            ],
            ServiceError(
                "credential-registered", "this credential is already registered", "该凭证已登记"
            ),
        )


# --- casting ---------------------------------------------------------------------------------


def ballot_context(meeting: m.Meeting, rnd: m.Round) -> BallotContext:
    return context.ballot_context(
        meeting.public_id, rnd.number, rnd.record, rnd.candidates, rnd.max_approvals
    )


def election_key(meeting: m.Meeting) -> PublicKey:
    group = production_group()
    return PublicKey(group, group.backend.mpz(int(meeting.joint_key or "0", 16)))


def cast_ballot(
    db: Db,
    meeting_id: int,
    number: int,
    ballot: Any,
    public_key_hex: str,
    signature_hex: str,
    rng: RandomSource,
) -> str:
    """Check everything about a ballot and store it; returns the tracker (回执) once stored.

    The slow checks (proofs, signature) run between two short transactions, so casts from a
    whole room proceed in parallel; the second transaction re-checks what could have changed
    (round still open, credential unused) and the database's unique constraint has the last
    word when two casts of one credential race."""
    public_key = _hex_bytes(public_key_hex, "the credential key", "凭证公钥", size=65)
    signature = _hex_bytes(signature_hex, "the ballot signature", "选票签名", size=64)
    with db.begin() as session:
        meeting = record.lock_meeting(session, meeting_id)
        rnd = _open_round(session, meeting, number)
        credential = _unused_credential(session, rnd, public_key)
        key = election_key(meeting)
        ctx = ballot_context(meeting, rnd)
    try:
        parsed = ballot_from_json(ballot)
        validate_ballot(key, ctx, parsed, rng)
        track = tracker(key, ctx, parsed)
        verify_signature(public_key, cast_message(track), signature)
    except CryptoError as err:
        raise _crypto(err) from None
    with db.begin() as session:
        meeting = record.lock_meeting(session, meeting_id)
        rnd = _open_round(session, meeting, number)
        credential = _unused_credential(session, rnd, public_key)
        add_once(
            session,
            [
                m.Ballot(
                    round_id=rnd.id,
                    credential_id=credential.id,
                    tracker=track.hex(),
                    body=ballot,
                    signature=signature.hex(),
                )
            ],
            _already_cast(),
        )
    return track.hex()


def _unused_credential(session: Session, rnd: m.Round, public_key: bytes) -> m.Credential:
    credential = session.scalar(
        select(m.Credential).where(
            m.Credential.round_id == rnd.id, m.Credential.public_key == public_key.hex()
        )
    )
    if credential is None:
        raise ServiceError(
            "unknown-credential",
            "this credential is not registered for this round",
            "该凭证未在本轮登记",
        )
    if session.scalar(select(m.Ballot.id).where(m.Ballot.credential_id == credential.id)):
        raise _already_cast()
    return credential


def _already_cast() -> ServiceError:
    return ServiceError(
        "already-cast", "this credential has already cast its ballot", "该凭证已投票"
    )


__all__ = [
    "cast_ballot",
    "issue_credential",
    "members_count",
    "open_meeting",
    "open_round",
    "present_count",
    "register_credential",
]
