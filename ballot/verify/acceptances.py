"""The scrutineers' acceptances: before decrypting a round, each scrutineer whose shares it was
counted with signed, with the share key the ceremony transcript gives them, that they had
checked the very ballot and credential lists the round closed on and computed its totals
themselves (`round-accepted`, docs/PROTOCOL.md §14). So shares for a round that was open, for
totals the scrutineer did not accept, or counts made with fewer than k acceptances fail here by
name."""

from __future__ import annotations

from typing import Any

from ballot.protocol import acceptance
from ballot.verify.evidence import Evidence
from ballot.verify.report import Check


def check_acceptances(v: Evidence, c: Check) -> None:
    meeting = v.record["meeting"]
    k = v.committee.params.k
    for number, r in v.rounds().items():
        closed: dict[str, Any] | None = r.get("round-closed")
        closed_at = r.get("round-closed_at", len(v.events))
        accepted: dict[int, int] = {}
        for at, body in r["accepted"]:
            c.items += 1
            index = body.get("scrutineer") if isinstance(body, dict) else None
            where = f"round {number}: scrutineer {index}'s acceptance"
            if type(index) is not int or not 1 <= index <= v.committee.params.n:
                c.fail(f"{where} names no scrutineer of the ceremony")
                continue
            if index in accepted:
                c.fail(f"{where} is recorded twice")
                continue
            if closed is None or at < closed_at:
                c.fail(f"{where} was made while the round was open")
                continue
            expected = acceptance.accepted(
                number,
                index,
                closed["ballots"],
                closed["ballot_list"],
                closed["credential_list"],
                closed["aggregates"],
            )
            wrong = [f for f in acceptance.FIELDS if body.get(f) != expected[f]]
            if wrong or set(body) != {*acceptance.FIELDS, acceptance.SIGNATURE}:
                c.fail(
                    f"{where} is not of what the round closed on ({', '.join(wrong) or 'fields'})"
                )
                continue
            if not acceptance.holds(
                v.group,
                v.committee.share_key(index),
                meeting,
                expected,
                body.get(acceptance.SIGNATURE),
            ):
                c.fail(f"{where} is not signed with scrutineer {index}'s share key")
                continue
            accepted[index] = at
        for index, at in r["shares_at"].items():
            c.items += 1
            if closed is None or at < closed_at:
                c.fail(
                    f"round {number}: scrutineer {index} sent decryption shares while it was open"
                )
            elif index not in accepted or accepted[index] > at:
                c.fail(
                    f"round {number}: scrutineer {index} sent decryption shares without first "
                    "accepting the round's ballots and totals"
                )
        counts = r.get("counts")
        if counts is not None and closed is not None and closed["ballots"] > 0:
            used = [i for i in counts.get("scrutineers", []) if i in accepted]
            if len(set(used)) < k:
                c.fail(
                    f"round {number} was counted with {len(set(used))} scrutineers' acceptances; "
                    f"{k} are needed"
                )
