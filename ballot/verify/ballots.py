"""Every ballot (proofs, subgroup, tracker, signature, credential, cast while open) and each
round's encrypted totals. Ballots are validated in worker processes, one per core."""

from __future__ import annotations

from typing import Any

from ballot.crypto.ballot import cast_message, tracker, validate_ballot
from ballot.crypto.codec import (
    ballot_from_json,
)
from ballot.crypto.elgamal import PublicKey, add
from ballot.crypto.errors import CryptoError
from ballot.crypto.group import production_group
from ballot.crypto.randomness import SystemRandom
from ballot.crypto.signature import verify as verify_signature
from ballot.protocol import context as protocol
from ballot.verify.evidence import Evidence
from ballot.verify.report import Check

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


def check_ballots(v: Evidence, c: Check) -> None:
    meeting = v.record["meeting"]
    rounds = v.rounds()
    tasks, labels = [], []
    for number, r in rounds.items():
        seen: set[str] = set()
        opened = r["opened"]
        closed_at = r.get("round-closed_at", len(v.events))
        for i, b in r["ballots"]:
            label = f"round {number}, ballot {b['tracker'][:16]}…"
            if not r["opened_at"] < i < closed_at:
                c.fail(f"{label}: not cast while the round was open")
            if b["credential_key"] not in v.credentials.get(number, set()):
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
                    format(int(v.key.k), "x"),
                    ctx,
                    b["ballot"],
                    b["tracker"],
                    b["credential_key"],
                    b["signature"],
                )
            )
            labels.append(label)
        published = [b["tracker"] for _, b in r["ballots"]]
        if published != sorted(published):
            c.fail(f"round {number}: ballots are not published in tracker order")
        closed = r.get("round-closed")
        if closed and closed["ballots"] != len(r["ballots"]):
            c.fail(
                f"round {number}: the close reports {closed['ballots']} ballots; "
                f"the record has {len(r['ballots'])}"
            )
        if len(r["ballots"]) > len(v.credentials.get(number, ())):
            c.fail(f"round {number}: more ballots than credentials")
    trackers = [t[3] for t in tasks]
    if len(set(trackers)) != len(trackers):
        c.fail("two ballots have the same tracker")
    c.items = len(tasks)
    results = v.map(_check_ballot, tasks, "ballots")
    for label, error in zip(labels, results, strict=True):
        if error:
            c.fail(f"{label}: {error}")


def check_aggregates(v: Evidence, c: Check) -> None:
    for number, r in v.rounds().items():
        closed = r.get("round-closed")
        if closed is None or closed["void"]:
            continue
        parsed = [ballot_from_json(b["ballot"]) for _, b in r["ballots"]]
        for i, total in enumerate(closed["aggregates"]):
            c.items += 1
            for option in protocol.OPTIONS:
                ct = add(v.group, (getattr(p.selections[i], option) for p in parsed))
                if [format(int(ct.alpha), "x"), format(int(ct.beta), "x")] != total[option]:
                    c.fail(
                        f"round {number}, candidate {i + 1}: the {option} total is not "
                        "the product of the ballots"
                    )
        if len(closed["aggregates"]) != len(r["opened"]["candidates"]):
            c.fail(f"round {number}: one total per candidate is needed")
