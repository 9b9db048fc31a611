"""Credential signatures: the WebCrypto forms are accepted, everything else refused."""

from __future__ import annotations

import pytest
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec
from hypothesis import given
from hypothesis import strategies as st

from ballot.crypto.errors import CryptoError
from ballot.crypto.randomness import SystemRandom
from ballot.crypto.signature import ORDER, CredentialKey, verify

KEY = CredentialKey.generate(SystemRandom())
OTHER = CredentialKey.generate(SystemRandom())


@given(st.binary(max_size=200))
def test_sign_and_verify_round_trip(message: bytes) -> None:
    sig = KEY.sign(message)
    assert len(sig) == 64 and len(KEY.public_bytes()) == 65
    verify(KEY.public_bytes(), message, sig)


def code(public: bytes, message: bytes, sig: bytes) -> str:
    with pytest.raises(CryptoError) as err:
        verify(public, message, sig)
    return err.value.code


def test_refusals() -> None:
    msg = b"ballot tracker"
    sig = KEY.sign(msg)
    assert code(KEY.public_bytes(), msg + b"!", sig) == "bad-signature"
    assert code(OTHER.public_bytes(), msg, sig) == "bad-signature"
    flipped = bytes([sig[0] ^ 1]) + sig[1:]
    assert code(KEY.public_bytes(), msg, flipped) == "bad-signature"
    der = KEY.private.sign(msg, ec.ECDSA(hashes.SHA256()))
    assert code(KEY.public_bytes(), msg, der) == "bad-signature"  # DER is not accepted
    zero = bytes(64)
    assert code(KEY.public_bytes(), msg, zero) == "bad-signature"
    big = ORDER.to_bytes(32, "big") + sig[32:]
    assert code(KEY.public_bytes(), msg, big) == "bad-signature"


def test_malformed_public_keys_are_refused() -> None:
    msg = b"m"
    sig = KEY.sign(msg)
    pub = KEY.public_bytes()
    assert code(pub[:-1], msg, sig) == "bad-credential-key"
    assert code(b"\x02" + pub[1:], msg, sig) == "bad-credential-key"
    off_curve = pub[:-1] + bytes([pub[-1] ^ 1])
    assert code(off_curve, msg, sig) == "bad-credential-key"


def test_a_credential_key_comes_from_the_injected_random_source() -> None:
    from ballot.devtools.seeded import SeededRandom

    one = CredentialKey.generate(SeededRandom("credential")).public_bytes()
    assert one == CredentialKey.generate(SeededRandom("credential")).public_bytes()
    assert one != CredentialKey.generate(SeededRandom("another")).public_bytes()


def test_a_member_key_file_opens_to_the_same_key_and_refuses_anything_else() -> None:
    from ballot.crypto import keystore
    from ballot.crypto.errors import CryptoError
    from ballot.crypto.randomness import SystemRandom
    from ballot.crypto.signature import CredentialKey

    fast = keystore.ScryptParams(n=2**10, r=8, p=1)
    key = CredentialKey.generate(SystemRandom())
    held = keystore.MemberKeyFile("m" * 32, "委员乙", key.private_bytes())
    text = keystore.seal_member_key(held, "口令", SystemRandom(), scrypt=fast)
    opened = keystore.open_member_key(text, "口令")
    assert opened == held
    assert CredentialKey.from_private_bytes(opened.private).public_bytes() == key.public_bytes()
    for wrong, code in (
        (lambda: keystore.open_member_key(text, "别的口令"), "keystore-unreadable"),
        (lambda: keystore.open_share(text, "口令"), "keystore-purpose"),  # not a share file
        (lambda: CredentialKey.from_private_bytes(b"\x00" * 32), "keystore-format"),
        (lambda: CredentialKey.from_private_bytes(b"\xff" * 32), "keystore-format"),  # ≥ order
        (lambda: CredentialKey.from_private_bytes(b"\x01" * 31), "keystore-format"),
    ):
        with pytest.raises(CryptoError) as err:
            wrong()
        assert err.value.code == code
