"""`ballot verify`: check a published record offline, trusting nothing in it.

Every check is named (`report.CHECKS`), runs to the end even after a failure, and reports the
items that failed. A check that could not run (because what it needs is missing or broken) is
reported as FAIL, never as passing. One module per group of checks; `Evidence` carries what
earlier checks established to later ones.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from ballot.verify import (
    acceptances,
    attendance,
    ballots,
    ceremony,
    chair,
    credentials,
    decryption,
    issuance,
    members,
    procedure,
    results,
    structure,
)
from ballot.verify.evidence import Evidence, Progress
from ballot.verify.relied import relied_on, relied_text, warnings
from ballot.verify.report import CHECKS, Check, summary
from ballot.verify.signers import signers, signers_text

STEPS: list[tuple[str, Callable[[Evidence, Check], None]]] = [
    ("record-format", structure.check_format),
    ("lifecycle", structure.check_lifecycle),
    ("hash-chain", structure.check_chain),
    ("record-digest", structure.check_record_digest),
    ("signatures", structure.check_signatures),
    ("manifest", structure.check_manifest),
    ("member-keys", members.check_member_keys),
    ("ceremony", ceremony.check_ceremony),
    ("election-key", ceremony.check_election_key),
    ("attendance-quorum", attendance.check_attendance),
    ("chair", chair.check_chair),
    ("issuance", issuance.check_issuance),
    ("credentials", credentials.check_credentials),
    ("ballots", ballots.check_ballots),
    ("aggregates", ballots.check_aggregates),
    ("acceptances", acceptances.check_acceptances),
    ("decryption", decryption.check_decryption),
    ("procedure", procedure.check_procedure),
    ("result-signatures", results.check_results),
]


class Verifier:
    """Runs every check on one record, in order."""

    def __init__(
        self,
        record: Any,
        progress: Progress | None = None,
        workers: int | None = None,
        expect_key: str | None = None,
        expect_digest: str | None = None,
        partial: bool = False,
    ) -> None:
        """`expect_key`: the election key fingerprint the scrutineers read out (canonical
        grouping, `protocol.fingerprint.parse_fingerprint`); without it the `election-key`
        check is skipped and says which fingerprint to compare. `expect_digest`: the record's
        fingerprint (the hash of its last event, 64 lowercase hex digits) from the results page
        or the signed printed result; without it `record-digest` is skipped likewise.
        `partial`: the record as it stands mid-meeting (`lifecycle` lets a round be under way
        at its end)."""
        self.evidence = Evidence(record, progress, workers, expect_key, expect_digest, partial)
        self.checks = {name: Check(name, en, zh) for name, en, zh in CHECKS}

    def run(self, only: tuple[str, ...] | None = None) -> list[Check]:
        """Every check, in order (with `only`: just those, in order; the others do not run)."""
        v = self.evidence
        for name, step in STEPS:
            if only is not None and name not in only:
                continue
            check = self.checks[name]
            v.progress(name, 0, 1)
            try:
                step(v, check)
                check.ran = True
            except Exception as err:  # a broken record must not crash the report
                check.fail(f"could not complete: {err}")
                check.ran = True
        return [c for c in self.checks.values() if only is None or c.name in only]


def parse_tracker(text: str) -> str | None:
    """The tracker as the phone shows it, in one spelling: groups, spaces (full-width ones too)
    and dashes dropped, full-width digits and letters read as ASCII, either case; None unless
    that leaves exactly 64 hexadecimal digits."""
    import re
    import unicodedata

    flat = re.sub(r"[\s\-]", "", unicodedata.normalize("NFKC", text)).lower()
    return flat if re.fullmatch(r"[0-9a-f]{64}", flat) else None


def parse_digest(text: str) -> str | None:
    """A record fingerprint as typed or copied (groups, spaces, dashes, either case): 64
    hexadecimal digits in lower case, or None."""
    return parse_tracker(text)


def find_tracker(record: Mapping[str, Any], tracker_hex: str) -> dict[str, Any]:
    """What the record says of the ballot with this tracker (a member's own check): `found`
    only for a `ballot` event of a round by number, and `counted` only when that round was
    closed on it and counted (its counts are in the record) — a ballot of a round that was
    void, or not yet counted, is found but not counted; `status` says which."""
    events = [e for e in record.get("events", []) if isinstance(e, Mapping)]
    for i, e in enumerate(events):
        body = e.get("body")
        if e.get("kind") != "ballot" or not isinstance(body, Mapping):
            continue
        number = body.get("round")
        if body.get("tracker") != tracker_hex or type(number) is not int:
            continue
        closed = next(
            (
                x.get("body")
                for x in events[i + 1 :]
                if x.get("kind") == "round-closed"
                and isinstance(x.get("body"), Mapping)
                and x["body"].get("round") == number
            ),
            None,
        )
        counted = closed is not None and any(
            x.get("kind") == "counts"
            and isinstance(x.get("body"), Mapping)
            and x["body"].get("round") == number
            for x in events[i + 1 :]
        )
        if closed is None:
            status = "not-closed"
        elif closed.get("void"):
            status = "void"
        else:
            status = "counted" if counted else "not-counted"
        return {
            "found": True,
            "round": number,
            "seq": e.get("seq", i),
            "counted": status == "counted",
            "status": status,
        }
    return {"found": False, "counted": False, "status": "absent"}


def client_files(record: Mapping[str, Any]) -> list[dict[str, Any]]:
    """The browser files the record says members' pages ran (SHA-256 in `meeting-opened`),
    each compared with the same file of this installed version: an auditor who trusts this
    version's source learns whether the server served exactly it."""
    import hashlib
    from importlib import resources

    events = record.get("events") if isinstance(record, Mapping) else None
    opened: Any = next(
        (
            e.get("body", {})
            for e in (events if isinstance(events, list) else [])
            if isinstance(e, Mapping) and e.get("kind") == "meeting-opened"
        ),
        {},
    )
    client = opened.get("client") if isinstance(opened, Mapping) else None
    if not isinstance(client, Mapping):
        return []
    import re

    folder = resources.files("ballot").joinpath("web", "static", "js")
    out = []
    for name, digest in sorted(client.items(), key=lambda item: str(item[0])):
        mine = None
        if isinstance(name, str) and re.fullmatch(r"[a-z][a-z0-9_-]{0,40}\.js", name):
            path = folder.joinpath(name)  # (a plain file name: never a path the record chose)
            try:
                mine = hashlib.sha256(path.read_bytes()).hexdigest() if path.is_file() else None
            except OSError:
                mine = None
        out.append({"file": str(name), "sha256": str(digest), "same_as_installed": mine == digest})
    return out


__all__ = [
    "CHECKS",
    "Check",
    "Evidence",
    "Verifier",
    "client_files",
    "find_tracker",
    "parse_digest",
    "parse_tracker",
    "relied_on",
    "relied_text",
    "signers",
    "signers_text",
    "summary",
    "warnings",
]


def _named(record: Mapping[str, Any], kind: str, fields: tuple[str, ...]) -> list[dict[str, Any]]:
    """Each `kind` event's seq and the named fields of its body (None where missing)."""
    out = []
    for e in record.get("events", []):
        if isinstance(e, Mapping) and e.get("kind") == kind:
            body = e.get("body")
            body = body if isinstance(body, Mapping) else {}
            out.append({"seq": e.get("seq"), **{f: body.get(f) for f in fields}})
    return out


def key_replacements(record: Mapping[str, Any]) -> list[dict[str, Any]]:
    """Every member key the office withdrew while the meeting ran (`member-key-replaced`): the
    member's next device could enrol a key of its own, so an auditor asks the member whether
    their device was lost."""
    return _named(record, "member-key-replaced", ("member",))


def code_replacements(record: Mapping[str, Any]) -> list[dict[str, Any]]:
    """Every access code the office replaced while the meeting ran (`code-replaced`): whoever
    holds a new code can act as that person, so an auditor asks the people named whether they
    asked for it."""
    return _named(record, "code-replaced", ("role", "name"))
