"""A meeting through the services, on SQLite and on PostgreSQL: ceremony, attendance and
quorum, a round, blind credentials, anonymous registration and casting — and every kind of
bad input refused with a clear reason and nothing changed."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from ballot.crypto import blind_rsa, ceremony, keystore
from ballot.crypto.codec import commitment_message_json
from ballot.crypto.errors import CryptoError
from ballot.crypto.group import production_group
from ballot.crypto.randomness import SystemRandom
from ballot.devtools.demo import member_device, open_round_view
from ballot.devtools.seeded import SeededRandom
from ballot.protocol.chain import chain_problems
from ballot.protocol.device import VoterDevice
from ballot.services import ceremonies, counting, meetings, overview, presence, record, voting
from ballot.services.errors import ServiceError
from ballot.services.unit import reading, transaction
from ballot.storage import models as m
from tests.support import ROOT
from tests.support.members import (
    check_in,
    close_round,
    confirm,
    issue_signed,
    open_motion,
    open_round,
    request_signature,
)

NOW = datetime(2026, 11, 22, 9, 0, tzinfo=UTC)
SECRET = "server secret for tests"
RNG = SystemRandom()
ROSTER = "姓名,角色\n张主任,主任\n李委员,委员\n王委员,委员\n赵委员,委员\n陈委员,委员\n"
SLATE = {
    "profile": "jiaxing-2020",
    "candidates": ["嘉禾电子", "南湖纺织", "秀洲精工"],
    "others": ["梅湾医药"],
    "rules": {"tiers": [{"id": "award", "places": 1}, {"id": "nominee", "places": 1}]},
}


def ceremony_messages(public_id: str) -> list[dict[str, Any]]:
    group = production_group()
    params = ceremony.CeremonyParams(f"{public_id}/ceremony", 2, 3)
    rng = SeededRandom(public_id)
    return [commitment_message_json(ceremony.begin(group, params, i, rng)[1]) for i in (1, 2, 3)]


def setup_meeting(db: sessionmaker[Session], issuer: blind_rsa.IssuerKey) -> tuple[int, list[int]]:
    with transaction(db) as session:
        committee = meetings.create_committee(
            session, "嘉兴市评委会", meetings.parse_roster(ROSTER), NOW
        )
    with transaction(db) as session:
        meeting = meetings.create_meeting(session, committee, "2026 年度", SLATE, NOW)
    with db() as s:
        public_id = s.get(m.Meeting, meeting).public_id  # type: ignore[union-attr]
        members = list(s.scalars(select(m.Member.id).order_by(m.Member.id)))
    with transaction(db) as session:
        ceremonies.record_ceremony(session, meeting, 2, 3, ceremony_messages(public_id), RNG)
    with transaction(db) as session:
        voting.open_meeting(session, meeting, issuer, SECRET, RNG)
    return meeting, members


def refused(code: str, fn: Any, *args: Any) -> ServiceError:
    """`fn(*args)` is refused with `code`; a service that takes a session gets one in a
    transaction on the database given first (`cast_ballot` takes the database itself)."""
    with pytest.raises(ServiceError) as err:
        if fn is voting.cast_ballot or fn is meetings.slate_from_scores:
            fn(*args)
        else:
            with transaction(args[0]) as session:
                fn(session, *args[1:])
    assert err.value.code == code, err.value
    assert err.value.text.en and err.value.text.zh
    return err.value


def snapshot(db: sessionmaker[Session]) -> dict[str, int]:
    with db() as s:
        return {
            t.__tablename__: s.scalar(select(func.count()).select_from(t)) or 0
            for t in (m.Event, m.Attendance, m.Round, m.Issuance, m.Credential, m.Ballot)
        }


def vote(
    db: sessionmaker[Session], meeting: int, number: int, member: int, choices: list[str]
) -> tuple[str, VoterDevice]:
    view = open_round_view(db, meeting, number)
    device = view.device(RNG)
    sig = issue_signed(db, meeting, number, member, device.blinded_hex, SECRET)
    reg = device.finish_issuance(sig)
    with transaction(db) as session:
        voting.register_credential(
            session,
            meeting,
            number,
            reg["public_key_hex"],
            reg["prepared_hex"],
            reg["signature_hex"],
        )
    ballot, pub, signature, track = device.vote(view.key, view.context, choices)
    assert voting.cast_ballot(db, meeting, number, ballot, pub, signature, RNG) == track
    return track, device


def test_a_round_from_quorum_to_stored_ballots(
    db: sessionmaker[Session], issuer: blind_rsa.IssuerKey
) -> None:
    meeting, members = setup_meeting(db, issuer)
    for member in members[:3]:
        check_in(db, meeting, member)
    err = refused("no-quorum", open_round, db, meeting)
    assert "3 of 5" in err.text.en and "需 4 人" in err.text.zh
    with transaction(db) as session:  # checked in by the chair: 4 checked in …
        assert meetings.set_present(session, meeting, members[3], True) == 4
    # … but only 3 confirmed by their own devices: still no quorum
    err = refused("no-quorum", open_round, db, meeting)
    assert "3 of 5" in err.text.en
    with reading(db) as session:
        assert presence.unconfirmed(session, meeting) == [
            meetings.member_name(session, meeting, members[3])
        ]
    confirm(db, meeting, members[3])
    with transaction(db) as session:
        assert open_round(session, meeting) == 1
    refused("round-open", open_round, db, meeting)
    trackers = [
        vote(db, meeting, 1, member, choices)[0]
        for member, choices in zip(
            members[:4],
            (
                ["approve", "oppose", "abstain"],
                ["approve", "abstain", "abstain"],
                ["oppose", "approve", "abstain"],
                ["abstain"] * 3,
            ),
            strict=True,
        )
    ]
    assert len(set(trackers)) == 4
    with db() as s:
        assert s.scalar(select(func.count()).select_from(m.Ballot)) == 4
        assert s.scalar(select(func.count()).select_from(m.Issuance)) == 4
        events = record.events(s, meeting)
    assert chain_problems(events) == []
    kinds = [e["kind"] for e in events]
    assert kinds[:3] == ["meeting-created", "ceremony", "meeting-opened"]
    assert kinds.count("credential-issued") == 4 and "round-opened" in kinds
    # nothing in the record or the issuance log ties a member to a credential or a ballot
    issued = [e["body"] for e in events if e["kind"] == "credential-issued"]
    assert all(set(b) == {"round", "member", "blinded", "signature"} for b in issued)


def test_bad_input_is_refused_and_changes_nothing(
    db: sessionmaker[Session], issuer: blind_rsa.IssuerKey
) -> None:
    meeting, members = setup_meeting(db, issuer)
    for member in members[:4]:
        check_in(db, meeting, member)
    with transaction(db) as session:
        open_round(session, meeting)
    track, device = vote(db, meeting, 1, members[0], ["approve", "abstain", "abstain"])
    before = snapshot(db)
    refused("already-present", meetings.set_present, db, meeting, members[0], True)
    refused("not-present", meetings.set_present, db, meeting, members[4], False)
    refused("not-a-member", meetings.set_present, db, meeting, 9999, True)
    refused("unknown-meeting", meetings.set_present, db, 9999, members[0], True)
    refused(
        "unknown-round",
        voting.issue_credential,
        db,
        meeting,
        7,
        members[1],
        device.blinded_hex,
        "00" * 64,
        SECRET,
        RNG,
    )
    # the member's own request again (its answer lost on the way): answered again, the same
    # blind signature, nothing more issued or recorded; any other request is refused
    first = device.signature
    again = issue_signed(db, meeting, 1, members[0], device.blinded_hex, SECRET)
    assert first is not None and device.finish_issuance(again)["signature_hex"] == first.hex()
    assert snapshot(db) == before
    other = open_round_view(db, meeting, 1).device(RNG)
    refused(
        "already-issued",
        voting.issue_credential,
        db,
        meeting,
        1,
        members[0],
        other.blinded_hex,
        request_signature(db, meeting, 1, members[0], other.blinded_hex),
        SECRET,
        RNG,
    )
    refused(
        "not-present",
        voting.issue_credential,
        db,
        meeting,
        1,
        members[4],
        device.blinded_hex,
        "00" * 64,
        SECRET,
        RNG,
    )
    refused(
        "malformed",
        voting.issue_credential,
        db,
        meeting,
        1,
        members[1],
        "zz",
        "00" * 64,
        SECRET,
        RNG,
    )
    # the issuer signs only a request the member's own enrolled key signed, for this round and
    # this blinded message
    blinded = other.blinded_hex
    theirs = request_signature(db, meeting, 1, members[2], blinded)  # (enrols members[2])
    mine = request_signature(db, meeting, 1, members[1], blinded)  # (enrols members[1])
    view = open_round_view(db, meeting, 1)
    signer = member_device(db, view, members[1], RNG)
    for forged in (
        theirs,  # another member's key
        signer.sign_issuance(f"{view.public_id}/round-2", blinded),  # another round
        signer.sign_issuance(view.round_id, device.blinded_hex),  # another blinded message
        mine[:-2] + ("00" if mine[-2:] != "00" else "01"),  # changed
        "zz" * 64,
    ):
        refused(
            "malformed" if forged.startswith("zz") else "bad-request-signature",
            voting.issue_credential,
            db,
            meeting,
            1,
            members[1],
            blinded,
            forged,
            SECRET,
            RNG,
        )
    reg = device.finish_issuance(
        issue_signed(db, meeting, 1, members[1], device.blinded_hex, SECRET)
    )
    before = snapshot(db)
    refused(
        "credential-registered",
        voting.register_credential,
        db,
        meeting,
        1,
        reg["public_key_hex"],
        reg["prepared_hex"],
        reg["signature_hex"],
    )
    view = open_round_view(db, meeting, 1)
    ballot, pub, sig, _ = device.vote(view.key, view.context, ["oppose", "abstain", "abstain"])
    refused("already-cast", voting.cast_ballot, db, meeting, 1, ballot, pub, sig, RNG)
    stranger = view.device(RNG)
    b2, pub2, sig2, _ = stranger.vote(view.key, view.context, ["approve", "abstain", "abstain"])
    refused("unknown-credential", voting.cast_ballot, db, meeting, 1, b2, pub2, sig2, RNG)
    forged = stranger.finish_issuance  # a credential signed by another issuer key
    other = blind_rsa.generate_issuer_key(3072)
    blinded = bytes.fromhex(stranger.blinded_hex)
    with pytest.raises(CryptoError):  # the device itself refuses a signature from another key
        forged(blind_rsa.blind_sign(other, blinded[: other.public.modulus_len], RNG).hex())
    refused(
        "bad-credential",
        voting.register_credential,
        db,
        meeting,
        1,
        pub2,
        stranger.prepared.hex(),
        "00" * 256,
    )
    second = view.device(RNG)
    reg2 = second.finish_issuance(
        issue_signed(db, meeting, 1, members[2], second.blinded_hex, SECRET)
    )
    with transaction(db) as session:
        voting.register_credential(
            session, meeting, 1, reg2["public_key_hex"], reg2["prepared_hex"], reg2["signature_hex"]
        )
    before = snapshot(db)
    good, pub3, sig3, track3 = second.vote(
        view.key, view.context, ["abstain", "approve", "abstain"]
    )
    broken = {**good, "selections": good["selections"][:2]}
    refused(
        "malformed-ballot", voting.cast_ballot, db, meeting, 1, {"selections": []}, pub3, sig3, RNG
    )
    refused("ballot-shape", voting.cast_ballot, db, meeting, 1, broken, pub3, sig3, RNG)
    responses = ["1"] * len(good["total_proof"]["responses"])
    tampered = {**good, "total_proof": {**good["total_proof"], "responses": responses}}
    refused("bad-proof", voting.cast_ballot, db, meeting, 1, tampered, pub3, sig3, RNG)
    refused("bad-signature", voting.cast_ballot, db, meeting, 1, good, pub3, sig, RNG)
    refused("malformed", voting.cast_ballot, db, meeting, 1, good, "04", sig3, RNG)
    huge = {**good, "selections": good["selections"] * 100}
    refused("malformed-ballot", voting.cast_ballot, db, meeting, 1, huge, pub3, sig3, RNG)
    assert snapshot(db) == before
    assert voting.cast_ballot(db, meeting, 1, good, pub3, sig3, RNG) == track3
    with db() as s:
        assert set(s.scalars(select(m.Ballot.tracker))) == {track, track3}


def one_registered_credential(
    db: sessionmaker[Session], issuer: blind_rsa.IssuerKey
) -> tuple[int, Any, VoterDevice]:
    """A meeting with four members present, round 1 open and one member's credential issued
    and registered: (the meeting, the round as the device sees it, the device)."""
    meeting, members = setup_meeting(db, issuer)
    for member in members[:4]:
        check_in(db, meeting, member)
    with transaction(db) as session:
        open_round(session, meeting)
    view = open_round_view(db, meeting, 1)
    device = view.device(RNG)
    reg = device.finish_issuance(
        issue_signed(db, meeting, 1, members[0], device.blinded_hex, SECRET)
    )
    with transaction(db) as session:
        voting.register_credential(
            session, meeting, 1, reg["public_key_hex"], reg["prepared_hex"], reg["signature_hex"]
        )
    return meeting, view, device


def test_fifty_simultaneous_casts_of_one_credential_store_exactly_one(
    db: sessionmaker[Session], issuer: blind_rsa.IssuerKey
) -> None:
    import threading

    meeting, view, device = one_registered_credential(db, issuer)
    ballots = [
        device.vote(view.key, view.context, ["approve", "abstain", "abstain"]) for _ in range(5)
    ]
    results: list[str] = []
    start = threading.Barrier(50)

    def cast(i: int) -> None:
        ballot, pub, sig, _ = ballots[i % 5]  # five different ballots, one credential
        start.wait()
        try:
            results.append(voting.cast_ballot(db, meeting, 1, ballot, pub, sig, RNG))
        except ServiceError as err:
            results.append(err.code)

    threads = [threading.Thread(target=cast, args=(i,)) for i in range(50)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    stored = [r for r in results if r != "already-cast"]
    assert len(results) == 50 and len(stored) == 1
    with db() as s:
        assert list(s.scalars(select(m.Ballot.tracker))) == stored


def test_out_of_order_and_malformed_steps_are_refused(
    db: sessionmaker[Session], issuer: blind_rsa.IssuerKey
) -> None:

    with transaction(db) as session:
        committee = meetings.create_committee(session, "c2", meetings.parse_roster(ROSTER), NOW)
    with transaction(db) as session:
        meeting = meetings.create_meeting(session, committee, "t", SLATE, NOW)
    with db() as s:
        public_id = s.get(m.Meeting, meeting).public_id  # type: ignore[union-attr]
        members = list(s.scalars(select(m.Member.id).order_by(m.Member.id)))
    refused("not-ready", voting.open_meeting, db, meeting, issuer, SECRET, RNG)
    refused("meeting-not-open", open_round, db, meeting)
    messages = ceremony_messages(public_id)
    forged = [dict(x) for x in messages]
    forged[1] = {**forged[1], "coefficients": forged[1]["coefficients"][::-1]}
    before = snapshot(db)
    with pytest.raises(ServiceError), transaction(db) as session:
        ceremonies.record_ceremony(session, meeting, 2, 3, forged, RNG)
    refused("malformed-ballot", ceremonies.record_ceremony, db, meeting, 2, 3, [{"x": 1}], RNG)
    assert snapshot(db) == before
    with transaction(db) as session:
        ceremonies.record_ceremony(session, meeting, 2, 3, messages, RNG)
    refused("ceremony-done", ceremonies.record_ceremony, db, meeting, 2, 3, messages, RNG)
    key = keystore.new_committee_key(RNG)

    def sign(message: bytes) -> bytes:
        return keystore.sign(key, message)

    with transaction(db) as session:
        voting.open_meeting(session, meeting, issuer, SECRET, RNG)
    for member in members[:4]:
        check_in(db, meeting, member)
    with transaction(db) as session:
        open_round(session, meeting)
    refused("round-open", counting.submit_decryption_shares, db, meeting, 1, 1, [], sign, RNG)
    refused("unknown-round", close_round, db, meeting, 2, sign)
    vote(db, meeting, 1, members[0], ["approve", "abstain", "abstain"])
    with transaction(db) as session:
        close_round(session, meeting, 1, sign)
    refused("round-closed", close_round, db, meeting, 1, sign)
    # no round, nor a motion, opens while one waits for the scrutineers' shares (the console
    # shows the same reason beside its disabled button)
    err = refused("round-waiting", open_round, db, meeting)
    assert "Round 1" in err.text.en and "第 1 轮" in err.text.zh
    refused("procedure-not-complete", open_motion, db, meeting, SLATE["candidates"][0])
    with transaction(db) as session:
        assert voting.opening_refusal(session, meeting).code == "round-waiting"  # type: ignore[union-attr]
    device = open_round_view(db, meeting, 1).device(RNG)
    before = snapshot(db)
    refused(
        "round-closed",
        voting.issue_credential,
        db,
        meeting,
        1,
        members[0],
        device.blinded_hex,
        "00" * 64,
        SECRET,
        RNG,
    )
    refused(
        "round-closed", voting.register_credential, db, meeting, 1, "04" + "00" * 64, "00", "00"
    )
    refused(
        "round-closed", voting.cast_ballot, db, meeting, 1, {}, "04" + "00" * 64, "00" * 64, RNG
    )
    refused("malformed", counting.submit_decryption_shares, db, meeting, 1, 1, [{}], sign, RNG)
    refused(
        "unknown-scrutineer", counting.submit_decryption_shares, db, meeting, 1, 9, [], sign, RNG
    )
    assert snapshot(db) == before


def test_a_round_with_no_ballots_counts_zero_without_decryption(
    db: sessionmaker[Session], issuer: blind_rsa.IssuerKey
) -> None:
    from ballot import verify
    from ballot.crypto import keystore

    key = keystore.new_committee_key(RNG)
    with transaction(db) as session:
        committee = meetings.create_committee(session, "c3", meetings.parse_roster(ROSTER), NOW)
    with transaction(db) as session:
        meeting = meetings.create_meeting(session, committee, "t", SLATE, NOW)
    with db() as s:
        public_id = s.get(m.Meeting, meeting).public_id  # type: ignore[union-attr]
        members = list(s.scalars(select(m.Member.id).order_by(m.Member.id)))
    with transaction(db) as session:
        ceremonies.record_ceremony(session, meeting, 2, 3, ceremony_messages(public_id), RNG)
    with transaction(db) as session:
        voting.open_meeting(
            session, meeting, issuer, SECRET, RNG, keystore.committee_public_key(key)
        )
    for member in members[:4]:
        check_in(db, meeting, member)
    with transaction(db) as session:
        open_round(session, meeting)
    with transaction(db) as session:
        close_round(session, meeting, 1, lambda msg: keystore.sign(key, msg))
    with db() as s:
        rnd = s.scalar(select(m.Round).where(m.Round.meeting_id == meeting))
        assert rnd is not None and rnd.status == "counted"
        assert rnd.counts is not None and set(rnd.counts["approve"].values()) == {0}
        exported = record.export(s, meeting)
    decision = next(e for e in exported["events"] if e["kind"] == "decision")["body"]
    assert decision["decision"]["selected"] == [] and decision["next"]["tier"] == "nominee"
    failed = {c.name for c in verify.Verifier(exported, workers=1).run() if not c.passed}
    assert failed == {"signatures"}  # only that the meeting is not closed yet


def test_a_slate_from_the_score_sheet(db: sessionmaker[Session]) -> None:

    sheet = (ROOT / "examples/scores-chongqing.csv").read_text("utf-8")
    slate = meetings.slate_from_scores("chongqing-2015", sheet)
    # 第十六条(六)2: both scores ≥ 500 → the award list, top 5; both ≥ 400 → the nominee list
    award = [c["name"] for c in slate["candidates"] if c["list"] == "award"]
    nominee = [c["name"] for c in slate["candidates"] if c["list"] == "nominee"]
    assert award == ["渝江汽车", "两江电子", "山城建工", "朝天门物流", "缙云茶业"]
    assert nominee == ["巴南机械", "长嘉药业", "涪陵榨菜厂", "万州港务"]
    assert slate["others"] == ["黔江丝绸"]
    tie = (ROOT / "examples/scores-jiaxing.csv").read_text("utf-8")
    err = refused("slate-tie", meetings.slate_from_scores, "jiaxing-2020", tie)
    assert "大桥电器" in err.text.en and "须由评审办决定" in err.text.zh
    refused("invalid-rules", meetings.slate_from_scores, "jiangyin-draft", sheet)
    slate = meetings.slate_from_scores("jiangyin-draft", sheet, {"document": "1/5", "site": "4/5"})
    assert slate["candidates"][0] == {"name": "渝江汽车", "list": "award"}
    with transaction(db) as session:
        committee = meetings.create_committee(session, "c4", meetings.parse_roster(ROSTER), NOW)
    chongqing = {
        **meetings.slate_from_scores("chongqing-2015", sheet),
        "rules": {"threshold": {"fraction": "1/2", "inclusive": False, "base": "members"}},
    }
    with transaction(db) as session:
        assert meetings.create_meeting(session, committee, "t", chongqing, NOW) > 0
    refused(
        "invalid-rules",
        meetings.create_meeting,
        db,
        committee,
        "t",
        {**chongqing, "rules": {}},
        NOW,
    )  # Chongqing states no threshold: choose one


def test_the_ceremony_relayed_through_the_server(db: sessionmaker[Session]) -> None:
    from ballot.crypto.codec import (
        commitment_message_from_json,
        encrypted_share_from_json,
        encrypted_share_json,
    )
    from ballot.protocol.context import ceremony_id

    with transaction(db) as session:
        committee = meetings.create_committee(session, "c5", meetings.parse_roster(ROSTER), NOW)
    with transaction(db) as session:
        meeting = meetings.create_meeting(session, committee, "t", SLATE, NOW)
    with db() as s:
        public_id = s.get(m.Meeting, meeting).public_id  # type: ignore[union-attr]
    refused("no-ceremony", ceremonies.publish_commitments, db, meeting, {})
    with transaction(db) as session:
        ceremonies.start_ceremony(session, meeting, 2, 3)
    refused("ceremony-done", ceremonies.start_ceremony, db, meeting, 2, 3)
    group = production_group()
    params = ceremony.CeremonyParams(ceremony_id(public_id), 2, 3)
    begun = [ceremony.begin(group, params, i, RNG) for i in (1, 2, 3)]
    for _, message in begun[:2]:
        with transaction(db) as session:
            ceremonies.publish_commitments(session, meeting, commitment_message_json(message))
    with transaction(db) as session:  # the same message again (a retry) is taken once
        ceremonies.publish_commitments(session, meeting, commitment_message_json(begun[0][1]))
    refused(  # another message from the same scrutineer is not
        "already-published",
        ceremonies.publish_commitments,
        db,
        meeting,
        commitment_message_json(ceremony.begin(group, params, 1, RNG)[1]),
    )
    refused("commitments-missing", ceremonies.publish_shares, db, meeting, 1, [])
    with transaction(db) as session:
        ceremonies.publish_commitments(session, meeting, commitment_message_json(begun[2][1]))
    with transaction(db) as session:
        published = [
            commitment_message_from_json(x) for x in ceremonies.commitments(session, meeting)
        ]
    for dealing, _ in begun:
        dealt = ceremony.deal(group, params, dealing, published, RNG)
        if dealing.index == 1:
            refused(
                "malformed",
                ceremonies.publish_shares,
                db,
                meeting,
                1,
                [encrypted_share_json(x) for x in dealt[:2]],
            )
        with transaction(db) as session:
            ceremonies.publish_shares(
                session, meeting, dealing.index, [encrypted_share_json(x) for x in dealt]
            )
        if dealing.index == 1:
            refused("shares-missing", ceremonies.complete_ceremony, db, meeting, RNG)
    keys = set()
    for dealing, _ in begun:
        with transaction(db) as session:
            mine = [
                encrypted_share_from_json(x)
                for x in ceremonies.shares_for(session, meeting, dealing.index)
            ]
        _, committee_key = ceremony.finish(group, params, dealing, published, mine, RNG)
        keys.add(format(int(committee_key.joint_key), "x"))
    with transaction(db) as session:
        assert keys == {ceremonies.complete_ceremony(session, meeting, RNG)}
    with db() as s:
        kinds = [e["kind"] for e in record.events(s, meeting)]
    assert kinds == ["meeting-created", "ceremony-started", "ceremony"]


def test_a_round_closed_without_a_quorum_is_void_and_says_why_in_both_languages(
    db: sessionmaker[Session], issuer: blind_rsa.IssuerKey
) -> None:
    meeting, members = setup_meeting(db, issuer)
    key = keystore.new_committee_key(RNG)
    for member in members[:4]:
        check_in(db, meeting, member)
    with transaction(db) as session:
        open_round(session, meeting)
        meetings.set_present(session, meeting, members[3], False)  # steps out before the close
    with transaction(db) as session:
        closed = close_round(session, meeting, 1, lambda msg: keystore.sign(key, msg))
    assert closed["void"] and closed["reason"] == {
        "en": "quorum not met at close: 3 of 5 present, 4 needed",
        "zh": "结束时不足法定人数：应到 5 人，实到 3 人，需 4 人",
    }
    with transaction(db) as session:
        view = overview.meeting_view(session, meeting)
        exported = record.export(session, meeting)
    assert view.rounds[0].status == "void" and view.rounds[0].void_reason == closed["reason"]
    body = next(e["body"] for e in exported["events"] if e["kind"] == "round-closed")
    assert body["reason"] == closed["reason"]


def test_a_meeting_refuses_a_past_winner_outside_the_cap_where_the_regulation_has_none(
    db: sessionmaker[Session],
) -> None:
    with transaction(db) as session:
        committee = meetings.create_committee(
            session, "嘉兴市评委会", meetings.parse_roster(ROSTER), NOW
        )
    flagged = {**SLATE, "candidates": [{"name": "嘉禾电子", "outside_cap": ["award"]}, "南湖纺织"]}
    err = refused("invalid-rules", meetings.create_meeting, db, committee, "2026", flagged, NOW)
    assert "第二十八条" in err.text.en and "占用名额" in err.text.zh
    with db() as s:
        assert s.scalars(select(m.Meeting)).first() is None


def test_a_cast_waiting_on_the_close_is_refused_once_the_close_commits(
    db: sessionmaker[Session], issuer: blind_rsa.IssuerKey
) -> None:
    """The chair's close holds the meeting's lock while a cast's last transaction waits for it:
    once the close commits, the cast sees the round closed and stores nothing (a ballot stored
    after the close's record was written would never be counted, yet its member would hold a
    tracker). On PostgreSQL the cast's query must begin after its lock is granted."""
    import threading
    import time

    from ballot.services import record as record_service

    meeting, view, device = one_registered_credential(db, issuer)
    ballot, pub, sig, _ = device.vote(view.key, view.context, ["approve", "abstain", "abstain"])
    locked, outcome = threading.Event(), []

    def close() -> None:  # what a close does to the round, under the meeting's lock
        with transaction(db) as session:
            record_service.lock_meeting(session, meeting)
            locked.set()
            time.sleep(1.5)  # (the cast checks its proofs, then waits for this lock)
            rnd = session.scalar(select(m.Round).where(m.Round.meeting_id == meeting))
            assert rnd is not None
            rnd.status = "closed"

    closer = threading.Thread(target=close)
    closer.start()
    locked.wait(10)
    try:
        outcome.append(voting.cast_ballot(db, meeting, 1, ballot, pub, sig, RNG))
    except ServiceError as err:
        outcome.append(err.code)
    closer.join()
    assert outcome == ["round-closed"]
    with db() as s:
        assert s.scalar(select(func.count()).select_from(m.Ballot)) == 0


def test_a_cast_is_four_statements_when_all_is_well(
    db: sessionmaker[Session], issuer: blind_rsa.IssuerKey
) -> None:
    """The server's CPU per cast should go to the proofs (README, the rooms benchmark): a cast
    that is in order reads its state in one statement, then takes the meeting's lock, reads it
    again and inserts the ballot — four statements in all, none of them loading whole rows."""
    from sqlalchemy import event

    _meeting, view, device = one_registered_credential(db, issuer)
    ballot, pub, sig, tracker_hex = device.vote(
        view.key, view.context, ["approve", "abstain", "abstain"]
    )
    engine = db.kw["bind"]
    seen: list[str] = []

    def count(_conn: Any, _cursor: Any, statement: str, *_rest: Any) -> None:
        seen.append(" ".join(statement.split()))

    event.listen(engine, "before_cursor_execute", count)
    try:
        assert voting.cast_ballot(db, view.public_id, 1, ballot, pub, sig, RNG) == tracker_hex
    finally:
        event.remove(engine, "before_cursor_execute", count)
    kinds = [
        s.split(" ", 1)[0].upper() for s in seen if not s.upper().startswith(("BEGIN", "PRAGMA"))
    ]
    assert kinds == ["SELECT", "SELECT", "SELECT", "INSERT"], seen
    assert not any("issuer_private_sealed" in s or "committee_key_sealed" in s for s in seen)
