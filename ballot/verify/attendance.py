"""Attendance and quorum at every open and close, counting only members whose own device
confirmed their presence (a member-signed `presence` after the chair's latest check-in,
docs/PROTOCOL.md §14); credentials issued only to members so confirmed. The chair's check-in
alone is the server's word: it counts for nothing without the member's signature."""

from __future__ import annotations

from typing import Any

from ballot.crypto.errors import CryptoError
from ballot.crypto.signature import verify
from ballot.protocol import statements
from ballot.tally.rules import Proportion
from ballot.tally.voiding import void_reason
from ballot.verify.evidence import Evidence
from ballot.verify.fields import strict_hex
from ballot.verify.report import Check


def _presence(
    v: Evidence,
    c: Check,
    i: int,
    body: Any,
    state_of: tuple[set[str], set[str], dict[str, str], dict[str, int], dict[str, str]],
) -> None:
    """One member-signed presence statement: its signature, its number, the check-in it
    answers, and what it may say."""
    present, confirmed, last, count, answering = state_of
    c.items += 1
    where = f"event {i}"
    if not isinstance(body, dict):
        c.fail(f"{where}: a presence event must give member, state, n and signature")
        return
    name, state, n = body.get("member"), body.get("state"), body.get("n")
    if not isinstance(name, str) or name not in v.roster:
        c.fail(f"{where}: presence of {name!r}, who is not a member")
        return
    if state not in statements.PRESENCE or type(n) is not int or n < 1:
        c.fail(f"{where}: {name}'s presence must say present or left, numbered from 1")
        return
    try:
        signature = strict_hex(body.get("signature"), "signature")
        answers = strict_hex(body.get("answers"), "answers")
    except ValueError as err:
        c.fail(f"{where}: {name}'s presence: {err}")
        return
    if answers.hex() != answering.get(name):
        c.fail(f"{where}: {name}'s presence does not answer the chair's latest check-in of them")
        return
    key = v.member_keys_at[i].get(name)
    if key is None:
        c.fail(f"{where}: {name} had no member key enrolled to sign their presence")
        return
    try:
        message = statements.presence(v.record["meeting"], name, state, n, answers)
        verify(key, message, signature)
    except (CryptoError, ValueError):
        c.fail(f"{where}: {name}'s presence statement is not signed by their member key")
        return
    if n != count.get(name, 0) + 1:
        c.fail(
            f"{where}: {name}'s presence statement is number {n}; the record has "
            f"{count.get(name, 0)} before it"
        )
    before = last.get(name)
    count[name], last[name] = n, state
    if state == "left":
        if before != "present":
            c.fail(f"{where}: {name}'s device said left with no present to end")
        confirmed.discard(name)
    elif name not in present:
        c.fail(f"{where}: {name}'s device said present while the chair had them checked out")
    elif name in confirmed:
        c.fail(f"{where}: {name}'s presence was confirmed twice without a check-in between")
    else:
        confirmed.add(name)


def _void(
    c: Check, i: int, b: dict[str, Any], quorum: Proportion | None, members: int, here: int
) -> None:
    """A close is void exactly when its numbers say so, for the reason they give (a round
    voided that should count, or counted that should be void, fails here)."""
    numbers = [b.get(k) for k in ("issued", "credentials", "ballots")]
    if not all(type(x) is int for x in numbers):
        c.fail(f"event {i}: round {b.get('round')}'s close must give issued, credentials, ballots")
        return
    issued, credentials, ballots = (int(x) for x in numbers)  # type: ignore[arg-type]
    expected = void_reason(quorum, members, here, issued, credentials, ballots)
    want = None if expected is None else expected.as_dict()
    if b.get("void") is not (expected is not None) or b.get("reason") != want:
        said = "void" if b.get("void") else "counting"
        c.fail(
            f"event {i}: round {b.get('round')} closed as {said} ({b.get('reason')!r}); its "
            f"numbers give {'void: ' + expected.en if expected else 'a round that counts'}"
        )


def check_attendance(v: Evidence, c: Check) -> None:
    present: set[str] = set()  # checked in by the chair (the server's word)
    confirmed: set[str] = set()  # ... and confirmed since by their own device (counted)
    last: dict[str, str] = {}
    count: dict[str, int] = {}
    answering: dict[str, str] = {}  # each member's latest check-in (or check-out) event hash
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
            confirmed.discard(b["member"])  # a new check-in needs a new confirmation
            answering[b["member"]] = str(e.get("hash"))
            if b["present_count"] != len(present):
                c.fail(
                    f"event {i}: says {b['present_count']} present; the check-ins give "
                    f"{len(present)}"
                )
        elif e["kind"] == "presence":
            _presence(v, c, i, b, (present, confirmed, last, count, answering))
        elif e["kind"] == "credential-issued" and b["member"] not in confirmed:
            c.fail(
                f"event {i}: a credential was issued to {b['member']}, whose own device had "
                "not confirmed their presence"
            )
        elif e["kind"] in ("round-opened", "round-closed"):
            c.items += 1
            here = len(confirmed)
            v.present_at[i] = here
            named = [x for x in v.roster if x in confirmed]  # (roster order)
            if b.get("present_members") != named:
                c.fail(
                    f"event {i}: round {b['round']} names {b.get('present_members')!r} as "
                    f"present; the members' confirmed presence gives {named!r}"
                )
            if b["present"] != here or b["members"] != members:
                c.fail(
                    f"event {i}: round {b['round']} records {b['present']} of "
                    f"{b['members']} present; the members' confirmed presence gives {here} "
                    f"of {members}"
                )
            met = quorum is None or quorum.met(here, members)
            if e["kind"] == "round-opened" and not met:
                c.fail(
                    f"event {i}: round {b['round']} opened without a quorum of confirmed "
                    f"presence ({here} of {members})"
                )
            if e["kind"] == "round-closed":
                _void(c, i, b, quorum, members, here)
    for number, r in rounds.items():
        names = [member for _, member in r["issued"]]
        if len(set(names)) != len(names):
            c.fail(f"round {number}: a member was issued two credentials")
        if "round-closed_at" in r and any(i > r["round-closed_at"] for i, _ in r["issued"]):
            c.fail(f"round {number}: a credential was issued after the round closed")
