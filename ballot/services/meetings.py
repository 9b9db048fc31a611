"""Committees, meetings, attendance and rounds: the chair's procedure, driven by the engine.

Every change is checked first and refused with the numbers ("9 of 15 present; ≥ 2/3 needs
10") when the rules do not allow it; an accepted change is appended to the record in the same
transaction.
"""

from __future__ import annotations

import csv
import io
import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from ballot.language import vocabulary
from ballot.language.text import invisible_problem
from ballot.protocol.lifecycle import MeetingStatus, RoundStatus, advance_meeting
from ballot.services import record
from ballot.services.errors import ServiceError
from ballot.services.queries import count_rows
from ballot.storage import models as m
from ballot.tally import engine as tally_engine
from ballot.tally.errors import TallyError
from ballot.tally.model import Candidate as TallyCandidate
from ballot.tally.model import Counts, MotionCounts, Outcome
from ballot.tally.model import Meeting as TallyMeeting
from ballot.tally.profile import Profile, check_lists, check_outside_cap, resolve
from ballot.tally.profiles import load_profile
from ballot.tally.rules import Rules
from ballot.tally.scenario import parse_candidates

ROLES = ("member", "chair")
# what a roster's role column may say, in either language
ROLE_WORDS = {w: role for role in ROLES for w in (role, vocabulary.ROLES[role].zh)}
MAX_MEMBERS = 200
# a ballot of 160 candidates encrypts to about 2.08 MB, near the 2 MiB a request may carry
MAX_CANDIDATES = 150


def shown_text(text: str, limit: int = 200) -> bool:
    """A name, title or reason people will read: not blank, at most `limit` characters and
    nothing invisible (which would let two names look the same)."""
    return bool(text.strip()) and len(text) <= limit and invisible_problem(text) is None


def _refuse_tally(err: TallyError) -> ServiceError:
    return ServiceError.of("invalid-rules", err.text)


def parse_roster(text: str) -> list[tuple[str, str]]:
    """A roster CSV: a header naming `name` (姓名) and optionally `role` (角色: member 委员 /
    chair 主任), then one row per member."""
    try:
        numbered = [  # (the sheet's own row numbers, blank rows skipped)
            (n, r)
            for n, r in enumerate(csv.reader(io.StringIO(text)), start=1)
            if any(c.strip() for c in r)
        ]
    except csv.Error as err:
        raise ServiceError(
            "bad-roster",
            en=f"the roster is not a readable CSV ({err}): one member per line, name[,role]",
            zh=f"名单不是可读的 CSV（{err}）：每行一名委员，姓名[,角色]",
        ) from None
    if not numbered:
        raise ServiceError("bad-roster", en="the roster is empty", zh="名单为空")
    header = [c.strip().lower() for c in numbered[0][1]]
    names = {"name": "name", "姓名": "name", "role": "role", "角色": "role"}
    cols = [names.get(c) for c in header]
    if "name" not in cols or any(c is None for c in cols):
        raise ServiceError(
            "bad-roster",
            en="the roster header must be: name[,role]",
            zh="名单表头须为：姓名[,角色]",
        )
    out: list[tuple[str, str]] = []
    seen: set[str] = set()
    for number, row in numbered[1:]:
        if len(row) != len(cols):
            raise ServiceError(
                "bad-roster",
                en=f"roster line {number} has {len(row)} cells",
                zh=f"名单第 {number} 行有 {len(row)} 格",
            )
        cells = dict(zip(cols, (c.strip() for c in row), strict=True))
        name = cells["name"] or ""
        role = ROLE_WORDS.get((cells.get("role") or "member").lower())
        if not name or len(name) > 200:
            raise ServiceError(
                "bad-roster",
                en=f"roster line {number}: a name is needed",
                zh=f"名单第 {number} 行：须有姓名",
            )
        if role is None:
            raise ServiceError(
                "bad-roster",
                en=f"roster line {number}: role is member or chair",
                zh=f"名单第 {number} 行：角色须为 委员 或 主任",
            )
        problem = invisible_problem(name)
        if problem is not None:
            raise ServiceError(
                "bad-roster",
                en=f"roster line {number}: {problem.en}",
                zh=f"名单第 {number} 行：{problem.zh}",
            )
        if name in seen:
            raise ServiceError(
                "bad-roster",
                en=f"roster line {number}: {name} is listed twice",
                zh=f"名单第 {number} 行：{name} 重复",
            )
        seen.add(name)
        out.append((name, role))
    if not out or len(out) > MAX_MEMBERS:
        raise ServiceError(
            "bad-roster",
            en=f"a roster has 1 to {MAX_MEMBERS} members",
            zh=f"名单须有 1 至 {MAX_MEMBERS} 人",
        )
    if not any(role == "chair" for _, role in out):
        raise ServiceError(
            "bad-roster",
            en="the roster names no chair: mark the member who runs the meeting as chair "
            "(role column: chair or 主任)",
            zh="名单中没有主任：请在角色一栏将主持会议的委员标为 主任",
        )
    return out


def create_committee(
    session: Session, name: str, roster: list[tuple[str, str]], now: datetime
) -> int:
    """A committee with its roster; returns its id."""
    if not shown_text(name):
        raise ServiceError(
            "bad-committee",
            en="a committee needs a name of at most 200 visible characters",
            zh="评委会须有名称（不超过 200 个可见字符）",
        )
    if session.scalar(select(m.Committee).where(m.Committee.name == name)) is not None:
        raise ServiceError(
            "duplicate-committee",
            en=f"a committee named {name} exists already",
            zh=f"评委会 {name} 已存在",
        )
    committee = m.Committee(name=name, created_at=now)
    session.add(committee)
    session.flush()
    session.add_all(m.Member(committee_id=committee.id, name=n, role=r) for n, r in roster)
    session.flush()
    return committee.id


def checked_slate(
    slate: dict[str, Any],
) -> tuple[Profile, dict[str, Any], tuple[TallyCandidate, ...], tuple[TallyCandidate, ...]]:
    """The slate's profile, rules, candidates and other organisations, once every check a
    meeting needs has passed (the office's preview runs them before anything is stored)."""
    unknown = set(slate) - {"profile", "candidates", "others", "rules"}
    if unknown:
        raise ServiceError(
            "bad-slate",
            en=f"unknown key {sorted(unknown)[0]!r} in the slate",
            zh=f"候选名单中有未知字段 {sorted(unknown)[0]!r}",
        )
    try:
        profile = load_profile(str(slate.get("profile")))
        rules = dict(slate.get("rules") or {})
        resolved = resolve(profile, rules)
        for setting in resolved.settings():  # every setting the meeting will use is decided now
            setting.get()
        seen: set[str] = set()
        candidates = parse_candidates(slate.get("candidates"), "candidates", seen)
        others = parse_candidates(slate.get("others", []), "others", seen)
        check_outside_cap(profile, candidates + others)
        check_lists(profile, resolved, candidates, others)
    except TallyError as err:
        raise _refuse_tally(err) from None
    if not candidates:
        raise ServiceError("bad-slate", en="the slate is empty", zh="候选名单为空")
    if len(candidates) + len(others) > MAX_CANDIDATES:
        raise ServiceError(
            "bad-slate",
            en=f"{len(candidates) + len(others)} candidates and other organisations: a ballot "
            f"can hold at most {MAX_CANDIDATES} (its encryption must fit one request)",
            zh=f"候选组织及其他组织共 {len(candidates) + len(others)} 个：一张选票最多容纳 "
            f"{MAX_CANDIDATES} 个（加密后须能在一次请求中提交）",
        )
    return profile, rules, candidates, others


def create_meeting(
    session: Session, committee_id: int, title: str, slate: dict[str, Any], now: datetime
) -> int:
    """A meeting on a slate: {"profile", "candidates", "others"?, "rules"?} as `ballot replay`
    reads them; the rules are checked now, so no meeting starts with rules the engine refuses."""
    committee = session.get(m.Committee, committee_id)
    if committee is None:
        raise ServiceError("unknown-committee", en="no such committee", zh="无此评委会")
    if not shown_text(title):
        raise ServiceError(
            "bad-title",
            en="a meeting needs a title of at most 200 visible characters",
            zh="会议须有标题（不超过 200 个可见字符）",
        )
    profile, rules, candidates, others = checked_slate(slate)
    meeting = m.Meeting(
        public_id=uuid.uuid4().hex,
        committee_id=committee_id,
        title=title,
        profile_id=profile.id,
        rules=rules,
        created_at=now,
    )
    session.add(meeting)
    session.flush()
    for position, (c, other) in enumerate(
        [(c, False) for c in candidates] + [(c, True) for c in others]
    ):
        session.add(
            m.Candidate(
                meeting_id=meeting.id,
                name=c.name,
                position=position,
                other=other,
                outside_cap=sorted(c.outside_cap),
                list_tier=c.listed,
            )
        )
    members = session.scalars(
        select(m.Member).where(m.Member.committee_id == committee_id).order_by(m.Member.id)
    ).all()
    record.lock_meeting(session, meeting.id)
    record.append(
        session,
        meeting.id,
        "meeting-created",
        {
            "meeting": meeting.public_id,
            "committee": committee.name,
            "title": title,
            "profile": profile.id,
            "rules": rules,
            "members": [{"name": x.name, "role": x.role} for x in members],
            "candidates": [candidate_entry(c) for c in candidates],
            "others": [c.name for c in others],
        },
    )
    return meeting.id


def candidate_entry(c: TallyCandidate) -> dict[str, Any]:
    """A slate candidate as the record's manifest names it; "list" only where the regulation
    gives each tier its own list, so a record of a one-slate meeting keeps its shape."""
    entry: dict[str, Any] = {"name": c.name, "outside_cap": sorted(c.outside_cap)}
    if c.listed is not None:
        entry["list"] = c.listed
    return entry


def cancelled() -> ServiceError:
    """The refusal of anything asked of a cancelled meeting."""
    return ServiceError(
        "meeting-cancelled",
        en="the office cancelled this meeting: nothing more happens in it",
        zh="会务组已取消此会议：此会议不再进行任何事项",
    )


def cancel_meeting(session: Session, meeting_id: int, reason: str) -> None:
    """Cancel a meeting set up by mistake (wrong roster, slate or scrutineers), before any
    round: its status becomes `cancelled` and its record says so and why. A meeting in which a
    round was opened is never cancelled: its record stands."""
    reason = reason.strip()
    if not shown_text(reason):
        raise ServiceError(
            "bad-reason",
            en="say why the meeting is cancelled (at most 200 visible characters): the record "
            "keeps it",
            zh="请写明取消会议的原因（不超过 200 个可见字符）：记录将保存此原因",
        )
    meeting = record.lock_meeting(session, meeting_id)
    if meeting.status == MeetingStatus.CANCELLED:
        raise cancelled()
    held = count_rows(session, m.Round, m.Round.meeting_id == meeting.id)
    if held or meeting.status == MeetingStatus.CLOSED:
        raise ServiceError(
            "meeting-under-way",
            en=f"{held} round(s) of this meeting have been opened: a meeting with votes is not "
            "cancelled, its record stands; create a new meeting for what comes next",
            zh=f"此会议已开启 {held} 轮投票：已有投票的会议不能取消，其记录保留；后续事项请新建会议",
        )
    meeting.status = advance_meeting(meeting.status, MeetingStatus.CANCELLED)
    record.append(session, meeting.id, "meeting-cancelled", {"by": "office", "reason": reason})


def title_of(session: Session, meeting_id: int) -> str:
    return record.meeting(session, meeting_id).title


def public_id(session: Session, meeting_id: int) -> str:
    """The meeting's id in the protocol and the record."""
    return record.meeting(session, meeting_id).public_id


def member_ids(session: Session, committee_id: int) -> list[int]:
    """The committee's members in roster order."""
    return list(
        session.scalars(
            select(m.Member.id).where(m.Member.committee_id == committee_id).order_by(m.Member.id)
        )
    )


# --- the engine's view of a meeting ----------------------------------------------------------


def members_count(session: Session, meeting: m.Meeting) -> int:
    return count_rows(session, m.Member, m.Member.committee_id == meeting.committee_id)


def present_count(session: Session, meeting: m.Meeting) -> int:
    """The members present for the quorum: checked in by the chair and confirmed since by
    their own device's signed `presence` (services/presence.py)."""
    return count_rows(
        session,
        m.Attendance,
        m.Attendance.meeting_id == meeting.id,
        m.Attendance.present.is_(True),
        m.Attendance.confirmed.is_(True),
    )


def confirmed_members(session: Session, meeting: m.Meeting) -> list[str]:
    """The names of the members present for the quorum, in roster order (what the chair signs
    at each open and close)."""
    return list(
        session.scalars(
            select(m.Member.name)
            .join(m.Attendance, m.Attendance.member_id == m.Member.id)
            .where(
                m.Attendance.meeting_id == meeting.id,
                m.Attendance.present.is_(True),
                m.Attendance.confirmed.is_(True),
            )
            .order_by(m.Member.id)
        )
    )


def checked_in_count(session: Session, meeting: m.Meeting) -> int:
    """The members the chair has checked in (confirmed or not)."""
    return count_rows(
        session, m.Attendance, m.Attendance.meeting_id == meeting.id, m.Attendance.present.is_(True)
    )


def rules_of(meeting: m.Meeting) -> Rules:
    return resolve(load_profile(meeting.profile_id), meeting.rules)


def procedure(session: Session, meeting: m.Meeting, present: int | None = None) -> Outcome:
    """The engine's decisions from the counted rounds so far, and the ballot it needs next."""
    cands = session.scalars(
        select(m.Candidate)
        .where(m.Candidate.meeting_id == meeting.id)
        .order_by(m.Candidate.position)
    ).all()

    def tc(c: m.Candidate) -> TallyCandidate:
        return TallyCandidate(c.name, frozenset(c.outside_cap), c.list_tier)

    tm = TallyMeeting(
        members=members_count(session, meeting),
        present=present_count(session, meeting) if present is None else present,
        candidates=tuple(tc(c) for c in cands if not c.other),
        others=tuple(tc(c) for c in cands if c.other),
    )
    counted = session.scalars(
        select(m.Round)
        .where(m.Round.meeting_id == meeting.id, m.Round.status == RoundStatus.COUNTED)
        .order_by(m.Round.number)
    ).all()
    rounds, motions = [], []
    for r in counted:
        if r.kind == "motion":
            c, name = r.counts or {}, r.candidates[0]
            motions.append(
                MotionCounts(
                    candidate=name,
                    approve=int(c.get("approve", {}).get(name, 0)),
                    oppose=int(c.get("oppose", {}).get(name, 0)),
                    abstain=int(c.get("abstain", {}).get(name, 0)),
                    ballots=c.get("ballots"),
                    present=r.present_at_close,
                    issued=count_rows(session, m.Issuance, m.Issuance.round_id == r.id),
                )
            )
            continue
        c = r.counts or {}
        rounds.append(
            Counts(
                approve=c.get("approve", {}),
                oppose=c.get("oppose", {}),
                abstain=c.get("abstain", {}),
                ballots=c.get("ballots"),
                present=r.present_at_close,
                issued=count_rows(session, m.Issuance, m.Issuance.round_id == r.id),
            )
        )
    try:
        return tally_engine.tally(rules_of(meeting), tm, rounds, motions)
    except TallyError as err:
        raise _refuse_tally(err) from None


def outcome(session: Session, meeting_id: int) -> Outcome:
    """The engine's decisions so far and the ballot it needs next, for meeting `meeting_id`."""
    return procedure(session, record.meeting(session, meeting_id))


# --- attendance ------------------------------------------------------------------------------


def member_of(session: Session, meeting: m.Meeting, member_id: int) -> m.Member:
    """The member `member_id`, who must be on the meeting's committee."""
    member = session.get(m.Member, member_id)
    if member is None or member.committee_id != meeting.committee_id:
        raise ServiceError(
            "not-a-member",
            en="this person is not a member of the committee",
            zh="此人不是本评委会委员",
        )
    return member


def member_name(session: Session, meeting_id: int, member_id: int) -> str:
    """The roster name of a member of the meeting's committee (what their key signs)."""
    meeting = session.get(m.Meeting, meeting_id)
    if meeting is None:
        raise ServiceError("unknown-meeting", en="no such meeting", zh="没有这个会议")
    return member_of(session, meeting, member_id).name


def set_present(session: Session, meeting_id: int, member_id: int, present: bool) -> int:
    """Check a member in (present=True) or out; returns the number checked in now. Either way
    the member's device must confirm afresh (services/presence.py) to count as present."""
    meeting = record.lock_meeting(session, meeting_id)
    if meeting.status == MeetingStatus.CLOSED:
        raise ServiceError("meeting-closed", en="the meeting is closed", zh="会议已结束")
    if meeting.status == MeetingStatus.CANCELLED:
        raise cancelled()
    member = member_of(session, meeting, member_id)
    row = session.scalar(
        select(m.Attendance).where(
            m.Attendance.meeting_id == meeting.id, m.Attendance.member_id == member.id
        )
    )
    if (row is not None and row.present) == present:
        if present:
            raise ServiceError(
                "already-present",
                en=f"{member.name} is already checked in",
                zh=f"{member.name} 已签到",
            )
        raise ServiceError(
            "not-present", en=f"{member.name} is not checked in", zh=f"{member.name} 未签到"
        )
    if row is None:
        row = m.Attendance(meeting_id=meeting.id, member_id=member.id, present=present)
        session.add(row)
    else:
        row.present, row.confirmed = present, False
    session.flush()
    count = checked_in_count(session, meeting)
    event = record.append(
        session,
        meeting.id,
        "attendance",
        {"member": member.name, "present": present, "present_count": count},
    )
    row.answers = event.hash  # (what the member's next presence statement answers)
    return count


def slate_from_scores(
    profile_id: str, scores_csv: str, weights: dict[str, str] | None = None
) -> dict[str, Any]:
    """The slate a meeting votes on, from the review score sheet (the office's CSV), by the
    profile's slate rule: {"profile", "candidates", "others"}. A tie in score at a list's
    cut-off is refused until the office settles it; nothing is broken silently."""
    from ballot.tally.slate import (
        build_slate,
        parse_weights,
        read_reviews,
        scenario_candidates,
    )

    try:
        profile = load_profile(profile_id)
        parsed = None if weights is None else parse_weights(weights, "weights")
        slate = build_slate(profile, read_reviews(scores_csv), parsed)
    except TallyError as err:
        raise _refuse_tally(err) from None
    for lst in slate.lists:
        if lst.tie is not None:
            reason = lst.reasons[-1]
            raise ServiceError.of("slate-tie", reason)
    return {
        "profile": profile.id,
        "candidates": scenario_candidates(profile, slate),
        "others": list(slate.others),
    }
