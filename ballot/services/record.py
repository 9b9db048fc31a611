"""Appending to a meeting's record. Appends are serialised per meeting (the meeting row is
locked first), so concurrent requests extend one linear chain."""

from __future__ import annotations

import json
import threading
from collections import OrderedDict
from typing import Any

from sqlalchemy import bindparam, select
from sqlalchemy.orm import Session

from ballot.protocol.chain import (
    GENESIS,
    RECORD_FORMAT,
    RECORD_VERSION,
    Event,
    canonical_json,
    make_event,
)
from ballot.services.errors import ServiceError
from ballot.storage import models as m


def lock_meeting(session: Session, meeting_id: int) -> m.Meeting:
    """The meeting, locked for this transaction (its record is appended to in order)."""
    meeting = session.scalars(
        select(m.Meeting).where(m.Meeting.id == meeting_id).with_for_update()
    ).first()
    if meeting is None:
        raise _unknown_meeting()
    return meeting


_LOCK_ONLY = select(m.Meeting.id).where(m.Meeting.id == bindparam("meeting")).with_for_update()


def lock_meeting_only(session: Session, meeting_id: int) -> None:
    """The same lock as `lock_meeting`, for a caller that needs none of the meeting's columns
    (a cast): only the row id is read."""
    if session.execute(_LOCK_ONLY, {"meeting": meeting_id}).first() is None:
        raise _unknown_meeting()


def _unknown_meeting() -> ServiceError:
    return ServiceError("unknown-meeting", en="no such meeting", zh="无此会议")


def meeting(session: Session, meeting_id: int) -> m.Meeting:
    """The meeting, read without a lock."""
    found = session.get(m.Meeting, meeting_id)
    if found is None:
        raise ServiceError("unknown-meeting", en="no such meeting", zh="无此会议")
    return found


def meeting_by_public_id(session: Session, public_id: str) -> m.Meeting:
    """The meeting a member's page names by its public id, read without a lock."""
    found = session.scalar(select(m.Meeting).where(m.Meeting.public_id == public_id))
    if found is None:
        raise ServiceError("unknown-meeting", en="there is no such meeting", zh="没有此会议")
    return found


def head(session: Session, meeting_id: int) -> tuple[int, str]:
    """(next sequence number, hash of the last event)."""
    last = session.scalars(
        select(m.Event).where(m.Event.meeting_id == meeting_id).order_by(m.Event.seq.desc())
    ).first()
    return (0, GENESIS) if last is None else (last.seq + 1, last.hash)


def append(session: Session, meeting_id: int, kind: str, body: dict[str, Any]) -> Event:
    """Add one event after the current head (call with the meeting row locked)."""
    seq, prev = head(session, meeting_id)
    event = make_event(seq, kind, body, prev)
    session.add(
        m.Event(
            meeting_id=meeting_id,
            seq=seq,
            kind=kind,
            body=canonical_json(body).decode("utf-8"),
            prev_hash=prev,
            hash=event.hash,
        )
    )
    session.flush()
    return event


def events(
    session: Session,
    meeting_id: int,
    kinds: tuple[str, ...] | None = None,
    before: int | None = None,
) -> list[dict[str, Any]]:
    """The record's events in order (only those of `kinds` when given; only those before
    sequence number `before` when given)."""
    query = select(m.Event).where(m.Event.meeting_id == meeting_id)
    if before is not None:
        query = query.where(m.Event.seq < before)
    if kinds is not None:
        query = query.where(m.Event.kind.in_(kinds))
    rows = session.scalars(query.order_by(m.Event.seq)).all()
    return [
        {
            "seq": r.seq,
            "kind": r.kind,
            "body": json.loads(r.body),
            "prev": r.prev_hash,
            "hash": r.hash,
        }
        for r in rows
    ]


def export(session: Session, meeting_id: int) -> dict[str, Any]:
    """The whole record as one JSON document: what auditors download and `ballot verify` checks."""
    return _document(session, meeting_id, None)


def _document(session: Session, meeting_id: int, before: int | None) -> dict[str, Any]:
    return {
        "format": RECORD_FORMAT,
        "version": RECORD_VERSION,
        "meeting": meeting(session, meeting_id).public_id,
        "events": events(session, meeting_id, before=before),
    }


# The record as downloaded: built once per process and head, shared by every download of it
# (a 10 MB record downloaded by eight people at once used to be built eight times over).
PUBLISHED_KEEP = 4
_published: OrderedDict[tuple[int, str], bytes] = OrderedDict()
_builders: dict[tuple[int, str], threading.Lock] = {}
_published_lock = threading.Lock()


def published(session: Session, meeting_id: int) -> tuple[bytes, str]:
    """The whole record as the canonical JSON bytes everyone downloads, and the hash of its last
    event (what the bytes are determined by: an ETag). Only the events up to that head are
    read, so a download that races an append gets the record as it stood, never a mixture."""
    count, last = head(session, meeting_id)
    key = (meeting_id, last)
    with _published_lock:
        cached = _published.get(key)
        if cached is not None:
            _published.move_to_end(key)
            return cached, last
        builder = _builders.setdefault(key, threading.Lock())
    with builder:  # concurrent downloads of one head wait for one build
        with _published_lock:
            cached = _published.get(key)
        if cached is not None:
            return cached, last
        try:
            cached = canonical_json(_document(session, meeting_id, count))
            with _published_lock:
                _published[key] = cached
                while len(_published) > PUBLISHED_KEEP:
                    _published.popitem(last=False)
        finally:
            with _published_lock:
                _builders.pop(key, None)
    return cached, last
