"""The record's shape, its hash chain, the committee's signatures and the manifest."""

from __future__ import annotations

from collections.abc import Mapping

from ballot.crypto import blind_rsa, keystore
from ballot.crypto.errors import CryptoError
from ballot.protocol.chain import (
    RECORD_FORMAT,
    RECORD_VERSION,
    chain_problems,
    checkpoint_message,
)
from ballot.tally.errors import TallyError
from ballot.tally.model import Candidate
from ballot.tally.profile import check_lists, resolve
from ballot.tally.profiles import load_profile
from ballot.verify.evidence import Evidence
from ballot.verify.report import Check


def check_format(v: Evidence, c: Check) -> None:
    r = v.record
    if not isinstance(r, Mapping) or r.get("format") != RECORD_FORMAT:
        c.fail("not a ballot record (format must be ballot-record)")
        return
    if r.get("version") != RECORD_VERSION:
        c.fail(
            f"record version {r.get('version')!r} is not read by this ballot, which reads "
            f"version {RECORD_VERSION}: verify it with the ballot version that wrote it"
        )
    events = r.get("events")
    if not isinstance(events, list) or not events:
        c.fail("the record has no events")
        return
    for i, e in enumerate(events):
        c.items += 1
        if not isinstance(e, Mapping) or set(e) != {"seq", "kind", "body", "prev", "hash"}:
            c.fail(f"event {i} is malformed")
    v.events = [dict(e) for e in events if isinstance(e, Mapping)]


def check_chain(v: Evidence, c: Check) -> None:
    c.items = len(v.events)
    for problem in chain_problems(v.events):
        c.fail(problem)


def check_signatures(v: Evidence, c: Check) -> None:
    key = bytes.fromhex(v.first("meeting-opened")["committee_key"])
    meeting = v.record["meeting"]
    for i, e in enumerate(v.events):
        if e["kind"] != "checkpoint":
            continue
        c.items += 1
        seq, head = e["body"].get("seq"), e["body"].get("head")
        if seq != i - 1 or head != v.events[i - 1]["hash"]:
            c.fail(f"checkpoint at event {i} does not sign the event before it")
            continue
        try:
            keystore.verify_signature(
                key,
                checkpoint_message(meeting, seq, head),
                bytes.fromhex(e["body"]["signature"]),
            )
        except (CryptoError, ValueError):
            c.fail(f"checkpoint at event {i}: the committee's signature is invalid")
    kinds = [e["kind"] for e in v.events]
    ends = kinds[-2:]
    if "meeting-closed" not in kinds or ends not in (
        ["meeting-closed", "checkpoint"],
        ["motion-decision", "checkpoint"],
        ["result-signed", "checkpoint"],
    ):
        c.fail(
            "the record does not end with the signed close of the meeting, of a motion "
            "after it, or of a signature of the result (incomplete or truncated)"
        )


def check_manifest(v: Evidence, c: Check) -> None:
    body = v.first("meeting-created")
    c.items = 1
    if v.events[0]["kind"] != "meeting-created":
        c.fail("the record does not begin with the meeting's manifest")
    if body.get("meeting") != v.record.get("meeting"):
        c.fail("the manifest names another meeting")
    v.profile = load_profile(body["profile"])
    v.rules = resolve(v.profile, body["rules"])
    v.roster = [x["name"] for x in body["members"]]
    if len(set(v.roster)) != len(v.roster) or not v.roster:
        c.fail("the roster is empty or lists a member twice")
    v.slate = [
        Candidate(x["name"], frozenset(x["outside_cap"]), x.get("list")) for x in body["candidates"]
    ]
    v.others = [Candidate(n) for n in body["others"]]
    try:
        check_lists(v.profile, v.rules, v.slate, v.others)
    except TallyError as err:
        c.fail(f"the slate's candidate lists: {err.text.en}")
    opened = v.first("meeting-opened")
    if opened.get("group") != v.group.name:
        c.fail(f"the record uses group {opened.get('group')!r}, not {v.group.name}")
    v.issuer = blind_rsa.decode_public_key(opened["issuer_key"])
