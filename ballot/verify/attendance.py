"""Attendance and quorum at every open and close; credentials issued only to members present."""

from __future__ import annotations

from ballot.verify.evidence import Evidence
from ballot.verify.report import Check


def check_attendance(v: Evidence, c: Check) -> None:
    present: set[str] = set()
    rounds = v.rounds()
    v.present_at = {}
    quorum = v.rules.quorum.get()
    members = len(v.roster)
    for i, e in enumerate(v.events):
        b = e["body"]
        if e["kind"] == "attendance":
            c.items += 1
            if b["member"] not in v.roster:
                c.fail(f"event {i}: {b['member']} is not a member")
            elif b["present"] == (b["member"] in present):
                c.fail(f"event {i}: {b['member']} checked {'in' if b['present'] else 'out'} twice")
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
            v.present_at[i] = len(present)
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
                c.fail(f"event {i}: round {b['round']} closed without a quorum but was not voided")
    for number, r in rounds.items():
        names = [member for _, member in r["issued"]]
        if len(set(names)) != len(names):
            c.fail(f"round {number}: a member was issued two credentials")
        if "round-closed_at" in r and any(i > r["round-closed_at"] for i, _ in r["issued"]):
            c.fail(f"round {number}: a credential was issued after the round closed")
