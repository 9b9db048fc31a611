"""From the opening to stored ballots: the steps a meeting takes while members vote.

Each public function works in the caller's transaction (`session`, see `services.unit`) and
checks first, so a refusal changes nothing once the caller rolls back. `cast_ballot` alone
takes the session factory and commits before it returns, so a tracker handed to a member is
already durable.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from sqlalchemy import Select, bindparam, select
from sqlalchemy.orm import Session

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
from ballot.protocol import context, statements
from ballot.protocol.lifecycle import MeetingStatus, RoundStatus, advance_meeting
from ballot.services import member_keys, overview, presence, record
from ballot.services.chair import already, chair_of, signed_body
from ballot.services.errors import ServiceError
from ballot.services.hexes import hex_bytes
from ballot.services.meetings import (
    cancelled,
    confirmed_members,
    member_of,
    members_count,
    present_count,
    procedure,
    rules_of,
)
from ballot.services.queries import add_once, count_rows, insert_once
from ballot.services.runtime import wrong_secret
from ballot.services.unit import Db, reading, transaction
from ballot.storage import models as m
from ballot.tally.model import Outcome

ISSUER_PURPOSE = "issuer-key"
MAX_BALLOT_JSON = 2_000_000
_issuer_cache: dict[str, blind_rsa.IssuerKey] = {}


def _crypto(err: CryptoError) -> ServiceError:
    return ServiceError.of(err.code, err.text)


def round_id(meeting: m.Meeting, number: int) -> str:
    """The round's id in the protocol: every credential and proof names it."""
    return context.round_id(meeting.public_id, number)


# --- opening ---------------------------------------------------------------------------------


def open_meeting(
    session: Session,
    meeting_id: int,
    issuer: blind_rsa.IssuerKey,
    server_secret: str,
    rng: RandomSource,
    committee_public_key: bytes = b"",
    client: Mapping[str, str] | None = None,
    committee_key_sealed: str | None = None,
) -> None:
    """Publish the meeting's issuer key (its private half sealed at rest) and the committee's
    Ed25519 public key that will sign the record's checkpoints, and open voting. `client`
    names the SHA-256 of each browser file that will handle keys and votes, so that auditors
    can compare what members ran with the published source. `committee_key_sealed` is the
    signing key's private half sealed under the server secret, kept with the meeting (in the
    same transaction, so a request that loses the race to open it leaves no key behind)."""
    meeting = record.lock_meeting(session, meeting_id)
    if meeting.status != MeetingStatus.READY:
        raise ServiceError(
            "not-ready",
            en="record the key ceremony before opening the meeting",
            zh="请先完成密钥仪式再开会",
        )
    numbers = "|".join(format(x, "x") for x in (issuer.p, issuer.q, issuer.e, issuer.d))
    meeting.issuer_private_sealed = keystore.seal(
        numbers.encode(), server_secret, ISSUER_PURPOSE, rng
    ).to_json()
    meeting.issuer_public = blind_rsa.encode_public_key(issuer.public)
    meeting.committee_key_sealed = committee_key_sealed
    meeting.status = advance_meeting(meeting.status, MeetingStatus.OPEN)
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
        try:
            raw = keystore.open_sealed(
                keystore.Sealed.from_json(sealed), server_secret, ISSUER_PURPOSE
            )
        except CryptoError:
            raise wrong_secret() from None
        p, q, e, d = (int(x, 16) for x in raw.decode().split("|"))
        _issuer_cache[key] = blind_rsa.issuer_key_from_numbers(p, q, e, d)
    return _issuer_cache[key]


# --- rounds ----------------------------------------------------------------------------------


def _refusal(session: Session, meeting: m.Meeting, motion: bool) -> ServiceError | None:
    """Why no round (or, with `motion`, no motion) can be opened now, or None."""
    allowed = (MeetingStatus.CLOSED,) if motion else (MeetingStatus.OPEN,)
    if meeting.status not in allowed:
        if motion and meeting.status == MeetingStatus.OPEN:
            return ServiceError(
                "procedure-not-complete",
                en="A review vote is held on the published result: finish the procedure first.",
                zh="复议针对已公布的结果：请先完成评选程序。",
            )
        if meeting.status == MeetingStatus.CANCELLED:
            return cancelled()
        if meeting.status == MeetingStatus.CLOSED:
            return ServiceError(
                "meeting-not-open",
                en="Every tier is decided; the meeting is closed.",
                zh="各奖项均已确定，会议结束。",
            )
        return ServiceError(
            "meeting-not-open",
            en="The key ceremony is not finished: each scrutineer runs ballot ceremony on their "
            "own computer; the meeting opens by itself when all have.",
            zh="密钥仪式尚未完成：监票人须在各自电脑上运行 ballot ceremony，全部完成后会议自动开始。",
        )
    pending = session.scalars(
        select(m.Round)
        .where(
            m.Round.meeting_id == meeting.id,
            m.Round.status.in_((RoundStatus.OPEN, RoundStatus.CLOSED)),
        )
        .order_by(m.Round.number)
    ).first()
    if pending is not None and pending.status == RoundStatus.OPEN:
        return ServiceError(
            "round-open",
            en=f"Round {pending.number} is open: close it first.",
            zh=f"第 {pending.number} 轮正在投票：请先结束该轮。",
        )
    if pending is not None:
        return ServiceError(
            "round-waiting",
            en=f"Round {pending.number} is waiting for the scrutineers to decrypt.",
            zh=f"第 {pending.number} 轮等待监票人解密。",
        )
    outcome = procedure(session, meeting)
    if not outcome.quorum.met:
        return ServiceError.of("no-quorum", outcome.quorum.reason)
    if not motion and outcome.next is None:
        return ServiceError(
            "procedure-complete",
            en="Every tier is decided; the meeting is closed.",
            zh="各奖项均已确定，会议结束。",
        )
    return None


def opening_refusal(session: Session, meeting_id: int) -> ServiceError | None:
    """Why the chair cannot open the next round now, or None: the same reasons, in the same
    words, as `open_round` refuses with (the console shows it beside its disabled button)."""
    meeting = record.meeting(session, meeting_id)
    return _refusal(session, meeting, motion=False)


def _start_round(session: Session, meeting: m.Meeting, motion: bool) -> Outcome:
    """What opening any round requires: the meeting open (or, for a motion, closed), no other
    round open or waiting to be decrypted, a ballot the procedure asks for (not for a motion)
    and a quorum (refused with the numbers). Returns the engine's view."""
    refusal = _refusal(session, meeting, motion)
    if refusal is not None:
        raise refusal
    return procedure(session, meeting)


def _planned(
    session: Session,
    meeting: m.Meeting,
    outcome: Outcome,
    chair: m.Member,
    tier: str,
    kind: str,
    candidates: list[str],
    places: int,
    max_approvals: int,
    threshold: int | None,
) -> dict[str, Any]:
    """The next round's `round-opened` body, as the chair signs it (less its record position)."""
    number = count_rows(session, m.Round, m.Round.meeting_id == meeting.id) + 1
    return {
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
        "present_members": confirmed_members(session, meeting),
        "quorum_needed": outcome.quorum.needed,
        "chair": chair.name,
    }


def _next_round(
    session: Session, meeting: m.Meeting, chair: m.Member, motion: str | None
) -> tuple[Outcome, dict[str, Any]]:
    """The engine's view and the body of the round the chair would open now: the ballot the
    procedure asks for next, or a review vote on `motion`."""
    outcome = _start_round(session, meeting, motion=motion is not None)
    if motion is None:
        nxt = outcome.next
        assert nxt is not None  # refused by _start_round otherwise
        return outcome, _planned(
            session,
            meeting,
            outcome,
            chair,
            nxt.tier,
            nxt.kind,
            list(nxt.candidates),
            nxt.places,
            nxt.max_approvals,
            outcome.next_threshold,
        )
    winners = [c for names in outcome.result().values() for c in names]
    if motion not in winners:
        raise ServiceError(
            "not-a-winner",
            en=f"{motion!r} is not a winner the result names: a review vote is held only on "
            f"a published winner ({', '.join(winners) or 'none'})",
            zh=f"{motion!r} 不在结果名单中：复议只针对已公布的拟奖对象（{'、'.join(winners) or '无'}）",
        )
    rule = rules_of(meeting).review_threshold.get()
    base = {"members": outcome.quorum.members, "present": outcome.quorum.present}
    needed = (
        None if rule is None or rule.base not in base else rule.proportion.needed(base[rule.base])
    )
    return outcome, _planned(
        session, meeting, outcome, chair, "motion", "motion", [motion], 1, 1, needed
    )


def round_opening(
    session: Session, meeting_id: int, chair_id: int | None = None, motion: str | None = None
) -> dict[str, Any]:
    """What the chair signs to open the next round (or a review vote on `motion`): the
    `round-opened` body the record will keep, less its record position. Refused as
    `open_round` would be."""
    meeting = record.meeting(session, meeting_id)
    return _next_round(session, meeting, chair_of(session, meeting, chair_id), motion)[1]


def open_round(
    session: Session,
    meeting_id: int,
    chair_signature: object,
    seen: object = None,
    chair_id: int | None = None,
    motion: str | None = None,
) -> int:
    """Open the ballot the procedure asks for next (or, with `motion`, a review vote 复议 on
    one winner the published result names: 嘉兴 §三(四)3, it stays only with ≥ 1/2 of all
    members, else it leaves the result and its place is not refilled), on the chair's
    signature over `round_opening`'s body (`seen`: the body the chair was shown). Refused
    (`opening_refusal`) without a quorum (with the numbers), while another round is open or
    waits to be decrypted, when the procedure is complete (a motion: until it is)."""
    meeting = record.lock_meeting(session, meeting_id)
    done = already(session, meeting, "round-opened", chair_signature)
    if done is not None:  # (the answer to this very request was lost: it opened that round)
        return int(done["round"])
    chair = chair_of(session, meeting, chair_id)
    outcome, body = _next_round(session, meeting, chair, motion)
    signature = signed_body(session, meeting, chair, "round-opened", body, chair_signature, seen)
    _, prev = record.head(session, meeting.id)
    session.add(
        m.Round(
            meeting_id=meeting.id,
            number=body["round"],
            tier=body["tier"],
            kind=body["kind"],
            candidates=body["candidates"],
            places=body["places"],
            max_approvals=body["max_approvals"],
            present_at_open=outcome.quorum.present,
            record=prev,
            threshold=body["threshold"],
        )
    )
    record.append(
        session,
        meeting.id,
        "round-opened",
        {**body, "record": prev, "chair_signature": signature},
    )
    return int(body["round"])


def _open_round(session: Session, meeting: m.Meeting, number: int) -> m.Round:
    rnd = session.scalar(
        select(m.Round).where(m.Round.meeting_id == meeting.id, m.Round.number == number)
    )
    if rnd is None:
        raise ServiceError(
            "unknown-round", en=f"there is no round {number}", zh=f"没有第 {number} 轮"
        )
    if rnd.status != RoundStatus.OPEN:
        raise ServiceError(
            "round-closed", en=f"round {number} is closed", zh=f"第 {number} 轮已结束"
        )
    return rnd


# --- credentials -----------------------------------------------------------------------------


def issue_credential(
    session: Session,
    meeting_id: int,
    number: int,
    member_id: int,
    blinded_hex: object,
    signature_hex: object,
    server_secret: str,
    rng: RandomSource,
) -> str:
    """Blind-sign one credential for a member present in this round, once (发出选票), on a
    request the member's own key signed (docs/PROTOCOL.md §14): the record keeps the request
    and its signature, so a credential the issuer made without one is seen by anyone."""
    meeting = record.lock_meeting(session, meeting_id)
    rnd = _open_round(session, meeting, number)
    member = member_of(session, meeting, member_id)
    here = presence.of(session, meeting.id, member.id)
    if not here.checked_in:
        raise ServiceError(
            "not-present",
            en=f"{member.name} is not checked in: check in first",
            zh=f"{member.name} 未签到：请先签到",
        )
    if not here.confirmed:
        raise ServiceError(
            "not-confirmed",
            en=f"{member.name}'s device has not yet confirmed their presence: reload the page "
            "(it confirms by itself), or run ballot vote again",
            zh=f"{member.name} 的设备尚未确认到会：请刷新页面（页面会自动确认），或重新运行 ballot vote",
        )
    issuer = _issuer(meeting, server_secret)
    blinded = hex_bytes(
        blinded_hex, "the blinded credential", "盲化凭证", size=issuer.public.modulus_len
    )
    signature = hex_bytes(signature_hex, "the request's signature", "领取请求签名", size=64)
    key = member_keys.signing_key(session, meeting, member)
    try:
        statement = statements.issuance_request(
            meeting.public_id, member.name, round_id(meeting, number), blinded
        )
        verify_signature(key, statement, signature)
    except CryptoError:
        raise ServiceError(
            "bad-request-signature",
            en=f"the request is not signed by {member.name}'s member key for this round: "
            "reload the page (a device whose key was replaced must enrol again)",
            zh=f"该请求未由 {member.name} 的成员密钥为本轮签名：请刷新页面（密钥已更换的设备须重新登记）",
        ) from None
    request = hashlib.sha256(blinded).hexdigest()
    refusal = ServiceError(
        "already-issued",
        en=f"{member.name} already has a credential for round {number}",
        zh=f"{member.name} 已领取第 {number} 轮凭证",
    )
    earlier = session.scalar(
        select(m.Issuance).where(m.Issuance.round_id == rnd.id, m.Issuance.member_id == member.id)
    )
    reused = session.scalar(
        select(m.Issuance.id)
        .join(m.Round, m.Round.id == m.Issuance.round_id)
        .where(
            m.Round.meeting_id == meeting.id, m.Round.id != rnd.id, m.Issuance.request == request
        )
    )
    if reused is not None:  # a device makes a fresh one per round: this is a replay
        raise ServiceError(
            "already-issued",
            en="this blinded credential was already issued in another round: reload the page",
            zh="此盲化凭证已在另一轮领取：请刷新页面",
        )
    if earlier is not None:
        if earlier.request != request:
            raise refusal
        # the very request answered before, whose answer was lost: answer it again (the same
        # signature: blind RSA signing is deterministic), issuing nothing more; the record
        # keeps the first request's signature
        return _blind_sign(issuer, blinded, rng).hex()
    # one credential per member per round: the database decides, even for racing requests;
    # if signing then fails, the transaction rolls the issuance back
    add_once(session, [m.Issuance(round_id=rnd.id, member_id=member.id, request=request)], refusal)
    blind_signature = _blind_sign(issuer, blinded, rng)
    record.append(
        session,
        meeting.id,
        "credential-issued",
        {
            "round": number,
            "member": member.name,
            "blinded": blinded.hex(),
            "signature": signature.hex(),
        },
    )
    return blind_signature.hex()


def _blind_sign(issuer: blind_rsa.IssuerKey, blinded: bytes, rng: RandomSource) -> bytes:
    try:
        return blind_rsa.blind_sign(issuer, blinded, rng)
    except CryptoError as err:
        raise _crypto(err) from None


def register_credential(
    session: Session,
    meeting_id: int,
    number: int,
    public_key_hex: str,
    prepared_hex: str,
    signature_hex: str,
) -> None:
    """Register an anonymous credential (a fresh request without a session: nothing here
    names the member). Published at the round's close, sorted, not in arrival order."""
    meeting = record.lock_meeting(session, meeting_id)
    rnd = _open_round(session, meeting, number)
    public_key = hex_bytes(public_key_hex, "the credential key", "凭证公钥", size=65)
    prepared = hex_bytes(prepared_hex, "the credential", "凭证", most=1024)
    signature = hex_bytes(signature_hex, "the credential signature", "凭证签名", most=1024)
    try:
        expected = credential_message(meeting.public_id, round_id(meeting, number), public_key)
    except CryptoError as err:
        raise _crypto(err) from None
    if prepared[blind_rsa.PREFIX_LEN :] != expected:
        raise ServiceError(
            "bad-credential",
            en="the credential is not for this meeting, round and key",
            zh="该凭证不属于本会议、本轮次或此公钥",
        )
    issuer = blind_rsa.decode_public_key(meeting.issuer_public or {})
    if not blind_rsa.verify(issuer, prepared, signature):
        raise ServiceError(
            "bad-credential",
            en="the credential is not signed by this meeting's issuer key",
            zh="该凭证未经本会议签发密钥签名",
        )
    already = ServiceError(
        "credential-registered", en="this credential is already registered", zh="该凭证已登记"
    )
    if session.scalar(
        select(m.Credential.id).where(
            m.Credential.round_id == rnd.id, m.Credential.public_key == public_key.hex()
        )
    ):
        raise already  # a retry of a registration that landed: the page goes on to cast
    issued = count_rows(session, m.Issuance, m.Issuance.round_id == rnd.id)
    registered = count_rows(session, m.Credential, m.Credential.round_id == rnd.id)
    if registered >= issued:
        raise ServiceError(
            "too-many-credentials",
            en=f"{issued} credentials were issued and {registered} are registered: no more can be",
            zh=f"已发出凭证 {issued} 张、已登记 {registered} 张：不能再登记",
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
        already,
    )


# --- casting ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class BallotRound:
    """What a member's device needs to vote in a round: its ids, the candidates in ballot
    order, the approval limit, the record's hash the proofs are bound to and the keys."""

    meeting_id: int
    public_id: str
    number: int
    round_id: str
    tier: str
    kind: str
    candidates: list[str]
    places: int
    max_approvals: int
    record: str
    joint_key: str
    issuer_public: dict[str, Any]

    def context(self) -> BallotContext:
        return context.ballot_context(
            self.public_id, self.number, self.record, self.candidates, self.max_approvals
        )

    def election_key(self) -> PublicKey:
        return _election_key(self.joint_key or "0")

    def for_page(self) -> dict[str, Any]:
        """The round as the ballot page's module reads it."""
        return {
            "meeting": self.public_id,
            "number": self.number,
            "roundId": self.round_id,
            "tier": self.tier,
            "kind": self.kind,
            "candidates": list(self.candidates),
            "k": self.max_approvals,
            "places": self.places,
            "record": self.record,
            "key": self.joint_key,
            "issuer": self.issuer_public,
        }


def _ballot_round(meeting: m.Meeting, rnd: m.Round) -> BallotRound:
    return BallotRound(
        meeting.id,
        meeting.public_id,
        rnd.number,
        round_id(meeting, rnd.number),
        rnd.tier,
        rnd.kind,
        list(rnd.candidates),
        rnd.places,
        rnd.max_approvals,
        rnd.record,
        meeting.joint_key or "",
        dict(meeting.issuer_public or {}),
    )


def ballot_round(session: Session, meeting_id: int, number: int) -> BallotRound:
    """Round `number` of a meeting, as a member's device needs it."""
    meeting = record.meeting(session, meeting_id)
    rnd = session.scalar(
        select(m.Round).where(m.Round.meeting_id == meeting.id, m.Round.number == number)
    )
    if rnd is None:
        raise ServiceError(
            "unknown-round", en=f"there is no round {number}", zh=f"没有第 {number} 轮"
        )
    return _ballot_round(meeting, rnd)


def booth(session: Session, committee_id: int, member_id: int) -> dict[str, Any]:
    """What a member's ballot page shows: their committee's current meeting, whether they are
    checked in, and its open round (with whether their credential was issued)."""
    meeting_id = overview.current_meeting(session, committee_id)
    state: dict[str, Any] = {"meeting": None, "round": None}
    meeting = session.get(m.Meeting, meeting_id or 0)
    if meeting is None:
        return state
    state["meeting"] = {
        "public_id": meeting.public_id,
        "title": meeting.title,
        "status": str(meeting.status),
    }
    state["tier_names"] = overview.tier_names(meeting.profile_id)
    here = presence.of(session, meeting.id, member_id)
    state["present"] = here.checked_in
    state["presence"] = here.for_page()
    state["member_key"] = member_keys.enrolled_key(session, meeting.id, member_id)
    state["member_name"] = member_of(session, meeting, member_id).name
    rnd = session.scalar(
        select(m.Round).where(m.Round.meeting_id == meeting.id, m.Round.status == RoundStatus.OPEN)
    )
    if rnd is None:
        return state
    issued = session.scalar(
        select(m.Issuance.id).where(
            m.Issuance.round_id == rnd.id, m.Issuance.member_id == member_id
        )
    )
    state["issued"] = issued is not None
    state["round"] = _ballot_round(meeting, rnd).for_page()
    return state


def member_meeting(session: Session, committee_id: int, public_id: object) -> int:
    """The meeting a member asks for a credential in: it must be their committee's current
    one (a page left open on an old meeting is told to reload)."""
    meeting = session.get(m.Meeting, overview.current_meeting(session, committee_id) or 0)
    if meeting is None or meeting.public_id != public_id:
        raise ServiceError(
            "unknown-meeting",
            en="this ballot is not for your committee's current meeting: reload the page",
            zh="此选票不属于您所在评委会的当前会议：请刷新页面",
        )
    return meeting.id


def ballot_context(meeting: m.Meeting, rnd: m.Round) -> BallotContext:
    return context.ballot_context(
        meeting.public_id, rnd.number, rnd.record, rnd.candidates, rnd.max_approvals
    )


def election_key(meeting: m.Meeting) -> PublicKey:
    return _election_key(meeting.joint_key or "0")


@lru_cache(maxsize=16)
def _election_key(joint_hex: str) -> PublicKey:
    """The joint key, parsed once per process and key (the ceremony's checked transcript gave
    it). Validating a ballot needs no table of its powers; the 4 MiB table is built only if
    this process encrypts under it (the demo), once however many threads ask."""
    group = production_group()
    return PublicKey(group, group.received_hex(joint_hex))


def cast_ballot(
    db: Db,
    meeting_ref: int | str,
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
    word when two casts of one credential race. `meeting_ref`: the meeting's row id, or the
    public id the member's page sends (looked up in the first transaction).

    When all is well each transaction is a few prepared statements over the columns the cast
    needs (no rows loaded as objects): a room casting at once spends its CPU on the proofs."""
    public_key = hex_bytes(public_key_hex, "the credential key", "凭证公钥", size=65)
    signature = hex_bytes(signature_hex, "the ballot signature", "选票签名", size=64)
    with reading(db) as session:  # (no lock: the second transaction checks again under it)
        state = _cast_state(session, meeting_ref, number, public_key)
    key = _election_key(state.joint_key)
    try:
        parsed = ballot_from_json(ballot)
        validate_ballot(key, state.context, parsed, rng)
        track = tracker(key, state.context, parsed)
        verify_signature(public_key, cast_message(track), signature)
    except CryptoError as err:
        raise _crypto(err) from None
    with transaction(db) as session:
        # the lock first, then the checks: a statement begun after the lock is granted sees a
        # close committed while this cast waited (one begun before would not, in PostgreSQL:
        # its snapshot predates the wait, though the row it locks is re-read)
        record.lock_meeting_only(session, state.meeting_id)
        again = _cast_state(session, state.meeting_id, number, public_key)
        row = {
            "id": m.random_id(),
            "round_id": again.round_id,
            "credential_id": again.credential_id,
            "tracker": track.hex(),
            "body": ballot,
            "signature": signature.hex(),
        }
        insert_once(session, m.Ballot, row, _already_cast())  # (a racing cast committed first)
    return track.hex()


@dataclass(frozen=True)
class _CastState:
    meeting_id: int
    joint_key: str
    round_id: int
    credential_id: int
    context: BallotContext


def _cast_columns() -> Select[Any]:
    return (
        select(
            m.Meeting.id,
            m.Meeting.public_id,
            m.Meeting.joint_key,
            m.Round.id,
            m.Round.status,
            m.Round.record,
            m.Round.candidates,
            m.Round.max_approvals,
            m.Credential.id,
            m.Ballot.id,
        )
        .join(
            m.Round, (m.Round.meeting_id == m.Meeting.id) & (m.Round.number == bindparam("number"))
        )
        .join(
            m.Credential,
            (m.Credential.round_id == m.Round.id) & (m.Credential.public_key == bindparam("key")),
        )
        .outerjoin(m.Ballot, m.Ballot.credential_id == m.Credential.id)
    )


# built once: each cast binds its values (the statements' compiled forms are cached)
_CAST_BY_ID = _cast_columns().where(m.Meeting.id == bindparam("meeting"))
_CAST_BY_PUBLIC_ID = _cast_columns().where(m.Meeting.public_id == bindparam("meeting"))


def _cast_state(
    session: Session, meeting_ref: int | str, number: int, public_key: bytes
) -> _CastState:
    """The meeting, its open round `number` and the credential, unused. When all is well that
    is one query; otherwise the checks one by one say what is wrong."""
    query = _CAST_BY_ID if isinstance(meeting_ref, int) else _CAST_BY_PUBLIC_ID
    found = session.execute(
        query, {"meeting": meeting_ref, "number": number, "key": public_key.hex()}
    ).first()
    if found is not None and found[4] == RoundStatus.OPEN and found[9] is None:
        meeting_id, public_id, joint, round_id, _, record_hash, names, k, credential_id, _ = found
        return _CastState(
            meeting_id,
            joint or "0",
            round_id,
            credential_id,
            context.ballot_context(public_id, number, record_hash, names, k),
        )
    if isinstance(meeting_ref, int):
        meeting = record.meeting(session, meeting_ref)
    else:
        meeting = record.meeting_by_public_id(session, meeting_ref)
    rnd = _open_round(session, meeting, number)
    credential = _unused_credential(session, rnd, public_key)
    # (all is well after all: registered between the two statements)
    return _CastState(
        meeting.id, meeting.joint_key or "0", rnd.id, credential.id, ballot_context(meeting, rnd)
    )


def _unused_credential(session: Session, rnd: m.Round, public_key: bytes) -> m.Credential:
    found = session.execute(  # (one query: the credential and whether it has cast)
        select(m.Credential, m.Ballot.id)
        .outerjoin(m.Ballot, m.Ballot.credential_id == m.Credential.id)
        .where(m.Credential.round_id == rnd.id, m.Credential.public_key == public_key.hex())
    ).first()
    if found is None:
        raise ServiceError(
            "unknown-credential",
            en="this credential is not registered for this round",
            zh="该凭证未在本轮登记",
        )
    credential, cast = found
    if cast is not None:
        raise _already_cast()
    return credential


def _already_cast() -> ServiceError:
    return ServiceError(
        "already-cast", en="this credential has already cast its ballot", zh="该凭证已投票"
    )


__all__ = [
    "cast_ballot",
    "issue_credential",
    "members_count",
    "open_meeting",
    "open_round",
    "present_count",
    "register_credential",
    "round_opening",
]
