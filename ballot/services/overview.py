"""What the chair's console, the projector and the public pages show about a meeting: read
only, from the database and the record. Never anything about who cast which ballot."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from ballot.crypto.group import production_group
from ballot.language.text import Text
from ballot.language.vocabulary import MOTION
from ballot.protocol.context import ceremony_id
from ballot.protocol.fingerprint import election_key_fingerprint
from ballot.protocol.lifecycle import MeetingStatus, RoundStatus
from ballot.services import record
from ballot.services.errors import ServiceError
from ballot.services.meetings import members_count, present_count, procedure
from ballot.services.queries import count_rows
from ballot.storage import models as m
from ballot.tally.profiles import load_profile
from ballot.tally.report import outcome as outcome_json


@dataclass
class RoundView:
    number: int
    tier: str
    kind: str
    candidates: list[str]
    places: int
    max_approvals: int
    threshold: int | None
    status: str  # open | closed | void | counted
    present_at_open: int
    present_at_close: int | None
    issued: int
    registered: int
    returned: int
    scrutineers_sent: list[int]
    counts: dict[str, dict[str, int]] | None = None  # candidate -> approve/oppose/abstain
    decision: dict[str, Any] | None = None  # the engine's report of this round
    void_reason: dict[str, str] | None = None  # {"zh", "en"}
    signoff: list[dict[str, Any]] = field(default_factory=list)  # decryption-share events


@dataclass
class MeetingView:
    id: int
    public_id: str
    title: str
    committee: str
    status: str
    members: list[dict[str, Any]]
    member_count: int
    present: int
    quorum: dict[str, Any]
    rounds: list[RoundView]
    next: dict[str, Any] | None
    complete: bool
    result: dict[str, list[str]]
    tiers: list[dict[str, Any]]
    head: str
    events: int
    k: int | None
    n: int | None
    scrutineers: dict[int, str]
    tier_names: dict[str, Text]  # the regulation's own names (its profile), and the motion
    # the election key's fingerprint (protocol/fingerprint.py), once the ceremony is recorded
    fingerprint: str | None = None
    created: datetime | None = None  # when the office set the meeting up (the printed date)

    @property
    def unconfirmed(self) -> list[str]:
        """Checked in by the chair, not yet confirmed by their own device (not counted)."""
        return [x["name"] for x in self.members if x["present"] and not x["confirmed"]]

    @property
    def open_round(self) -> RoundView | None:
        return next((r for r in self.rounds if r.status == RoundStatus.OPEN), None)

    @property
    def waiting_round(self) -> RoundView | None:
        return next((r for r in self.rounds if r.status == RoundStatus.CLOSED), None)


def meeting_by_public_id(session: Session, public_id: str) -> int:
    return record.meeting_by_public_id(session, public_id).id


def meeting_view(session: Session, meeting_id: int) -> MeetingView:
    meeting = record.meeting(session, meeting_id)
    committee = session.get(m.Committee, meeting.committee_id)
    attendance = {
        member_id: confirmed
        for member_id, confirmed in session.execute(
            select(m.Attendance.member_id, m.Attendance.confirmed).where(
                m.Attendance.meeting_id == meeting.id, m.Attendance.present.is_(True)
            )
        )
    }
    members = [
        {
            "id": x.id,
            "name": x.name,
            "role": x.role,
            "present": x.id in attendance,
            "confirmed": attendance.get(x.id, False),
        }
        for x in session.scalars(
            select(m.Member)
            .where(m.Member.committee_id == meeting.committee_id)
            .order_by(m.Member.id)
        )
    ]
    outcome = outcome_json(procedure(session, meeting))
    decisions = {d["round"]: d for d in outcome["rounds"]}
    events = record.events(
        session,
        meeting.id,
        ("decryption-shares", "decision", "motion-decision", "round-closed", "ceremony"),
    )
    signoffs: dict[int, list[dict[str, Any]]] = {}
    decided: dict[int, dict[str, Any]] = {}
    void: dict[int, dict[str, str]] = {}
    ceremony_event: dict[str, Any] = {}
    for e in events:
        body = e["body"]
        if e["kind"] == "decryption-shares":
            signoffs.setdefault(body["round"], []).append(
                {"scrutineer": body["scrutineer"], "event": e["seq"], "hash": e["hash"]}
            )
        elif e["kind"] == "decision":
            decided[body["round"]] = body["decision"]
        elif e["kind"] == "motion-decision":
            decided[body["round"]] = body
        elif e["kind"] == "round-closed" and body.get("void"):
            reason = body.get("reason") or ""
            # (a record written before reasons were bilingual holds one English string)
            void[body["round"]] = (
                reason if isinstance(reason, dict) else {"zh": reason, "en": reason}
            )
        elif e["kind"] == "ceremony":
            ceremony_event = body
    scrutineers = {
        s.index: s.name
        for s in session.scalars(select(m.Scrutineer).where(m.Scrutineer.meeting_id == meeting.id))
    }
    rounds = []
    for r in session.scalars(
        select(m.Round).where(m.Round.meeting_id == meeting.id).order_by(m.Round.number)
    ):
        c = r.counts or {}
        counts = None
        if r.status == RoundStatus.COUNTED:
            counts = {
                name: {o: int(c.get(o, {}).get(name, 0)) for o in ("approve", "oppose", "abstain")}
                for name in r.candidates
            }
        ballots = count_rows(session, m.Ballot, m.Ballot.round_id == r.id)
        rounds.append(
            RoundView(
                number=r.number,
                tier=r.tier,
                kind=r.kind,
                candidates=list(r.candidates),
                places=r.places,
                max_approvals=r.max_approvals,
                threshold=r.threshold,
                status=r.status,
                present_at_open=r.present_at_open,
                present_at_close=r.present_at_close,
                issued=count_rows(session, m.Issuance, m.Issuance.round_id == r.id),
                registered=count_rows(session, m.Credential, m.Credential.round_id == r.id),
                returned=int(c.get("ballots", ballots)),
                scrutineers_sent=sorted(
                    session.scalars(
                        select(m.DecryptionShareRow.scrutineer_index).where(
                            m.DecryptionShareRow.round_id == r.id
                        )
                    )
                ),
                counts=counts,
                decision=decided.get(r.number) or decisions.get(r.number),
                void_reason=void.get(r.number),
                signoff=signoffs.get(r.number, []),
            )
        )
    seq, head = record.head(session, meeting.id)
    return MeetingView(
        id=meeting.id,
        public_id=meeting.public_id,
        title=meeting.title,
        committee=committee.name if committee else "",
        status=meeting.status,
        members=members,
        member_count=members_count(session, meeting),
        present=present_count(session, meeting),
        quorum=outcome["quorum"] | {"met": outcome["quorum_met"]},
        rounds=rounds,
        next=outcome["next"],
        complete=outcome["complete"],
        result=outcome["result"],
        tiers=outcome["tiers"],
        head=head,
        events=seq,  # (head gives the next sequence number: the count of events so far)
        k=ceremony_event.get("k"),
        n=ceremony_event.get("n"),
        scrutineers=scrutineers,
        tier_names=tier_names(meeting.profile_id),
        fingerprint=_fingerprint(meeting.public_id, ceremony_event),
        created=meeting.created_at,
    )


def _fingerprint(public_id: str, ceremony_event: dict[str, Any]) -> str | None:
    if not ceremony_event:
        return None
    group = production_group()
    return election_key_fingerprint(
        group,
        bytes.fromhex(ceremony_event["transcript_digest"]),
        int(ceremony_event["joint_key"], 16),
    )


def ceremony_transcript(session: Session, meeting_id: int) -> dict[str, Any]:
    """The recorded key ceremony, as a member's device or a scrutineer re-derives the election
    key and its fingerprint from it: the threshold, every commitment message, the digest, the
    joint key and the fingerprint (the last three are the server's word; the device recomputes
    them)."""
    meeting = record.meeting(session, meeting_id)
    found = record.events(session, meeting.id, ("ceremony",))
    if not found:
        raise ServiceError(
            "no-ceremony",
            en="this meeting's key ceremony is not recorded yet",
            zh="本会议的密钥仪式尚未记录",
        )
    body = found[0]["body"]
    return {
        "meeting": meeting.public_id,
        "ceremonyId": ceremony_id(meeting.public_id),
        "k": body["k"],
        "n": body["n"],
        "messages": body["messages"],
        "transcript_digest": body["transcript_digest"],
        "joint_key": body["joint_key"],
        "fingerprint": _fingerprint(meeting.public_id, body),
    }


def tier_names(profile_id: str) -> dict[str, Text]:
    """The tiers' names as the meeting's regulation writes them, e.g. Chongqing's
    市长质量管理奖, and the motion's."""
    names = {t.id: t.name for t in load_profile(profile_id).tiers}
    return names | {"motion": MOTION}


def current_meeting(session: Session, committee_id: int) -> int | None:
    """The committee's meeting a member's or chair's pages are about: the newest one not
    cancelled (or, if every one is, the newest)."""
    cancelled = m.Meeting.status == MeetingStatus.CANCELLED.value
    return session.scalar(
        select(m.Meeting.id)
        .where(m.Meeting.committee_id == committee_id)
        .order_by(cancelled.asc(), m.Meeting.id.desc())
        .limit(1)
    )


def all_meetings(session: Session) -> list[dict[str, Any]]:
    """Every meeting, newest first; `cancellable` while no round has been opened."""
    held = set(session.scalars(select(m.Round.meeting_id).distinct()))
    return [
        {
            "id": x.id,
            "public_id": x.public_id,
            "title": x.title,
            "status": x.status,
            "cancellable": x.id not in held
            and x.status not in (MeetingStatus.CLOSED, MeetingStatus.CANCELLED),
        }
        for x in session.scalars(select(m.Meeting).order_by(m.Meeting.id.desc()))
    ]


def find_tracker(session: Session, meeting_id: int, tracker_hex: str) -> dict[str, Any] | None:
    """Where a ballot with this tracker is: received (round still open) or published in the
    record (with the event's position and hash)."""
    row = session.scalar(select(m.Ballot).where(m.Ballot.tracker == tracker_hex))
    if row is None:
        return None
    rnd = session.get(m.Round, row.round_id)
    if rnd is None or rnd.meeting_id != meeting_id:
        return None
    if rnd.status == RoundStatus.OPEN:
        return {"round": rnd.number, "published": False}
    for e in record.events(session, meeting_id, ("ballot",)):
        if e["body"].get("tracker") == tracker_hex:
            return {
                "round": rnd.number,
                "published": True,
                "event": e["seq"],
                "hash": e["hash"],
            }
    return {"round": rnd.number, "published": False}


def received_ballots(session: Session, meeting_id: int, number: int) -> dict[str, Any]:
    """Round `number`'s ballots received so far, sorted by tracker (never in arrival order),
    for the scrutineers' pages to validate while the round is open, so that at its close only
    the last few are left to check. Each is the tracker and the encrypted ballot: what the
    record will publish at the close, less the credential and its signature."""
    rnd = session.scalar(
        select(m.Round).where(m.Round.meeting_id == meeting_id, m.Round.number == number)
    )
    if rnd is None:
        raise ServiceError(
            "unknown-round", en=f"there is no round {number}", zh=f"没有第 {number} 轮"
        )
    rows = session.execute(
        select(m.Ballot.tracker, m.Ballot.body)
        .where(m.Ballot.round_id == rnd.id)
        .order_by(m.Ballot.tracker)
    ).all()
    return {
        "round": number,
        "status": rnd.status,
        "ballots": [{"tracker": t, "ballot": b} for t, b in rows],
    }


def committee_meeting(session: Session, meeting_id: int, committee_id: int | None) -> int:
    """A meeting the chair of `committee_id` may run: only their own committee's."""
    meeting = record.meeting(session, meeting_id)
    if meeting.committee_id != committee_id:
        raise ServiceError(
            "forbidden",
            en="this meeting is another committee's: log in with your own committee's code",
            zh="此会议属于其他评委会：请用本评委会的访问码登录",
        )
    return meeting_id


def scrutineer_rounds(session: Session, meeting_id: int, index: int) -> dict[str, Any]:
    """What scrutineer `index`'s page needs at the meeting: every round, who has sent shares,
    and for each closed round the record's hash and the encrypted totals to decrypt (never a
    single ballot)."""
    view = meeting_view(session, meeting_id)
    closed = {
        r.number: r
        for r in session.scalars(
            select(m.Round).where(
                m.Round.meeting_id == view.id, m.Round.status == RoundStatus.CLOSED
            )
        )
    }
    rounds = []
    for r in view.rounds:
        entry: dict[str, Any] = {
            "number": r.number,
            "status": r.status,
            "sent": r.scrutineers_sent,
            "mine": index in r.scrutineers_sent,
        }
        if r.number in closed:
            entry["record"] = closed[r.number].record
            entry["aggregates"] = (closed[r.number].counts or {}).get("aggregates", [])
        rounds.append(entry)
    return {
        "meeting": view.public_id,
        "status": view.status,
        "title": view.title,
        "ceremony": {
            "ceremonyId": ceremony_id(view.public_id),
            "k": view.k,
            "n": view.n,
            "index": index,
        },
        "scrutineers": view.scrutineers,
        "rounds": rounds,
    }
