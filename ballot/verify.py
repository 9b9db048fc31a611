"""`ballot verify`: check a published record offline, trusting nothing in it.

Every check is named, runs to the end even after a failure, and reports the items that
failed. A check that could not run (because what it needs is missing or broken) is reported
as FAIL, never as passing. Ballots are validated in worker processes, one per core.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable, Mapping
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from typing import Any

from ballot.crypto import blind_rsa, ceremony, decryption, keystore
from ballot.crypto.ballot import cast_message, tracker, validate_ballot
from ballot.crypto.codec import (
    ballot_from_json,
    commitment_message_from_json,
    decryption_share_from_json,
)
from ballot.crypto.credential import credential_message
from ballot.crypto.discrete_log import DiscreteLog
from ballot.crypto.elgamal import Ciphertext, PublicKey, add
from ballot.crypto.errors import CryptoError
from ballot.crypto.group import production_group
from ballot.crypto.randomness import SystemRandom
from ballot.crypto.signature import verify as verify_signature
from ballot.protocol import context as protocol
from ballot.protocol.chain import chain_problems, checkpoint_message
from ballot.tally.engine import tally
from ballot.tally.errors import TallyError
from ballot.tally.model import Candidate, Counts, Meeting
from ballot.tally.motion import motion_result
from ballot.tally.profile import resolve
from ballot.tally.profiles import load_profile
from ballot.tally.report import ballot as next_json
from ballot.tally.report import outcome as outcome_json

CHECKS = [
    ("record-format", "the file is a ballot record", "文件为投票记录"),
    ("hash-chain", "every event follows the one before it", "事件哈希链完整"),
    ("signatures", "the committee key signed every checkpoint and the close", "评委会签名有效"),
    ("manifest", "roster, slate and rules are usable", "名单、候选与规则可用"),
    ("ceremony", "scrutineers' proofs and the joint key", "监票人密钥仪式与联合公钥"),
    ("attendance-quorum", "attendance and quorum at every open and close", "到会人数与法定人数"),
    ("credentials", "blind-signed credentials, once each, no more than issued", "匿名凭证"),
    ("ballots", "every ballot's proofs, signature and credential", "每张选票的证明、签名与凭证"),
    ("aggregates", "each round's totals are the product of its ballots", "各轮密文合计"),
    ("decryption", "decryption shares and the counts they give", "解密份额与计票结果"),
    (
        "procedure",
        "the award rules re-run give every round, decision and result",
        "按评审规则重算的每一轮、每个决定与结果",
    ),
]


@dataclass
class Check:
    name: str
    en: str
    zh: str
    items: int = 0
    failures: list[str] = field(default_factory=list)
    ran: bool = False

    @property
    def passed(self) -> bool:
        return self.ran and not self.failures

    def fail(self, message: str) -> None:
        self.failures.append(message)

    def as_dict(self) -> dict[str, Any]:
        return {
            "check": self.name,
            "title": {"en": self.en, "zh": self.zh},
            "result": "PASS" if self.passed else "FAIL",
            "items": self.items,
            "failures": self.failures if self.ran else ["the check could not run"],
        }


_WORKER_KEYS: dict[str, PublicKey] = {}


def _check_ballot(task: tuple[str, dict[str, Any], dict[str, Any], str, str, str]) -> str | None:
    """Validate one ballot (in a worker process). Returns an error message, or None."""
    joint_key, ctx_raw, ballot_raw, track, credential_key, signature = task
    group = production_group()
    key = _WORKER_KEYS.get(joint_key)
    if key is None:
        key = _WORKER_KEYS[joint_key] = PublicKey(
            group, group.element(int(joint_key, 16), "joint key")
        )
    ctx = protocol.ballot_context(
        ctx_raw["meeting"],
        ctx_raw["round"],
        ctx_raw["record"],
        ctx_raw["candidates"],
        ctx_raw["max_approvals"],
    )
    try:
        parsed = ballot_from_json(ballot_raw)
        validate_ballot(key, ctx, parsed, SystemRandom())
        actual = tracker(key, ctx, parsed).hex()
        if actual != track:
            return "its tracker does not match its content"
        verify_signature(
            bytes.fromhex(credential_key),
            cast_message(bytes.fromhex(actual)),
            bytes.fromhex(signature),
        )
    except (CryptoError, ValueError) as err:
        return err.text.en if isinstance(err, CryptoError) else str(err)
    return None


class Verifier:
    def __init__(
        self,
        record: Any,
        progress: Callable[[str, int, int], None] | None = None,
        workers: int | None = None,
    ) -> None:
        self.record = record
        self.progress = progress or (lambda _what, _done, _total: None)
        self.workers = workers or min(2, os.cpu_count() or 1)
        self.checks = {name: Check(name, en, zh) for name, en, zh in CHECKS}
        self.group = production_group()
        self.events: list[dict[str, Any]] = []

    # helpers
    def of(self, kind: str) -> list[dict[str, Any]]:
        return [e for e in self.events if e.get("kind") == kind]

    def first(self, kind: str) -> dict[str, Any]:
        found = self.of(kind)
        if not found:
            raise LookupError(f"the record has no {kind} event")
        body: dict[str, Any] = found[0]["body"]
        return body

    def run(self) -> list[Check]:
        steps: list[tuple[str, Callable[[Check], None]]] = [
            ("record-format", self.check_format),
            ("hash-chain", self.check_chain),
            ("signatures", self.check_signatures),
            ("manifest", self.check_manifest),
            ("ceremony", self.check_ceremony),
            ("attendance-quorum", self.check_attendance),
            ("credentials", self.check_credentials),
            ("ballots", self.check_ballots),
            ("aggregates", self.check_aggregates),
            ("decryption", self.check_decryption),
            ("procedure", self.check_procedure),
        ]
        for name, step in steps:
            check = self.checks[name]
            self.progress(name, 0, 1)
            try:
                step(check)
                check.ran = True
            except Exception as err:  # a broken record must not crash the report
                check.fail(f"could not complete: {err}")
                check.ran = True
        return list(self.checks.values())

    # --- the checks ---------------------------------------------------------------------

    def check_format(self, c: Check) -> None:
        r = self.record
        if not isinstance(r, Mapping) or r.get("format") != "ballot-record":
            c.fail("not a ballot record (format must be ballot-record)")
            return
        if r.get("version") != 1:
            c.fail(f"unknown record version {r.get('version')!r}")
        events = r.get("events")
        if not isinstance(events, list) or not events:
            c.fail("the record has no events")
            return
        for i, e in enumerate(events):
            c.items += 1
            if not isinstance(e, Mapping) or set(e) != {"seq", "kind", "body", "prev", "hash"}:
                c.fail(f"event {i} is malformed")
        self.events = [dict(e) for e in events if isinstance(e, Mapping)]

    def check_chain(self, c: Check) -> None:
        c.items = len(self.events)
        for problem in chain_problems(self.events):
            c.fail(problem)

    def check_signatures(self, c: Check) -> None:
        key = bytes.fromhex(self.first("meeting-opened")["committee_key"])
        meeting = self.record["meeting"]
        for i, e in enumerate(self.events):
            if e["kind"] != "checkpoint":
                continue
            c.items += 1
            seq, head = e["body"].get("seq"), e["body"].get("head")
            if seq != i - 1 or head != self.events[i - 1]["hash"]:
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
        kinds = [e["kind"] for e in self.events]
        ends = kinds[-2:]
        if "meeting-closed" not in kinds or ends not in (
            ["meeting-closed", "checkpoint"],
            ["motion-decision", "checkpoint"],
        ):
            c.fail(
                "the record does not end with the signed close of the meeting, or of a "
                "motion after it (incomplete or truncated)"
            )

    def check_manifest(self, c: Check) -> None:
        body = self.first("meeting-created")
        c.items = 1
        if self.events[0]["kind"] != "meeting-created":
            c.fail("the record does not begin with the meeting's manifest")
        if body.get("meeting") != self.record.get("meeting"):
            c.fail("the manifest names another meeting")
        self.profile = load_profile(body["profile"])
        self.rules = resolve(self.profile, body["rules"])
        self.roster = [x["name"] for x in body["members"]]
        if len(set(self.roster)) != len(self.roster) or not self.roster:
            c.fail("the roster is empty or lists a member twice")
        self.slate = [Candidate(x["name"], frozenset(x["outside_cap"])) for x in body["candidates"]]
        self.others = [Candidate(n) for n in body["others"]]
        opened = self.first("meeting-opened")
        if opened.get("group") != self.group.name:
            c.fail(f"the record uses group {opened.get('group')!r}, not {self.group.name}")
        self.issuer = blind_rsa.decode_public_key(opened["issuer_key"])

    def check_ceremony(self, c: Check) -> None:
        body = self.first("ceremony")
        params = ceremony.CeremonyParams(
            protocol.ceremony_id(self.record["meeting"]), body["k"], body["n"]
        )
        messages = [commitment_message_from_json(x) for x in body["messages"]]
        c.items = len(messages)
        try:
            self.committee = ceremony.verify_transcript(
                self.group, params, messages, SystemRandom()
            )
        except CryptoError as err:
            c.fail(err.text.en)
            raise
        if format(int(self.committee.joint_key), "x") != body["joint_key"]:
            c.fail("the joint key is not the product of the scrutineers' commitments")
        if (
            ceremony.transcript_digest(self.group, params, messages).hex()
            != body["transcript_digest"]
        ):
            c.fail("the transcript digest does not match the transcript")
        self.key = PublicKey(self.group, self.committee.joint_key)

    def _rounds(self) -> dict[int, dict[str, Any]]:
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
                }
            elif e["kind"] in (
                "credential-issued",
                "credentials",
                "ballot",
                "round-closed",
                "decryption-shares",
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
                else:
                    r[e["kind"]] = b
                    r[e["kind"] + "_at"] = i
        return rounds

    def check_attendance(self, c: Check) -> None:
        present: set[str] = set()
        rounds = self._rounds()
        self.present_at: dict[int, int] = {}
        quorum = self.rules.quorum.get()
        members = len(self.roster)
        for i, e in enumerate(self.events):
            b = e["body"]
            if e["kind"] == "attendance":
                c.items += 1
                if b["member"] not in self.roster:
                    c.fail(f"event {i}: {b['member']} is not a member")
                elif b["present"] == (b["member"] in present):
                    c.fail(
                        f"event {i}: {b['member']} checked {'in' if b['present'] else 'out'} twice"
                    )
                (present.add if b["present"] else present.discard)(b["member"])
                if b["present_count"] != len(present):
                    c.fail(
                        f"event {i}: says {b['present_count']} present; the check-ins give "
                        f"{len(present)}"
                    )
            elif e["kind"] == "credential-issued" and b["member"] not in present:
                c.fail(f"event {i}: a credential was issued to {b['member']}, who was not present")
            elif e["kind"] in ("round-opened", "round-closed"):
                c.items += 1
                self.present_at[i] = len(present)
                if b["present"] != len(present) or b["members"] != members:
                    c.fail(
                        f"event {i}: round {b['round']} records {b['present']} of "
                        f"{b['members']} present; the record gives {len(present)} of {members}"
                    )
                met = quorum is None or quorum.met(len(present), members)
                if e["kind"] == "round-opened" and not met:
                    c.fail(
                        f"event {i}: round {b['round']} opened without a quorum "
                        f"({len(present)} of {members})"
                    )
                if e["kind"] == "round-closed" and not met and not b["void"]:
                    c.fail(
                        f"event {i}: round {b['round']} closed without a quorum but was not voided"
                    )
        for number, r in rounds.items():
            names = [member for _, member in r["issued"]]
            if len(set(names)) != len(names):
                c.fail(f"round {number}: a member was issued two credentials")
            if "round-closed_at" in r and any(i > r["round-closed_at"] for i, _ in r["issued"]):
                c.fail(f"round {number}: a credential was issued after the round closed")

    def check_credentials(self, c: Check) -> None:
        self.credentials: dict[int, set[str]] = {}
        meeting = self.record["meeting"]
        for number, r in self._rounds().items():
            creds = (r.get("credentials") or {}).get("credentials", [])
            keys: set[str] = set()
            for cred in creds:
                c.items += 1
                key = cred["public_key"]
                if key in keys:
                    c.fail(f"round {number}: credential {key[:16]}… is listed twice")
                keys.add(key)
                try:
                    prepared = bytes.fromhex(cred["prepared"])
                    expected = credential_message(
                        meeting, protocol.round_id(meeting, number), bytes.fromhex(key)
                    )
                    ok = prepared[blind_rsa.PREFIX_LEN :] == expected and blind_rsa.verify(
                        self.issuer, prepared, bytes.fromhex(cred["signature"])
                    )
                except (CryptoError, ValueError):
                    ok = False
                if not ok:
                    c.fail(
                        f"round {number}: credential {key[:16]}… is not blind-signed for "
                        "this round by the meeting's issuer key"
                    )
            if [x["public_key"] for x in creds] != sorted(x["public_key"] for x in creds):
                c.fail(f"round {number}: credentials are not published in sorted order")
            issued = len(r["issued"])
            if len(keys) > issued:
                c.fail(f"round {number}: {len(keys)} credentials but only {issued} issued")
            closed = r.get("round-closed")
            if closed and (closed["credentials"] != len(creds) or closed["issued"] != issued):
                c.fail(
                    f"round {number}: the close reports {closed['credentials']} credentials "
                    f"and {closed['issued']} issued; the record has {len(creds)} and {issued}"
                )
            self.credentials[number] = keys

    def check_ballots(self, c: Check) -> None:
        meeting = self.record["meeting"]
        rounds = self._rounds()
        tasks, labels = [], []
        for number, r in rounds.items():
            seen: set[str] = set()
            opened = r["opened"]
            closed_at = r.get("round-closed_at", len(self.events))
            for i, b in r["ballots"]:
                label = f"round {number}, ballot {b['tracker'][:16]}…"
                if not r["opened_at"] < i < closed_at:
                    c.fail(f"{label}: not cast while the round was open")
                if b["credential_key"] not in self.credentials.get(number, set()):
                    c.fail(f"{label}: its credential is not registered for this round")
                if b["credential_key"] in seen:
                    c.fail(f"{label}: a second ballot from one credential")
                seen.add(b["credential_key"])
                ctx = {
                    "meeting": meeting,
                    "round": number,
                    "record": r["record"],
                    "candidates": opened["candidates"],
                    "max_approvals": opened["max_approvals"],
                }
                tasks.append(
                    (
                        format(int(self.key.k), "x"),
                        ctx,
                        b["ballot"],
                        b["tracker"],
                        b["credential_key"],
                        b["signature"],
                    )
                )
                labels.append(label)
            closed = r.get("round-closed")
            if closed and closed["ballots"] != len(r["ballots"]):
                c.fail(
                    f"round {number}: the close reports {closed['ballots']} ballots; "
                    f"the record has {len(r['ballots'])}"
                )
            if len(r["ballots"]) > len(self.credentials.get(number, ())):
                c.fail(f"round {number}: more ballots than credentials")
        trackers = [t[3] for t in tasks]
        if len(set(trackers)) != len(trackers):
            c.fail("two ballots have the same tracker")
        c.items = len(tasks)
        results = self._map(_check_ballot, tasks, "ballots")
        for label, error in zip(labels, results, strict=True):
            if error:
                c.fail(f"{label}: {error}")

    def _map(self, fn: Callable[[Any], str | None], tasks: list[Any], what: str) -> list[Any]:
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

    def check_aggregates(self, c: Check) -> None:
        for number, r in self._rounds().items():
            closed = r.get("round-closed")
            if closed is None or closed["void"]:
                continue
            parsed = [ballot_from_json(b["ballot"]) for _, b in r["ballots"]]
            for i, total in enumerate(closed["aggregates"]):
                c.items += 1
                for option in protocol.OPTIONS:
                    ct = add(self.group, (getattr(p.selections[i], option) for p in parsed))
                    if [format(int(ct.alpha), "x"), format(int(ct.beta), "x")] != total[option]:
                        c.fail(
                            f"round {number}, candidate {i + 1}: the {option} total is not "
                            "the product of the ballots"
                        )
            if len(closed["aggregates"]) != len(r["opened"]["candidates"]):
                c.fail(f"round {number}: one total per candidate is needed")

    def check_decryption(self, c: Check) -> None:
        meeting = self.record["meeting"]
        self.counts: dict[int, dict[str, Any]] = {}
        for number, r in self._rounds().items():
            closed, counts = r.get("round-closed"), r.get("counts")
            if closed is None or closed["void"] or counts is None:
                continue
            if closed["ballots"] == 0:  # nothing to decrypt: every count must be 0
                c.items += 1
                if any(
                    v != 0 for o in ("approve", "oppose", "abstain") for v in counts[o].values()
                ):
                    c.fail(f"round {number}: no ballots, yet counts that are not 0")
                self.counts[number] = counts
                continue
            totals: dict[str, dict[str, int]] = {"approve": {}, "oppose": {}}
            log = DiscreteLog(self.group, closed["ballots"])
            for i, (name, total) in enumerate(
                zip(r["opened"]["candidates"], closed["aggregates"], strict=True)
            ):
                for option in protocol.OPTIONS:
                    c.items += 1
                    ct = Ciphertext(*(self.group.backend.mpz(int(x, 16)) for x in total[option]))
                    context = protocol.decryption_context(meeting, number, r["record"], option, i)
                    shares = []
                    for index in counts["scrutineers"]:
                        raw = r["shares"].get(index)
                        if raw is None:
                            c.fail(
                                f"round {number}: the counts use scrutineer {index}, whose "
                                "shares are not in the record"
                            )
                            continue
                        shares.append(decryption_share_from_json(raw[i][option]))
                    for raw in r["shares"].values():
                        try:
                            decryption.verify_share(
                                self.group,
                                self.committee,
                                ct,
                                decryption_share_from_json(raw[i][option]),
                                context,
                            )
                        except CryptoError as err:
                            c.fail(f"round {number}, candidate {name}, {option}: {err.text.en}")
                    try:
                        power = decryption.combine(self.group, self.committee, ct, shares, context)
                        totals[option][name] = log(power)
                    except CryptoError as err:
                        c.fail(f"round {number}, candidate {name}, {option}: {err.text.en}")
                        totals[option][name] = -1
                abstain = closed["ballots"] - totals["approve"][name] - totals["oppose"][name]
                for option, value in (
                    *((o, totals[o][name]) for o in protocol.OPTIONS),
                    ("abstain", abstain),
                ):
                    if counts[option].get(name) != value:
                        c.fail(
                            f"round {number}: {name}'s {option} count is "
                            f"{counts[option].get(name)}; the shares give {value}"
                        )
            self.counts[number] = counts

    def _check_motion(self, c: Check, number: int, r: dict[str, Any]) -> None:
        opened = r["opened"]
        if len(opened.get("candidates", [])) != 1 or opened.get("max_approvals") != 1:
            c.fail(f"round {number}: a motion is on exactly one candidate, one mark per ballot")
        if opened["candidates"][0] not in [x.name for x in self.slate + self.others]:
            c.fail(f"round {number}: the motion names someone not on the slate")
        closed, decision = r.get("round-closed"), r.get("motion-decision")
        if closed is None or closed["void"] or number not in self.counts:
            return
        if decision is None:
            c.fail(f"round {number}: a counted motion without its decision")
            return
        expected = motion_result(
            self.rules,
            opened["candidates"][0],
            self.counts[number],
            closed["ballots"],
            closed["present"],
            len(self.roster),
        )
        if {k: decision.get(k) for k in expected} != expected:
            c.fail(
                f"round {number}: the motion's recorded decision differs from the rules' "
                f"({decision.get('passed')!r} vs {expected['passed']!r})"
            )

    def check_procedure(self, c: Check) -> None:
        rounds = self._rounds()
        members = len(self.roster)
        counted: list[Counts] = []
        final = None
        for number in sorted(rounds):
            r = rounds[number]
            opened = r["opened"]
            c.items += 1
            if opened.get("kind") == "motion":
                self._check_motion(c, number, r)
                continue
            meeting = Meeting(
                members,
                self.present_at.get(r["opened_at"], -1),
                tuple(self.slate),
                tuple(self.others),
            )
            try:
                before = tally(self.rules, meeting, counted)
            except TallyError as err:
                c.fail(f"round {number}: {err.text.en}")
                continue
            expected = (
                None if before.next is None else next_json(before.next, before.next_threshold)
            )
            actual = {
                k: opened.get(k)
                for k in ("tier", "kind", "candidates", "places", "max_approvals", "threshold")
            }
            if expected is None or {k: expected[k] for k in actual} != actual:
                c.fail(f"round {number}: opened as {actual}; the rules ask for {expected}")
            closed = r.get("round-closed")
            if closed is None or closed["void"] or number not in self.counts:
                continue
            cn = self.counts[number]
            counted.append(
                Counts(
                    approve=cn["approve"],
                    oppose=cn["oppose"],
                    abstain=cn["abstain"],
                    ballots=cn["ballots"],
                    present=closed["present"],
                )
            )
            try:
                after = outcome_json(tally(self.rules, meeting, counted))
            except TallyError as err:
                c.fail(f"round {number}: {err.text.en}")
                continue
            decision = r.get("decision")
            if decision is None:
                c.fail(f"round {number}: counted but no decision recorded")
                continue
            for key, value in (
                ("decision", after["rounds"][-1]),
                ("next", after["next"]),
                ("complete", after["complete"]),
                ("result", after["result"]),
            ):
                if decision.get(key) != value:
                    c.fail(
                        f"round {number}: the recorded {key} differs from the rules' "
                        f"({decision.get(key)!r} vs {value!r})"
                    )
            final = after
        closed_meeting = self.of("meeting-closed")
        if closed_meeting:
            if final is None or not final["complete"]:
                c.fail("the meeting was closed before the procedure was complete")
            elif closed_meeting[0]["body"]["result"] != final["result"]:
                c.fail("the published result differs from the rules' result")


def find_tracker(record: Mapping[str, Any], tracker_hex: str) -> list[dict[str, Any]]:
    """The ballot events whose tracker is `tracker_hex` (a member's own check)."""
    return [
        dict(e)
        for e in record.get("events", [])
        if isinstance(e, Mapping)
        and e.get("kind") == "ballot"
        and e.get("body", {}).get("tracker") == tracker_hex
    ]


def client_files(record: Mapping[str, Any]) -> list[dict[str, Any]]:
    """The browser files the record says members' pages ran (SHA-256 in `meeting-opened`),
    each compared with the same file of this installed version: an auditor who trusts this
    version's source learns whether the server served exactly it."""
    import hashlib
    from importlib import resources

    opened: Any = next(
        (
            e.get("body", {})
            for e in record.get("events", [])
            if isinstance(e, Mapping) and e.get("kind") == "meeting-opened"
        ),
        {},
    )
    client = opened.get("client") if isinstance(opened, Mapping) else None
    if not isinstance(client, Mapping):
        return []
    folder = resources.files("ballot").joinpath("web", "static", "js")
    out = []
    for name, digest in sorted(client.items()):
        path = folder.joinpath(str(name))
        mine = hashlib.sha256(path.read_bytes()).hexdigest() if path.is_file() else None
        out.append({"file": name, "sha256": digest, "same_as_installed": mine == digest})
    return out


def summary(checks: Iterable[Check]) -> dict[str, Any]:
    items = [c.as_dict() for c in checks]
    return {"ok": all(i["result"] == "PASS" for i in items), "checks": items}
