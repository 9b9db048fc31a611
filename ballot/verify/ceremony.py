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
    if ceremony.transcript_digest(v.group, params, messages).hex() != body["transcript_digest"]:
        c.fail("the transcript digest does not match the transcript")
    v.key = PublicKey(v.group, v.committee.joint_key)
