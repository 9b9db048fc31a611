"""The browser key-ceremony module (ballot/web/static/js/ceremony.js) holds a ceremony together
with ceremony.py: a mixed ceremony (scrutineer 2 in JavaScript, 1 and 3 in Python) reaches one
joint key and transcript digest; the JavaScript scrutineer's share file, sealed by keystore.js,
opens with keystore.py and decrypts; from the same random draws both sides produce the same
bytes; and both refuse the same tampering with the same bilingual message.

JavaScript runs under Node 20 through tests/js/ceremony_driver.mjs, one process per step, the
scrutineer's secret state passed back as JSON. Without `node` these tests are skipped, except
under CI, where they fail."""

from __future__ import annotations

import json
import re
import subprocess
import unicodedata
from collections.abc import Callable
from typing import Any

import pytest
from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey

from ballot.crypto import ceremony as cer
from ballot.crypto import decryption
from ballot.crypto import hashing as h
from ballot.crypto import keystore as ks
from ballot.crypto.ceremony import CeremonyParams, Dealing, ScrutineerShare
from ballot.crypto.codec import (
    commitment_message_from_json,
    commitment_message_json,
    encrypted_share_from_json,
    encrypted_share_json,
)
from ballot.crypto.discrete_log import DiscreteLog
from ballot.crypto.elgamal import PublicKey, encrypt
from ballot.crypto.errors import CryptoError
from ballot.crypto.group import BATCH_BITS, Group, production_group
from ballot.crypto.randomness import SystemRandom
from tests.support import ROOT
from tests.support.node import node_executable

NODE_TESTS = ROOT / "tests" / "js" / "ceremony.test.mjs"
DRIVER = ROOT / "tests" / "js" / "ceremony_driver.mjs"
FAST = ks.ScryptParams(n=2**10, r=8, p=1)  # tests only: the default stays n = 2^15
PASSPHRASE = "监票人二号 café passphrase"  # NFC; the "é" decomposes under NFD
JS = 2  # the JavaScript scrutineer's index in the mixed ceremonies

Json = dict[str, Any]


@pytest.fixture(scope="module")
def node() -> str:
    return node_executable("ballot/web/static/js/ceremony.js")


@pytest.fixture(scope="module")
def group() -> Group:
    return production_group()


class JsRefusal(Exception):
    def __init__(self, code: str | None, message: str) -> None:
        super().__init__(f"{code}: {message}")
        self.code = code
        self.message = message


def js(
    node: str,
    op: str,
    args: Json,
    scalars: list[str] | None = None,
    random_bytes: list[str] | None = None,
) -> Any:
    """One step in JavaScript (tests/js/ceremony_driver.mjs); a refusal raises JsRefusal."""
    request: Json = {"op": op, "args": args}
    if scalars is not None:
        request["scalars"] = scalars
    if random_bytes is not None:
        request["bytes"] = random_bytes
    run = subprocess.run(
        [node, str(DRIVER)],
        input=json.dumps(request, ensure_ascii=False),
        capture_output=True,
        text=True,
        encoding="utf-8",
        timeout=300,
        cwd=ROOT,
    )
    lines = run.stdout.strip().splitlines()
    assert lines, run.stderr
    answer = json.loads(lines[-1])
    if run.returncode != 0:
        raise JsRefusal(answer["code"], answer["error"])
    return answer["result"]


class Recorder:
    """The CSPRNG, recording what it draws in the driver's replay form: scalars (1 + randbelow,
    hex) and random bytes (hex). Batch-check weights are not recorded (JS draws none) unless
    `every_draw` (keystore.seal draws a 16-byte salt, which is also 128 bits)."""

    def __init__(self, every_draw: bool = False) -> None:
        self.scalars: list[str] = []
        self.bytes: list[str] = []
        self._rng = SystemRandom()
        self._every = every_draw

    def randbelow(self, n: int) -> int:
        x = self._rng.randbelow(n)
        self.scalars.append(format(x + 1, "x"))
        return x

    def randbits(self, k: int) -> int:
        x = self._rng.randbits(k)
        if self._every or k != BATCH_BITS:
            self.bytes.append(x.to_bytes(k // 8, "big").hex())
        return x


def params_json(params: CeremonyParams) -> Json:
    return {"ceremonyId": params.ceremony_id, "k": params.k, "n": params.n}


def python_dealing(dealing: Json) -> Dealing:
    """The JavaScript dealing as ceremony.Dealing (to ask ceremony.py the same question)."""
    return Dealing(
        dealing["index"],
        tuple(int(a, 16) for a in dealing["coefficients"]),
        bytes.fromhex(dealing["transportPrivate"]),
        commitment_message_from_json(dealing["message"]),
    )


class Mixed:
    """A ceremony with scrutineer JS in JavaScript and the others in Python, up to the shares."""

    def __init__(self, node: str, group: Group, params: CeremonyParams) -> None:
        self.node, self.group, self.params = node, group, params
        self.rng = SystemRandom()
        self.p = params_json(params)
        self.py = {
            i: cer.begin(group, params, i, self.rng) for i in range(1, params.n + 1) if i != JS
        }
        self.js_begun = js(node, "begin", {**self.p, "index": JS})
        self.messages_json = [
            self.js_begun["message"] if i == JS else commitment_message_json(self.py[i][1])
            for i in range(1, params.n + 1)
        ]
        self.dealt_json: dict[int, list[Json]] = {}

    def messages(self, raw: list[Json] | None = None) -> list[cer.CommitmentMessage]:
        return [commitment_message_from_json(m) for m in (raw or self.messages_json)]

    def deal(self) -> None:
        for i, (dealing, _) in self.py.items():
            shares = cer.deal(self.group, self.params, dealing, self.messages(), self.rng)
            self.dealt_json[i] = [encrypted_share_json(s) for s in shares]
        args = {"params": self.p, "dealing": self.js_begun["dealing"]}
        self.dealt_json[JS] = js(self.node, "deal", {**args, "messages": self.messages_json})

    def to(self, ell: int) -> list[Json]:
        return [
            s for i in sorted(self.dealt_json) for s in self.dealt_json[i] if s["recipient"] == ell
        ]


@pytest.mark.parametrize(
    ("k", "scrypt"), [(2, FAST), (3, ks.DEFAULT_SCRYPT)], ids=["2-of-3", "3-of-3-default-scrypt"]
)
def test_a_mixed_ceremony_reaches_one_key_and_the_js_share_decrypts(
    node: str, group: Group, k: int, scrypt: ks.ScryptParams
) -> None:
    params = CeremonyParams(f"js-mixed/{k}-of-3", k, 3)
    c = Mixed(node, group, params)
    messages = c.messages()
    digest = cer.transcript_digest(group, params, messages).hex()
    assert js(node, "digest", {"params": c.p, "messages": c.messages_json}) == digest
    c.deal()
    assert [s["recipient"] for s in c.dealt_json[JS]] == [1, 2, 3]

    finished = {
        i: cer.finish(
            group,
            params,
            dealing,
            messages,
            [encrypted_share_from_json(s) for s in c.to(i)],
            c.rng,
        )
        for i, (dealing, _) in c.py.items()
    }
    args = {"params": c.p, "dealing": c.js_begun["dealing"], "messages": c.messages_json}
    done = js(node, "finish", {**args, "shares": c.to(JS)})
    committee = finished[1][1]
    assert finished[3][1].joint_key == committee.joint_key
    assert committee.share_keys == cer.verify_transcript(group, params, messages, c.rng).share_keys
    assert done["jointKey"] == format(int(committee.joint_key), "x")
    assert done["shareKey"] == format(int(committee.share_key(JS)), "x")
    assert done["transcriptDigest"] == digest

    # the JavaScript scrutineer's share file opens in Python to the share it computed
    options = {"n": scrypt.n, "r": scrypt.r, "p": scrypt.p}
    seal_args = {"share": done["share"], "passphrase": PASSPHRASE, "options": options}
    text = js(node, "seal", seal_args)
    header = json.loads(text)
    assert header["kdf"] == {"name": "scrypt", **options}
    assert ks.Sealed.from_json(text).to_json() == text  # the exact form keystore.py writes
    opened = ks.open_share(text, unicodedata.normalize("NFD", PASSPHRASE))
    transport = bytes.fromhex(c.js_begun["dealing"]["transportPrivate"])
    assert opened == ScrutineerShare(
        params.ceremony_id, JS, int(done["share"]["secret"], 16), transport, digest,
        format(int(committee.joint_key), "x"),
    )  # fmt: skip
    # (the file keeps what this scrutineer's own ceremony gave, for its page's fingerprint)
    assert group.pow_g(opened.secret) == committee.share_key(JS)
    public = X25519PrivateKey.from_private_bytes(opened.transport_private).public_key()
    assert public.public_bytes_raw().hex() == c.js_begun["message"]["transport_key"]

    # and decrypts, with k − 1 Python scrutineers, a ciphertext under the joint key
    key = PublicKey(group, committee.joint_key)
    ct = encrypt(key, 7, group.random_scalar(c.rng))
    context = [h.text("js-ceremony test"), h.u32(k)]
    holders = [opened, *(finished[i][0] for i in sorted(finished))][:k]
    shares = [decryption.partial_decrypt(group, committee, s, ct, context, c.rng) for s in holders]
    for share in shares:
        decryption.verify_share(group, committee, ct, share, context)
    assert decryption.decrypt(group, committee, ct, shares, context, DiscreteLog(group, 10)) == 7


def test_the_node_suite_passes(node: str) -> None:
    run = subprocess.run(
        [node, "--test", "--test-reporter=tap", str(NODE_TESTS)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert run.returncode == 0, run.stdout[-6000:] + run.stderr[-2000:]
    assert re.search(r"^# pass [1-9]", run.stdout, re.M) and "# fail 0" in run.stdout


def test_begin_and_deal_give_python_s_bytes_from_the_same_draws(node: str, group: Group) -> None:
    """Same coefficients, transport key and proof scalars: the same message and dealing; same
    ephemeral keys and nonces: the same encrypted shares (X25519, HKDF info, AES-GCM data)."""
    params = CeremonyParams("js-bytes/会议-1", 2, 3)
    recorded = Recorder()
    dealing, message = cer.begin(group, params, JS, recorded)
    begun = js(
        node, "begin", {**params_json(params), "index": JS}, recorded.scalars, recorded.bytes
    )
    assert begun["message"] == commitment_message_json(message)
    assert python_dealing(begun["dealing"]) == dealing

    others = {i: cer.begin(group, params, i, SystemRandom())[1] for i in (1, 3)}
    messages = [others[1], message, others[3]]
    recorded = Recorder()
    shares = cer.deal(group, params, dealing, messages, recorded)
    args = {
        "params": params_json(params),
        "dealing": begun["dealing"],
        "messages": [commitment_message_json(m) for m in messages],
    }
    assert js(node, "deal", args, random_bytes=recorded.bytes) == [
        encrypted_share_json(s) for s in shares
    ]


@pytest.mark.parametrize(
    ("ceremony_id", "own"),
    [
        ("js-seal/meeting-1", ("", "")),
        ('会议 "甲"\\ \n\t\x01\x7f\u2028 ✓', ("", "")),
        ("js-seal/meeting-1", ("ab" * 32, "1f" + "0" * 1020)),
    ],
    ids=["ascii", "escapes", "with-own-ceremony"],
)
def test_a_sealed_share_file_is_keystore_py_s_text(
    node: str, ceremony_id: str, own: tuple[str, str]
) -> None:
    share = ScrutineerShare(ceremony_id, 7, 0x0ABC << 200, bytes(range(32)), *own)
    recorded = Recorder(every_draw=True)
    text = ks.seal_share(share, PASSPHRASE, recorded, scrypt=FAST)
    js_share = {
        "ceremonyId": ceremony_id,
        "index": 7,
        "secret": format(share.secret, "x"),
        "transportPrivate": share.transport_private.hex(),
        **({"transcriptDigest": own[0], "jointKey": own[1]} if own[0] else {}),
    }
    args = {
        "share": js_share,
        "passphrase": unicodedata.normalize("NFD", PASSPHRASE),  # sealed after NFC, as in Python
        "options": {"n": FAST.n, "r": FAST.r, "p": FAST.p},
    }
    assert js(node, "seal", args, random_bytes=recorded.bytes) == text
    assert ks.open_share(text, PASSPHRASE) == share


def _flip(hex_text: str, at: int = 0) -> str:
    return hex_text[:at] + format(int(hex_text[at], 16) ^ 1, "x") + hex_text[at + 1 :]


Edit = Callable[["Mixed"], tuple[list[Json], list[Json]]]


def _tampered_ciphertext(c: Mixed) -> tuple[list[Json], list[Json]]:
    shares = c.to(JS)
    shares[0] = {**shares[0], "ciphertext": _flip(shares[0]["ciphertext"], 20)}
    return c.messages_json, shares


def _share_for_someone_else(c: Mixed) -> tuple[list[Json], list[Json]]:
    shares = c.to(JS)
    shares[2] = {**c.to(1)[2], "recipient": JS}
    return c.messages_json, shares


def _cheating_dealer(c: Mixed) -> tuple[list[Json], list[Json]]:
    dealing, _ = c.py[3]
    wrong = Dealing(
        3,
        (dealing.coefficients[0] + 1, *dealing.coefficients[1:]),
        dealing.transport_private,
        dealing.message,
    )
    cheat = cer.deal(c.group, c.params, wrong, c.messages(), c.rng)
    shares = c.to(JS)
    shares[2] = encrypted_share_json(cheat[JS - 1])
    return c.messages_json, shares


def _commitment_swapped(c: Mixed) -> tuple[list[Json], list[Json]]:
    messages = json.loads(json.dumps(c.messages_json))
    messages[2]["coefficients"][1]["value"] = format(int(c.group.pow_g(12345)), "x")
    return messages, c.to(JS)


def _commitment_outside_the_group(c: Mixed) -> tuple[list[Json], list[Json]]:
    messages = json.loads(json.dumps(c.messages_json))
    messages[0]["coefficients"][0]["proof"]["commitment"] = format(int(c.group.p) - 1, "x")
    return messages, c.to(JS)


def _same_transport_key(c: Mixed) -> tuple[list[Json], list[Json]]:
    messages = json.loads(json.dumps(c.messages_json))
    messages[2]["transport_key"] = messages[0]["transport_key"]
    return messages, c.to(JS)


def _missing_share(c: Mixed) -> tuple[list[Json], list[Json]]:
    return c.messages_json, c.to(JS)[1:]


def _share_twice(c: Mixed) -> tuple[list[Json], list[Json]]:
    return c.messages_json, [*c.to(JS), c.to(JS)[0]]


def _share_addressed_to_another(c: Mixed) -> tuple[list[Json], list[Json]]:
    shares = c.to(JS)
    shares[1] = c.to(3)[1]
    return c.messages_json, shares


def _message_missing(c: Mixed) -> tuple[list[Json], list[Json]]:
    return c.messages_json[:2], c.to(JS)


def _coefficient_missing(c: Mixed) -> tuple[list[Json], list[Json]]:
    messages = json.loads(json.dumps(c.messages_json))
    del messages[2]["coefficients"][1]
    return messages, c.to(JS)


def _unknown_sender(c: Mixed) -> tuple[list[Json], list[Json]]:
    messages = json.loads(json.dumps(c.messages_json))
    messages[2]["sender"] = 4
    return messages, c.to(JS)


def _own_message_replaced(c: Mixed) -> tuple[list[Json], list[Json]]:
    other = cer.begin(c.group, c.params, JS, c.rng)[1]  # valid, but not what JS published
    messages = [*c.messages_json]
    messages[JS - 1] = commitment_message_json(other)
    return messages, c.to(JS)


@pytest.fixture(scope="module")
def mixed(node: str, group: Group) -> Mixed:
    c = Mixed(node, group, CeremonyParams("js-refusals/meeting-1", 2, 3))
    c.deal()
    return c


REFUSALS = [
    (_tampered_ciphertext, "share-unreadable", "the share from scrutineer 1 "),
    (_share_for_someone_else, "share-unreadable", "the share from scrutineer 3 "),
    (_cheating_dealer, "bad-share", "the share from scrutineer 3 does not match"),
    (_commitment_swapped, "bad-proof", "scrutineer 3: the proof of knowledge for coefficient 1"),
    (_commitment_outside_the_group, "not-in-group", "scrutineer 1: the proof commitment of"),
    (_same_transport_key, "ceremony-shape", "scrutineers 1 and 3 published the same"),
    (_missing_share, "ceremony-shape", "no share from scrutineer 1 reached scrutineer 2"),
    (_share_twice, "ceremony-shape", "scrutineer 1 sent two shares to scrutineer 2"),
    (_share_addressed_to_another, "ceremony-shape", "is addressed to 3, not to scrutineer 2"),
    (_message_missing, "ceremony-shape", "the transcript has 2 commitment messages"),
    (_coefficient_missing, "ceremony-shape", "scrutineer 3 committed to 1 coefficients"),
    (_unknown_sender, "unknown-scrutineer", "from scrutineer 4 is not a scrutineer"),
    (_own_message_replaced, "ceremony-shape", "scrutineer 2's own commitments as sent"),
]


@pytest.mark.parametrize(
    ("edit", "code", "culprit"),
    [pytest.param(*case, id=case[0].__name__.strip("_").replace("_", "-")) for case in REFUSALS],
)
def test_tampering_is_refused_as_ceremony_py_refuses_it(
    mixed: Mixed, edit: Edit, code: str, culprit: str
) -> None:
    """The JavaScript scrutineer's finish refuses with ceremony.py's code and exact message."""
    c = mixed
    messages, shares = edit(c)
    with pytest.raises(CryptoError) as python:
        cer.finish(
            c.group,
            c.params,
            python_dealing(c.js_begun["dealing"]),
            [commitment_message_from_json(m) for m in messages],
            [encrypted_share_from_json(s) for s in shares],
            c.rng,
        )
    args = {"params": c.p, "dealing": c.js_begun["dealing"], "messages": messages}
    with pytest.raises(JsRefusal) as script:
        js(c.node, "finish", {**args, "shares": shares})
    assert (script.value.code, script.value.message) == (code, python.value.text.one_line())
    assert culprit in script.value.message
    if edit in (_commitment_swapped, _same_transport_key, _own_message_replaced):  # deal too
        with pytest.raises(JsRefusal) as dealt:
            js(c.node, "deal", args)
        assert dealt.value.message == script.value.message
