"""The key ceremony (密钥生成仪式): dealer-less k-of-n generation of the joint election key.

No one ever holds the whole secret. Each scrutineer (监票人) i = 1..n plays dealer for a random
polynomial f_i(x) = a_i0 + a_i1·x + … + a_i,k−1·x^{k−1} over Z_q (Pedersen's protocol with
Feldman's verifiable sharing):

1. `begin`: i picks its coefficients and an X25519 transport key, and publishes a
   `CommitmentMessage`: the transport public key and, per coefficient j, C_ij = g^{a_ij} with a
   Schnorr proof of knowledge of a_ij (whose challenge hashes C_ij itself). Each proof's
   context names the group, the ceremony (id, k, n), the sender i, the coefficient j and i's
   transport key, so a proof cannot be moved to another ceremony, scrutineer or position, and
   the transport key cannot be swapped under i's commitments. The proofs stop a rogue-key
   attack: no one can publish C_i0 = g^x / ∏ (others' C_0) without knowing its logarithm.
2. `deal`: once all n messages are published, i sends f_i(ℓ) to every ℓ (itself included),
   encrypted with AES-256-GCM under a key from HKDF-SHA256 over two X25519 agreements: a fresh
   ephemeral key with ℓ's transport key (fresh per share) and i's transport key with ℓ's (only
   i or ℓ can compute it, so the share is authenticated as coming from i). The associated
   data binds the ceremony (id, k, n), the sender i and the recipient ℓ; a fresh 12-byte
   nonce is drawn for every share.
3. `finish`: ℓ checks the public transcript, decrypts the n shares addressed to it, checks
   each against its sender's commitments, g^{f_i(ℓ)} = ∏_j C_ij^{ℓ^j}, refusing with the
   sender named when a share is unreadable or wrong, and keeps s_ℓ = Σ_i f_i(ℓ) mod q.

Anyone can run `verify_transcript` on the published messages: it checks the shape, every
element (batched subgroup check) and every proof, and returns the `CommitteeKey`: the joint
key K = ∏_i C_i0 = g^{Σ a_i0} and each scrutineer's public share key
K_ℓ = g^{s_ℓ} = ∏_j (∏_i C_ij)^{ℓ^j}, against which decryption shares are verified.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey, X25519PublicKey
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from ballot.crypto import hashing as h
from ballot.crypto import schnorr
from ballot.crypto.arith import is_integer
from ballot.crypto.errors import CryptoError, refuse
from ballot.crypto.group import Element, Group, RandomSource
from ballot.crypto.multiexp import multi_exp
from ballot.crypto.randomness import random_bytes
from ballot.crypto.schnorr import SchnorrProof

MAX_SCRUTINEERS = 100
TRANSPORT_KEY_BYTES = 32
NONCE_BYTES = 12

COEFFICIENT_TAG = "ballot/v1/ceremony/coefficient"
SHARE_KEY_TAG = "ballot/v1/ceremony/share-key"
SHARE_AD_TAG = "ballot/v1/ceremony/share"
TRANSCRIPT_TAG = "ballot/v1/ceremony/transcript"


def _is_count(x: object) -> bool:
    return isinstance(x, int) and not isinstance(x, bool)


# --- public messages --------------------------------------------------------------------------


@dataclass(frozen=True)
class CeremonyParams:
    """Which ceremony: its id, the threshold k and the number of scrutineers n (1 ≤ k ≤ n ≤ 100)."""

    ceremony_id: str
    k: int
    n: int

    def __post_init__(self) -> None:
        if not isinstance(self.ceremony_id, str) or not self.ceremony_id:
            raise refuse(
                "ceremony-params",
                en="the ceremony needs a non-empty id",
                zh="密钥生成仪式需要非空的编号",
            )
        if not (_is_count(self.k) and _is_count(self.n) and 1 <= self.k <= self.n):
            raise refuse(
                "ceremony-params",
                en=f"the threshold must satisfy 1 ≤ k ≤ n; got k = {self.k}, n = {self.n}",
                zh=f"门限须满足 1 ≤ k ≤ n，现为 k = {self.k}，n = {self.n}",
            )
        if self.n > MAX_SCRUTINEERS:
            raise refuse(
                "ceremony-params",
                en=f"at most {MAX_SCRUTINEERS} scrutineers; got {self.n}",
                zh=f"监票人最多 {MAX_SCRUTINEERS} 名，现为 {self.n} 名",
            )

    def fields(self, group: Group) -> list[bytes]:
        return [h.text(group.name), h.text(self.ceremony_id), h.u32(self.k), h.u32(self.n)]

    def check_index(self, index: object, what: str, what_zh: str) -> int:
        """A scrutineer index from outside: an integer in 1..n, or refused."""
        if isinstance(index, int) and not isinstance(index, bool) and 1 <= index <= self.n:
            return index
        raise refuse(
            "unknown-scrutineer",
            en=f"{what} {index!r} is not a scrutineer of this ceremony (1..{self.n})",
            zh=f"{what_zh} {index!r} 不是本次仪式的监票人（1..{self.n}）",
        )


@dataclass(frozen=True)
class CoefficientCommitment:
    """C_ij = g^{a_ij} and the proof that its sender knows a_ij."""

    value: Element
    proof: SchnorrProof


@dataclass(frozen=True)
class CommitmentMessage:
    """What scrutineer `sender` publishes first: its transport key and its k commitments."""

    sender: int
    transport_key: bytes  # X25519 public key, 32 bytes
    coefficients: tuple[CoefficientCommitment, ...]


@dataclass(frozen=True)
class EncryptedShare:
    """f_sender(recipient), encrypted to the recipient's transport key."""

    sender: int
    recipient: int
    ephemeral_key: bytes  # X25519 public key, 32 bytes
    nonce: bytes  # 12 bytes
    ciphertext: bytes  # AES-256-GCM: the share (q's byte width) and the 16-byte tag


@dataclass(frozen=True)
class CommitteeKey:
    """The public outcome of a verified ceremony: the joint key and every public share key."""

    params: CeremonyParams
    joint_key: Element
    share_keys: tuple[Element, ...]  # K_ℓ for ℓ = 1..n, at position ℓ − 1

    def share_key(self, index: int) -> Element:
        return self.share_keys[self.params.check_index(index, "scrutineer", "监票人") - 1]


# --- secrets ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Dealing:
    """Scrutineer i's secret state during the ceremony (never published, never stored)."""

    index: int
    coefficients: tuple[int, ...] = field(repr=False)
    transport_private: bytes = field(repr=False)
    message: CommitmentMessage


@dataclass(frozen=True)
class ScrutineerShare:
    """What scrutineer `index` keeps after the ceremony (sealed at rest by `keystore`)."""

    ceremony_id: str
    index: int
    secret: int = field(repr=False)  # s_ℓ = Σ_i f_i(ℓ) mod q
    transport_private: bytes = field(repr=False)
    # what this scrutineer's own run of the ceremony gave (hex; empty in files written before
    # 2026-12): the scrutineer's page fingerprints the key from these, not from the server
    transcript_digest: str = ""
    joint_key: str = ""


# --- polynomial arithmetic --------------------------------------------------------------------


def evaluate(coefficients: Sequence[int], x: int, q: int) -> int:
    """f(x) mod q by Horner's rule."""
    out = 0
    for a in reversed(coefficients):
        out = (out * x + a) % q
    return out


def _powers(x: int, count: int, q: int) -> list[int]:
    """x^0, x^1, …, x^{count−1} mod q."""
    out = [1]
    for _ in range(count - 1):
        out.append(out[-1] * x % q)
    return out


def commitment_power(group: Group, commitments: Sequence[Element], x: int) -> Element:
    """g^{f(x)} from Feldman commitments g^{a_j}: ∏_j C_j^{x^j}."""
    exps = _powers(x, len(commitments), int(group.q))
    return Element(multi_exp(list(commitments), exps, group.p))


# --- step 1: commitments ----------------------------------------------------------------------


def _coefficient_context(
    group: Group,
    params: CeremonyParams,
    sender: int,
    j: int,
    transport_key: bytes,
) -> list[bytes]:
    return [
        h.text(COEFFICIENT_TAG),
        *params.fields(group),
        h.u32(sender),
        h.u32(j),
        h.raw(transport_key),
    ]


def begin(
    group: Group, params: CeremonyParams, index: int, rng: RandomSource
) -> tuple[Dealing, CommitmentMessage]:
    """Scrutineer `index` picks its polynomial and transport key; returns its secret state and
    the message to publish."""
    index = params.check_index(index, "scrutineer", "监票人")
    coefficients = tuple(group.random_scalar(rng) for _ in range(params.k))
    transport = X25519PrivateKey.from_private_bytes(random_bytes(rng, TRANSPORT_KEY_BYTES))
    transport_key = transport.public_key().public_bytes_raw()
    values = [group.pow_g(a) for a in coefficients]
    commitments = tuple(
        CoefficientCommitment(
            v,
            schnorr.prove(
                group,
                a,
                _coefficient_context(group, params, index, j, transport_key),
                rng,
            ),
        )
        for j, (a, v) in enumerate(zip(coefficients, values, strict=True))
    )
    message = CommitmentMessage(index, transport_key, commitments)
    dealing = Dealing(index, coefficients, transport.private_bytes_raw(), message)
    return dealing, message


# --- the public transcript --------------------------------------------------------------------


def _by_sender(
    params: CeremonyParams, messages: Sequence[CommitmentMessage]
) -> dict[int, CommitmentMessage]:
    """The n messages keyed by sender, after checking their shape."""
    if len(messages) != params.n:
        raise refuse(
            "ceremony-shape",
            en=f"the transcript has {len(messages)} commitment messages; the ceremony has "
            f"{params.n} scrutineers",
            zh=f"记录中有 {len(messages)} 份承诺消息，本次仪式有 {params.n} 名监票人",
        )
    out: dict[int, CommitmentMessage] = {}
    keys: dict[bytes, int] = {}
    for m in messages:
        i = params.check_index(m.sender, "commitment message from scrutineer", "承诺消息的发送人")
        if i in out:
            raise refuse(
                "ceremony-shape",
                en=f"scrutineer {i} published two commitment messages",
                zh=f"监票人 {i} 发布了两份承诺消息",
            )
        if not isinstance(m.transport_key, bytes) or len(m.transport_key) != TRANSPORT_KEY_BYTES:
            raise refuse(
                "ceremony-shape",
                en=f"scrutineer {i}'s transport key is not a {TRANSPORT_KEY_BYTES}-byte X25519 key",
                zh=f"监票人 {i} 的传输密钥不是 {TRANSPORT_KEY_BYTES} 字节的 X25519 公钥",
            )
        if m.transport_key in keys:
            raise refuse(
                "ceremony-shape",
                en=f"scrutineers {keys[m.transport_key]} and {i} published the same transport key",
                zh=f"监票人 {keys[m.transport_key]} 与 {i} 发布了相同的传输密钥",
            )
        if len(m.coefficients) != params.k:
            raise refuse(
                "ceremony-shape",
                en=f"scrutineer {i} committed to {len(m.coefficients)} coefficients; a {params.k}-of-"
                f"{params.n} ceremony needs {params.k}",
                zh=f"监票人 {i} 承诺了 {len(m.coefficients)} 个系数，{params.n} 人中 {params.k} 人"
                f"门限的仪式需要 {params.k} 个",
            )
        keys[m.transport_key] = i
        out[i] = m
    return out


def _not_in_group(i: int, j: int, which: str, which_zh: str) -> CryptoError:
    return refuse(
        "not-in-group",
        en=f"scrutineer {i}: the {which} of coefficient {j} is not an element of the group",
        zh=f"监票人 {i}：第 {j} 个系数的{which_zh}不是群元素",
    )


def _check_elements(
    group: Group, by_sender: dict[int, CommitmentMessage], rng: RandomSource
) -> dict[int, CommitmentMessage]:
    """Every commitment and proof commitment checked (one batch; the culprit named on failure).

    Returns the messages with the checked values in the backend's number type."""
    located: list[tuple[int, int, bool]] = []
    raw: list[Element] = []
    for i, m in sorted(by_sender.items()):
        for j, c in enumerate(m.coefficients):
            for is_value, x in ((True, c.value), (False, c.proof.commitment)):
                if not is_integer(x) or not 1 < x < group.p:
                    raise _bad_element(i, j, is_value)
                located.append((i, j, is_value))
                raw.append(x)
    try:
        checked = group.check_elements(raw, "ceremony commitments", rng)
    except CryptoError:
        for (i, j, is_value), x in zip(located, raw, strict=True):
            if not group.is_element(x):
                raise _bad_element(i, j, is_value) from None
        raise
    it = iter(checked)
    out: dict[int, CommitmentMessage] = {}
    for i, m in sorted(by_sender.items()):
        coefficients = []
        for c in m.coefficients:
            value, commitment = next(it), next(it)
            proof = SchnorrProof(commitment, c.proof.challenge, c.proof.response)
            coefficients.append(CoefficientCommitment(value, proof))
        out[i] = CommitmentMessage(i, m.transport_key, tuple(coefficients))
    return out


def _bad_element(i: int, j: int, is_value: bool) -> CryptoError:
    if is_value:
        return _not_in_group(i, j, "commitment", "承诺值")
    return _not_in_group(i, j, "proof commitment", "证明承诺值")


def _scalar_ok(group: Group, x: int) -> bool:
    return is_integer(x) and bool(0 <= x < group.q)


def _verified(
    group: Group, params: CeremonyParams, messages: Sequence[CommitmentMessage], rng: RandomSource
) -> dict[int, CommitmentMessage]:
    by_sender = _check_elements(group, _by_sender(params, messages), rng)
    for i, m in by_sender.items():
        for j, c in enumerate(m.coefficients):
            ctx = _coefficient_context(group, params, i, j, m.transport_key)
            if not (
                _scalar_ok(group, c.proof.challenge)
                and _scalar_ok(group, c.proof.response)
                and schnorr.verify(group, c.value, c.proof, ctx)
            ):
                raise refuse(
                    "bad-proof",
                    en=f"scrutineer {i}: the proof of knowledge for coefficient {j} is invalid",
                    zh=f"监票人 {i}：第 {j} 个系数的知识证明无效",
                )
    return by_sender


def _committee_key(
    group: Group, params: CeremonyParams, by_sender: dict[int, CommitmentMessage]
) -> CommitteeKey:
    # A_j = ∏_i C_ij commits to the coefficients of the joint polynomial f = Σ_i f_i.
    joint = [
        group.mul(*(m.coefficients[j].value for m in by_sender.values())) for j in range(params.k)
    ]
    if joint[0] == 1:
        raise refuse(
            "weak-key",
            en="the joint key is the identity element; the ceremony must be run again",
            zh="联合公钥为单位元，须重新进行密钥生成仪式",
        )
    share_keys = tuple(commitment_power(group, joint, ell) for ell in range(1, params.n + 1))
    return CommitteeKey(params, joint[0], share_keys)


def verify_transcript(
    group: Group,
    params: CeremonyParams,
    messages: Sequence[CommitmentMessage],
    rng: RandomSource,
) -> CommitteeKey:
    """Check a published ceremony and return the joint key and every public share key.

    Refuses, naming the scrutineer and the coefficient at fault, when a message is missing,
    repeated or misshapen, an element is outside the group, or a proof fails. `rng` draws the
    weights of the batched subgroup check (any unpredictable source)."""
    return _committee_key(group, params, _verified(group, params, messages, rng))


def transcript_digest(
    group: Group, params: CeremonyParams, messages: Sequence[CommitmentMessage]
) -> bytes:
    """SHA-256 over the whole public transcript in sender order, for the record's manifest and
    for scrutineers to compare aloud (or on paper) before they deal their shares. Call it on
    a transcript `verify_transcript` accepted."""
    ordered = sorted(messages, key=lambda m: int(m.sender))
    return h.digest(
        TRANSCRIPT_TAG,
        *params.fields(group),
        h.seq(
            h.seq(
                [
                    h.u32(m.sender),
                    h.raw(m.transport_key),
                    h.seq(
                        h.seq(
                            [
                                h.element(group, c.value),
                                h.element(group, c.proof.commitment),
                                h.scalar(group, c.proof.challenge),
                                h.scalar(group, c.proof.response),
                            ]
                        )
                        for c in m.coefficients
                    ),
                ]
            )
            for m in ordered
        ),
    )


# --- step 2: encrypted shares -----------------------------------------------------------------


def share_associated_data(
    group: Group, params: CeremonyParams, sender: int, recipient: int
) -> bytes:
    """The AES-GCM associated data of a share: the ceremony, its sender and its recipient."""
    return b"".join([h.text(SHARE_AD_TAG), *params.fields(group), h.u32(sender), h.u32(recipient)])


def _share_key(
    ephemeral_dh: bytes,
    static_dh: bytes,
    ephemeral_key: bytes,
    sender_key: bytes,
    recipient_key: bytes,
) -> bytes:
    info = b"".join(
        [h.text(SHARE_KEY_TAG), h.raw(ephemeral_key), h.raw(sender_key), h.raw(recipient_key)]
    )
    hkdf = HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=info)
    return hkdf.derive(ephemeral_dh + static_dh)


def _public(raw: bytes, what: str, what_zh: str) -> X25519PublicKey:
    try:
        return X25519PublicKey.from_public_bytes(raw)
    except (ValueError, TypeError):
        raise refuse(
            "ceremony-shape", en=f"{what} is not an X25519 key", zh=f"{what_zh}不是 X25519 公钥"
        ) from None


def encrypt_share(
    group: Group,
    params: CeremonyParams,
    sender: int,
    sender_private: bytes,
    recipient: int,
    recipient_key: bytes,
    value: int,
    rng: RandomSource,
) -> EncryptedShare:
    """f_sender(recipient) = `value`, encrypted to `recipient_key` (the recipient's published
    transport key) and authenticated by the sender's transport key."""
    me = X25519PrivateKey.from_private_bytes(sender_private)
    ephemeral = X25519PrivateKey.from_private_bytes(random_bytes(rng, TRANSPORT_KEY_BYTES))
    ephemeral_key = ephemeral.public_key().public_bytes_raw()
    them = _public(
        recipient_key, f"scrutineer {recipient}'s transport key", f"监票人 {recipient} 的传输密钥"
    )
    try:
        key = _share_key(
            ephemeral.exchange(them),
            me.exchange(them),
            ephemeral_key,
            me.public_key().public_bytes_raw(),
            recipient_key,
        )
    except ValueError:  # a low-order point: no shared secret
        raise refuse(
            "ceremony-shape",
            en=f"scrutineer {recipient}'s transport key is a weak X25519 key",
            zh=f"监票人 {recipient} 的传输密钥是弱 X25519 公钥",
        ) from None
    nonce = random_bytes(rng, NONCE_BYTES)
    plaintext = int(value).to_bytes(group.scalar_bytes, "big")
    ad = share_associated_data(group, params, sender, recipient)
    ciphertext = AESGCM(key).encrypt(nonce, plaintext, ad)
    return EncryptedShare(sender, recipient, ephemeral_key, nonce, ciphertext)


def _check_own_message(dealing: Dealing, published: CommitmentMessage) -> None:
    if published != dealing.message:
        raise refuse(
            "ceremony-shape",
            en=f"the transcript does not hold scrutineer {dealing.index}'s own commitments as sent",
            zh=f"记录中监票人 {dealing.index} 的承诺与其发出的不一致",
        )


def deal(
    group: Group,
    params: CeremonyParams,
    dealing: Dealing,
    messages: Sequence[CommitmentMessage],
    rng: RandomSource,
) -> tuple[EncryptedShare, ...]:
    """Scrutineer i's n encrypted shares (one per scrutineer, itself included), once every
    commitment message is published. Verifies the transcript first (as `verify_transcript`)
    and checks that it carries i's own message unchanged."""
    by_sender = _verified(group, params, messages, rng)
    _check_own_message(dealing, by_sender[dealing.index])
    q = int(group.q)
    return tuple(
        encrypt_share(
            group,
            params,
            dealing.index,
            dealing.transport_private,
            ell,
            by_sender[ell].transport_key,
            evaluate(dealing.coefficients, ell, q),
            rng,
        )
        for ell in range(1, params.n + 1)
    )


# --- step 3: receiving ------------------------------------------------------------------------


def _unreadable(sender: int) -> CryptoError:
    return refuse(
        "share-unreadable",
        en=f"the share from scrutineer {sender} cannot be decrypted: it was altered, addressed to "
        "another scrutineer or ceremony, or not sent by that scrutineer",
        zh=f"监票人 {sender} 发来的份额无法解密：已被篡改、发给了其他监票人或其他仪式，或并非由该监票人发出",
    )


def decrypt_share(
    group: Group,
    params: CeremonyParams,
    share: EncryptedShare,
    recipient: int,
    recipient_private: bytes,
    sender_key: bytes,
) -> int:
    """The share's value f_sender(recipient), or refused naming the sender. The associated
    data is rebuilt from `recipient` (who is decrypting), never from the share's own label."""
    sender = params.check_index(share.sender, "share sender", "份额发送人")
    me = X25519PrivateKey.from_private_bytes(recipient_private)
    if not (
        isinstance(share.ephemeral_key, bytes)
        and len(share.ephemeral_key) == TRANSPORT_KEY_BYTES
        and isinstance(share.nonce, bytes)
        and len(share.nonce) == NONCE_BYTES
        and isinstance(share.ciphertext, bytes)
    ):
        raise _unreadable(sender)
    try:
        key = _share_key(
            me.exchange(X25519PublicKey.from_public_bytes(share.ephemeral_key)),
            me.exchange(X25519PublicKey.from_public_bytes(sender_key)),
            share.ephemeral_key,
            sender_key,
            me.public_key().public_bytes_raw(),
        )
        ad = share_associated_data(group, params, sender, recipient)
        plaintext = AESGCM(key).decrypt(share.nonce, share.ciphertext, ad)
    except (InvalidTag, ValueError):
        raise _unreadable(sender) from None
    value = int.from_bytes(plaintext, "big")
    if len(plaintext) != group.scalar_bytes or value >= group.q:
        raise refuse(
            "bad-share",
            en=f"the share from scrutineer {sender} is not a number below q",
            zh=f"监票人 {sender} 发来的份额不是小于 q 的数",
        )
    return value


def finish(
    group: Group,
    params: CeremonyParams,
    dealing: Dealing,
    messages: Sequence[CommitmentMessage],
    shares: Sequence[EncryptedShare],
    rng: RandomSource,
) -> tuple[ScrutineerShare, CommitteeKey]:
    """Scrutineer ℓ's end of the ceremony: verify the transcript, decrypt and check the n
    shares addressed to it (one from each scrutineer, its own included), and keep their sum.

    Refuses, naming the sender, a share that is missing, repeated, unreadable or inconsistent
    with its sender's commitments."""
    ell = dealing.index
    by_sender = _verified(group, params, messages, rng)
    _check_own_message(dealing, by_sender[ell])
    committee = _committee_key(group, params, by_sender)
    received: dict[int, EncryptedShare] = {}
    for s in shares:
        sender = params.check_index(s.sender, "share sender", "份额发送人")
        if s.recipient != ell:
            raise refuse(
                "ceremony-shape",
                en=f"the share from scrutineer {sender} is addressed to {s.recipient!r}, "
                f"not to scrutineer {ell}",
                zh=f"监票人 {sender} 发来的份额收件人为 {s.recipient!r}，不是监票人 {ell}",
            )
        if sender in received:
            raise refuse(
                "ceremony-shape",
                en=f"scrutineer {sender} sent two shares to scrutineer {ell}",
                zh=f"监票人 {sender} 向监票人 {ell} 发送了两份份额",
            )
        received[sender] = s
    q = int(group.q)
    total = 0
    for i in range(1, params.n + 1):
        if i not in received:
            raise refuse(
                "ceremony-shape",
                en=f"no share from scrutineer {i} reached scrutineer {ell}",
                zh=f"监票人 {ell} 未收到监票人 {i} 的份额",
            )
        value = decrypt_share(
            group, params, received[i], ell, dealing.transport_private, by_sender[i].transport_key
        )
        expected = commitment_power(group, [c.value for c in by_sender[i].coefficients], ell)
        if group.pow_g(value) != expected:
            raise refuse(
                "bad-share",
                en=f"the share from scrutineer {i} does not match scrutineer {i}'s published "
                "commitments",
                zh=f"监票人 {i} 发来的份额与其公布的承诺不符",
            )
        total = (total + value) % q
    if group.pow_g(total) != committee.share_key(ell):  # follows from the checks above
        raise refuse(
            "bad-share",
            en=f"scrutineer {ell}'s share does not match its public share key",
            zh=f"监票人 {ell} 的份额与其公开份额公钥不符",
        )
    share = ScrutineerShare(
        params.ceremony_id,
        ell,
        total,
        dealing.transport_private,
        transcript_digest(group, params, messages).hex(),
        format(int(committee.joint_key), "x"),
    )
    return share, committee


__all__ = [
    "MAX_SCRUTINEERS",
    "CeremonyParams",
    "CoefficientCommitment",
    "CommitmentMessage",
    "CommitteeKey",
    "Dealing",
    "EncryptedShare",
    "ScrutineerShare",
    "begin",
    "commitment_power",
    "deal",
    "decrypt_share",
    "encrypt_share",
    "evaluate",
    "finish",
    "random_bytes",
    "share_associated_data",
    "transcript_digest",
    "verify_transcript",
]
