"""Closing a round, decrypting its totals, and letting the engine decide.

At close: quorum re-checked; ballots ≤ credentials ≤ issued, else the round is void (收回选票
不得多于发出选票) and the procedure asks for it again; credentials and ballots are published
sorted (never in arrival order); per candidate the approve and oppose ciphertexts are
multiplied into two totals; the committee key signs the record's head. Scrutineers then send
decryption shares; with k of them the totals are decrypted, abstentions derived
(ballots − approve − oppose), the engine decides, and the record is signed again.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Sequence
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from ballot.crypto import ceremony, decryption
from ballot.crypto.codec import (
    ballot_from_json,
    commitment_message_from_json,
    decryption_share_from_json,
    decryption_share_json,
)
from ballot.crypto.discrete_log import DiscreteLog
from ballot.crypto.elgamal import Ciphertext, add
from ballot.crypto.errors import CryptoError
from ballot.crypto.group import RandomSource, production_group
from ballot.protocol import acceptance as acceptance_of
from ballot.protocol.chain import canonical_json, checkpoint_message
from ballot.protocol.context import OPTIONS, ceremony_id, decryption_context
from ballot.protocol.lifecycle import MeetingStatus, RoundStatus, advance_meeting, advance_round
from ballot.services import record
from ballot.services.chair import already, chair_of, signed_body
from ballot.services.errors import ServiceError
from ballot.services.meetings import (
    confirmed_members,
    members_count,
    present_count,
    procedure,
    rules_of,
)
from ballot.services.queries import add_once, count_rows
from ballot.storage import models as m
from ballot.tally.motion import motion_result
from ballot.tally.report import outcome as outcome_json
from ballot.tally.voiding import void_reason

Signer = Callable[[bytes], bytes]


def _round(session: Session, meeting: m.Meeting, number: int, status: str) -> m.Round:
    rnd = session.scalar(
        select(m.Round).where(m.Round.meeting_id == meeting.id, m.Round.number == number)
    )
    if rnd is None:
        raise ServiceError(
            "unknown-round", en=f"there is no round {number}", zh=f"没有第 {number} 轮"
        )
    if rnd.status != status:
        raise ServiceError(
            f"round-{rnd.status}",
            en=f"round {number} is {rnd.status}, not {status}",
            zh=f"第 {number} 轮状态为 {rnd.status}，而非 {status}",
        )
    return rnd


def checkpoint(session: Session, meeting: m.Meeting, sign: Signer) -> None:
    """The committee key signs the current head of the record."""
    seq, head = record.head(session, meeting.id)
    signature = sign(checkpoint_message(meeting.public_id, seq - 1, head))
    record.append(
        session,
        meeting.id,
        "checkpoint",
        {"seq": seq - 1, "head": head, "signature": signature.hex()},
    )


def share_context(meeting: m.Meeting, rnd: m.Round, option: str, index: int) -> list[bytes]:
    return decryption_context(meeting.public_id, rnd.number, rnd.record, option, index)


def _count(session: Session, table: Any, rnd: m.Round) -> int:
    return count_rows(session, table, table.round_id == rnd.id)


def _list_digest(items: Sequence[str]) -> str:
    """SHA-256 (hex) of the canonical JSON of a published list, as the chair signs it."""
    return hashlib.sha256(canonical_json(list(items))).hexdigest()


def _closing(
    session: Session, meeting: m.Meeting, rnd: m.Round, chair: m.Member
) -> tuple[dict[str, Any], list[m.Credential], Sequence[m.Ballot]]:
    """The `round-closed` body the chair signs to close `rnd` now, with the credentials and
    ballots it closes on (published before it, sorted: never in arrival order)."""
    group = production_group()
    present, members = present_count(session, meeting), members_count(session, meeting)
    quorum = rules_of(meeting).quorum.get()
    issued = _count(session, m.Issuance, rnd)
    registered = _count(session, m.Credential, rnd)
    ballots = session.scalars(
        select(m.Ballot).where(m.Ballot.round_id == rnd.id).order_by(m.Ballot.tracker)
    ).all()
    void = void_reason(quorum, members, present, issued, registered, len(ballots))
    credentials = list(
        session.scalars(
            select(m.Credential)
            .where(m.Credential.round_id == rnd.id)
            .order_by(m.Credential.public_key)
        ).all()
    )
    aggregates: list[dict[str, list[str]]] = []
    if void is None:
        parsed = [ballot_from_json(b.body) for b in ballots]
        for i in range(len(rnd.candidates)):
            totals = {}
            for option in OPTIONS:
                ct = add(group, (getattr(p.selections[i], option) for p in parsed))
                totals[option] = [format(int(ct.alpha), "x"), format(int(ct.beta), "x")]
            aggregates.append(totals)
    body = {
        "round": rnd.number,
        "members": members,
        "present": present,
        "present_members": confirmed_members(session, meeting),
        "issued": issued,
        "credentials": registered,
        "credential_list": _list_digest([c.public_key for c in credentials]),
        "ballots": len(ballots),
        "ballot_list": _list_digest([b.tracker for b in ballots]),
        "void": void is not None,
        "reason": None if void is None else void.as_dict(),
        "aggregates": aggregates,
        "chair": chair.name,
    }
    return body, credentials, ballots


def round_closing(
    session: Session, meeting_id: int, number: int, chair_id: int | None = None
) -> dict[str, Any]:
    """What the chair signs to close round `number` now: the `round-closed` body the record
    will keep (the counts of credentials and ballots and their lists' digests, void or not and
    why, the encrypted totals), less the signature."""
    meeting = record.meeting(session, meeting_id)
    rnd = _round(session, meeting, number, RoundStatus.OPEN)
    return _closing(session, meeting, rnd, chair_of(session, meeting, chair_id))[0]


def close_round(
    session: Session,
    meeting_id: int,
    number: int,
    sign: Signer,
    chair_signature: object,
    seen: object = None,
    chair_id: int | None = None,
) -> dict[str, Any]:
    """Close an open round on the chair's signature over `round_closing`'s body (`seen`: the
    body the chair was shown); returns what the round-closed event says."""
    meeting = record.lock_meeting(session, meeting_id)
    done = already(session, meeting, "round-closed", chair_signature)
    if done is not None and done.get("round") == number:  # (its answer was lost)
        return dict(done)
    rnd = _round(session, meeting, number, RoundStatus.OPEN)
    chair = chair_of(session, meeting, chair_id)
    body, credentials, ballots = _closing(session, meeting, rnd, chair)
    signature = signed_body(session, meeting, chair, "round-closed", body, chair_signature, seen)
    by_id = {c.id: c for c in credentials}
    record.append(
        session,
        meeting.id,
        "credentials",
        {
            "round": number,
            "credentials": [
                {"public_key": c.public_key, "prepared": c.prepared, "signature": c.signature}
                for c in credentials
            ],
        },
    )
    for b in ballots:
        record.append(
            session,
            meeting.id,
            "ballot",
            {
                "round": number,
                "tracker": b.tracker,
                "credential_key": by_id[b.credential_id].public_key,
                "ballot": b.body,
                "signature": b.signature,
            },
        )
    rnd.present_at_close = body["present"]
    rnd.status = advance_round(rnd.status, RoundStatus.VOID if body["void"] else RoundStatus.CLOSED)
    rnd.counts = {"ballots": len(ballots), "aggregates": body["aggregates"]}
    body = {**body, "chair_signature": signature}
    record.append(session, meeting.id, "round-closed", body)
    checkpoint(session, meeting, sign)
    if not body["void"] and not ballots:  # nothing to decrypt: every count is 0
        zero = {n: 0 for n in rnd.candidates}
        _decide(
            session,
            meeting,
            rnd,
            {"approve": dict(zero), "oppose": dict(zero), "abstain": dict(zero)},
            [],
            sign,
        )
    return body


_committees: dict[tuple[int, str], ceremony.CommitteeKey] = {}


def _committee(session: Session, meeting: m.Meeting, rng: RandomSource) -> ceremony.CommitteeKey:
    """The ceremony's public keys, re-derived from the stored transcript (once per process)."""
    cached = _committees.get((meeting.id, meeting.joint_key or ""))
    if cached is not None:
        return cached
    rows = session.scalars(
        select(m.CeremonyMessage)
        .where(m.CeremonyMessage.meeting_id == meeting.id)
        .order_by(m.CeremonyMessage.sender)
    ).all()
    event = session.scalars(
        select(m.Event).where(m.Event.meeting_id == meeting.id, m.Event.kind == "ceremony")
    ).one()
    body = json.loads(event.body)
    params = ceremony.CeremonyParams(ceremony_id(meeting.public_id), body["k"], body["n"])
    committee = ceremony.verify_transcript(
        production_group(), params, [commitment_message_from_json(r.body) for r in rows], rng
    )
    if format(int(committee.joint_key), "x") != meeting.joint_key:
        raise ServiceError(
            "ceremony-mismatch",
            en="the stored transcript does not give the meeting's joint key",
            zh="所存仪式记录与会议联合公钥不符",
        )
    _committees[(meeting.id, meeting.joint_key or "")] = committee
    return committee


def committee_key(session: Session, meeting_id: int, rng: RandomSource) -> ceremony.CommitteeKey:
    """The meeting's ceremony public keys, checked against its joint key: what a scrutineer's
    command-line client proves its decryption shares against."""
    meeting = record.meeting(session, meeting_id)
    return _committee(session, meeting, rng)


def submit_decryption_shares(
    session: Session,
    meeting_id: int,
    number: int,
    index: int,
    shares: Sequence[Any],
    sign: Signer,
    rng: RandomSource,
    accepted: object = None,
    signature: object = None,
) -> dict[str, Any] | None:
    """Accept scrutineer `index`'s acceptance of a closed round (`accepted`: the body of
    `protocol.acceptance.accepted` the scrutineer computed from the published ballots, and its
    `signature`) and its shares of every total (a list, one {"approve": share, "oppose": share}
    per candidate). Once k scrutineers have sent theirs, decrypt, count, run the engine and
    return its decision (else None)."""
    group = production_group()
    meeting = record.lock_meeting(session, meeting_id)
    rnd = _round(session, meeting, number, RoundStatus.CLOSED)
    try:
        committee = _committee(session, meeting, rng)
        committee.params.check_index(index, "scrutineer", "监票人")
    except CryptoError as err:
        raise ServiceError.of(err.code, err.text) from None
    aggregates = (rnd.counts or {}).get("aggregates", [])
    if not isinstance(shares, list) or len(shares) != len(aggregates):
        raise ServiceError(
            "malformed",
            en=f"one pair of shares per candidate is needed ({len(aggregates)})",
            zh=f"每个候选组织须有一对份额（{len(aggregates)}）",
        )
    parsed: list[dict[str, decryption.DecryptionShare]] = []
    items = []
    try:
        for i, (pair, total) in enumerate(zip(shares, aggregates, strict=True)):
            if not isinstance(pair, dict) or set(pair) != set(OPTIONS):
                raise ServiceError(
                    "malformed",
                    en="each entry holds an approve and an oppose share",
                    zh="每项须含同意与不同意两份份额",
                )
            entry = {}
            for option in OPTIONS:
                share = decryption_share_from_json(pair[option])
                if share.index != index:
                    raise ServiceError(
                        "malformed",
                        en="a share names another scrutineer",
                        zh="份额署名的监票人不符",
                    )
                ct = Ciphertext(*(group.received_hex(x) for x in total[option]))
                items.append((ct, share, share_context(meeting, rnd, option, i)))
                entry[option] = share
            parsed.append(entry)
        # the totals were computed here from validated ballots: no need to re-check them
        decryption.verify_shares(group, committee, items, rng, ciphertexts_checked=True)
    except CryptoError as err:
        raise ServiceError.of(err.code, err.text) from None
    acceptance = _acceptance(session, meeting, rnd, index, committee, accepted, signature)
    body = [{o: decryption_share_json(e[o]) for o in OPTIONS} for e in parsed]
    add_once(
        session,
        [m.DecryptionShareRow(round_id=rnd.id, scrutineer_index=index, body={"shares": body})],
        ServiceError(
            "already-submitted",
            en=f"scrutineer {index} has already sent shares for round {number}",
            zh=f"监票人 {index} 已提交第 {number} 轮份额",
        ),
    )
    record.append(session, meeting.id, acceptance_of.KIND, acceptance)
    record.append(
        session,
        meeting.id,
        "decryption-shares",
        {"round": number, "scrutineer": index, "shares": body},
    )
    rows = session.scalars(
        select(m.DecryptionShareRow)
        .where(m.DecryptionShareRow.round_id == rnd.id)
        .order_by(m.DecryptionShareRow.scrutineer_index)
    ).all()
    if len(rows) < committee.params.k:
        return None
    used = rows[: committee.params.k]
    ballots = int((rnd.counts or {}).get("ballots", 0))
    log = DiscreteLog(group, ballots)
    counts: dict[str, dict[str, int]] = {"approve": {}, "oppose": {}, "abstain": {}}
    for i, (name, total) in enumerate(zip(rnd.candidates, aggregates, strict=True)):
        for option in OPTIONS:
            ct = Ciphertext(*(group.received_hex(x) for x in total[option]))
            # each share was verified when it was accepted: combine them directly
            points = [
                (
                    r.scrutineer_index,
                    group.received_hex(r.body["shares"][i][option]["value"]),
                )
                for r in used
            ]
            alpha_s = decryption.interpolate(group, points)
            counts[option][name] = log(group.mul(ct.beta, group.inv(alpha_s)))
        counts["abstain"][name] = ballots - counts["approve"][name] - counts["oppose"][name]
    return _decide(session, meeting, rnd, counts, [r.scrutineer_index for r in used], sign)


def closed_event(session: Session, meeting: m.Meeting, number: int) -> dict[str, Any]:
    """The body of round `number`'s `round-closed` event."""
    for event in record.events(session, meeting.id, ("round-closed",)):
        if event["body"].get("round") == number:
            return dict(event["body"])
    raise ServiceError(
        "unknown-round", en=f"round {number} is not closed", zh=f"第 {number} 轮未结束"
    )


def _acceptance(
    session: Session,
    meeting: m.Meeting,
    rnd: m.Round,
    index: int,
    committee: ceremony.CommitteeKey,
    accepted: object,
    signature: object,
) -> dict[str, Any]:
    """The `round-accepted` body to record for scrutineer `index`: only an acceptance of exactly
    what the chair closed the round on (its ballot and credential lists, and totals equal to the
    encrypted totals it closed with), signed with the scrutineer's share key."""
    closed = closed_event(session, meeting, rnd.number)
    expected = acceptance_of.accepted(
        rnd.number,
        index,
        closed["ballots"],
        closed["ballot_list"],
        closed["credential_list"],
        closed["aggregates"],
    )
    if not isinstance(accepted, dict):
        raise ServiceError(
            "acceptance-needed",
            en=f"scrutineer {index} sends shares for round {rnd.number} only with their signed "
            "acceptance of its ballots and totals: reload the scrutineer's page",
            zh=f"监票人 {index} 须连同对第 {rnd.number} 轮选票与总数的签名确认一并提交份额：请刷新监票页",
        )
    for name in acceptance_of.FIELDS:
        if accepted.get(name) != expected[name]:
            raise ServiceError(
                "acceptance-differs",
                en=f"scrutineer {index}'s acceptance of round {rnd.number} gives {name} "
                f"{accepted.get(name)!r}; the round closed on {expected[name]!r}: the ballots "
                "the scrutineer checked are not the ones the round closed on — nothing is "
                "decrypted; tell the chair",
                zh=f"监票人 {index} 对第 {rnd.number} 轮的确认中 {name} 为 {accepted.get(name)!r}，"
                f"而本轮结束时为 {expected[name]!r}：监票人核验的选票与本轮结束时的不同，"
                "不予解密；请告知主持人",
            )
    if set(accepted) != set(acceptance_of.FIELDS):
        raise ServiceError(
            "malformed",
            en=f"an acceptance holds exactly {', '.join(acceptance_of.FIELDS)}",
            zh=f"确认须恰好含 {', '.join(acceptance_of.FIELDS)}",
        )
    if not acceptance_of.holds(
        production_group(), committee.share_key(index), meeting.public_id, expected, signature
    ):
        raise ServiceError(
            "bad-acceptance-signature",
            en=f"the acceptance of round {rnd.number} is not signed with scrutineer {index}'s "
            "share key: open this scrutineer's own share file",
            zh=f"第 {rnd.number} 轮的确认未以监票人 {index} 的份额密钥签名：请打开本人的份额文件",
        )
    return {**expected, acceptance_of.SIGNATURE: signature}


def _decide(
    session: Session,
    meeting: m.Meeting,
    rnd: m.Round,
    counts: dict[str, Any],
    scrutineers: list[int],
    sign: Signer,
) -> dict[str, Any]:
    """Record a round's counts, let the engine decide, close the meeting when it is done."""
    ballots = int((rnd.counts or {}).get("ballots", 0))
    rnd.counts = {**(rnd.counts or {}), **counts}
    rnd.status = advance_round(rnd.status, RoundStatus.COUNTED)
    session.flush()
    record.append(
        session,
        meeting.id,
        "counts",
        {"round": rnd.number, "ballots": ballots, "scrutineers": scrutineers, **counts},
    )
    if rnd.kind == "motion":
        result = motion_result(
            rules_of(meeting),
            rnd.candidates[0],
            counts,
            ballots,
            rnd.present_at_close or 0,
            members_count(session, meeting),
        )
        record.append(session, meeting.id, "motion-decision", {"round": rnd.number, **result})
        checkpoint(session, meeting, sign)
        return result
    decided = outcome_json(procedure(session, meeting))
    record.append(
        session,
        meeting.id,
        "decision",
        {
            "round": rnd.number,
            "decision": decided["rounds"][-1],
            "next": decided["next"],
            "complete": decided["complete"],
            "result": decided["result"],
        },
    )
    if decided["complete"]:
        meeting.status = advance_meeting(meeting.status, MeetingStatus.CLOSED)
        record.append(
            session,
            meeting.id,
            "meeting-closed",
            {"result": decided["result"], "tiers": decided["tiers"]},
        )
    checkpoint(session, meeting, sign)
    return decided
