"""Web logins: access codes the office prints, stored only as scrypt hashes, with failed
attempts rate-limited per client address.

A code reads `HNDL-XXXX-XXXX-XXXX`: the first group is the account's public handle (how the
login finds the account), the other twelve characters (about 59 bits) are the secret, checked
against its scrypt hash in constant time. Issuing a new code bumps the account's version, which
ends every session made with the old one.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
import unicodedata
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy import delete, func, or_, select
from sqlalchemy.orm import Session

from ballot.protocol.lifecycle import MeetingStatus
from ballot.services import overview, record
from ballot.services.errors import ServiceError
from ballot.services.unit import Db, reading, transaction
from ballot.storage import models as m

ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"  # no 0/O, 1/I/L: read aloud and typed from paper
ROLES = ("office", "chair", "member", "scrutineer")
# A whole meeting room shares one address (its Wi-Fi's NAT), so wrong codes are counted per
# address *and* login handle (a code's first group): one person's typos, or a flood of wrong
# codes, never stop the others' correct codes. A handle that was not issued costs no scrypt.
# The codes' 59 secret bits, not this limit, are what stops guessing.
FAILURES_ALLOWED = 10
FAILURE_WINDOW = timedelta(minutes=15)
SESSION_LIFETIME = timedelta(hours=12)  # from the login, however often the session is used
_SCRYPT = {"n": 2**14, "r": 8, "p": 1}


@dataclass(frozen=True)
class Account:
    """Who is signed in, as the shells see it (never the code or its hash)."""

    id: int
    role: str
    name: str
    handle: str
    committee_id: int | None
    member_id: int | None
    meeting_id: int | None
    scrutineer_index: int | None

    @staticmethod
    def of(row: m.Account) -> Account:
        return Account(
            row.id,
            row.role,
            row.name,
            row.handle,
            row.committee_id,
            row.member_id,
            row.meeting_id,
            row.scrutineer_index,
        )


@dataclass(frozen=True)
class Login:
    """Who a valid code belongs to (what the session keeps)."""

    account_id: int
    version: int
    role: str


def _group(n: int) -> str:
    return "".join(secrets.choice(ALPHABET) for _ in range(n))


def _hash(secret: str, salt: bytes) -> str:
    digest = hashlib.scrypt(secret.encode(), salt=salt, dklen=32, maxmem=64 * 2**20, **_SCRYPT)
    return f"scrypt${_SCRYPT['n']}${_SCRYPT['r']}${_SCRYPT['p']}${salt.hex()}${digest.hex()}"


def _matches(secret: str, stored: str) -> bool:
    try:
        name, n, r, p, salt, digest = stored.split("$")
        got = hashlib.scrypt(
            secret.encode(),
            salt=bytes.fromhex(salt),
            n=int(n),
            r=int(r),
            p=int(p),
            dklen=32,
            maxmem=64 * 2**20,
        )
    except ValueError:
        return False
    return name == "scrypt" and hmac.compare_digest(got.hex(), digest)


def normalise(code: str) -> str:
    """What people type: any case, spaces or dashes anywhere, and the full-width letters and
    digits a Chinese input method types (ＡＢ１２ reads as AB12; NFKC)."""
    flat = unicodedata.normalize("NFKC", code).upper()
    return "".join(ch for ch in flat if ch.isascii() and ch.isalnum())


def _new_code(session: Session) -> tuple[str, str, str]:
    while True:
        handle = _group(4)
        if session.scalar(select(m.Account.id).where(m.Account.handle == handle)) is None:
            break
    secret = _group(12)
    code = "-".join([handle, secret[:4], secret[4:8], secret[8:]])
    return handle, _hash(secret, secrets.token_bytes(16)), code


def create_account(
    session: Session,
    role: str,
    name: str,
    *,
    committee_id: int | None = None,
    member_id: int | None = None,
    meeting_id: int | None = None,
    scrutineer_index: int | None = None,
) -> tuple[int, str]:
    """A new account and its access code (returned once, never stored)."""
    if role not in ROLES:
        raise ServiceError("bad-role", en=f"unknown role {role!r}", zh=f"未知角色 {role!r}")
    handle, hashed, code = _new_code(session)
    account = m.Account(
        handle=handle,
        code_hash=hashed,
        role=role,
        name=name,
        committee_id=committee_id,
        member_id=member_id,
        meeting_id=meeting_id,
        scrutineer_index=scrutineer_index,
        version=1,
        created_at=datetime.now(UTC),
    )
    session.add(account)
    session.flush()
    return account.id, code


def reissue_code(session: Session, account_id: int) -> tuple[str, str]:
    """A new code for a lost or shared one; sessions made with the old code end. Returns
    (whose, the new code)."""
    account = session.get(m.Account, account_id, with_for_update=True)
    if account is None:
        raise ServiceError("unknown-account", en="no such account", zh="没有此账户")
    handle, hashed, code = _new_code(session)
    account.handle, account.code_hash = handle, hashed
    account.version += 1
    session.execute(delete(m.LoginSession).where(m.LoginSession.account_id == account.id))
    _trace_replacement(session, account)
    return account.name, code


def member_of_account(session: Session, account_id: int) -> int:
    """The member a chair's or member's login belongs to."""
    account = session.get(m.Account, account_id)
    if account is None or account.member_id is None:
        raise ServiceError(
            "not-a-member",
            en="only a member's (or the chair's) login has a member key",
            zh="只有委员（或主任）的账户有成员密钥",
        )
    return account.member_id


def _trace_replacement(session: Session, account: m.Account) -> None:
    """A replaced code lets whoever holds the new one act as that person: every meeting of
    theirs not yet closed records that it happened ("code-replaced"), and so does their
    committee's current meeting when it is closed (a review vote may still be held in it), so
    an auditor sees it. Meetings are locked in id order, as everywhere."""
    if account.role == "scrutineer":
        where = m.Meeting.id == account.meeting_id
        current = account.meeting_id
    elif account.role in ("chair", "member") and account.committee_id is not None:
        where = m.Meeting.committee_id == account.committee_id
        current = overview.current_meeting(session, account.committee_id)
    else:
        return
    open_or_current = or_(
        m.Meeting.status.not_in([MeetingStatus.CLOSED, MeetingStatus.CANCELLED]),
        m.Meeting.id == current,
    )
    for meeting in session.scalars(
        select(m.Meeting)
        .where(where, open_or_current, m.Meeting.status != MeetingStatus.CANCELLED)
        .order_by(m.Meeting.id)
    ):
        record.lock_meeting(session, meeting.id)
        record.append(
            session,
            meeting.id,
            "code-replaced",
            {"role": account.role, "name": account.name, "version": account.version},
        )


def list_accounts(session: Session) -> list[Account]:
    """Every login on this server (what the office manages), oldest first."""
    return [Account.of(a) for a in session.scalars(select(m.Account).order_by(m.Account.id))]


def _too_many(session: Session, client: str, now: datetime) -> int:
    return int(
        session.scalar(
            select(func.count())
            .select_from(m.LoginFailure)
            .where(m.LoginFailure.client == client, m.LoginFailure.at > now - FAILURE_WINDOW)
        )
        or 0
    )


def authenticate(db: Db, code: str, client: str) -> Login:
    """Check a typed code; after FAILURES_ALLOWED wrong codes for one login handle from one
    client address in FAILURE_WINDOW, refuse that handle from there for a while, with how long
    to wait. Other handles from the same address are not affected."""
    now = datetime.now(UTC)
    typed = normalise(code)
    handle = typed[:4] if len(typed) == 16 else "?"
    key = f"{client[:48]}#{handle}"
    with transaction(db) as session:
        session.execute(delete(m.LoginFailure).where(m.LoginFailure.at < now - FAILURE_WINDOW))
        if _too_many(session, key, now) >= FAILURES_ALLOWED:
            minutes = int(FAILURE_WINDOW.total_seconds() // 60)
            raise ServiceError(
                "too-many-attempts",
                en=f"{FAILURES_ALLOWED} wrong codes for this login from this device in {minutes} "
                f"minutes: wait {minutes} minutes or ask the office for a new code",
                zh=f"此设备 {minutes} 分钟内对该登录输错 {FAILURES_ALLOWED} 次：请等待 {minutes} 分钟或请会务组更换访问码",
            )
    if len(typed) == 16:
        with reading(db) as session:
            account = session.scalar(select(m.Account).where(m.Account.handle == handle))
            login = (
                Login(account.id, account.version, account.role)
                if account is not None and _matches(typed[4:], account.code_hash)
                else None
            )
        if login is not None:
            return login
    with transaction(db) as session:
        session.add(m.LoginFailure(client=key, at=now))
    raise ServiceError(
        "bad-code",
        en="this access code is not valid: check it against the printed slip (16 letters and "
        "digits, dashes optional)",
        zh="访问码无效：请核对打印的通知单（16 位字母与数字，可不输入短横线）",
    )


def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def start_session(session: Session, login: Login, now: datetime) -> str:
    """A server-side session for a checked login: the token its cookie carries (only its hash
    is stored). The account is locked and its code checked unchanged since the login was
    checked, so a code the office replaced meanwhile makes no session. Expired sessions are
    swept out here."""
    account = session.get(m.Account, login.account_id, with_for_update=True)
    if account is None or account.version != login.version:
        raise ServiceError(
            "bad-code",
            en="this access code was replaced a moment ago: ask the office for the new one",
            zh="此访问码刚被更换：请向会务组索取新访问码",
        )
    session.execute(delete(m.LoginSession).where(m.LoginSession.expires_at < now))
    token = secrets.token_urlsafe(32)
    session.add(
        m.LoginSession(
            token_hash=_token_hash(token),
            account_id=login.account_id,
            expires_at=now + SESSION_LIFETIME,
        )
    )
    return token


def end_session(session: Session, token: str) -> None:
    """Log out: the session's row goes, so every copy of its cookie stops working."""
    session.execute(delete(m.LoginSession).where(m.LoginSession.token_hash == _token_hash(token)))


def account_for(session: Session, token: str, now: datetime) -> Account | None:
    """The account a session's token names, if the session has not ended (logged out, the
    code replaced, or 12 hours passed since the login)."""
    row = session.execute(
        select(m.Account)
        .join(m.LoginSession, m.LoginSession.account_id == m.Account.id)
        .where(m.LoginSession.token_hash == _token_hash(token), m.LoginSession.expires_at > now)
    ).scalar_one_or_none()
    return None if row is None else Account.of(row)
