"""What a scrutineer checks before decrypting a round (docs/PROTOCOL.md §14, `round-accepted`):
the record as it stands after the round's close passes `ballot verify`'s own checks of
everything up to that close — the chain, the roster and member keys, the ceremony (and it is
this scrutineer's own), every presence, the chair's signatures, every issuance request,
credential and ballot — and the scrutineer computes the round's encrypted totals from the
published ballots itself. Only those totals are decrypted, once, and never an open round."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from ballot.crypto import ceremony
from ballot.crypto.codec import ballot_from_json
from ballot.crypto.elgamal import add
from ballot.protocol.context import OPTIONS
from ballot.verify import Verifier

# the checks that concern a record up to a round's close (not its counts, nor its end)
BEFORE_COUNTING = (
    "record-format",
    "lifecycle",
    "hash-chain",
    "manifest",
    "member-keys",
    "ceremony",
    "attendance-quorum",
    "chair",
    "issuance",
    "credentials",
    "ballots",
    "aggregates",
)


@dataclass
class Scrutiny:
    number: int
    record_hex: str = ""  # what the round's proofs and shares are bound to
    closed: dict[str, Any] = field(default_factory=dict)  # the round-closed body
    aggregates: list[dict[str, list[str]]] = field(default_factory=list)  # computed here
    failures: list[str] = field(default_factory=list)
    committee: ceremony.CommitteeKey | None = None  # from the record's transcript

    @property
    def acceptable(self) -> bool:
        return not self.failures


def scrutinise(
    record: Any,
    number: int,
    transcript_digest: str = "",
    joint_key: str = "",
    workers: int = 1,
) -> Scrutiny:
    """Check round `number` of `record` (the published record, as downloaded) for acceptance by
    the scrutineer whose own ceremony gave `transcript_digest` and `joint_key` (hex, as their
    share file keeps them; empty: not compared)."""
    out = Scrutiny(number)
    verifier = Verifier(record, workers=workers, partial=True)
    for check in verifier.run(BEFORE_COUNTING):
        out.failures += [f"{check.name}: {failure}" for failure in check.failures]
    if out.failures:
        return out
    v = verifier.evidence
    recorded = v.first("ceremony")
    if transcript_digest and (
        recorded.get("transcript_digest") != transcript_digest
        or recorded.get("joint_key") != joint_key
    ):
        out.failures.append(
            "ceremony: the record's election key is not the one this scrutineer's own ceremony gave"
        )
        return out
    r = v.rounds().get(number)
    closed = None if r is None else r.get("round-closed")
    if r is None or closed is None:
        out.failures.append(f"round {number} is not closed in the record: nothing is decrypted")
        return out
    if closed["void"]:
        out.failures.append(f"round {number} is void: it has nothing to decrypt")
        return out
    if closed["ballots"] == 0:
        out.failures.append(f"round {number} has no ballots: it has nothing to decrypt")
        return out
    if r.get("counts") is not None:
        out.failures.append(f"round {number} is counted already")
        return out
    parsed = [ballot_from_json(b["ballot"]) for _, b in r["ballots"]]
    for i in range(len(r["opened"]["candidates"])):
        totals = {}
        for option in OPTIONS:
            ct = add(v.group, (getattr(p.selections[i], option) for p in parsed))
            totals[option] = [format(int(ct.alpha), "x"), format(int(ct.beta), "x")]
        out.aggregates.append(totals)
    out.record_hex, out.closed, out.committee = r["record"], dict(closed), v.committee
    return out
