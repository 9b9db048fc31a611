"""Storage (数据存储): the tables a committee's meetings live in, as SQLAlchemy 2 models.

One database serves many committees (SQLite file by default, PostgreSQL by DATABASE_URL). The
rules that must hold under concurrent requests are the database's job, not the code's:
one issuance per member per round, one ballot per credential, one credential key per round,
one decryption share per scrutineer per round, and events that are only ever appended (the
migration adds triggers that refuse UPDATE and DELETE on `events`). The issuance log records
which member received a credential in which round — never which credential.
"""

from __future__ import annotations

import secrets
from datetime import datetime
from typing import Any, ClassVar

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    DateTime,
    ForeignKey,
    Integer,
    MetaData,
    String,
    Text,
    UniqueConstraint,
    false,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


# The ids of issuance, credential and ballot rows are random, never in arrival order: the
# operator holding the database must not learn from them which issuance came before which
# credential or ballot (docs/threat-model.md "Network metadata" says what timing still shows).
RandomId = BigInteger().with_variant(Integer, "sqlite")  # (SQLite's INTEGER key is 64-bit)


def random_id() -> int:
    """A row id drawn at random (1 ≤ id < 2^62)."""
    return secrets.randbelow(2**62 - 1) + 1


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)
    type_annotation_map: ClassVar[dict[Any, Any]] = {dict[str, Any]: JSON, list[Any]: JSON}


class Committee(Base):
    """评委会: a standing committee; its members vote in its meetings."""

    __tablename__ = "committees"
    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200), unique=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class Member(Base):
    """委员: one person on a committee. `role` is member or chair (主任, who also votes)."""

    __tablename__ = "members"
    __table_args__ = (UniqueConstraint("committee_id", "name"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    committee_id: Mapped[int] = mapped_column(ForeignKey("committees.id"), index=True)
    name: Mapped[str] = mapped_column(String(200))
    role: Mapped[str] = mapped_column(String(20), default="member")


class Meeting(Base):
    """会议: one sitting that votes on one slate under one rules profile."""

    __tablename__ = "meetings"
    id: Mapped[int] = mapped_column(primary_key=True)
    public_id: Mapped[str] = mapped_column(String(64), unique=True)
    committee_id: Mapped[int] = mapped_column(ForeignKey("committees.id"), index=True)
    title: Mapped[str] = mapped_column(String(300))
    profile_id: Mapped[str] = mapped_column(String(64))
    rules: Mapped[dict[str, Any]] = mapped_column(default=dict)  # the scenario's "rules"
    status: Mapped[str] = mapped_column(String(20), default="setup")
    issuer_public: Mapped[dict[str, Any] | None] = mapped_column(default=None)
    issuer_private_sealed: Mapped[str | None] = mapped_column(Text, default=None)
    # the committee's Ed25519 signing key, sealed under the server secret (meetings opened
    # before migration 0007 keep it in keys/)
    committee_key_sealed: Mapped[str | None] = mapped_column(Text, default=None)
    joint_key: Mapped[str | None] = mapped_column(Text, default=None)  # hex, after ceremony
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class Candidate(Base):
    """候选组织 on a meeting's slate (or, `other`, an evaluated organisation off the slate)."""

    __tablename__ = "candidates"
    __table_args__ = (UniqueConstraint("meeting_id", "name"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    meeting_id: Mapped[int] = mapped_column(ForeignKey("meetings.id"), index=True)
    name: Mapped[str] = mapped_column(String(200))
    position: Mapped[int] = mapped_column(Integer)
    other: Mapped[bool] = mapped_column(Boolean, default=False)
    outside_cap: Mapped[list[Any]] = mapped_column(default=list)
    # the tier whose own candidate list names it (重庆, 江阴); None where one slate serves all
    list_tier: Mapped[str | None] = mapped_column(String(32), default=None)
    scores: Mapped[dict[str, Any]] = mapped_column(default=dict)  # decimal strings


class Scrutineer(Base):
    """监票人 number `index` (1..n) of a meeting's key ceremony."""

    __tablename__ = "scrutineers"
    __table_args__ = (UniqueConstraint("meeting_id", "index"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    meeting_id: Mapped[int] = mapped_column(ForeignKey("meetings.id"), index=True)
    index: Mapped[int] = mapped_column(Integer)
    name: Mapped[str] = mapped_column(String(200))


class CeremonyMessage(Base):
    """A scrutineer's published commitments and transport key (public)."""

    __tablename__ = "ceremony_messages"
    __table_args__ = (UniqueConstraint("meeting_id", "sender"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    meeting_id: Mapped[int] = mapped_column(ForeignKey("meetings.id"), index=True)
    sender: Mapped[int] = mapped_column(Integer)
    body: Mapped[dict[str, Any]] = mapped_column()


class CeremonyShare(Base):
    """One encrypted share from `sender` to `recipient` (only the recipient can read it)."""

    __tablename__ = "ceremony_shares"
    __table_args__ = (UniqueConstraint("meeting_id", "sender", "recipient"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    meeting_id: Mapped[int] = mapped_column(ForeignKey("meetings.id"), index=True)
    sender: Mapped[int] = mapped_column(Integer)
    recipient: Mapped[int] = mapped_column(Integer)
    body: Mapped[dict[str, Any]] = mapped_column()


class Attendance(Base):
    """到会: whether the chair has a member checked in now, and what the member's own device
    last signed about it (docs/PROTOCOL.md §14 `presence`; the events keep the history).
    `confirmed`: checked in, and the device's latest statement is a "present" signed after
    that check-in; only confirmed members count towards the quorum."""

    __tablename__ = "attendance"
    __table_args__ = (UniqueConstraint("meeting_id", "member_id"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    meeting_id: Mapped[int] = mapped_column(ForeignKey("meetings.id"), index=True)
    member_id: Mapped[int] = mapped_column(ForeignKey("members.id"))
    present: Mapped[bool] = mapped_column(Boolean)
    statements: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    last_state: Mapped[str | None] = mapped_column(String(8), default=None)
    last_signature: Mapped[str | None] = mapped_column(String(128), default=None)
    confirmed: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    # the hash of the chair's latest check-in (or check-out) event of this member: what the
    # member's next presence statement answers
    answers: Mapped[str | None] = mapped_column(String(64), default=None)


class MemberKey(Base):
    """成员密钥: the public half of the signing key a member's own device made for this meeting
    (the private half never leaves that device), with the device's signature over its
    enrolment (docs/PROTOCOL.md §14). One per member per meeting."""

    __tablename__ = "member_keys"
    __table_args__ = (UniqueConstraint("meeting_id", "member_id"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    meeting_id: Mapped[int] = mapped_column(ForeignKey("meetings.id"), index=True)
    member_id: Mapped[int] = mapped_column(ForeignKey("members.id"))
    public_key: Mapped[str] = mapped_column(String(130))  # hex of 65 bytes
    signature: Mapped[str] = mapped_column(String(128))  # hex of 64 bytes (P1363)


class Round(Base):
    """轮次: one ballot the procedure asked for, with what it was opened with."""

    __tablename__ = "rounds"
    __table_args__ = (UniqueConstraint("meeting_id", "number"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    meeting_id: Mapped[int] = mapped_column(ForeignKey("meetings.id"), index=True)
    number: Mapped[int] = mapped_column(Integer)
    tier: Mapped[str] = mapped_column(String(20))
    kind: Mapped[str] = mapped_column(String(10))  # ballot | revote
    candidates: Mapped[list[Any]] = mapped_column()
    places: Mapped[int] = mapped_column(Integer)
    max_approvals: Mapped[int] = mapped_column(Integer)
    status: Mapped[str] = mapped_column(String(20), default="open")
    present_at_open: Mapped[int] = mapped_column(Integer)
    present_at_close: Mapped[int | None] = mapped_column(Integer, default=None)
    counts: Mapped[dict[str, Any] | None] = mapped_column(default=None)
    # the record's hash just before this round opened: every proof on its ballots is bound to it
    record: Mapped[str] = mapped_column(String(64), default="")
    threshold: Mapped[int | None] = mapped_column(Integer, default=None)


class Issuance(Base):
    """发出: a credential was blind-signed for this member in this round. Which credential is
    not known to anyone but the member's device, and is not stored."""

    __tablename__ = "issuances"
    __table_args__ = (UniqueConstraint("round_id", "member_id"),)
    id: Mapped[int] = mapped_column(RandomId, primary_key=True, default=random_id)
    round_id: Mapped[int] = mapped_column(ForeignKey("rounds.id"), index=True)
    member_id: Mapped[int] = mapped_column(ForeignKey("members.id"))
    # SHA-256 of the blinded request it answered: a retry of that very request (its answer
    # lost) is answered again. The blinding hides which credential it became.
    request: Mapped[str | None] = mapped_column(String(64), nullable=True)


class Credential(Base):
    """A registered anonymous credential: the device's key with the issuer's blind signature.
    Registered over a fresh request with no session, so nothing ties it to a member."""

    __tablename__ = "credentials"
    __table_args__ = (UniqueConstraint("round_id", "public_key"),)
    id: Mapped[int] = mapped_column(RandomId, primary_key=True, default=random_id)
    round_id: Mapped[int] = mapped_column(ForeignKey("rounds.id"), index=True)
    public_key: Mapped[str] = mapped_column(String(130))  # hex of 65 bytes
    prepared: Mapped[str] = mapped_column(Text)  # hex: prefix ‖ credential message
    signature: Mapped[str] = mapped_column(Text)  # hex


class Ballot(Base):
    """收回: one encrypted ballot, signed by its credential; at most one per credential."""

    __tablename__ = "ballots"
    id: Mapped[int] = mapped_column(RandomId, primary_key=True, default=random_id)
    round_id: Mapped[int] = mapped_column(ForeignKey("rounds.id"), index=True)
    credential_id: Mapped[int] = mapped_column(RandomId, ForeignKey("credentials.id"), unique=True)
    tracker: Mapped[str] = mapped_column(String(64), unique=True)
    body: Mapped[dict[str, Any]] = mapped_column()
    signature: Mapped[str] = mapped_column(String(128))


class DecryptionShareRow(Base):
    """A scrutineer's decryption shares for one round's totals, with proofs."""

    __tablename__ = "decryption_shares"
    __table_args__ = (UniqueConstraint("round_id", "scrutineer_index"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    round_id: Mapped[int] = mapped_column(ForeignKey("rounds.id"), index=True)
    scrutineer_index: Mapped[int] = mapped_column(Integer)
    body: Mapped[dict[str, Any]] = mapped_column()


class Event(Base):
    """The record: one entry of the hash chain (DESIGN.md §5). Never updated or deleted."""

    __tablename__ = "events"
    __table_args__ = (UniqueConstraint("meeting_id", "seq"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    meeting_id: Mapped[int] = mapped_column(ForeignKey("meetings.id"), index=True)
    seq: Mapped[int] = mapped_column(Integer)
    kind: Mapped[str] = mapped_column(String(40))
    body: Mapped[str] = mapped_column(Text)  # canonical JSON, exactly as hashed
    prev_hash: Mapped[str] = mapped_column(String(64))
    hash: Mapped[str] = mapped_column(String(64))


class Account(Base):
    """A login to the web app: the office (办公室), a committee's chair (主任), a member (委员)
    or a meeting's scrutineer (监票人). The access code is never stored: only its public
    handle (the part before the first dash) and a scrypt hash of the rest. `version` goes up
    when the office issues a new code, which ends every session made with the old one."""

    __tablename__ = "accounts"
    id: Mapped[int] = mapped_column(primary_key=True)
    handle: Mapped[str] = mapped_column(String(16), unique=True)
    code_hash: Mapped[str] = mapped_column(Text)
    role: Mapped[str] = mapped_column(String(20))  # office | chair | member | scrutineer
    name: Mapped[str] = mapped_column(String(200))
    committee_id: Mapped[int | None] = mapped_column(ForeignKey("committees.id"), default=None)
    member_id: Mapped[int | None] = mapped_column(
        ForeignKey("members.id"), default=None, unique=True
    )
    meeting_id: Mapped[int | None] = mapped_column(ForeignKey("meetings.id"), default=None)
    scrutineer_index: Mapped[int | None] = mapped_column(Integer, default=None)
    version: Mapped[int] = mapped_column(Integer, default=1)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class LoginSession(Base):
    """One signed-in browser or client: the SHA-256 of the random token its cookie carries.
    Logging out or a replaced code deletes the row, which ends the session everywhere; it
    also ends at `expires_at` (12 hours after the login), however often it is used."""

    __tablename__ = "login_sessions"
    id: Mapped[int] = mapped_column(primary_key=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    account_id: Mapped[int] = mapped_column(ForeignKey("accounts.id"), index=True)
    expires_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), index=True)


class LoginFailure(Base):
    """One failed login, kept for rate limiting (by client address and login handle)."""

    __tablename__ = "login_failures"
    id: Mapped[int] = mapped_column(primary_key=True)
    client: Mapped[str] = mapped_column(String(64), index=True)
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True), index=True)
