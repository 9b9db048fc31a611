"""`ballot audit`: re-encrypting with the disclosed secrets must give the same ballot, so a
page that encrypted anything but the member's choices is caught."""

from __future__ import annotations

import copy
import hashlib
import json
import secrets
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from ballot.crypto.ballot import BallotContext, encrypt_ballot, tracker
from ballot.crypto.codec import ballot_to_json
from ballot.crypto.elgamal import PublicKey
from ballot.crypto.group import production_group
from ballot.protocol.audit import AuditError, audit

CANDIDATES = ["甲公司", "乙公司", "丙公司"]


class Recording:
    def __init__(self) -> None:
        self.drawn: list[int] = []

    def randbelow(self, n: int) -> int:
        value = secrets.randbelow(n)
        self.drawn.append(value + 1)  # Group.random_scalar adds 1
        return value

    def randbits(self, k: int) -> int:
        return secrets.randbits(k)


def audit_file(choices: list[str]) -> dict[str, Any]:
    group = production_group()
    key = PublicKey(group, group.pow_g(12345678901234567890))
    ctx = BallotContext(hashlib.sha256(b"r").digest(), "m/round-1", tuple(CANDIDATES), 1)
    rng = Recording()
    ballot = encrypt_ballot(key, ctx, choices, rng)
    return {
        "format": "ballot-audit",
        "version": 1,
        "context": {
            "record": ctx.record.hex(),
            "roundId": ctx.round_id,
            "candidates": CANDIDATES,
            "k": 1,
        },
        "key": format(int(key.k), "x"),
        "choices": choices,
        "random": [format(x, "x") for x in rng.drawn],
        "ballot": ballot_to_json(ballot),
        "tracker": tracker(key, ctx, ballot).hex(),
    }


def test_an_honest_encryption_passes_and_names_the_choices() -> None:
    doc = audit_file(["approve", "oppose", "abstain"])
    result = audit(doc)
    assert result.marks == [("甲公司", "approve"), ("乙公司", "oppose"), ("丙公司", "abstain")]
    assert result.tracker == doc["tracker"] and not result.checked_against_record


@pytest.mark.parametrize(
    ("change", "words"),
    [
        (lambda d: d.update(choices=["oppose", "approve", "abstain"]), "NOT the encryption"),
        (lambda d: d.update(tracker="00" * 32), "tracker"),
        (lambda d: d.update(random=d["random"][:-1]), "fewer secret scalars"),
        (lambda d: d["random"].__setitem__(0, "1"), "NOT the encryption"),
        (lambda d: d["context"].update(k=3), "fewer secret scalars"),
        (lambda d: d["random"].append("5"), "more secret scalars"),
        (lambda d: d.update(format="x"), "not a ballot audit file"),
        (lambda d: d.update(choices=["approve"]), "choices"),
        (lambda d: d.update(key="2"), "group element"),
    ],
)
def test_any_difference_fails_the_audit(change: Any, words: str) -> None:
    doc = copy.deepcopy(audit_file(["approve", "oppose", "abstain"]))
    change(doc)
    with pytest.raises(AuditError) as e:
        audit(doc)
    assert words.lower() in e.value.text.en.lower() and e.value.text.zh


def test_the_command_says_passed_or_failed(tmp_path: Path) -> None:
    doc = audit_file(["abstain", "approve", "oppose"])
    good, bad = tmp_path / "good.json", tmp_path / "bad.json"
    good.write_text(json.dumps(doc))
    bad.write_text(json.dumps(doc | {"choices": ["approve", "abstain", "oppose"]}))
    ok = subprocess.run(
        [sys.executable, "-m", "ballot", "audit", str(good)], capture_output=True, text=True
    )
    assert (
        ok.returncode == 0 and "AUDIT PASSED" in ok.stdout and "乙公司: approve 同意" in ok.stdout
    )
    no = subprocess.run(
        [sys.executable, "-m", "ballot", "audit", str(bad)], capture_output=True, text=True
    )
    assert no.returncode == 1 and "AUDIT FAILED" in no.stdout
