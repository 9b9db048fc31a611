"""The scrutineers' decryption shares and the counts they give."""

from __future__ import annotations

from ballot.crypto import decryption
from ballot.crypto.codec import (
    decryption_share_from_json,
)
from ballot.crypto.discrete_log import DiscreteLog
from ballot.crypto.elgamal import Ciphertext
from ballot.crypto.errors import CryptoError
from ballot.protocol import context as protocol
from ballot.verify.evidence import Evidence
from ballot.verify.report import Check


def check_decryption(v: Evidence, c: Check) -> None:
    meeting = v.record["meeting"]
    v.counts = {}
    for number, r in v.rounds().items():
        closed, counts = r.get("round-closed"), r.get("counts")
        if closed is None or closed["void"] or counts is None:
            continue
        names = r["opened"]["candidates"]
        for option in ("approve", "oppose", "abstain"):
            if sorted(counts[option]) != sorted(names):
                c.fail(
                    f"round {number}: the {option} counts name other candidates than the round's"
                )
        if counts["ballots"] != closed["ballots"]:
            c.fail(
                f"round {number}: the counts say {counts['ballots']} ballots; the close "
                f"published {closed['ballots']}"
            )
        if closed["ballots"] != len(r["ballots"]) or closed["ballots"] > len(v.roster):
            # (`ballots` says so too; no table of discrete logs is built for a claimed number)
            c.fail(
                f"round {number}: the close claims {closed['ballots']} ballots; "
                f"{len(r['ballots'])} are published and {len(v.roster)} members could vote"
            )
            continue
        if closed["ballots"] == 0:  # nothing to decrypt: every count must be 0
            c.items += 1
            if any(v != 0 for o in ("approve", "oppose", "abstain") for v in counts[o].values()):
                c.fail(f"round {number}: no ballots, yet counts that are not 0")
            v.counts[number] = counts
            continue
        totals: dict[str, dict[str, int]] = {"approve": {}, "oppose": {}}
        log = DiscreteLog(v.group, closed["ballots"])
        for i, (name, total) in enumerate(
            zip(r["opened"]["candidates"], closed["aggregates"], strict=True)
        ):
            for option in protocol.OPTIONS:
                c.items += 1
                ct = Ciphertext(*(v.group.received_hex(x) for x in total[option]))
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
                            v.group,
                            v.committee,
                            ct,
                            decryption_share_from_json(raw[i][option]),
                            context,
                        )
                    except CryptoError as err:
                        c.fail(f"round {number}, candidate {name}, {option}: {err.text.en}")
                try:
                    power = decryption.combine(v.group, v.committee, ct, shares, context)
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
        v.counts[number] = counts
