"""RSA blind signatures (RFC 9474): the official vectors, round trips, and every refusal."""

from __future__ import annotations

import dataclasses
import json
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from ballot.crypto import blind_rsa as br
from ballot.crypto.arith import GMPY2, INT, Backend
from ballot.crypto.errors import CryptoError
from ballot.devtools.seeded import SeededRandom
from tests.support import ROOT

# The official RFC 9474 vectors, copied unchanged into the repository (tests/vectors/README.md).
VECTORS = ROOT / "tests" / "vectors" / "rfc9474-rsabssa.json"
VARIANTS = [
    "RSABSSA-SHA384-PSS-Randomized",
    "RSABSSA-SHA384-PSSZERO-Randomized",
    "RSABSSA-SHA384-PSS-Deterministic",
    "RSABSSA-SHA384-PSSZERO-Deterministic",
]


class Replay:
    """A RandomSource that hands out given bytes, to replay a vector's msg_prefix."""

    def __init__(self, *chunks: bytes) -> None:
        self._chunks = list(chunks)

    def randbits(self, k: int) -> int:
        chunk = self._chunks.pop(0)
        assert 8 * len(chunk) == k
        return int.from_bytes(chunk, "big")

    def randbelow(self, n: int) -> int:
        raise AssertionError("no other randomness expected")


@dataclasses.dataclass(frozen=True)
class Vector:
    name: str
    sk: br.IssuerKey
    msg: bytes
    prefix: bytes
    prepared: bytes
    randomized: bool
    s_len: int
    salt: bytes
    encoded: bytes | None
    inv: int
    blinded: bytes
    blind_sig: bytes
    sig: bytes

    @property
    def pk(self) -> br.IssuerPublicKey:
        return self.sk.public

    @property
    def r(self) -> int:
        return pow(self.inv, -1, self.sk.n)


def _vector(raw: dict[str, Any]) -> Vector:
    def num(k: str) -> int:
        return int(raw[k], 16)

    def octets(k: str) -> bytes:
        return bytes.fromhex(raw[k])

    sk = br.issuer_key_from_numbers(num("p"), num("q"), num("e"), num("d"))
    assert sk.n == num("n")
    return Vector(
        name=raw["name"],
        sk=sk,
        msg=octets("msg"),
        prefix=octets("msg_prefix"),
        prepared=octets("input_msg"),
        randomized=bool(num("is_randomized")),
        s_len=num("sLen"),
        salt=octets("salt"),
        encoded=octets("encoded_msg") if "encoded_msg" in raw else None,
        inv=num("inv"),
        blinded=octets("blinded_msg"),
        blind_sig=octets("blind_sig"),
        sig=octets("sig"),
    )


@pytest.fixture(scope="module")
def vectors() -> dict[str, Vector]:
    return {raw["name"]: _vector(raw) for raw in json.loads(VECTORS.read_text("utf-8"))}


@pytest.fixture(scope="module")
def key3072() -> br.IssuerKey:
    return br.generate_issuer_key()


@pytest.fixture(scope="module")
def key() -> br.IssuerKey:
    return br.generate_issuer_key(3072)


@pytest.fixture(scope="module")
def other_key() -> br.IssuerKey:
    return br.generate_issuer_key(3072)


def _issue(
    sk: br.IssuerKey, msg: bytes, seed: object = 0, *, s_len: int = br.SALT_LEN
) -> tuple[bytes, bytes]:
    """(prepared message, signature) through the whole protocol, salt length as given."""
    rng = SeededRandom(str(seed))
    prepared = br.prepare(msg, rng)
    blinded, inv = br._blind(sk.public, prepared, rng, s_len=s_len)
    blind_sig = br.blind_sign(sk, blinded, rng)
    return prepared, br._finalize(sk.public, prepared, blind_sig, inv, s_len=s_len)


def _refused(code: str) -> Any:
    return pytest.raises(CryptoError, match=f"^{code}:")


# --- the official vectors ------------------------------------------------------------------


def test_the_vector_file_holds_the_four_variants(vectors: dict[str, Vector]) -> None:
    assert sorted(vectors) == sorted(VARIANTS)
    for v in vectors.values():
        assert v.pk.n.bit_length() == 4096 and v.pk.e == 65537
        assert v.s_len == (0 if "PSSZERO" in v.name else 48) == len(v.salt)
        assert v.randomized == v.name.endswith("Randomized")
        assert len(v.prefix) == (32 if v.randomized else 0)


@pytest.mark.parametrize("name", VARIANTS)
def test_official_vector(vectors: dict[str, Vector], name: str) -> None:
    v = vectors[name]
    prepared = br._prepare(v.msg, Replay(v.prefix), randomized=v.randomized)
    assert prepared == v.prepared == v.prefix + v.msg
    if v.encoded is not None:
        assert br._emsa_pss_encode(prepared, v.pk.n.bit_length() - 1, v.salt) == v.encoded
    blinded, inv = br._blind(v.pk, prepared, Replay(), s_len=v.s_len, salt=v.salt, r=v.r)
    assert (blinded, inv) == (v.blinded, v.inv)
    blind_sig = br.blind_sign(v.sk, blinded, SeededRandom(name))
    assert blind_sig == v.blind_sig
    sig = br._finalize(v.pk, prepared, blind_sig, inv, s_len=v.s_len)
    assert sig == v.sig
    assert br._verify(v.pk, prepared, sig, s_len=v.s_len, backend=None)
    # The product pins the salt length to 48: PSSZERO signatures are not credentials here.
    assert br.verify(v.pk, prepared, sig) is (v.s_len == 48)
    if v.s_len == 48:
        assert br.blind(v.pk, prepared, Replay(), salt=v.salt, r=v.r) == (v.blinded, v.inv)
        assert br.finalize(v.pk, prepared, blind_sig, inv) == v.sig
    else:
        with _refused("bad-credential"):
            br.finalize(v.pk, prepared, blind_sig, inv)


@pytest.mark.parametrize("backend", [INT, GMPY2], ids=["int", "gmpy2"])
def test_both_backends_reproduce_the_vector(
    vectors: dict[str, Vector], backend: Backend | None
) -> None:
    if backend is None:
        pytest.skip("gmpy2 is not installed here")
    v = vectors["RSABSSA-SHA384-PSS-Randomized"]
    blinded, inv = br.blind(v.pk, v.prepared, Replay(), salt=v.salt, r=v.r, backend=backend)
    assert (blinded, inv) == (v.blinded, v.inv)
    blind_sig = br.blind_sign(v.sk, blinded, SeededRandom(1), backend=backend)
    assert blind_sig == v.blind_sig
    assert br.finalize(v.pk, v.prepared, blind_sig, inv, backend=backend) == v.sig
    assert br.verify(v.pk, v.prepared, v.sig, backend=backend)


# --- keys ----------------------------------------------------------------------------------


@pytest.mark.parametrize(("fixture", "bits"), [("key3072", 3072), ("key", 3072)])
def test_round_trip(request: pytest.FixtureRequest, fixture: str, bits: int) -> None:
    sk: br.IssuerKey = request.getfixturevalue(fixture)
    pk = sk.public
    assert pk.n.bit_length() == bits and pk.e == 65537 and pk.modulus_len == bits // 8
    rng = SeededRandom(f"round trip {bits}")
    msg = b"ballot/v1/credential\x00meeting-7\x00round-2\x00" + bytes(range(65))
    prepared = br.prepare(msg, rng)
    assert len(prepared) == 32 + len(msg) and prepared.endswith(msg)
    assert br.prepare(msg, rng) != prepared  # a fresh prefix every time
    blinded, inv = br.blind(pk, prepared, rng)
    blind_sig = br.blind_sign(sk, blinded, rng)
    sig = br.finalize(pk, prepared, blind_sig, inv)
    assert len(sig) == pk.modulus_len and sig != blind_sig
    assert br.verify(pk, prepared, sig)
    assert not br.verify(pk, msg, sig)  # the prefix is part of what is signed


def test_key_sizes_below_3072_bits_are_refused() -> None:
    for bits in (1024, 2048, 3071, True, 3072.0):
        with _refused("bad-issuer-key"):
            br.generate_issuer_key(bits)  # type: ignore[arg-type]


def test_private_values_stay_out_of_repr(key: br.IssuerKey) -> None:
    text = repr(key)
    for secret in (key.d, key.p, key.q, key.dp, key.dq, key.qinv):
        assert str(secret) not in text
    assert str(key.n) in text


def test_public_key_json_round_trip(key3072: br.IssuerKey) -> None:
    pk = key3072.public
    data = br.encode_public_key(pk)
    assert data == {"scheme": br.SCHEME, "n": pk.n.to_bytes(384, "big").hex(), "e": "010001"}
    assert br.decode_public_key(json.loads(json.dumps(data))) == pk


def test_malformed_public_keys_are_refused(key: br.IssuerKey) -> None:
    good = br.encode_public_key(key.public)
    small = br.encode_public_key(key.public) | {"n": (key.n >> 1024 | 1).to_bytes(256, "big").hex()}
    bad: list[Any] = [
        "not a mapping",
        {k: v for k, v in good.items() if k != "e"},
        good | {"extra": "1"},
        good | {"scheme": "RSABSSA-SHA384-PSSZERO-Randomized"},
        good | {"n": good["n"].upper()},
        good | {"n": "00" + good["n"]},
        good | {"n": "0x" + good["n"]},
        good | {"n": good["n"][:-1]},
        good | {"n": ""},
        good | {"n": int(good["n"], 16)},
        good | {"n": (key.n + 1).to_bytes(384, "big").hex()},  # even
        small,
        good | {"e": "01"},
        good | {"e": "03"},  # odd, but not 65537
        good | {"e": "010003"},
        good | {"e": "010000"},
        good | {"e": good["n"]},  # e = n
    ]
    for data in bad:
        with _refused("bad-issuer-key"):
            br.decode_public_key(data)


def test_inconsistent_key_numbers_are_refused(vectors: dict[str, Vector]) -> None:
    sk = vectors["RSABSSA-SHA384-PSS-Randomized"].sk
    for p, q, e, d in [
        (sk.p, sk.q, sk.e, sk.d + 1),
        (sk.p, sk.q, 3, sk.d),
        (sk.p, sk.p, sk.e, sk.d),
        (sk.p, sk.q * 3, sk.e, sk.d),
    ]:
        with _refused("bad-issuer-key"):
            br.issuer_key_from_numbers(p, q, e, d)
    with _refused("bad-issuer-key"):
        dataclasses.replace(sk, n=sk.n + 2)


# --- rejections ----------------------------------------------------------------------------


def test_a_signature_from_another_issuer_is_rejected(
    key: br.IssuerKey, other_key: br.IssuerKey
) -> None:
    prepared, sig = _issue(other_key, b"credential", "other")
    assert br.verify(other_key.public, prepared, sig)
    assert not br.verify(key.public, prepared, sig)
    # A device that blinded against one key but got an answer from another key notices. (The
    # signer's modulus is the larger one so that it accepts the blinded message at all; its
    # answer is brought below our modulus so that finalize gets as far as verifying.)
    ours, signer = sorted((key, other_key), key=lambda k: k.n)
    rng = SeededRandom("wrong signer")
    blinded, inv = br.blind(ours.public, prepared, rng)
    z = int.from_bytes(br.blind_sign(signer, blinded, rng), "big") % ours.n
    blind_sig = z.to_bytes(ours.public.modulus_len, "big")
    with _refused("bad-credential"):
        br.finalize(ours.public, prepared, blind_sig, inv)


@pytest.mark.parametrize("s_len", [0, 32, 64])
def test_other_salt_lengths_are_rejected(key: br.IssuerKey, s_len: int) -> None:
    prepared, sig = _issue(key, b"credential", s_len, s_len=s_len)
    assert br._verify(key.public, prepared, sig, s_len=s_len, backend=None)
    assert not br.verify(key.public, prepared, sig)
    # and the other way round: a pinned-length signature fails under another length
    prepared, sig = _issue(key, b"credential", s_len)
    assert br.verify(key.public, prepared, sig)
    assert not br._verify(key.public, prepared, sig, s_len=s_len, backend=None)


def test_a_modified_message_is_rejected(key: br.IssuerKey) -> None:
    prepared, sig = _issue(key, b"meeting 7, round 2, key K", "msg")
    assert br.verify(key.public, prepared, sig)
    for other in (
        prepared[:-1] + bytes([prepared[-1] ^ 1]),
        bytes([prepared[0] ^ 0x80]) + prepared[1:],
        prepared + b"\x00",
        prepared[:-1],
        prepared[32:],
        b"",
    ):
        assert not br.verify(key.public, other, sig)


def test_a_modified_signature_is_rejected(key: br.IssuerKey) -> None:
    pk = key.public
    prepared, sig = _issue(key, b"credential", "sig")
    assert br.verify(pk, prepared, sig)
    for bit in (0, 7, 8 * 100 + 3, 8 * len(sig) - 1):
        flipped = bytearray(sig)
        flipped[bit // 8] ^= 1 << (bit % 8)
        assert not br.verify(pk, prepared, bytes(flipped))
    k = pk.modulus_len
    s = int.from_bytes(sig, "big")
    for bad in (
        pk.n.to_bytes(k, "big"),  # s = n
        (pk.n + s if pk.n + s < 256**k else pk.n + 1).to_bytes(k, "big"),  # s ≥ n
        b"\xff" * k,
        bytes(k),
        sig[1:],
        b"\x00" + sig,
        sig + b"\x00",
        b"",
    ):
        assert not br.verify(pk, prepared, bad)
    assert not br.verify(pk, prepared, sig.hex())  # type: ignore[arg-type]


def test_blind_sign_refuses_bad_blinded_messages(key: br.IssuerKey) -> None:
    k = key.public.modulus_len
    rng = SeededRandom("bad blinded")
    for bad in (key.n.to_bytes(k, "big"), b"\xff" * k, bytes(k - 1), bytes(k + 1), b""):
        with _refused("bad-blinded-message"):
            br.blind_sign(key, bad, rng)
    with _refused("bad-blinded-message"):
        br.blind_sign(key, bytes(k).hex(), rng)  # type: ignore[arg-type]


def test_blind_sign_never_returns_a_faulty_signature(key: br.IssuerKey) -> None:
    rng = SeededRandom("fault")
    blinded, _ = br.blind(key.public, br.prepare(b"credential", rng), rng)
    for faulty in (
        dataclasses.replace(key, dp=key.dp ^ 2),
        dataclasses.replace(key, dq=key.dq + 1),
        dataclasses.replace(key, qinv=key.qinv + 1),
    ):
        with _refused("signing-fault"):
            br.blind_sign(faulty, blinded, rng)


def test_finalize_refuses_wrong_unblinding(key: br.IssuerKey) -> None:
    pk = key.public
    rng = SeededRandom("finalize")
    prepared = br.prepare(b"credential", rng)
    blinded, inv = br.blind(pk, prepared, rng)
    blind_sig = br.blind_sign(key, blinded, rng)
    _, other_inv = br.blind(pk, prepared, rng)
    for wrong in (inv + 1, other_inv, 1):
        with _refused("bad-credential"):
            br.finalize(pk, prepared, blind_sig, wrong)
    for out_of_range in (0, pk.n, pk.n + inv, -inv):
        with _refused("bad-blinding-input"):
            br.finalize(pk, prepared, blind_sig, out_of_range)
    k = pk.modulus_len
    for bad in (pk.n.to_bytes(k, "big"), blind_sig[1:], b"\x00" + blind_sig):
        with _refused("bad-blind-signature"):
            br.finalize(pk, prepared, bad, inv)
    with _refused("bad-credential"):
        br.finalize(pk, prepared + b"!", blind_sig, inv)
    assert br.verify(pk, prepared, br.finalize(pk, prepared, blind_sig, inv))


def test_blind_refuses_bad_test_hooks(key: br.IssuerKey) -> None:
    pk = key.public
    rng = SeededRandom("hooks")
    prepared = br.prepare(b"credential", rng)
    for salt in (b"", bytes(32), bytes(49)):
        with _refused("bad-blinding-input"):
            br.blind(pk, prepared, rng, salt=salt)
    for r in (0, pk.n, -1, key.p, 2 * key.q):
        with _refused("blinding-error"):
            br.blind(pk, prepared, rng, r=r)


# --- property ------------------------------------------------------------------------------


@given(msg=st.binary(max_size=300), seed=st.integers(min_value=0, max_value=2**64))
def test_issuance_always_verifies_and_hides_the_message(
    key: br.IssuerKey, msg: bytes, seed: int
) -> None:
    pk = key.public
    rng = SeededRandom(seed)
    prepared = br.prepare(msg, rng)
    salt = rng.randbits(8 * br.SALT_LEN).to_bytes(br.SALT_LEN, "big")
    blinded, inv = br.blind(pk, prepared, rng, salt=salt)
    encoded = br._emsa_pss_encode(prepared, pk.n.bit_length() - 1, salt)
    assert blinded != encoded.rjust(pk.modulus_len, b"\x00")
    blind_sig = br.blind_sign(key, blinded, rng)
    sig = br.finalize(pk, prepared, blind_sig, inv)
    assert br.verify(pk, prepared, sig)
    assert sig != blind_sig


def test_a_credential_is_issued_blind_and_bound_to_its_round() -> None:
    from ballot.crypto import blind_rsa
    from ballot.crypto.credential import credential_message
    from ballot.crypto.errors import CryptoError
    from ballot.crypto.randomness import SystemRandom
    from ballot.crypto.signature import CredentialKey

    rng = SystemRandom()
    issuer = blind_rsa.generate_issuer_key(3072)
    device_key = CredentialKey.generate(SystemRandom()).public_bytes()
    message = credential_message("meeting-1", "round-1", device_key)
    prepared = blind_rsa.prepare(message, rng)
    blinded, inv = blind_rsa.blind(issuer.public, prepared, rng)
    assert message not in blinded
    signature = blind_rsa.finalize(
        issuer.public, prepared, blind_rsa.blind_sign(issuer, blinded, rng), inv
    )
    assert blind_rsa.verify(issuer.public, prepared, signature)
    other_round = prepared[:32] + credential_message("meeting-1", "round-2", device_key)
    assert not blind_rsa.verify(issuer.public, other_round, signature)
    with pytest.raises(CryptoError):
        credential_message("meeting-1", "round-1", device_key[:-1])
