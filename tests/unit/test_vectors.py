"""The shipped vectors for a second implementation are current, and say what PROTOCOL.md says.

`ballot vectors` regenerates them; this test rebuilds them in memory and compares, so a change
to the protocol that forgets the vectors fails here. It also re-derives encodings and hashes
from the byte-level rules of docs/PROTOCOL.md §3 by hand, independently of ballot.crypto.
"""

from __future__ import annotations

import hashlib
import json

import pytest

from ballot.crypto.ballot import cast_message
from ballot.crypto.group import production_group
from ballot.crypto.signature import verify
from ballot.devtools import vectors
from tests.support import ROOT

FOLDER = ROOT / "tests" / "vectors"


def load(name: str) -> dict:  # type: ignore[type-arg]
    return json.loads((FOLDER / name).read_text("utf-8"))


def test_shipped_vectors_are_current() -> None:
    g = production_group()
    assert load("hashing.json") == json.loads(json.dumps(vectors.hashing_vectors(g)))
    shipped = load("ballot.json")
    fresh = json.loads(json.dumps(vectors.ballot_vectors(g), ensure_ascii=False))
    # ECDSA signatures are randomized: everything else must match byte for byte
    shipped_sig = shipped.pop("credential_signature")
    fresh.pop("credential_signature")
    assert shipped == fresh
    verify(
        bytes.fromhex(shipped["credential_public_key"]),
        bytes.fromhex(shipped["cast_message"]),
        bytes.fromhex(shipped_sig),
    )


def test_encodings_follow_the_byte_rules_by_hand() -> None:
    f = load("hashing.json")["fields"]
    assert f["text_ascii"] == "02" + "00000002" + "6162"
    assert f["u32"] == "05" + "00000005"
    assert f["seq"] == "06" + "00000002" + "05" + "00000001" + "02" + "00000001" + "78"
    assert f["seq_empty"] == "06" + "00000000"
    assert f["raw"] == "01" + "00000003" + "0001ff"
    assert f["text_chinese"] == "02" + "0000000c" + "嘉禾电子".encode().hex()
    g = production_group()
    assert f["element_g"] == "03" + format(int(g.g), "01024x")
    assert f["scalar_q_minus_1"] == "04" + format(int(g.q) - 1, "064x")


def test_hashes_follow_the_rule_by_hand() -> None:
    data = load("hashing.json")
    q = 2**256 - 189
    for case in data["hashes"]:
        tag = case["tag"].encode()
        preimage = b"\x02" + len(tag).to_bytes(4, "big") + tag
        preimage += b"".join(bytes.fromhex(data["fields"][name]) for name in case["fields"])
        assert int(case["h"], 16) == int.from_bytes(hashlib.sha256(preimage).digest(), "big") % q


def test_cast_message_is_the_tag_and_the_tracker() -> None:
    v = load("ballot.json")
    assert bytes.fromhex(v["cast_message"]) == cast_message(bytes.fromhex(v["tracker"]))
    tag = b"ballot/v1/cast"
    assert v["cast_message"] == (
        "02" + len(tag).to_bytes(4, "big").hex() + tag.hex() + "01" + "00000020" + v["tracker"]
    )


def test_the_vector_ballot_parses_validates_and_round_trips() -> None:
    from ballot.crypto.ballot import BallotContext, tracker, validate_ballot
    from ballot.crypto.codec import ballot_from_json
    from ballot.crypto.elgamal import PublicKey
    from ballot.crypto.randomness import SystemRandom

    v = load("ballot.json")
    g = production_group()
    key = PublicKey(g, g.element(int(v["election_public_key"], 16), "key"))
    c = v["context"]
    ctx = BallotContext(
        bytes.fromhex(c["record"]), c["round_id"], tuple(c["candidates"]), c["max_approvals"]
    )
    ballot = ballot_from_json(v["ballot"])
    validate_ballot(key, ctx, ballot, SystemRandom())
    assert tracker(key, ctx, ballot).hex() == v["tracker"]
    assert vectors.ballot_json(ballot) == v["ballot"]


def test_malformed_ballot_json_is_refused_with_the_place() -> None:
    import copy

    import pytest

    from ballot.crypto.codec import ballot_from_json
    from ballot.crypto.errors import CryptoError

    good = load("ballot.json")["ballot"]
    cases = []
    b = copy.deepcopy(good)
    b["selections"][1]["approve"][0] = "XYZ"
    cases.append((b, "selections[1].approve"))
    b = copy.deepcopy(good)
    b["selections"][0]["proof"]["challenges"].pop()
    cases.append((b, "selections[0].proof.challenges"))
    b = copy.deepcopy(good)
    b["extra"] = 1
    cases.append((b, "expected exactly the keys"))
    b = copy.deepcopy(good)
    b["total_proof"]["responses"][0] = 5
    cases.append((b, "total_proof"))
    b = copy.deepcopy(good)
    b["selections"][0]["oppose"][1] = "f" * 1025
    cases.append((b, "selections[0].oppose"))
    cases.append(([], "expected exactly the keys"))
    for raw, words in cases:
        with pytest.raises(CryptoError) as err:
            ballot_from_json(raw)
        assert err.value.code == "malformed-ballot" and words in err.value.text.en


def test_the_decryption_vector_is_current_and_verifies() -> None:
    from ballot.crypto.chaum_pedersen import EqualityProof
    from ballot.crypto.chaum_pedersen import verify as cp_verify
    from ballot.crypto.decryption import SHARE_TAG

    g = production_group()
    shipped = load("decryption.json")
    assert shipped == json.loads(json.dumps(vectors.decryption_vectors(g)))
    alpha = int(shipped["ciphertext"][0], 16)
    secret = int(shipped["secret_share"], 16)
    assert pow(alpha, secret, int(g.p)) == int(shipped["share"], 16)
    public = int(shipped["ceremony"]["share_keys"]["1"], 16)
    assert pow(int(g.g), secret, int(g.p)) == public
    # the proof's context, rebuilt from PROTOCOL.md §10 by hand
    c = shipped["ceremony"]

    def text(s: str) -> bytes:
        return b"\x02" + len(s.encode()).to_bytes(4, "big") + s.encode()

    def element(x: str) -> bytes:
        return b"\x03" + int(x, 16).to_bytes(512, "big")

    fields = [bytes.fromhex(f) for f in shipped["context_fields"]]
    context = [
        text(SHARE_TAG),
        text("electionguard-4096"),
        text(c["id"]),
        b"\x05" + c["k"].to_bytes(4, "big"),
        b"\x05" + c["n"].to_bytes(4, "big"),
        b"\x05" + (1).to_bytes(4, "big"),
        element(shipped["ciphertext"][0]),
        element(shipped["ciphertext"][1]),
        b"\x06" + len(fields).to_bytes(4, "big") + b"".join(fields),
    ]
    p = shipped["proof"]
    proof = EqualityProof(
        int(p["commitment_g"], 16),
        int(p["commitment_a"], 16),
        int(p["challenge"], 16),
        int(p["response"], 16),
    )
    assert cp_verify(
        g,
        g.backend.mpz(public),
        g.backend.mpz(alpha),
        g.backend.mpz(int(shipped["share"], 16)),
        proof,
        context,
    )


def test_json_texts_without_a_canonical_form_are_refused() -> None:
    """statements.json's refused texts: floats (1.0 too), integers beyond 2^53, lone
    surrogates; protocol.test.mjs refuses the same texts in JS."""
    from ballot.protocol.chain import canonical_json

    refused = load("statements.json")["canonical_json_refused"]
    assert len(refused) >= 6
    for case in refused:
        with pytest.raises(ValueError, match=r"float|2\^53|lone surrogate"):
            canonical_json(json.loads(case["text"]))


def test_the_statement_vectors_are_current_and_follow_the_byte_rule() -> None:
    """PROTOCOL.md §14: text(tag) ‖ text(kind) ‖ text(meeting) ‖ fields, rebuilt by hand."""
    from ballot.protocol.statements import body_digest

    shipped = load("statements.json")
    fresh = json.loads(json.dumps(vectors.statement_vectors(), ensure_ascii=False))
    signature = shipped.pop("signature")
    fresh.pop("signature")  # ECDSA is randomized; the rest is byte for byte
    assert shipped == fresh

    def text(s: str) -> bytes:
        b = s.encode()
        return b"\x02" + len(b).to_bytes(4, "big") + b

    def raw(b: bytes) -> bytes:
        return b"\x01" + len(b).to_bytes(4, "big") + b

    head = text("ballot/v1/statement")
    meeting = text(shipped["meeting"])
    public = bytes.fromhex(shipped["public_key"])
    mk = head + text("member-key") + meeting + text("委员乙") + raw(public)
    assert shipped["member_key"]["message"] == mk.hex()
    verify(public, mk, bytes.fromhex(signature))
    p = shipped["presence"][1]
    assert (
        p["message"]
        == (
            head
            + text("presence")
            + meeting
            + text("委员乙")
            + text("left")
            + b"\x05"
            + (2).to_bytes(4, "big")
            + raw(bytes.fromhex(p["answers"]))
        ).hex()
    )
    r = shipped["issuance_request"]
    assert r["message"] == (
        head + text("issuance-request") + meeting + text("委员乙") + text(r["round_id"])
        + raw(bytes.fromhex(r["blinded"]))
    ).hex()  # fmt: skip
    a = shipped["attest"][1]
    digest = hashlib.sha256(
        json.dumps(a["body"], sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()
    ).digest()
    assert digest == body_digest(a["body"])
    assert (
        a["message"]
        == (
            head
            + text("attest")
            + meeting
            + text("scrutineer 2")
            + text("round-accepted")
            + raw(digest)
        ).hex()
    )


def test_the_acceptance_vector_is_the_protocol_s_bytes_and_verifies() -> None:
    """PROTOCOL.md §14: a scrutineer's acceptance is `attest` by "scrutineer i" over the body
    (sorted-key canonical JSON, SHA-256), signed by a Schnorr proof of the share s_i whose
    context is [bytes(statement)]; rebuilt here by hand from the document."""
    import hashlib

    from ballot.crypto import hashing as hh
    from ballot.crypto import schnorr
    from ballot.protocol import acceptance

    g = production_group()
    shipped = load("decryption.json")
    v = shipped["acceptance"]
    totals = hashlib.sha256(
        json.dumps(v["aggregates"], sort_keys=True, separators=(",", ":")).encode()
    ).hexdigest()
    assert v["body"] == {
        "round": 1,
        "scrutineer": 1,
        "ballots": 3,
        "ballot_list": "ab" * 32,
        "credential_list": "cd" * 32,
        "totals": totals,
    }

    def text(s: str) -> bytes:
        return b"\x02" + len(s.encode()).to_bytes(4, "big") + s.encode()

    def raw(b: bytes) -> bytes:
        return b"\x01" + len(b).to_bytes(4, "big") + b

    body = json.dumps(v["body"], sort_keys=True, separators=(",", ":")).encode()
    by_hand = (
        text("ballot/v1/statement") + text("attest") + text(v["meeting"]) + text("scrutineer 1")
        + text("round-accepted") + raw(hashlib.sha256(body).digest())
    )  # fmt: skip
    assert v["message"] == by_hand.hex()
    key = g.element(int(shipped["ceremony"]["share_keys"]["1"], 16), "K_1")
    assert acceptance.holds(g, key, v["meeting"], v["body"], v["signature"])
    sig = v["signature"]
    proof = schnorr.SchnorrProof(
        g.element(int(sig["commitment"], 16), "h"),
        int(sig["challenge"], 16),
        int(sig["response"], 16),
    )
    assert schnorr.verify(g, key, proof, [hh.raw(by_hand)])
    # another body, another scrutineer's key, or a malformed signature: refused
    assert not acceptance.holds(g, key, v["meeting"], {**v["body"], "ballots": 4}, sig)
    other = g.element(int(shipped["ceremony"]["share_keys"]["2"], 16), "K_2")
    assert not acceptance.holds(g, other, v["meeting"], v["body"], sig)
    for bad in ({}, {**sig, "challenge": "0x1"}, {**sig, "commitment": "1"}, "x"):
        assert not acceptance.holds(g, key, v["meeting"], v["body"], bad)


def test_the_result_signature_vector_is_the_protocol_s_bytes_and_verifies() -> None:
    """PROTOCOL.md §14 `result-signed`: `attest` by "scrutineer i", event kind
    "result-signed", over the body less its signature; the share key's Schnorr signature of
    those bytes. Rebuilt here by hand from the document."""
    import hashlib

    from ballot.protocol import result as result_of
    from ballot.protocol import share_signing

    g = production_group()
    shipped = load("decryption.json")
    v = shipped["result"]
    assert set(v["body"]) == set(result_of.SCRUTINEER_FIELDS)

    def text(s: str) -> bytes:
        return b"\x02" + len(s.encode()).to_bytes(4, "big") + s.encode()

    def raw(b: bytes) -> bytes:
        return b"\x01" + len(b).to_bytes(4, "big") + b

    body = json.dumps(v["body"], sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    by_hand = (
        text("ballot/v1/statement") + text("attest") + text(v["meeting"]) + text("scrutineer 1")
        + text("result-signed") + raw(hashlib.sha256(body.encode()).digest())
    )  # fmt: skip
    assert v["message"] == by_hand.hex() == result_of.statement(v["meeting"], v["body"]).hex()
    key = g.element(int(shipped["ceremony"]["share_keys"]["1"], 16), "K_1")
    assert share_signing.holds(g, key, by_hand, v["signature"])
    other = {**v["body"], "result": {"award": ["南湖纺织"], "nominee": []}}
    assert not share_signing.holds(g, key, result_of.statement(v["meeting"], other), v["signature"])
