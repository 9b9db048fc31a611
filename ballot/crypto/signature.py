"""Credential signatures: ECDSA P-256 with SHA-256, in the IEEE P1363 form (r ‖ s, 64 bytes)
that WebCrypto emits, over an uncompressed public key (0x04 ‖ x ‖ y, 65 bytes, WebCrypto's
"raw" export). pyca/cryptography does the curve arithmetic; this module fixes the encodings
and refuses anything else (DER signatures, compressed or off-curve points, wrong lengths)."""

from __future__ import annotations

from dataclasses import dataclass

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.utils import (
    decode_dss_signature,
    encode_dss_signature,
)

from ballot.crypto.errors import refuse
from ballot.crypto.group import RandomSource

CURVE = ec.SECP256R1()
PUBLIC_KEY_BYTES = 65
SIGNATURE_BYTES = 64
ORDER = 0xFFFFFFFF00000000FFFFFFFFFFFFFFFFBCE6FAADA7179E84F3B9CAC2FC632551  # P-256 group order


@dataclass(frozen=True)
class CredentialKey:
    """A one-round credential key made on the member's device."""

    private: ec.EllipticCurvePrivateKey

    @staticmethod
    def generate(rng: RandomSource) -> CredentialKey:
        """A fresh key whose private scalar, uniform in [1, n), comes from `rng`."""
        return CredentialKey(ec.derive_private_key(1 + rng.randbelow(ORDER - 1), CURVE))

    @staticmethod
    def from_private_bytes(data: bytes) -> CredentialKey:
        """The key whose private scalar is these 32 big-endian bytes (a member key file)."""
        scalar = int.from_bytes(data, "big")
        if len(data) != 32 or not 0 < scalar < ORDER:
            raise refuse(
                "keystore-format",
                en="not a P-256 private key (32 bytes, a scalar below the group order)",
                zh="不是 P-256 私钥（32 字节，小于群阶的标量）",
            )
        return CredentialKey(ec.derive_private_key(scalar, CURVE))

    def private_bytes(self) -> bytes:
        """The private scalar as 32 big-endian bytes, for sealing in a key file only."""
        return self.private.private_numbers().private_value.to_bytes(32, "big")

    def public_bytes(self) -> bytes:
        from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

        return self.private.public_key().public_bytes(Encoding.X962, PublicFormat.UncompressedPoint)

    def sign(self, message: bytes) -> bytes:
        r, s = decode_dss_signature(self.private.sign(message, ec.ECDSA(hashes.SHA256())))
        return r.to_bytes(32, "big") + s.to_bytes(32, "big")


def load_public_key(data: bytes) -> ec.EllipticCurvePublicKey:
    """An uncompressed P-256 point, checked to lie on the curve."""
    if len(data) != PUBLIC_KEY_BYTES or data[0] != 0x04:
        raise refuse(
            "bad-credential-key",
            en="a credential key is 65 bytes: 0x04 ‖ x ‖ y",
            zh="凭证公钥须为 65 字节：0x04 ‖ x ‖ y",
        )
    try:
        return ec.EllipticCurvePublicKey.from_encoded_point(CURVE, data)
    except ValueError:
        raise refuse(
            "bad-credential-key",
            en="the credential key is not a point on P-256",
            zh="凭证公钥不是 P-256 曲线上的点",
        ) from None


def verify(public_key: bytes, message: bytes, signature: bytes) -> None:
    """Check a P1363 signature; raise `CryptoError` ("bad-signature") when it does not hold."""
    key = load_public_key(public_key)
    if len(signature) != SIGNATURE_BYTES:
        raise refuse(
            "bad-signature",
            en="a signature is 64 bytes (r ‖ s, the WebCrypto form)",
            zh="签名须为 64 字节（r ‖ s，WebCrypto 格式）",
        )
    r = int.from_bytes(signature[:32], "big")
    s = int.from_bytes(signature[32:], "big")
    if not (0 < r < ORDER and 0 < s < ORDER):
        raise refuse(
            "bad-signature", en="the signature's values are out of range", zh="签名数值超出范围"
        )
    try:
        key.verify(encode_dss_signature(r, s), message, ec.ECDSA(hashes.SHA256()))
    except InvalidSignature:
        raise refuse(
            "bad-signature",
            en="the credential's signature does not match the ballot",
            zh="凭证签名与选票不符",
        ) from None
