"""The browser's protocol module (`ballot/web/static/js/protocol.js`) against this implementation.

Runs the module's own Node suite (the shared vectors and the RFC 9474 vectors), then checks
across the two implementations in the production group: a ballot, a credential and decryption
shares made by the JavaScript are accepted here, and the JavaScript refuses what it must.
Skipped without Node 20 or later, except under CI, where that is a failure.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import subprocess
from collections.abc import Callable
from typing import Any

import pytest

from ballot.crypto import blind_rsa, ceremony, decryption
from ballot.crypto.ballot import cast_message, tracker, validate_ballot
from ballot.crypto.codec import ballot_from_json, decryption_share_from_json
from ballot.crypto.credential import credential_message
from ballot.crypto.discrete_log import DiscreteLog
from ballot.crypto.elgamal import PublicKey, decrypt_to_power, encrypt
from ballot.crypto.errors import CryptoError
from ballot.crypto.group import Group, production_group
from ballot.crypto.randomness import SystemRandom
from ballot.crypto.signature import verify
from ballot.devtools.demo import local_ceremony
from ballot.devtools.seeded import SeededRandom
from ballot.protocol.context import (
    OPTIONS,
    ballot_context,
    ceremony_id,
    decryption_context,
    round_id,
)
from ballot.protocol.device import decryption_shares
from tests.support import ROOT
from tests.support.node import node_executable

MODULE = ROOT / "ballot" / "web" / "static" / "js" / "protocol.js"
MAKE_BALLOT = ROOT / "tests" / "js" / "make_ballot.mjs"
MEETING = "js-check/meeting-1"
CANDIDATES = ("嘉禾电子", "南湖纺织", "秀洲精工", "海盐装备", "平湖光电")

# decryptionShares from stdin to stdout; "u" (hex scalars) replaces the CSPRNG when given
SHARES_JS = """
import { pathToFileURL } from 'node:url';
const { decryptionShares } = await import(pathToFileURL(process.argv[1]).href);
let input = '';
for await (const chunk of process.stdin) input += chunk;
const { u, ...request } = JSON.parse(input);
if (u) request.random = () => BigInt('0x' + u.shift());
process.stdout.write(JSON.stringify(await decryptionShares(request)));
"""


@pytest.fixture(scope="module")
def node() -> str:
    return node_executable("ballot/web/static/js/protocol.js")


@pytest.fixture(scope="module")
def group() -> Group:
    return production_group()


@pytest.fixture(scope="module")
def election(group: Group) -> tuple[int, PublicKey]:
    """A fresh election key in the production group (the one the module embeds)."""
    secret = group.random_scalar(SystemRandom())
    return secret, PublicKey(group, group.pow_g(secret))


def make_ballot(
    node: str, request: dict[str, Any], sign: Callable[[str], str] | None = None
) -> dict[str, Any]:
    """Run tests/js/make_ballot.mjs; `sign` plays the issuer when the request has an issuer key."""
    with subprocess.Popen(
        [node, str(MAKE_BALLOT)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        encoding="utf-8",
    ) as proc:
        assert proc.stdin is not None and proc.stdout is not None
        proc.stdin.write(json.dumps(request) + "\n")
        proc.stdin.flush()
        if sign is not None:
            line = proc.stdout.readline()
            if line:
                answer = {"blind_signature_hex": sign(json.loads(line)["blinded_hex"])}
                proc.stdin.write(json.dumps(answer) + "\n")
                proc.stdin.flush()
        out, err = proc.communicate(timeout=120)
    assert proc.returncode == 0, err
    result: dict[str, Any] = json.loads(out.strip().splitlines()[-1])
    return result


def request_for(
    key: PublicKey, record_hex: str, number: int, choices: list[str], k: int
) -> dict[str, Any]:
    return {
        "key": format(int(key.k), "x"),
        "context": {
            "record": record_hex,
            "roundId": round_id(MEETING, number),
            "candidates": list(CANDIDATES),
            "k": k,
        },
        "choices": choices,
    }


def test_the_node_suite_passes(node: str) -> None:
    run = subprocess.run(
        [node, "--test", "--test-reporter=tap", "tests/js/protocol.test.mjs"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert run.returncode == 0, run.stdout[-6000:] + run.stderr[-2000:]
    assert re.search(r"^# pass [1-9]", run.stdout, re.M) and "# fail 0" in run.stdout


# SHA-256 of the official RFC 9474 vector file (tests/vectors/README.md names its source)
RFC9474_SHA256 = "c0d45eaa85c42906e0e0a60efc69b8744e0e05be35a3863fa5040037ecc9606a"


def test_the_rfc9474_vectors_are_the_published_ones() -> None:
    copy = ROOT / "tests" / "vectors" / "rfc9474-rsabssa.json"
    assert hashlib.sha256(copy.read_bytes()).hexdigest() == RFC9474_SHA256


def test_a_javascript_ballot_validates_here(
    node: str, group: Group, election: tuple[int, PublicKey], issuer: blind_rsa.IssuerKey
) -> None:
    secret, key = election
    record_hex = os.urandom(32).hex()
    choices = ["approve", "oppose", "abstain", "approve", "oppose"]
    request = request_for(key, record_hex, 3, choices, 2)
    request |= {
        "issuer_key": blind_rsa.encode_public_key(issuer.public),
        "meeting_id": MEETING,
        "round_id": round_id(MEETING, 3),
    }

    def sign(blinded_hex: str) -> str:
        return blind_rsa.blind_sign(issuer, bytes.fromhex(blinded_hex), SystemRandom()).hex()

    out = make_ballot(node, request, sign)
    ctx = ballot_context(MEETING, 3, record_hex, CANDIDATES, 2)
    ballot = ballot_from_json(out["ballot"])
    validate_ballot(key, ctx, ballot, SystemRandom())
    track = tracker(key, ctx, ballot)
    assert out["tracker"] == track.hex()
    public_key = bytes.fromhex(out["public_key_hex"])
    verify(public_key, cast_message(track), bytes.fromhex(out["signature_hex"]))
    # the credential: issued blind by this issuer, on this key for this round
    credential = out["credential"]
    assert credential["public_key_hex"] == out["public_key_hex"]
    prepared = bytes.fromhex(credential["prepared_hex"])
    assert prepared[32:] == credential_message(MEETING, round_id(MEETING, 3), public_key)
    assert blind_rsa.verify(issuer.public, prepared, bytes.fromhex(credential["signature_hex"]))
    # and it encrypts what the member chose
    log = DiscreteLog(group, 1)
    for choice, s in zip(choices, ballot.selections, strict=True):
        assert log(decrypt_to_power(group, s.approve, secret)) == (choice == "approve")
        assert log(decrypt_to_power(group, s.oppose, secret)) == (choice == "oppose")


def test_a_ballot_bound_elsewhere_is_refused_here(
    node: str, election: tuple[int, PublicKey]
) -> None:
    _, key = election
    record_hex = os.urandom(32).hex()
    out = make_ballot(node, request_for(key, record_hex, 1, ["abstain"] * 5, 2))
    with pytest.raises(CryptoError) as err:
        other_round = ballot_context(MEETING, 2, record_hex, CANDIDATES, 2)
        validate_ballot(key, other_round, ballot_from_json(out["ballot"]), SystemRandom())
    assert err.value.code == "bad-proof"


def test_the_javascript_refuses_more_approvals_than_allowed(
    node: str, election: tuple[int, PublicKey]
) -> None:
    _, key = election
    request = request_for(key, "00" * 32, 1, ["approve"] * 3 + ["abstain"] * 2, 2)
    run = subprocess.run(
        [node, str(MAKE_BALLOT)],
        input=json.dumps(request),
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert run.returncode == 1
    assert "3 approvals; at most 2 allowed" in run.stderr
    assert run.stdout == ""


class ReplayScalars:
    """Hands out given proof scalars u (batch weights from the CSPRNG), as the JS `random`."""

    def __init__(self, group: Group, scalars: list[int]) -> None:
        self._q = int(group.q)
        self._scalars = list(scalars)

    def randbelow(self, n: int) -> int:
        assert n == self._q - 1
        return self._scalars.pop(0) - 1

    def randbits(self, k: int) -> int:
        return SystemRandom().randbits(k)


def test_javascript_decryption_shares_verify_and_decrypt_here(node: str, group: Group) -> None:
    params = ceremony.CeremonyParams(ceremony_id(MEETING), 2, 3)
    _, shares, committee = local_ceremony(group, params, SeededRandom("js decryption"))
    key = PublicKey(group, committee.joint_key)
    totals = [(3, 1), (0, 2), (2, 0)]
    rng = SystemRandom()
    cts = [
        {
            option: encrypt(key, m, group.random_scalar(rng))
            for option, m in zip(OPTIONS, t, strict=True)
        }
        for t in totals
    ]
    record_hex = os.urandom(32).hex()
    aggregates = [
        {o: [format(int(c.alpha), "x"), format(int(c.beta), "x")] for o, c in row.items()}
        for row in cts
    ]

    def js_shares(share: ceremony.ScrutineerShare, u: list[int] | None = None) -> Any:
        request = {
            "ceremonyId": params.ceremony_id,
            "k": params.k,
            "n": params.n,
            "index": share.index,
            "secret": format(share.secret, "x"),
            "shareKey": format(int(committee.share_key(share.index)), "x"),
            "meetingId": MEETING,
            "number": 4,
            "recordHex": record_hex,
            "aggregates": aggregates,
        }
        if u is not None:
            request["u"] = [format(x, "x") for x in u]
        run = subprocess.run(
            [node, "--input-type=module", "-e", SHARES_JS, str(MODULE)],
            input=json.dumps(request),
            capture_output=True,
            text=True,
            timeout=120,
            check=True,
        )
        return json.loads(run.stdout)

    made = {s.index: js_shares(s) for s in (shares[0], shares[2])}
    items = []
    for i, row in enumerate(cts):
        for option, ct in row.items():
            context = decryption_context(MEETING, 4, record_hex, option, i)
            got = [decryption_share_from_json(made[index][i][option]) for index in made]
            for share in got:
                decryption.verify_share(group, committee, ct, share, context)
                items.append((ct, share, context))
            m = decryption.decrypt(group, committee, ct, got, context, DiscreteLog(group, 3))
            assert m == totals[i][OPTIONS.index(option)]
    decryption.verify_shares(group, committee, items, rng)

    # the same scalars u give the same bytes as the Python client
    u = [group.random_scalar(rng) for _ in range(2 * len(cts))]
    python = decryption_shares(
        MEETING, 4, record_hex, aggregates, committee, shares[1], ReplayScalars(group, u)
    )
    assert js_shares(shares[1], u) == python


def test_javascript_decryption_refuses_a_ciphertext_outside_the_group(
    node: str, group: Group
) -> None:
    request = {
        "ceremonyId": "c",
        "k": 1,
        "n": 1,
        "index": 1,
        "secret": "5",
        "meetingId": MEETING,
        "number": 1,
        "recordHex": "00" * 32,
        "aggregates": [{"approve": ["2", "2"], "oppose": ["2", "2"]}],
    }
    run = subprocess.run(
        [node, "--input-type=module", "-e", SHARES_JS, str(MODULE)],
        input=json.dumps(request),
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert run.returncode != 0
    assert "not a pair of group elements" in run.stderr
