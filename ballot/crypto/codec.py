"""Ballots and ceremony messages as JSON: lowercase hex integers, exactly the shape
`ballot vectors` writes.

Parsing is strict and refuses, with the place named, anything that is not that shape: a value
that is not hex, too long, a missing or extra key, a wrong count. It does not check group
membership or proofs: `validate_ballot` does that next.
"""

from __future__ import annotations

import re
from typing import Any

from ballot.crypto.ballot import EncryptedBallot, Selection
from ballot.crypto.ceremony import CoefficientCommitment, CommitmentMessage, EncryptedShare
from ballot.crypto.chaum_pedersen import EqualityProof
from ballot.crypto.decryption import DecryptionShare
from ballot.crypto.elgamal import Ciphertext
from ballot.crypto.errors import refuse
from ballot.crypto.group import Element, received
from ballot.crypto.range_proof import RangeProof
from ballot.crypto.schnorr import SchnorrProof
from ballot.crypto.selection_proof import SelectionProof

HEX = re.compile(r"[0-9a-f]{1,1024}")
MAX_CANDIDATES = 200
MAX_BRANCHES = 201


def _malformed(where: str, what: str) -> Exception:
    return refuse(
        "malformed-ballot", en=f"ballot {where}: {what}", zh=f"选票 {where}：格式错误（{what}）"
    )


def _int(raw: object, where: str) -> int:
    if not isinstance(raw, str) or not HEX.fullmatch(raw):
        raise _malformed(where, "expected lowercase hex of at most 1024 digits")
    return int(raw, 16)


def _list(
    raw: object, where: str, length: int | None = None, most: int = MAX_BRANCHES
) -> list[Any]:
    if not isinstance(raw, list) or len(raw) > most:
        raise _malformed(where, f"expected a list of at most {most}")
    if length is not None and len(raw) != length:
        raise _malformed(where, f"expected {length} entries, got {len(raw)}")
    return raw


def _object(raw: object, where: str, keys: tuple[str, ...]) -> dict[str, Any]:
    if not isinstance(raw, dict) or set(raw) != set(keys):
        raise _malformed(where, f"expected exactly the keys {', '.join(keys)}")
    return raw


def _element(raw: object, where: str) -> Element:
    """A number that must be a group element; checked by whoever relies on it (see
    `group.received`), not here, so a ballot's elements can be checked in one batch."""
    return received(_int(raw, where))


def _ciphertext(raw: object, where: str) -> Ciphertext:
    a, b = _list(raw, where, 2)
    return Ciphertext(_element(a, where), _element(b, where))


def _proof_parts(
    raw: object, where: str
) -> tuple[tuple[tuple[Element, Element], ...], tuple[int, ...], tuple[int, ...]]:
    p = _object(raw, where, ("commitments", "challenges", "responses"))
    commitments = []
    for pair in _list(p["commitments"], f"{where}.commitments"):
        a, b = _list(pair, f"{where}.commitments", 2)
        commitments.append((_element(a, where), _element(b, where)))
    n = len(commitments)
    challenges = tuple(_int(x, where) for x in _list(p["challenges"], f"{where}.challenges", n))
    responses = tuple(_int(x, where) for x in _list(p["responses"], f"{where}.responses", n))
    return tuple(commitments), challenges, responses


def _proof_json(p: RangeProof | SelectionProof) -> dict[str, Any]:
    return {
        "commitments": [[format(int(a), "x"), format(int(b), "x")] for a, b in p.commitments],
        "challenges": [format(c, "x") for c in p.challenges],
        "responses": [format(v, "x") for v in p.responses],
    }


def ballot_to_json(ballot: EncryptedBallot) -> dict[str, Any]:
    """The JSON form of a ballot (the inverse of `ballot_from_json`)."""

    def ct(c: Ciphertext) -> list[str]:
        return [format(int(c.alpha), "x"), format(int(c.beta), "x")]

    return {
        "selections": [
            {"approve": ct(s.approve), "oppose": ct(s.oppose), "proof": _proof_json(s.proof)}
            for s in ballot.selections
        ],
        "total_proof": _proof_json(ballot.total_proof),
    }


def ballot_from_json(raw: object) -> EncryptedBallot:
    top = _object(raw, "", ("selections", "total_proof"))
    selections = []
    for i, s in enumerate(_list(top["selections"], "selections", most=MAX_CANDIDATES)):
        where = f"selections[{i}]"
        obj = _object(s, where, ("approve", "oppose", "proof"))
        selections.append(
            Selection(
                approve=_ciphertext(obj["approve"], f"{where}.approve"),
                oppose=_ciphertext(obj["oppose"], f"{where}.oppose"),
                proof=SelectionProof(*_proof_parts(obj["proof"], f"{where}.proof")),
            )
        )
    return EncryptedBallot(
        tuple(selections), RangeProof(*_proof_parts(top["total_proof"], "total_proof"))
    )


# --- ceremony transcript ---------------------------------------------------------------------


def commitment_message_json(message: CommitmentMessage) -> dict[str, Any]:
    return {
        "sender": message.sender,
        "transport_key": message.transport_key.hex(),
        "coefficients": [
            {
                "value": format(int(c.value), "x"),
                "proof": {
                    "commitment": format(int(c.proof.commitment), "x"),
                    "challenge": format(c.proof.challenge, "x"),
                    "response": format(c.proof.response, "x"),
                },
            }
            for c in message.coefficients
        ],
    }


def commitment_message_from_json(raw: object) -> CommitmentMessage:
    top = _object(raw, "ceremony message", ("sender", "transport_key", "coefficients"))
    sender = top["sender"]
    if isinstance(sender, bool) or not isinstance(sender, int) or not 1 <= sender <= 100:
        raise _malformed("ceremony message", "sender must be 1..100")
    key = top["transport_key"]
    if not isinstance(key, str) or not re.fullmatch(r"[0-9a-f]{64}", key):
        raise _malformed("ceremony message", "transport_key must be 32 bytes of hex")
    coefficients = []
    for i, c in enumerate(_list(top["coefficients"], "coefficients", most=100)):
        where = f"coefficients[{i}]"
        obj = _object(c, where, ("value", "proof"))
        proof = _object(obj["proof"], f"{where}.proof", ("commitment", "challenge", "response"))
        coefficients.append(
            CoefficientCommitment(
                value=_element(obj["value"], where),
                proof=SchnorrProof(
                    _element(proof["commitment"], where),
                    _int(proof["challenge"], where),
                    _int(proof["response"], where),
                ),
            )
        )
    return CommitmentMessage(sender, bytes.fromhex(key), tuple(coefficients))


# --- decryption shares -----------------------------------------------------------------------


def decryption_share_json(share: DecryptionShare) -> dict[str, Any]:
    p = share.proof
    return {
        "index": share.index,
        "value": format(int(share.value), "x"),
        "proof": {
            "commitment_g": format(int(p.commitment_g), "x"),
            "commitment_a": format(int(p.commitment_a), "x"),
            "challenge": format(p.challenge, "x"),
            "response": format(p.response, "x"),
        },
    }


def decryption_share_from_json(raw: object, where: str = "decryption share") -> DecryptionShare:
    top = _object(raw, where, ("index", "value", "proof"))
    index = top["index"]
    if isinstance(index, bool) or not isinstance(index, int) or not 1 <= index <= 100:
        raise _malformed(where, "index must be 1..100")
    p = _object(
        top["proof"], f"{where}.proof", ("commitment_g", "commitment_a", "challenge", "response")
    )
    return DecryptionShare(
        index,
        _element(top["value"], where),
        EqualityProof(
            _element(p["commitment_g"], where),
            _element(p["commitment_a"], where),
            _int(p["challenge"], where),
            _int(p["response"], where),
        ),
    )


def encrypted_share_json(share: EncryptedShare) -> dict[str, Any]:
    return {
        "sender": share.sender,
        "recipient": share.recipient,
        "ephemeral_key": share.ephemeral_key.hex(),
        "nonce": share.nonce.hex(),
        "ciphertext": share.ciphertext.hex(),
    }


def encrypted_share_from_json(raw: object, where: str = "ceremony share") -> EncryptedShare:
    top = _object(raw, where, ("sender", "recipient", "ephemeral_key", "nonce", "ciphertext"))
    for key in ("sender", "recipient"):
        v = top[key]
        if isinstance(v, bool) or not isinstance(v, int) or not 1 <= v <= 100:
            raise _malformed(where, f"{key} must be 1..100")
    fields = {}
    for key, size in (("ephemeral_key", 32), ("nonce", 12), ("ciphertext", None)):
        v = top[key]
        if not isinstance(v, str) or not re.fullmatch(r"(?:[0-9a-f]{2}){1,256}", v):
            raise _malformed(where, f"{key} must be hex")
        data = bytes.fromhex(v)
        if size is not None and len(data) != size:
            raise _malformed(where, f"{key} must be {size} bytes")
        fields[key] = data
    return EncryptedShare(
        top["sender"],
        top["recipient"],
        fields["ephemeral_key"],
        fields["nonce"],
        fields["ciphertext"],
    )
