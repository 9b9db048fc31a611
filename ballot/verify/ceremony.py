"""The scrutineers' key ceremony: every proof, the joint key and the transcript digest."""

from __future__ import annotations

from ballot.crypto import ceremony
from ballot.crypto.codec import (
    commitment_message_from_json,
)
from ballot.crypto.elgamal import PublicKey
from ballot.crypto.errors import CryptoError
from ballot.crypto.randomness import SystemRandom
from ballot.protocol import context as protocol
from ballot.protocol.fingerprint import election_key_fingerprint
from ballot.verify.evidence import Evidence
from ballot.verify.report import Check


def check_ceremony(v: Evidence, c: Check) -> None:
    body = v.first("ceremony")
    params = ceremony.CeremonyParams(
        protocol.ceremony_id(v.record["meeting"]), body["k"], body["n"]
    )
    messages = [commitment_message_from_json(x) for x in body["messages"]]
    c.items = len(messages)
    try:
        v.committee = ceremony.verify_transcript(v.group, params, messages, SystemRandom())
    except CryptoError as err:
        c.fail(err.text.en)
        raise
    if format(int(v.committee.joint_key), "x") != body["joint_key"]:
        c.fail("the joint key is not the product of the scrutineers' commitments")
    digest = ceremony.transcript_digest(v.group, params, messages)
    if digest.hex() != body["transcript_digest"]:
        c.fail("the transcript digest does not match the transcript")
    v.key = PublicKey(v.group, v.committee.joint_key)
    v.fingerprint = election_key_fingerprint(v.group, digest, int(v.committee.joint_key))


def check_election_key(v: Evidence, c: Check) -> None:
    """The key fingerprint recomputed from the record's transcript is the one the auditor was
    given by the scrutineers (`--expect-key`): a record made under any other ceremony — a
    whole record fabricated for the same meeting, or a key a server substituted — fails here
    however consistent it is in itself."""
    c.items = 1
    found = getattr(v, "fingerprint", None)
    if found is None:
        c.fail(
            "the ceremony check could not establish the election key, so there is no "
            "fingerprint to compare | 密钥仪式检查未能确定选举公钥，无指纹可比对"
        )
        return
    if v.expect_key is None:
        c.skipped = (
            f"no --expect-key given: this record's election key fingerprint is {found}; "
            "compare it with the one the scrutineers read out, then pin it with "
            f"ballot verify --expect-key '{found}' | 未指定 --expect-key：本记录的选举公钥指纹为 "
            f"{found}，请与监票人宣读的指纹核对"
        )
    elif found != v.expect_key:
        c.fail(
            f"the record's election key fingerprint is {found}, not the expected "
            f"{v.expect_key}: this record was not made under the scrutineers' key | "
            f"记录的选举公钥指纹为 {found}，不是指定的 {v.expect_key}：此记录并非在监票人的公钥下产生"
        )
