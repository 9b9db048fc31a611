"""Confirmed presence (services/presence.py, docs/PROTOCOL.md §14): the chair's check-in
counts towards the quorum only once the member's own device has signed that they are here, so
an operator who checks in an absent member gains nothing; every statement is checked, numbered
and answered once, and a refusal changes nothing."""

from __future__ import annotations

from sqlalchemy.orm import Session, sessionmaker

from ballot.crypto import blind_rsa
from ballot.crypto.randomness import SystemRandom
from ballot.devtools.demo import Meeting, member_device
from ballot.services import meetings, overview, presence, record, voting
from ballot.services.unit import reading, transaction
from tests.integration.test_services_voting import SECRET, refused, setup_meeting, snapshot
from tests.support.members import check_in, confirm, open_round, request_signature


def _events(db: sessionmaker[Session], meeting: int, kind: str) -> list[dict[str, object]]:
    with reading(db) as s:
        return [e["body"] for e in record.export(s, meeting)["events"] if e["kind"] == kind]


def test_a_check_in_without_the_members_own_confirmation_makes_no_quorum_and_no_credential(
    db: sessionmaker[Session], issuer: blind_rsa.IssuerKey
) -> None:
    meeting, members = setup_meeting(db, issuer)
    for member in members[:3]:
        check_in(db, meeting, member)
    with transaction(db) as session:  # the operator checks in the absent members[3]
        assert meetings.set_present(session, meeting, members[3], True) == 4
    err = refused("no-quorum", open_round, db, meeting)
    assert "3 of 5" in err.text.en and "需 4 人" in err.text.zh
    with reading(db) as s:
        name = meetings.member_name(s, meeting, members[3])
        assert presence.unconfirmed(s, meeting) == [name]
        view_members = {x["name"]: x for x in overview.meeting_view(s, meeting).members}
    assert view_members[name]["present"] and not view_members[name]["confirmed"]
    check_in(db, meeting, members[4])
    with transaction(db) as session:
        open_round(session, meeting)
    # members[3]'s key (the operator cannot make one that verifies as theirs without
    # enrolling it in the record, which the member-keys check and the member would see) …
    blinded = "00" * issuer.public.modulus_len
    signature = request_signature(db, meeting, 1, members[3], blinded)
    err = refused(
        "not-confirmed",
        voting.issue_credential,
        db,
        meeting,
        1,
        members[3],
        blinded,
        signature,
        SECRET,
        SystemRandom(),
    )
    assert name in err.text.en and "尚未确认到会" in err.text.zh


def test_every_presence_statement_is_checked_numbered_and_answered_once(
    db: sessionmaker[Session], issuer: blind_rsa.IssuerKey
) -> None:
    meeting, members = setup_meeting(db, issuer)
    with reading(db) as s:
        public_id = meetings.public_id(s, meeting)
    rng = SystemRandom()
    ref = Meeting(meeting, public_id)
    me, other = members[0], members[1]

    def here() -> str:
        """The hash of the chair's latest check-in of `me`: what a statement answers."""
        with reading(db) as s:
            return presence.of(s, meeting, me).answers or "00" * 32

    def say(state: object, n: object, signature: object, who: int = me) -> presence.Presence:
        with transaction(db) as session:
            return presence.confirm(session, meeting, who, state, n, signature)

    with transaction(db) as session:
        meetings.set_present(session, meeting, me, True)
    before = snapshot(db)
    refused("no-member-key", presence.confirm, db, meeting, me, "present", 1, "00" * 64)
    device = member_device(db, ref, me, rng)
    theirs = member_device(db, ref, other, rng)
    before = snapshot(db)
    events = len(_events(db, meeting, "presence"))
    for code, state, n, signature in (
        ("malformed", "here", 1, device.sign_presence("present", 1, here())),
        ("malformed", "present", 0, device.sign_presence("present", 1, here())),
        ("malformed", "present", True, device.sign_presence("present", 1, here())),
        ("malformed", "present", "1", device.sign_presence("present", 1, here())),
        ("malformed", "present", 1, "zz" * 64),
        ("bad-presence-signature", "present", 1, theirs.sign_presence("present", 1, here())),
        ("bad-presence-signature", "present", 1, device.sign_presence("left", 1, here())),
        ("bad-presence-signature", "present", 1, device.sign_presence("present", 2, here())),
        ("stale-presence", "present", 2, device.sign_presence("present", 2, here())),
        ("not-confirmed", "left", 1, device.sign_presence("left", 1, here())),
    ):
        err = refused(code, presence.confirm, db, meeting, me, state, n, signature)
        assert err.text.en and err.text.zh
    refused(
        "not-checked-in",
        presence.confirm,
        db,
        meeting,
        other,
        "present",
        1,
        theirs.sign_presence("present", 1, here()),
    )
    assert snapshot(db) == before and len(_events(db, meeting, "presence")) == events

    first = device.sign_presence("present", 1, here())
    # a statement collected in advance for a later check-in (the server asks the device for
    # the next number while the member is here): it answers this check-in, and no other
    harvested = device.sign_presence("present", 3, here())
    assert say("present", 1, first).confirmed
    assert say("present", 1, first).confirmed  # its answer was lost: answered again
    assert len(_events(db, meeting, "presence")) == events + 1
    refused(
        "already-confirmed",
        presence.confirm,
        db,
        meeting,
        me,
        "present",
        2,
        device.sign_presence("present", 2, here()),
    )
    # checked out and in again: the old "present" is no use, a new one is asked for
    with transaction(db) as session:
        meetings.set_present(session, meeting, me, False)
    with reading(db) as s:
        assert presence.of(s, meeting, me).wanted() == "left"
    assert not say("left", 2, device.sign_presence("left", 2, here())).confirmed
    with transaction(db) as session:
        meetings.set_present(session, meeting, me, True)
    with reading(db) as s:
        now = presence.of(s, meeting, me)
    assert (now.checked_in, now.confirmed, now.statements, now.last) == (True, False, 2, "left")
    refused("bad-presence-signature", presence.confirm, db, meeting, me, "present", 1, first)
    refused("bad-presence-signature", presence.confirm, db, meeting, me, "present", 3, harvested)
    confirm(db, meeting, me)
    with reading(db) as s:
        now = presence.of(s, meeting, me)
    assert (now.checked_in, now.confirmed, now.statements, now.last) == (True, True, 3, "present")
    said = _events(db, meeting, "presence")[-3:]
    assert [(b["state"], b["n"]) for b in said] == [("present", 1), ("left", 2), ("present", 3)]


def test_outside_an_open_meeting_no_statement_is_asked_for_or_taken(
    db: sessionmaker[Session], issuer: blind_rsa.IssuerKey
) -> None:
    meeting, members = setup_meeting(db, issuer)
    with reading(db) as s:
        ref = Meeting(meeting, meetings.public_id(s, meeting))
    device = member_device(db, ref, members[0], SystemRandom())
    with transaction(db) as session:
        meetings.set_present(session, meeting, members[0], True)
    with reading(db) as s:
        asked = presence.of(s, meeting, members[0])
    assert asked.wanted() == "present" and asked.answers is not None
    with transaction(db) as session:
        meetings.cancel_meeting(session, meeting, "名单有误")
    with reading(db) as s:
        assert presence.of(s, meeting, members[0]).wanted() is None
    signature = device.sign_presence("present", 1, asked.answers)
    before = snapshot(db)
    refused("meeting-not-open", presence.confirm, db, meeting, members[0], "present", 1, signature)
    assert snapshot(db) == before
