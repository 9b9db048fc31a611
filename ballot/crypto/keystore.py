"""Secrets at rest (密钥保管): passphrase-sealed scrutineer shares and the committee signing key.

A sealed file is JSON text: a header (format, version, purpose, scrypt parameters, salt, nonce)
and the AES-256-GCM ciphertext, binary fields in base64. The key is scrypt(passphrase, salt)
with the parameters the header records (n = 2^15, r = 8, p = 1 unless a caller asks for other
ones), so files sealed today still open after the default is raised. The associated data
covers the whole header, so changing any header field, like changing the ciphertext, makes
the file refuse to open. A wrong passphrase and an altered file look the same to AES-GCM and
are refused with the same message.

Everything is pure: functions take and return bytes or str; the service layer reads and
writes files. Randomness (salts, nonces, new keys) comes only from the injected source.

The committee key (委员会签名密钥) is Ed25519: it signs record checkpoints and the published
result; `verify_signature` checks a signature with the public key alone.
"""

from __future__ import annotations

import base64
import binascii
import json
import re
import unicodedata
from dataclasses import dataclass
from typing import Any

from cryptography.exceptions import InvalidSignature, InvalidTag
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.scrypt import Scrypt

from ballot.crypto import hashing as h
from ballot.crypto.ceremony import TRANSPORT_KEY_BYTES, ScrutineerShare
from ballot.crypto.errors import CryptoError, refuse
from ballot.crypto.group import RandomSource
from ballot.crypto.randomness import random_bytes

FORMAT = "ballot-keystore"
VERSION = 1
AD_TAG = "ballot/v1/keystore"
SALT_BYTES = 16
NONCE_BYTES = 12
KEY_BYTES = 32

PURPOSE_SHARE = "scrutineer-share"
PURPOSE_COMMITTEE_KEY = "committee-signing-key"
PURPOSE_MEMBER_KEY = "member-signing-key"

# Bounds on recorded scrypt parameters: a header asking for more memory or time than this is
# refused before any work is done (an altered file must not be able to exhaust the machine).
MIN_SCRYPT_N = 2**10
MAX_SCRYPT_N = 2**22
MAX_SCRYPT_MEMORY = 2**30  # bytes: 128 · r · n


@dataclass(frozen=True)
class ScryptParams:
    n: int = 2**15
    r: int = 8
    p: int = 1

    def __post_init__(self) -> None:
        ok = all(isinstance(x, int) and not isinstance(x, bool) for x in (self.n, self.r, self.p))
        if not (
            ok
            and MIN_SCRYPT_N <= self.n <= MAX_SCRYPT_N
            and self.n & (self.n - 1) == 0
            and 1 <= self.r <= 64
            and 1 <= self.p <= 16
            and 128 * self.r * self.n <= MAX_SCRYPT_MEMORY
        ):
            raise refuse(
                "keystore-format",
                en=f"unusable scrypt parameters n={self.n!r}, r={self.r!r}, p={self.p!r} (n a power "
                f"of two from 2^10 to 2^22, at most 1 GiB of memory)",
                zh=f"scrypt 参数不可用：n={self.n!r}，r={self.r!r}，p={self.p!r}"
                f"（n 须为 2^10 至 2^22 之间的 2 的幂，内存不超过 1 GiB）",
            )


DEFAULT_SCRYPT = ScryptParams()


@dataclass(frozen=True)
class Sealed:
    """One sealed secret: the header in the clear, the content encrypted."""

    purpose: str
    kdf: ScryptParams
    salt: bytes
    nonce: bytes
    ciphertext: bytes
    version: int = VERSION

    def associated_data(self) -> bytes:
        return b"".join(
            [
                h.text(AD_TAG),
                h.text(FORMAT),
                h.u32(self.version),
                h.text(self.purpose),
                h.text("scrypt"),
                h.u32(self.kdf.n),
                h.u32(self.kdf.r),
                h.u32(self.kdf.p),
                h.raw(self.salt),
            ]
        )

    def to_json(self) -> str:
        b64 = _b64encode
        doc = {
            "format": FORMAT,
            "version": self.version,
            "purpose": self.purpose,
            "kdf": {"name": "scrypt", "n": self.kdf.n, "r": self.kdf.r, "p": self.kdf.p},
            "salt": b64(self.salt),
            "nonce": b64(self.nonce),
            "ciphertext": b64(self.ciphertext),
        }
        return json.dumps(doc, indent=2, ensure_ascii=False) + "\n"

    @staticmethod
    def from_json(text: str) -> Sealed:
        """Parse a sealed file's text, refusing anything that is not exactly this format."""
        try:
            doc = json.loads(text)
            if not isinstance(doc, dict) or doc.get("format") != FORMAT:
                raise ValueError("not a keystore file")
            version = doc.get("version")
            if isinstance(version, bool) or version != VERSION:  # True == 1 in Python
                raise refuse(
                    "keystore-format",
                    en=f"sealed key file version {doc.get('version')!r} is not supported (this "
                    f"program reads version {VERSION})",
                    zh=f"不支持版本为 {doc.get('version')!r} 的加密密钥文件（本程序读取版本 {VERSION}）",
                )
            kdf = doc["kdf"]
            if not isinstance(kdf, dict) or kdf.get("name") != "scrypt":
                raise ValueError("unknown key derivation")
            purpose = doc["purpose"]
            if not isinstance(purpose, str):
                raise ValueError("purpose")
            sealed = Sealed(
                purpose=purpose,
                kdf=ScryptParams(kdf["n"], kdf["r"], kdf["p"]),
                salt=_b64(doc["salt"]),
                nonce=_b64(doc["nonce"]),
                ciphertext=_b64(doc["ciphertext"]),
            )
        except CryptoError:
            raise
        except (ValueError, KeyError, TypeError, binascii.Error):
            raise refuse(
                "keystore-format",
                en="this is not a readable sealed key file",
                zh="这不是可读取的加密密钥文件",
            ) from None
        if len(sealed.salt) != SALT_BYTES or len(sealed.nonce) != NONCE_BYTES:
            raise refuse(
                "keystore-format",
                en="the sealed key file's salt or nonce has the wrong length",
                zh="加密密钥文件的盐值或随机数长度不正确",
            )
        return sealed


def _b64encode(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def _b64(value: Any) -> bytes:
    if not isinstance(value, str):
        raise ValueError("base64 text expected")
    return base64.b64decode(value.encode("ascii"), validate=True)


def _derive(passphrase: str, salt: bytes, kdf: ScryptParams) -> bytes:
    data = unicodedata.normalize("NFC", passphrase).encode("utf-8")
    return Scrypt(salt=salt, length=KEY_BYTES, n=kdf.n, r=kdf.r, p=kdf.p).derive(data)


def seal(
    data: bytes,
    passphrase: str,
    purpose: str,
    rng: RandomSource,
    *,
    scrypt: ScryptParams = DEFAULT_SCRYPT,
) -> Sealed:
    """Encrypt `data` under `passphrase` for `purpose` (a label checked again on opening)."""
    if not isinstance(passphrase, str) or not passphrase:
        raise refuse("keystore-passphrase", en="the passphrase is empty", zh="口令为空")
    salt = random_bytes(rng, SALT_BYTES)
    header = Sealed(purpose, scrypt, salt, random_bytes(rng, NONCE_BYTES), b"")
    key = _derive(passphrase, salt, scrypt)
    ciphertext = AESGCM(key).encrypt(header.nonce, data, header.associated_data())
    return Sealed(purpose, scrypt, salt, header.nonce, ciphertext)


def open_sealed(sealed: Sealed, passphrase: str, purpose: str) -> bytes:
    """The content of `sealed`, refused on a wrong purpose, a wrong passphrase or any change."""
    if sealed.purpose != purpose:
        raise refuse(
            "keystore-purpose",
            en=f"this file holds a {sealed.purpose!r}, not a {purpose!r}",
            zh=f"该文件保存的是 {sealed.purpose!r}，而非 {purpose!r}",
        )
    key = _derive(passphrase, sealed.salt, sealed.kdf)
    try:
        return AESGCM(key).decrypt(sealed.nonce, sealed.ciphertext, sealed.associated_data())
    except InvalidTag:
        raise refuse(
            "keystore-unreadable",
            en="wrong passphrase, or the file has been altered",
            zh="口令错误，或文件已被篡改",
        ) from None


# --- scrutineer share files -------------------------------------------------------------------


def seal_share(
    share: ScrutineerShare,
    passphrase: str,
    rng: RandomSource,
    *,
    scrypt: ScryptParams = DEFAULT_SCRYPT,
) -> str:
    """A scrutineer's share file (JSON text): index, ceremony id, secret share, transport key,
    and (when the share has them) the transcript digest and joint key its ceremony gave."""
    own = {"transcript_digest": share.transcript_digest, "joint_key": share.joint_key}
    payload = json.dumps(
        {
            "ceremony_id": share.ceremony_id,
            "index": share.index,
            "secret": format(share.secret, "x"),
            "transport_private": share.transport_private.hex(),
        }
        | {k: v for k, v in own.items() if v},
        ensure_ascii=False,
        sort_keys=True,
    ).encode("utf-8")
    return seal(payload, passphrase, PURPOSE_SHARE, rng, scrypt=scrypt).to_json()


def open_share(text: str, passphrase: str) -> ScrutineerShare:
    payload = open_sealed(Sealed.from_json(text), passphrase, PURPOSE_SHARE)
    try:
        doc = json.loads(payload.decode("utf-8"))
        ceremony_id, index = doc["ceremony_id"], doc["index"]
        secret = int(doc["secret"], 16)
        transport = bytes.fromhex(doc["transport_private"])
        digest, joint = doc.get("transcript_digest", ""), doc.get("joint_key", "")
        if not (
            isinstance(ceremony_id, str)
            and isinstance(index, int)
            and not isinstance(index, bool)
            and index >= 1
            and len(transport) == TRANSPORT_KEY_BYTES
            and isinstance(digest, str)
            and isinstance(joint, str)
            and (digest == "" or re.fullmatch(r"[0-9a-f]{64}", digest))
            and (joint == "" or re.fullmatch(r"[1-9a-f][0-9a-f]*", joint))
            and (digest == "") == (joint == "")
        ):
            raise ValueError("share fields")
    except (ValueError, KeyError, TypeError, UnicodeDecodeError):
        raise refuse(
            "keystore-format",
            en="the share file opened but its content is not a scrutineer share",
            zh="份额文件已解密，但内容不是监票人份额",
        ) from None
    return ScrutineerShare(ceremony_id, index, secret, transport, digest, joint)


# --- the committee signing key (Ed25519) ------------------------------------------------------


def new_committee_key(rng: RandomSource) -> bytes:
    """A fresh Ed25519 private key, as its 32 raw bytes."""
    return random_bytes(rng, 32)


def _private(private: bytes) -> Ed25519PrivateKey:
    try:
        return Ed25519PrivateKey.from_private_bytes(private)
    except (ValueError, TypeError):
        raise refuse(
            "keystore-format", en="not an Ed25519 private key", zh="不是 Ed25519 私钥"
        ) from None


def committee_public_key(private: bytes) -> bytes:
    """The 32-byte Ed25519 public key that verifies the committee's signatures."""
    return _private(private).public_key().public_bytes_raw()


def seal_committee_key(
    private: bytes,
    passphrase: str,
    rng: RandomSource,
    *,
    scrypt: ScryptParams = DEFAULT_SCRYPT,
) -> str:
    _private(private)
    return seal(private, passphrase, PURPOSE_COMMITTEE_KEY, rng, scrypt=scrypt).to_json()


def open_committee_key(text: str, passphrase: str) -> bytes:
    private = open_sealed(Sealed.from_json(text), passphrase, PURPOSE_COMMITTEE_KEY)
    _private(private)
    return private


def sign(private: bytes, message: bytes) -> bytes:
    """The committee's 64-byte Ed25519 signature on `message`."""
    return _private(private).sign(message)


def verify_signature(public: bytes, message: bytes, signature: bytes) -> None:
    """Refuse unless `signature` is the committee key's signature on `message`."""
    try:
        Ed25519PublicKey.from_public_bytes(public).verify(signature, message)
    except (InvalidSignature, ValueError, TypeError):
        raise refuse(
            "bad-signature",
            en="the committee signature does not verify",
            zh="委员会签名验证失败",
        ) from None


# --- a member's signing key for one meeting (`ballot vote`'s key file) --------------------------


@dataclass(frozen=True)
class MemberKeyFile:
    """What a member key file holds: whose key, for which meeting, and its private scalar."""

    meeting_id: str
    member: str
    private: bytes  # 32 bytes, P-256


def seal_member_key(
    key: MemberKeyFile, passphrase: str, rng: RandomSource, *, scrypt: ScryptParams = DEFAULT_SCRYPT
) -> str:
    payload = json.dumps(
        {"meeting": key.meeting_id, "member": key.member, "private": key.private.hex()},
        ensure_ascii=False,
        sort_keys=True,
    ).encode("utf-8")
    return seal(payload, passphrase, PURPOSE_MEMBER_KEY, rng, scrypt=scrypt).to_json()


def open_member_key(text: str, passphrase: str) -> MemberKeyFile:
    payload = open_sealed(Sealed.from_json(text), passphrase, PURPOSE_MEMBER_KEY)
    try:
        doc = json.loads(payload.decode("utf-8"))
        found = MemberKeyFile(doc["meeting"], doc["member"], bytes.fromhex(doc["private"]))
        if not (
            isinstance(found.meeting_id, str)
            and isinstance(found.member, str)
            and len(found.private) == 32
        ):
            raise ValueError
    except (ValueError, KeyError, TypeError, UnicodeDecodeError):
        raise refuse(
            "keystore-format",
            en="the member key file's content is malformed",
            zh="成员密钥文件内容格式有误",
        ) from None
    return found


__all__ = [
    "DEFAULT_SCRYPT",
    "PURPOSE_COMMITTEE_KEY",
    "PURPOSE_MEMBER_KEY",
    "PURPOSE_SHARE",
    "MemberKeyFile",
    "ScryptParams",
    "Sealed",
    "committee_public_key",
    "new_committee_key",
    "open_committee_key",
    "open_member_key",
    "open_sealed",
    "open_share",
    "seal",
    "seal_committee_key",
    "seal_member_key",
    "seal_share",
    "sign",
    "verify_signature",
]
