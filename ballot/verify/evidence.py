"""What the checks share: the record's events, and the facts earlier checks establish for
later ones (the rules, the roster, the keys, who was present, the credentials, the counts).

A fact a check could not establish is missing, so a later check that needs it cannot run and
is reported as FAIL ("could not complete"), never as passing."""

from __future__ import annotations

import os
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from typing import Any

from ballot.crypto import blind_rsa, ceremony
from ballot.crypto.elgamal import PublicKey
from ballot.crypto.group import production_group
from ballot.tally.model import Candidate
from ballot.tally.profile import Profile
from ballot.tally.rules import Rules

Progress = Callable[[str, int, int], None]


class Evidence:
    """The record being verified and what has been established about it so far."""

    # set by the checks, in order (manifest, ceremony, attendance, credentials, decryption)
    profile: Profile
    rules: Rules
    roster: list[str]
    slate: list[Candidate]
    others: list[Candidate]
    issuer: blind_rsa.IssuerPublicKey
    committee: ceremony.CommitteeKey
    key: PublicKey
    fingerprint: str  # the election key's, from the transcript (protocol/fingerprint.py)
    member_keys: dict[str, bytes]  # each member's enrolled key at the end (PROTOCOL.md §14)
    member_keys_at: dict[int, dict[str, bytes]]  # the keys in force at each event
    present_at: dict[int, int]
    credentials: dict[int, set[str]]
    counts: dict[int, dict[str, Any]]

    def __init__(
        self,
        record: Any,
        progress: Callable[[str, int, int], None] | None = None,
        workers: int | None = None,
        expect_key: str | None = None,
        expect_digest: str | None = None,
        partial: bool = False,
    ) -> None:
        self.record = record
        self.partial = partial  # the record as it stands mid-meeting (a scrutineer's check)
        self.expect_key = expect_key  # the fingerprint the auditor pins, canonical grouping
        self.expect_digest = expect_digest  # the record fingerprint pinned (64 hex digits)
        self.progress = progress or (lambda _what, _done, _total: None)
        self.workers = workers or min(2, os.cpu_count() or 1)
        self.group = production_group()
        self.events: list[dict[str, Any]] = []
        self.well_formed = False  # every event passed the grammar (record-format)

    def of(self, kind: str) -> list[dict[str, Any]]:
        return [e for e in self.events if e.get("kind") == kind]

    def first(self, kind: str) -> dict[str, Any]:
        found = self.of(kind)
        if not found:
            raise LookupError(f"the record has no {kind} event")
        body: dict[str, Any] = found[0]["body"]
        return body

    def rounds(self) -> dict[int, dict[str, Any]]:
        """Per round: its events' positions and bodies."""
        rounds: dict[int, dict[str, Any]] = {}
        for i, e in enumerate(self.events):
            b = e["body"]
            if e["kind"] == "round-opened":
                rounds[b["round"]] = {
                    "opened": b,
                    "opened_at": i,
                    "issued": [],
                    "ballots": [],
                    "record": e["prev"],
                    "shares": {},
                    "shares_at": {},
                    "accepted": [],
                }
            elif e["kind"] in (
                "credential-issued",
                "credentials",
                "ballot",
                "round-closed",
                "decryption-shares",
                "round-accepted",
                "counts",
                "decision",
                "motion-decision",
            ):
                r = rounds.get(b.get("round"))
                if r is None:
                    continue
                if e["kind"] == "credential-issued":
                    r["issued"].append((i, b["member"]))
                elif e["kind"] == "ballot":
                    r["ballots"].append((i, b))
                elif e["kind"] == "decryption-shares":
                    r["shares"][b["scrutineer"]] = b["shares"]
                    r["shares_at"].setdefault(b["scrutineer"], i)
                elif e["kind"] == "round-accepted":
                    r["accepted"].append((i, b))
                else:
                    r[e["kind"]] = b
                    r[e["kind"] + "_at"] = i
        return rounds

    def map(self, fn: Callable[[Any], str | None], tasks: list[Any], what: str) -> list[Any]:
        if self.workers <= 1 or len(tasks) < 4:
            out = []
            for i, t in enumerate(tasks):
                out.append(fn(t))
                self.progress(what, i + 1, len(tasks))
            return out
        out = []
        with ProcessPoolExecutor(self.workers) as pool:
            for i, result in enumerate(pool.map(fn, tasks, chunksize=2)):
                out.append(result)
                self.progress(what, i + 1, len(tasks))
        return out
