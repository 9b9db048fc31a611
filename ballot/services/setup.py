"""Setting a meeting up on this server: the committee and its roster, the meeting on its
slate, the scrutineers, everyone's access code, and — once every scrutineer has dealt on their
own machine (`ballot ceremony` or the scrutineer page) — the opening with fresh keys.

(The demo's one-process ceremony, which sees every share, is `ballot.devtools.demo`.)"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from ballot.crypto import blind_rsa
from ballot.protocol.lifecycle import MeetingStatus
from ballot.services import accounts, ceremonies, meetings, record, voting
from ballot.services.errors import ServiceError
from ballot.services.queries import count_rows
from ballot.services.runtime import Runtime, client_hashes
from ballot.storage import models as m

WORDS = [
    "apple",
    "bamboo",
    "cedar",
    "delta",
    "ember",
    "falcon",
    "garnet",
    "harbor",
    "island",
    "jasmine",
    "kettle",
    "lantern",
    "meadow",
    "nickel",
    "orchid",
    "pepper",
    "quartz",
    "river",
    "saddle",
    "tundra",
    "velvet",
    "willow",
    "yonder",
    "zephyr",
]


@dataclass(frozen=True)
class Invitation:
    """One person's way in: role, name, access code, and for scrutineers their share file."""

    role: str
    name: str
    code: str
    share_file: Path | None = None
    passphrase: str | None = None


def passphrase() -> str:
    return "-".join(secrets.choice(WORDS) for _ in range(5))


def meeting_with_logins(
    session: Session,
    committee: int,
    title: str,
    slate: dict[str, Any],
    scrutineers: list[str],
) -> tuple[int, str, list[Invitation]]:
    """The meeting on its slate, its scrutineers, and a login for every committee member who
    has none yet and for each scrutineer: (meeting id, public id, the invitations)."""
    meeting = meetings.create_meeting(session, committee, title, slate, datetime.now(UTC))
    row = session.get(m.Meeting, meeting)
    assert row is not None
    public_id = row.public_id
    for i, name in enumerate(scrutineers, start=1):
        session.add(m.Scrutineer(meeting_id=meeting, index=i, name=name))
    people = [
        (x.id, x.name, x.role)
        for x in session.scalars(
            select(m.Member)
            .where(m.Member.committee_id == committee)
            .where(
                ~m.Member.id.in_(
                    select(m.Account.member_id).where(m.Account.member_id.is_not(None))
                )
            )
            .order_by(m.Member.id)
        )
    ]
    invitations = []
    for member_id, name, role in people:
        _, code = accounts.create_account(
            session, role, name, committee_id=committee, member_id=member_id
        )
        invitations.append(Invitation(role, name, code))
    for i, name in enumerate(scrutineers, start=1):
        _, code = accounts.create_account(
            session, "scrutineer", name, meeting_id=meeting, scrutineer_index=i
        )
        invitations.append(Invitation("scrutineer", name, code))
    return meeting, public_id, invitations


def open_with_fresh_keys(
    session: Session, rt: Runtime, meeting: int, public_id: str, issuer_bits: int
) -> None:
    """Open voting with fresh keys: the issuer key and the committee signing key (both
    sealed in the database under the server secret), and the browser files' hashes in the
    record."""
    public, sealed = rt.new_committee_key()
    voting.open_meeting(
        session,
        meeting,
        blind_rsa.generate_issuer_key(issuer_bits),
        rt.server_secret,
        rt.rng,
        public,
        client_hashes(),
        sealed,
    )


def committee_roster(session: Session, committee_name: str) -> list[tuple[str, str]] | None:
    """The roster of the committee of that name, if there is one (a new meeting of an existing
    committee keeps its members and their codes)."""
    committee = session.scalar(select(m.Committee.id).where(m.Committee.name == committee_name))
    if committee is None:
        return None
    return [
        (x.name, x.role)
        for x in session.scalars(
            select(m.Member).where(m.Member.committee_id == committee).order_by(m.Member.id)
        )
    ]


def check_scrutineers(scrutineer_names: list[str], k: int) -> None:
    """1 to 100 scrutineers with names that show, and a threshold from 1 to their number."""
    n = len(scrutineer_names)
    if not 1 <= k <= n or n > 100 or not all(meetings.shown_text(x) for x in scrutineer_names):
        raise ServiceError(
            "bad-scrutineers",
            en=f"name 1 to 100 scrutineers (one per line) and a threshold from 1 to their number "
            f"(now {n} named, threshold {k})",
            zh=f"请填写 1 至 100 名监票人（每行一名），解密门限为 1 至监票人人数（现为 {n} 名、门限 {k}）",
        )


def plan_meeting(
    session: Session,
    committee_name: str,
    roster_text: str,
    title: str,
    slate: dict[str, Any],
    k: int,
    scrutineer_names: list[str],
) -> tuple[int, str, list[Invitation]]:
    """A real meeting, set up by the office, in one transaction: the committee (new, from its
    roster, or an existing one of that name, whose members keep their codes), the meeting on
    its slate, the scrutineers, their logins, and the key ceremony started — each scrutineer
    then runs their side on their own machine (`ballot ceremony`); the meeting opens by itself
    when the last one has dealt. Returns the meeting, its title and the codes of everyone who
    has none yet (shown once). A refusal at any step stores nothing."""
    now = datetime.now(UTC)
    check_scrutineers(scrutineer_names, k)
    existing = session.scalar(select(m.Committee.id).where(m.Committee.name == committee_name))
    if existing is None:
        committee = meetings.create_committee(
            session, committee_name, meetings.parse_roster(roster_text), now
        )
    else:
        committee = existing
    names = [x.strip() for x in scrutineer_names]
    meeting, _, invitations = meeting_with_logins(session, committee, title, slate, names)
    ceremonies.start_ceremony(session, meeting, k, len(scrutineer_names))
    return meeting, title, invitations


def open_when_dealt(
    session: Session, rt: Runtime, meeting_id: int, issuer_bits: int = 3072
) -> bool:
    """After a scrutineer has dealt: once every share is published, check the transcript, take
    the joint key and open the meeting with fresh keys, all in one transaction under the
    meeting's lock (a concurrent request waits, then finds it open). True when it opened."""
    row = record.lock_meeting(session, meeting_id)
    if row.status == MeetingStatus.CEREMONY:
        dealt = count_rows(session, m.CeremonyShare, m.CeremonyShare.meeting_id == meeting_id)
        n = count_rows(session, m.Scrutineer, m.Scrutineer.meeting_id == meeting_id)
        if not n or dealt != n * n:
            return False
        ceremonies.complete_ceremony(session, meeting_id, rt.rng)
    if (
        row.status != MeetingStatus.READY
    ):  # ("ready": completed before, but opening failed: open it now)
        return False
    open_with_fresh_keys(session, rt, meeting_id, row.public_id, issuer_bits)
    return True
