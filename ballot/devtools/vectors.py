"""`ballot vectors`: fixed inputs and outputs for a second implementation (the browser client).

Writes `hashing.json` (field encodings and H values), `ballot.json` (an encrypted ballot with
its proofs, tracker, cast message and a credential signature), `decryption.json` (a
scrutineer's decryption share with its proof, after a seeded 2-of-3 ceremony whose transcript
and election key fingerprint it also gives) and `statements.json` (what members, the chair and
scrutineers sign) into a folder, by default `tests/vectors/`. Randomness is given explicitly, as the sequence of secret scalars the
encryptor draws, in the order docs/PROTOCOL.md §11 states, so another implementation can
reproduce every byte. The signature is ECDSA (randomized): a second implementation checks
that it verifies, and that its own verifies here.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from cryptography.hazmat.primitives.asymmetric import ec

from ballot.crypto import hashing as h
from ballot.crypto.ballot import (
    BallotContext,
    cast_message,
    encrypt_ballot,
    tracker,
    validate_ballot,
)
from ballot.crypto.codec import ballot_to_json as ballot_json
from ballot.crypto.codec import commitment_message_json
from ballot.crypto.elgamal import PublicKey
from ballot.crypto.group import Group, production_group
from ballot.crypto.signature import CredentialKey
from ballot.protocol import acceptance, share_signing
from ballot.protocol import result as result_of
from ballot.protocol.context import ceremony_id
from ballot.protocol.fingerprint import election_key_fingerprint

SEED = "ballot test vectors v1"
MEETING = "jiaxing-2020/meeting-1"  # the meeting id of decryption.json's ceremony


class ScalarStream:
    """A RandomSource that hands out a fixed, recorded sequence of scalars."""

    def __init__(self, group: Group, seed: str) -> None:
        import random

        self._r = random.Random(seed)
        self._q = int(group.q)
        self.drawn: list[int] = []

    def randbelow(self, n: int) -> int:
        if n != self._q - 1:
            raise ValueError("the vector stream only serves secret scalars")
        value = self._r.randrange(n)
        self.drawn.append(value + 1)  # Group.random_scalar adds 1
        return value

    def randbits(self, k: int) -> int:
        return self._r.getrandbits(k)


def _hex(x: int) -> str:
    return format(int(x), "x")


def hashing_vectors(group: Group) -> dict[str, Any]:
    fields = {
        "raw": h.raw(b"\x00\x01\xff"),
        "text_ascii": h.text("ab"),
        "text_chinese": h.text("嘉禾电子"),
        "element_g": h.element(group, int(group.g)),
        "scalar_q_minus_1": h.scalar(group, int(group.q) - 1),
        "u32": h.u32(5),
        "seq": h.seq([h.u32(1), h.text("x")]),
        "seq_empty": h.seq([]),
    }
    hashes = [
        {
            "tag": "ballot/v1/test",
            "fields": ["text_ascii"],
            "h": _hex(h.hash_to_q(group, "ballot/v1/test", fields["text_ascii"])),
        },
        {
            "tag": "ballot/v1/test",
            "fields": ["raw", "element_g", "seq"],
            "h": _hex(
                h.hash_to_q(
                    group, "ballot/v1/test", fields["raw"], fields["element_g"], fields["seq"]
                )
            ),
        },
        {
            "tag": "ballot/v1/测试",
            "fields": ["text_chinese", "scalar_q_minus_1", "u32", "seq_empty"],
            "h": _hex(
                h.hash_to_q(
                    group,
                    "ballot/v1/测试",
                    fields["text_chinese"],
                    fields["scalar_q_minus_1"],
                    fields["u32"],
                    fields["seq_empty"],
                )
            ),
        },
    ]
    return {
        "description": "field encodings (hex) and H = SHA-256(text(tag) ‖ fields) mod q",
        "fields": {k: v.hex() for k, v in fields.items()},
        "hashes": hashes,
    }


def ballot_vectors(group: Group) -> dict[str, Any]:
    import hashlib

    secret = 1 + int.from_bytes(hashlib.sha256(SEED.encode()).digest(), "big") % (int(group.q) - 1)
    key = PublicKey(group, group.pow_g(secret))
    ctx = BallotContext(
        hashlib.sha256(b"record").digest(),
        "jiaxing-2020/meeting-1/round-1",
        ("嘉禾电子", "南湖纺织", "秀洲精工", "海盐装备"),
        2,
    )
    choices = ["approve", "oppose", "abstain", "approve"]
    stream = ScalarStream(group, SEED)
    ballot = encrypt_ballot(key, ctx, choices, stream)
    validate_ballot(key, ctx, ballot, ScalarStream(group, "weights"))
    track = tracker(key, ctx, ballot)
    credential = CredentialKey(
        ec.derive_private_key(
            int.from_bytes(hashlib.sha256(b"credential").digest(), "big") % (2**255), ec.SECP256R1()
        )
    )
    message = cast_message(track)
    return {
        "description": "an encrypted ballot; 'random' lists the secret scalars drawn, in order",
        "group": "electionguard-4096",
        "election_secret_key": _hex(secret),
        "election_public_key": _hex(key.k),
        "context": {
            "record": ctx.record.hex(),
            "round_id": ctx.round_id,
            "candidates": list(ctx.candidates),
            "max_approvals": ctx.max_approvals,
        },
        "choices": choices,
        "random": [_hex(x) for x in stream.drawn],
        "ballot": ballot_json(ballot),
        "tracker": track.hex(),
        "cast_message": message.hex(),
        "credential_public_key": credential.public_bytes().hex(),
        "credential_signature": credential.sign(message).hex(),
    }


def decryption_vectors(group: Group) -> dict[str, Any]:
    """A 2-of-3 ceremony run with seeded randomness, and scrutineer 1's decryption share of a
    fixed ciphertext with its proof; `random` is the proof's secret scalar u."""
    import random as _random

    from ballot.crypto import ceremony, decryption
    from ballot.crypto.elgamal import encrypt
    from ballot.devtools.seeded import SeededRandom

    params = ceremony.CeremonyParams(ceremony_id(MEETING), 2, 3)
    rng = SeededRandom(SEED + " ceremony")
    begun = [ceremony.begin(group, params, i, rng) for i in (1, 2, 3)]
    messages = [m for _, m in begun]
    dealt = [s for d, _ in begun for s in ceremony.deal(group, params, d, messages, rng)]
    share, committee = ceremony.finish(
        group, params, begun[0][0], messages, [s for s in dealt if s.recipient == 1], rng
    )
    key = PublicKey(group, committee.joint_key)
    ct = encrypt(key, 3, 1 + _random.Random(SEED + " r").randrange(int(group.q) - 1))
    context = [h.text("jiaxing-2020/meeting-1/round-1"), h.text("approve"), h.u32(0)]
    stream = ScalarStream(group, SEED + " share")
    result = decryption.partial_decrypt(group, committee, share, ct, context, stream)
    totals = [
        {"approve": [_hex(ct.alpha), _hex(ct.beta)], "oppose": [_hex(ct.beta), _hex(ct.alpha)]}
    ]
    accepted = acceptance.accepted(1, 1, 3, "ab" * 32, "cd" * 32, totals)
    signing = ScalarStream(group, SEED + " acceptance")
    signature = acceptance.sign(group, share.secret, MEETING, accepted, signing)
    signed_result = result_of.scrutineer_body(
        1, "ef" * 32, {"award": ["嘉禾电子", "南湖纺织"], "nominee": []}
    )
    result_signing = ScalarStream(group, SEED + " result")
    result_message = result_of.statement(MEETING, signed_result)
    result_signature = share_signing.sign(group, share.secret, result_message, result_signing)
    return {
        "description": "scrutineer 1's decryption share; 'random' is the proof's scalar u",
        "group": "electionguard-4096",
        "ceremony": {
            "id": params.ceremony_id,
            "k": params.k,
            "n": params.n,
            "transcript_digest": ceremony.transcript_digest(group, params, messages).hex(),
            "joint_key": _hex(committee.joint_key),
            "share_keys": {str(i): _hex(committee.share_key(i)) for i in (1, 2, 3)},
            "messages": [commitment_message_json(m) for m in messages],
            "fingerprint": election_key_fingerprint(
                group,
                ceremony.transcript_digest(group, params, messages),
                int(committee.joint_key),
            ),
        },
        "scrutineer": 1,
        "secret_share": _hex(share.secret),
        "ciphertext": [_hex(ct.alpha), _hex(ct.beta)],
        "context_fields": [f.hex() for f in context],
        "random": [_hex(x) for x in stream.drawn],
        "share": _hex(result.value),
        "proof": {
            "commitment_g": _hex(result.proof.commitment_g),
            "commitment_a": _hex(result.proof.commitment_a),
            "challenge": _hex(result.proof.challenge),
            "response": _hex(result.proof.response),
        },
        # scrutineer 1's acceptance of round 1 (PROTOCOL.md §14): the totals' digest, the attest
        # statement, and its Schnorr signature with the share ('random': the proof's u)
        "acceptance": {
            "meeting": MEETING,
            "aggregates": totals,
            "body": accepted,
            "message": acceptance.statement(MEETING, accepted).hex(),
            "random": [_hex(x) for x in signing.drawn],
            "signature": signature,
        },
        # scrutineer 1's signature of a final result (PROTOCOL.md §14 result-signed), answering
        # the event whose hash is "ef…ef"
        "result": {
            "meeting": MEETING,
            "body": signed_result,
            "message": result_message.hex(),
            "random": [_hex(x) for x in result_signing.drawn],
            "signature": result_signature,
        },
    }


def statement_vectors() -> dict[str, Any]:
    """Every statement people sign (PROTOCOL.md §14) with fixed inputs, its bytes, and the
    canonical JSON of awkward values; `signature` is an ECDSA signature by `public_key` over
    the `member-key` statement (randomized: check that it verifies)."""
    import random as _random

    from ballot.protocol import statements as st
    from ballot.protocol.chain import canonical_json

    class _Seeded:
        def __init__(self) -> None:
            self._r = _random.Random(SEED + " member key")

        def randbelow(self, n: int) -> int:
            return self._r.randrange(n)

    key = CredentialKey.generate(_Seeded())  # type: ignore[arg-type]
    public = key.public_bytes()
    meeting = "jiaxing-2020/meeting-1"
    blinded = bytes(range(256)) * 2
    body = {"round": 3, "ballots": ["ab" * 32, "cd" * 32], "名": "甲公司", "void": None}
    awkward: list[Any] = [
        {"b": 1, "a": [True, False, None], "é": '\n\t\u0001"\\/', "\U0001f600": 2, "\uffff": 3},
        -(2**53 - 1),
        "委员 \u2028",
        [],
        {},
    ]
    member_key = st.member_key(meeting, "委员乙", public)
    return {
        "description": "the statements people sign, byte for byte (PROTOCOL.md §14)",
        "meeting": meeting,
        "public_key": public.hex(),
        "member_key": {"member": "委员乙", "message": member_key.hex()},
        "signature": key.sign(member_key).hex(),
        "presence": [
            {
                "member": "委员乙",
                "state": state,
                "n": n,
                "answers": answers.hex(),
                "message": st.presence(meeting, "委员乙", state, n, answers).hex(),
            }
            for state, n, answers in (
                ("present", 1, bytes(range(32))),
                ("left", 2, bytes(range(32, 64))),
                ("present", 3, bytes(range(64, 96))),
            )
        ],
        "issuance_request": {
            "member": "委员乙",
            "round_id": f"{meeting}/round-1",
            "blinded": blinded.hex(),
            "message": st.issuance_request(meeting, "委员乙", f"{meeting}/round-1", blinded).hex(),
        },
        "attest": [
            {
                "role": role,
                "event_kind": kind,
                "body": body,
                "message": st.attest(meeting, role, kind, body).hex(),
            }
            for role, kind in (("chair", "round-closed"), (st.scrutineer_role(2), "round-accepted"))
        ],
        "canonical_json": [{"value": v, "bytes": canonical_json(v).hex()} for v in awkward],
        # JSON texts whose values have no canonical form: both sides refuse them (a JS parser
        # reads 1.0 as 1, so the refusal must look at the text)
        "canonical_json_refused": [
            {"text": '{"a":1.0}', "why": "a number with a fraction or exponent"},
            {"text": "[1.5]", "why": "a float"},
            {"text": "[1e3]", "why": "an exponent"},
            {"text": "[9007199254740992]", "why": "an integer beyond 2^53"},
            {"text": '"\\ud800"', "why": "a lone surrogate"},
            {"text": '{"k":"x\\udc00y"}', "why": "a lone surrogate"},
        ],
    }


def write(out: Path, group: Group | None = None) -> list[Path]:
    group = group or production_group()
    out.mkdir(parents=True, exist_ok=True)
    written = []
    for name, data in (
        ("hashing.json", hashing_vectors(group)),
        ("ballot.json", ballot_vectors(group)),
        ("decryption.json", decryption_vectors(group)),
        ("statements.json", statement_vectors()),
    ):
        path = out / name
        path.write_text(json.dumps(data, ensure_ascii=False, indent=1) + "\n", "utf-8")
        written.append(path)
    return written
