"""The chair's word on a round (services/chair.py, docs/PROTOCOL.md §14 `attest`): a round is
opened and closed only on the chair's own member key's signature over exactly the body the
record keeps; anything else is refused and changes nothing."""

from __future__ import annotations

from sqlalchemy.orm import Session, sessionmaker

from ballot.crypto import blind_rsa, keystore
from ballot.crypto.randomness import SystemRandom
from ballot.devtools.demo import Meeting, chair_device, member_device
from ballot.services import counting, meetings, voting
from ballot.services.unit import reading, transaction
from tests.integration.test_services_voting import refused, setup_meeting, snapshot
from tests.support.members import check_in, open_round


def test_a_round_opens_and_closes_only_on_the_chairs_signature_over_what_is_recorded(
    db: sessionmaker[Session], issuer: blind_rsa.IssuerKey
) -> None:
    meeting, members = setup_meeting(db, issuer)
    for member in members[:4]:
        check_in(db, meeting, member)
    rng = SystemRandom()
    with reading(db) as s:
        public_id = meetings.public_id(s, meeting)
        body = voting.round_opening(s, meeting)
        names = [meetings.member_name(s, meeting, x) for x in members[:4]]
    with transaction(db) as session:
        chair = chair_device(session, meeting, rng)
    other = member_device(db, Meeting(meeting, public_id), members[1], rng)  # not the chair
    assert body["present_members"] == names
    before = snapshot(db)
    for code, signature, seen in (
        ("malformed", "zz" * 64, None),
        ("malformed", "00" * 63, None),
        ("bad-chair-signature", other.attest("round-opened", body), None),  # a member's key
        ("bad-chair-signature", chair.attest("round-closed", body), None),  # another event
        ("bad-chair-signature", chair.attest("round-opened", {**body, "present": 5}), None),
        ("round-changed", chair.attest("round-opened", body), {**body, "places": 9}),
        ("malformed", chair.attest("round-opened", body), "not a body"),
    ):
        err = refused(code, voting.open_round, db, meeting, signature, seen)
        assert err.text.en and err.text.zh
    assert snapshot(db) == before
    # the room moves while the chair confirms (a late member's device confirms): what they
    # signed is no longer what would be recorded, and they are asked again
    signed = chair.attest("round-opened", body)
    check_in(db, meeting, members[4])
    refused("round-changed", voting.open_round, db, meeting, signed, body)
    with reading(db) as s:
        body = voting.round_opening(s, meeting)
    signed = chair.attest("round-opened", body)
    with transaction(db) as session:
        assert voting.open_round(session, meeting, signed, body) == 1
    events = snapshot(db)["events"]
    with transaction(db) as session:  # its answer was lost: the same request is answered again
        assert voting.open_round(session, meeting, signed, body) == 1
    assert snapshot(db)["events"] == events

    key = keystore.new_committee_key(rng)

    def sign(message: bytes) -> bytes:
        return keystore.sign(key, message)

    with reading(db) as s:
        closing = counting.round_closing(s, meeting, 1)
    assert closing["ballots"] == 0 and closing["chair"] == body["chair"]
    before = snapshot(db)
    refused(
        "bad-chair-signature",
        counting.close_round,
        db,
        meeting,
        1,
        sign,
        other.attest("round-closed", closing),
        closing,
    )
    refused(
        "round-changed",
        counting.close_round,
        db,
        meeting,
        1,
        sign,
        chair.attest("round-closed", closing),
        {**closing, "ballots": 1},
    )
    assert snapshot(db) == before
    signed = chair.attest("round-closed", closing)
    with transaction(db) as session:
        closed = counting.close_round(session, meeting, 1, sign, signed, closing)
    assert closed["chair_signature"] and not closed["void"]
    events = snapshot(db)["events"]
    with transaction(db) as session:  # sent again after a lost answer: the same answer
        assert counting.close_round(session, meeting, 1, sign, signed, closing) == closed
    assert snapshot(db)["events"] == events
    refused("malformed", voting.open_round, db, meeting, signed, "not a body")


def test_only_a_chair_of_the_committee_signs(
    db: sessionmaker[Session], issuer: blind_rsa.IssuerKey
) -> None:
    meeting, members = setup_meeting(db, issuer)
    for member in members[:4]:
        check_in(db, meeting, member)
    with reading(db) as s:
        body = voting.round_opening(s, meeting)
    err = refused("forbidden", voting.round_opening, db, meeting, members[1])
    assert "主任" in err.text.zh
    with transaction(db) as session:
        chair = chair_device(session, meeting, SystemRandom())
    refused(
        "forbidden",
        voting.open_round,
        db,
        meeting,
        chair.attest("round-opened", body),
        body,
        members[1],
    )
    with transaction(db) as session:
        assert open_round(session, meeting) == 1
