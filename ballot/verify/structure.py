"""The record's shape, its hash chain, the committee's signatures and the manifest."""

from __future__ import annotations

from collections.abc import Mapping

from ballot.crypto import blind_rsa, keystore
from ballot.crypto.errors import CryptoError
from ballot.protocol import grammar
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
    for problem in grammar.record_problems(r):
        c.fail(problem)
    for i, e in enumerate(events):
        c.items += 1
        for problem in grammar.event_problems(i, e)[:5]:
            c.fail(problem)
    v.events = [dict(e) for e in events if isinstance(e, Mapping)]
    v.well_formed = not c.failures


def check_lifecycle(v: Evidence, c: Check) -> None:
    """The order of events: the meeting's life and each round's (`protocol.grammar`)."""
    if not v.well_formed:
        c.fail("could not run: the record's events are not well formed (record-format)")
        return
    c.items = len(v.events)
    for problem in grammar.lifecycle_problems(v.events, complete=not v.partial):
        c.fail(problem)


def check_chain(v: Evidence, c: Check) -> None:
    c.items = len(v.events)
    for problem in chain_problems(v.events):
        c.fail(problem)


def check_record_digest(v: Evidence, c: Check) -> None:
    """The record is the one whose fingerprint (the hash of its last event) the auditor holds
    from the results page or the signed paper result (`--expect-digest`)."""
    c.items = 1
    found = v.events[-1]["hash"] if v.events else None
    if v.expect_digest is None:
        c.skipped = (
            f"no --expect-digest given: this record's fingerprint is {found}; compare it with the "
            "one on the results page or the signed printed result | 未指定 --expect-digest："
            f"本记录指纹为 {found}，请与结果页或签字的纸质结果核对"
        )
    elif found != v.expect_digest:
        c.fail(
            f"the record's fingerprint is {found}, not the expected {v.expect_digest}: this is "
            f"not the record that was published | 记录指纹为 {found}，不是指定的 "
            f"{v.expect_digest}：这不是公布的那份记录"
        )


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
    try:  # RSA of 3072 to 8192 bits, e = 65537, in the one canonical spelling
        v.issuer = blind_rsa.decode_public_key(opened["issuer_key"])
    except CryptoError as err:
        c.fail(f"the meeting's {err.text.en}")
        raise
