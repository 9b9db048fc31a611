"""A whole meeting through the services, on SQLite and PostgreSQL: ceremony with real
scrutineers, an award ballot with a tie, its re-vote, the nominee ballot, decryption by 2 of 3
scrutineers, the engine's decisions, and a signed, unbroken record."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from ballot import verify
from ballot.crypto import blind_rsa, ceremony, keystore
from ballot.crypto.codec import commitment_message_json
from ballot.crypto.group import production_group
from ballot.crypto.randomness import SystemRandom
from ballot.devtools import demo
from ballot.devtools.demo import cast_as_member, local_ceremony, open_round_view
from ballot.protocol.chain import chain_problems, checkpoint_message
from ballot.protocol.context import ceremony_id
from ballot.services import ceremonies, counting, meetings, overview, record, results, voting
from ballot.services.errors import ServiceError
from ballot.services.unit import reading, transaction
from ballot.storage import models as m
from tests.support.members import check_in, close_round, open_motion, open_round
from tests.support.web import scrutineer_sends, submit

NOW = datetime(2026, 11, 22, 9, 0, tzinfo=UTC)
SECRET = "server secret for tests"
RNG = SystemRandom()
ROSTER = "name,role\nZhang,chair\nLi,member\nWang,member\nZhao,member\nChen,member\n"
SLATE = {
    "profile": "jiaxing-2020",
    "candidates": ["A", "B", "C"],
    "others": ["X"],
    "rules": {"tiers": [{"id": "award", "places": 2}, {"id": "nominee", "places": 1}]},
}


def run_ceremony(
    public_id: str,
) -> tuple[list[dict[str, Any]], list[ceremony.ScrutineerShare], ceremony.CommitteeKey]:
    params = ceremony.CeremonyParams(ceremony_id(public_id), 2, 3)
    messages, shares, committee = local_ceremony(production_group(), params, RNG)
    return [commitment_message_json(x) for x in messages], shares, committee


def cast_round(
    db: sessionmaker[Session], meeting: int, number: int, votes: dict[int, list[str]]
) -> None:
    view = open_round_view(db, meeting, number)
    for member, choices in votes.items():
        cast_as_member(db, view, member, choices, SECRET, RNG)


def count_round(
    db: sessionmaker[Session],
    meeting: int,
    number: int,
    shares: list[ceremony.ScrutineerShare],
    committee: ceremony.CommitteeKey,
    sign: Any,
    scrutineers: tuple[int, ...] = (1, 3),
) -> dict[str, Any] | None:
    with transaction(db) as session:
        closed = close_round(session, meeting, number, sign)
    assert not closed["void"]
    decided = None
    for index in scrutineers:
        sent = scrutineer_sends(db, meeting, number, shares[index - 1])
        decided = submit(db, meeting, index, sent, sign)
    return decided


def test_a_whole_meeting(db: sessionmaker[Session], issuer: blind_rsa.IssuerKey) -> None:
    meeting, committee_public, public_id = run_meeting(db, issuer)
    with db() as s:
        events = record.events(s, meeting)
        exported = record.export(s, meeting)
    assert chain_problems(events) == []
    kinds = [e["kind"] for e in events]
    assert kinds.count("ballot") == 24 and kinds[-2:] == ["result-signed", "checkpoint"]
    assert "meeting-closed" in kinds and kinds.count("result-signed") == 6
    checkpoints = [e for e in events if e["kind"] == "checkpoint"]
    assert len(checkpoints) == 10 + 6  # each round's close and count, each signed result
    for cp in checkpoints:
        head = events[cp["body"]["seq"]]["hash"]
        assert cp["body"]["head"] == head
        keystore.verify_signature(
            committee_public,
            checkpoint_message(public_id, cp["body"]["seq"], head),
            bytes.fromhex(cp["body"]["signature"]),
        )
    report = verify.summary(verify.Verifier(exported).run())
    assert report["ok"], [c for c in report["checks"] if c["result"] != "PASS"]
    assert {c["check"] for c in report["checks"]} == {name for name, _, _ in verify.CHECKS}
    # the meeting is closed, yet a review vote may still be held in it: a member's code
    # replaced now is written into its record (whoever holds the new code could vote)
    from ballot.services import accounts
    from ballot.storage import models as m

    with transaction(db) as session:
        row = session.get(m.Meeting, meeting)
        assert row is not None and row.status == "closed"
        member = session.scalars(
            select(m.Member).where(m.Member.committee_id == row.committee_id)
        ).first()
        assert member is not None
        account, _ = accounts.create_account(
            session, "member", member.name, committee_id=row.committee_id, member_id=member.id
        )
    with transaction(db) as session:
        accounts.reissue_code(session, account)
    with db() as s:
        last = record.events(s, meeting)[-1]
    assert last["kind"] == "code-replaced" and last["body"]["name"] == member.name


def prepare(db: sessionmaker[Session], issuer: blind_rsa.IssuerKey) -> dict[str, Any]:
    """The module's meeting opened after its ceremony: its id, public id, member ids, the
    scrutineers' shares, the committee's public keys, the checkpoint signer."""
    committee_private = keystore.new_committee_key(RNG)
    committee_public = keystore.committee_public_key(committee_private)

    def sign(message: bytes) -> bytes:
        return keystore.sign(committee_private, message)

    with transaction(db) as session:
        committee_id = meetings.create_committee(
            session, "Jiaxing", meetings.parse_roster(ROSTER), NOW
        )
    with transaction(db) as session:
        meeting = meetings.create_meeting(session, committee_id, "2026", SLATE, NOW)
    with db() as s:
        public_id = s.get(m.Meeting, meeting).public_id  # type: ignore[union-attr]
        members = list(s.scalars(select(m.Member.id).order_by(m.Member.id)))
    messages, shares, committee = run_ceremony(public_id)
    with transaction(db) as session:
        ceremonies.record_ceremony(session, meeting, 2, 3, messages, RNG)
    with transaction(db) as session:
        voting.open_meeting(session, meeting, issuer, SECRET, RNG, committee_public)
    return {
        "meeting": meeting,
        "public_id": public_id,
        "members": members,
        "shares": shares,
        "committee": committee,
        "committee_public": committee_public,
        "sign": sign,
    }


def first_close(
    db: sessionmaker[Session], issuer: blind_rsa.IssuerKey
) -> tuple[int, list[ceremony.ScrutineerShare], Any]:
    """The module's meeting up to its first round's close: (meeting id, shares, signer)."""
    ready = prepare(db, issuer)
    meeting, members = ready["meeting"], ready["members"]
    for member in members:
        check_in(db, meeting, member)
    with transaction(db) as session:
        assert open_round(session, meeting) == 1
    cast_round(db, meeting, 1, {m: ["approve", "oppose", "abstain"] for m in members})
    with transaction(db) as session:
        close_round(session, meeting, 1, ready["sign"])
    return meeting, ready["shares"], ready["sign"]


def run_meeting(db: sessionmaker[Session], issuer: blind_rsa.IssuerKey) -> tuple[int, bytes, str]:
    """The meeting of this module's test; returns (meeting id, committee key, public id)."""
    ready = prepare(db, issuer)
    meeting, public_id, members = ready["meeting"], ready["public_id"], ready["members"]
    shares, committee, sign = ready["shares"], ready["committee"], ready["sign"]
    committee_public = ready["committee_public"]
    for member in members[:4]:
        check_in(db, meeting, member)
    AP, OP, AB = "approve", "oppose", "abstain"

    # award, 2 places: A, B and C tie at 3 (≥ 1/2 of 5 members) → re-vote among all three
    with transaction(db) as session:
        assert open_round(session, meeting) == 1
    with pytest.raises(ServiceError) as err:  # a member not checked in gets no credential
        cast_round(db, meeting, 1, {members[4]: [AP, AB, AB]})
    assert err.value.code == "not-present"
    check_in(db, meeting, members[4])
    cast_round(
        db,
        meeting,
        1,
        {
            members[0]: [AP, AP, AB],
            members[1]: [AP, OP, AP],
            members[2]: [OP, AP, AP],
            members[3]: [AP, AB, AB],
            members[4]: [AB, AP, AP],
        },
    )
    with pytest.raises(ServiceError), transaction(db) as session:
        counting.submit_decryption_shares(session, meeting, 1, 1, [], sign, RNG)  # still open
    decided = count_round(db, meeting, 1, shares, committee, sign)
    assert decided is not None
    r1 = decided["rounds"][0]
    assert r1["counts"]["A"] == {"approve": 3, "oppose": 1, "abstain": 1}
    assert r1["counts"]["B"] == {"approve": 3, "oppose": 1, "abstain": 1}
    assert r1["counts"]["C"] == {"approve": 3, "oppose": 0, "abstain": 2}
    assert r1["selected"] == [] and r1["revote"] == {"candidates": ["A", "B", "C"], "places": 2}
    # the re-vote among A, B and C for 2 places: A and B
    with transaction(db) as session:
        assert open_round(session, meeting) == 2
    cast_round(
        db,
        meeting,
        2,
        {
            members[0]: [AP, AP, AB],
            members[1]: [AP, AB, AP],
            members[2]: [AB, AP, AB],
            members[3]: [AP, AB, AB],
        },
    )
    decided = count_round(db, meeting, 2, shares, committee, sign, scrutineers=(2, 3))
    assert decided is not None and decided["rounds"][1]["selected"] == ["A", "B"]
    assert decided["next"] == {
        "tier": "nominee",
        "kind": "ballot",
        "candidates": ["C"],
        "places": 1,
        "max_approvals": 1,
        "threshold": 3,
        "outside_cap": [],
    }
    # nominee: C reaches 3; a scrutineer sending twice is refused
    with transaction(db) as session:
        assert open_round(session, meeting) == 3
    cast_round(db, meeting, 3, {members[i]: [AP if i < 3 else OP] for i in range(5)})
    decided = count_round(db, meeting, 3, shares, committee, sign, scrutineers=(1,))
    assert decided is None  # 1 of the 2 needed
    with pytest.raises(ServiceError) as err:
        submit(db, meeting, 1, scrutineer_sends(db, meeting, 3, shares[0]), sign)
    assert err.value.code == "already-submitted"
    decided = submit(db, meeting, 3, scrutineer_sends(db, meeting, 3, shares[2]), sign)
    assert decided is not None and decided["complete"]
    assert decided["result"] == {"award": ["A", "B"], "nominee": ["C"]}
    with pytest.raises(ServiceError) as err, transaction(db) as session:
        open_round(session, meeting)
    assert err.value.code == "meeting-not-open"
    # the chair and two scrutineers (k) sign the result as it stands
    demo.sign_result(db, meeting, shares[:2], sign, RNG)
    demo.sign_result(db, meeting, shares[:2], sign, RNG)  # again: nothing new is recorded
    with reading(db) as session:
        assert len(record.events(session, meeting, kinds=("result-signed",))) == 3

    # after publication an objection against A is reviewed: a motion, 3 of 5 say yes (≥ 1/2)
    for name in ("Nobody", "X"):  # a review vote is held only on a winner the result names
        with pytest.raises(ServiceError) as err, transaction(db) as session:
            open_motion(session, meeting, name)
        assert err.value.code == "not-a-winner" and "A, B, C" in err.value.text.en
    with transaction(db) as session:
        assert open_motion(session, meeting, "A") == 4
    with pytest.raises(ServiceError) as err, reading(db) as session:  # a review vote under way
        results.chair_result(session, meeting, None)
    assert err.value.code == "result-not-ready" and "4" in err.value.text.en
    cast_round(db, meeting, 4, {members[i]: [AP if i < 3 else OP] for i in range(5)})
    motion = count_round(db, meeting, 4, shares, committee, sign)
    assert motion is not None and motion["passed"] and motion["yes"] == 3
    assert motion["needed"] == 3 and "passed" in motion["reason"]["en"]
    # an objection against B is upheld: 2 of 5 say yes, fewer than 1/2 of all members (嘉兴
    # §三(四)3), so B leaves the result and its place is not refilled
    with transaction(db) as session:
        assert open_motion(session, meeting, "B") == 5
    cast_round(db, meeting, 5, {members[i]: [AP if i < 2 else OP] for i in range(5)})
    motion = count_round(db, meeting, 5, shares, committee, sign)
    assert motion is not None and not motion["passed"] and motion["needed"] == 3
    with reading(db) as session:
        view = overview.meeting_view(session, meeting)
    assert view.result == {"award": ["A"], "nominee": ["C"]}
    with pytest.raises(ServiceError) as err, transaction(db) as session:
        open_motion(session, meeting, "B")  # no longer a winner
    assert err.value.code == "not-a-winner"
    # the review votes changed the result: the chair and k scrutineers sign it again
    demo.sign_result(db, meeting, shares[1:3], sign, RNG)
    return meeting, committee_public, public_id


def test_a_refused_meeting_leaves_nothing_behind(db: sessionmaker[Session]) -> None:
    """The office's meeting is one unit of work: a slate refused after the committee and its
    roster were made stores none of it (no committee, member, login or event)."""
    from ballot.services import setup

    bad = dict(SLATE, profile="no-such-profile")
    with pytest.raises(ServiceError) as err, transaction(db) as session:
        setup.plan_meeting(session, "新评委会", ROSTER, "会议", bad, 2, ["甲", "乙", "丙"])
    assert err.value.code == "invalid-rules" and "no-such-profile" in err.value.text.en
    with db() as s:
        for table in (m.Committee, m.Member, m.Meeting, m.Account, m.Scrutineer, m.Event):
            assert s.scalars(select(table)).first() is None, table.__tablename__
    with transaction(db) as session:
        meeting, title, invitations = setup.plan_meeting(
            session, "新评委会", ROSTER, "会议", SLATE, 2, ["甲", "乙", "丙"]
        )
    assert title == "会议" and len(invitations) == 5 + 3
    with db() as s:
        assert s.get(m.Meeting, meeting).status == "ceremony"  # type: ignore[union-attr]


def test_a_member_who_votes_and_leaves_before_the_count_and_quorum_lost_between_rounds(
    db: sessionmaker[Session], issuer: blind_rsa.IssuerKey
) -> None:
    """收回选票不得多于发出选票: five ballots issued and returned, then one voter leaves before the
    close (4 of 5 present, still ≥ 2/3): the round counts and the last scrutineer's shares are
    taken. A second member then steps out (3 of 5: the quorum is lost between rounds): round 1
    stands, the console's view and the public pages still work, and the next round waits."""
    committee_private = keystore.new_committee_key(RNG)

    def sign(message: bytes) -> bytes:
        return keystore.sign(committee_private, message)

    with transaction(db) as session:
        committee_id = meetings.create_committee(
            session, "Jiaxing", meetings.parse_roster(ROSTER), NOW
        )
        meeting = meetings.create_meeting(session, committee_id, "2026", SLATE, NOW)
        public_id = meetings.public_id(session, meeting)
        members = meetings.member_ids(session, committee_id)
    messages, shares, committee = run_ceremony(public_id)
    with transaction(db) as session:
        ceremonies.record_ceremony(session, meeting, 2, 3, messages, RNG)
        voting.open_meeting(
            session, meeting, issuer, SECRET, RNG, keystore.committee_public_key(committee_private)
        )
    for member in members:
        check_in(db, meeting, member)
    with transaction(db) as session:
        open_round(session, meeting)
    AP, AB = "approve", "abstain"
    cast_round(db, meeting, 1, {x: [AP, AP, AB] for x in members})
    with transaction(db) as session:
        meetings.set_present(session, meeting, members[4], False)  # voted, then left
    decided = count_round(db, meeting, 1, shares, committee, sign)
    assert decided is not None and decided["rounds"][0]["selected"] == ["A", "B"]
    assert decided["rounds"][0]["ballots"] == 5 and decided["rounds"][0]["present"] == 4
    with transaction(db) as session:
        meetings.set_present(session, meeting, members[3], False)  # the quorum is lost
    with reading(db) as session:
        view = overview.meeting_view(session, meeting)
        refusal = voting.opening_refusal(session, meeting)
    assert view.rounds[0].status == "counted" and view.next is None
    assert refusal is not None and refusal.code == "no-quorum" and "3 of 5" in refusal.text.en
    check_in(db, meeting, members[3])  # back (their device confirms): the nominee ballot
    with transaction(db) as session:
        assert open_round(session, meeting) == 2
