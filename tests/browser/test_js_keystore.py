"""The browser keystore module (ballot/web/static/js/keystore.js) opens the share files that
keystore.py seals, refuses what keystore.py refuses with the same bilingual message, and opens
a file sealed with the default scrypt parameters quickly. It runs under Node 20 here: without
`node` these tests are skipped, except under CI, where they fail."""

from __future__ import annotations

import base64
import json
import os
import re
import subprocess
import unicodedata
from collections.abc import Callable
from functools import cache
from pathlib import Path
from typing import Any

import pytest

from ballot.crypto import ceremony as cer
from ballot.crypto import keystore as ks
from ballot.crypto.ceremony import ScrutineerShare
from ballot.crypto.errors import CryptoError
from ballot.crypto.group import production_group
from ballot.devtools.seeded import SeededRandom
from tests.support import ROOT
from tests.support.node import node_executable

NODE_TESTS = ROOT / "tests" / "js" / "keystore.test.mjs"
DRIVER = ROOT / "tests" / "js" / "open_share.mjs"
FAST = ks.ScryptParams(n=2**10, r=8, p=1)  # tests only: the default stays n = 2^15
PASSPHRASE = "监票人三号 café passphrase"  # NFC; the "é" decomposes under NFD
DEFAULT_OPEN_BUDGET_MS = 1000  # Node on a developer machine takes ~0.1-0.2 s

Outcome = dict[str, Any] | str  # the opened share's fields, or the refusal "English | 中文"


@pytest.fixture(scope="module")
def node() -> str:
    return node_executable("ballot/web/static/js/keystore.js")


@cache
def real_share() -> ScrutineerShare:
    """Scrutineer 3's share from a 2-of-3 ceremony in the production group."""
    group = production_group()
    params = cer.CeremonyParams("meeting-1/ceremony", 2, 3)
    rng = SeededRandom("js-keystore")
    started = [cer.begin(group, params, i, rng) for i in range(1, 4)]
    messages = [m for _, m in started]
    dealt = [cer.deal(group, params, d, messages, rng) for d, _ in started]
    dealing = started[2][0]
    share, _ = cer.finish(group, params, dealing, messages, [x[2] for x in dealt], rng)
    assert share.index == 3
    return share


@cache
def fast_file() -> str:
    return ks.seal_share(real_share(), PASSPHRASE, SeededRandom(1), scrypt=FAST)


def fields(share: ScrutineerShare) -> dict[str, Any]:
    """What the JS module returns for `share`."""
    return {
        "ceremonyId": share.ceremony_id,
        "index": share.index,
        "secret": format(share.secret, "x"),
        "transportPrivate": share.transport_private.hex(),
        "transcriptDigest": share.transcript_digest,
        "jointKey": share.joint_key,
    }


def python_outcome(text: str, passphrase: str) -> Outcome:
    try:
        return fields(ks.open_share(text, passphrase))
    except CryptoError as err:
        return f"{err.text.en} | {err.text.zh}"


def js_open(node: str, text: str, passphrase: str) -> tuple[Outcome, str]:
    """The module's outcome for one file (through tests/js/open_share.mjs), and its stderr."""
    proc = subprocess.run(
        [node, str(DRIVER)],
        input=json.dumps({"text": text, "passphrase": passphrase}),
        capture_output=True,
        text=True,
        encoding="utf-8",
        timeout=120,
        check=False,
    )
    assert proc.returncode in (0, 1), f"the driver crashed:\n{proc.stdout}\n{proc.stderr}"
    out = proc.stdout.strip()
    return (json.loads(out) if proc.returncode == 0 else out), proc.stderr


def js_outcome(node: str, text: str, passphrase: str) -> Outcome:
    return js_open(node, text, passphrase)[0]


# --- ways to change a sealed file ---------------------------------------------------------------


def header(**changes: Any) -> Callable[[str], str]:
    """Set header fields; n, r, p and name go into "kdf"; None removes a field."""

    def change(text: str) -> str:
        doc = json.loads(text)
        for key, value in changes.items():
            target = doc["kdf"] if key in ("n", "r", "p", "name") else doc
            if value is None:
                del target[key]
            else:
                target[key] = value
        return json.dumps(doc, ensure_ascii=False)

    return change


def b64_edit(key: str, edit: Callable[[bytes], bytes]) -> Callable[[str], str]:
    def change(text: str) -> str:
        value = base64.b64decode(json.loads(text)[key])
        return header(**{key: base64.b64encode(edit(value)).decode()})(text)

    return change


def flip(at: int) -> Callable[[bytes], bytes]:
    def edit(data: bytes) -> bytes:
        out = bytearray(data)
        out[at] ^= 0x01
        return bytes(out)

    return edit


def b64_append(key: str, suffix: str) -> Callable[[str], str]:
    return lambda text: header(**{key: json.loads(text)[key] + suffix})(text)


def content(doc: object) -> Callable[[str], str]:
    """A share-purpose file whose plaintext is `doc` as JSON (or `doc` itself if it is bytes)."""
    data = doc if isinstance(doc, bytes) else json.dumps(doc).encode()
    return lambda _: ks.seal(
        data, PASSPHRASE, ks.PURPOSE_SHARE, SeededRandom(2), scrypt=FAST
    ).to_json()


def share_doc(**changes: object) -> dict[str, object]:
    doc: dict[str, object] = json.loads(
        ks.open_sealed(ks.Sealed.from_json(fast_file()), PASSPHRASE, ks.PURPOSE_SHARE)
    )
    doc.update(changes)
    return doc


def same(text: str) -> str:
    return text


NFD = unicodedata.normalize("NFD", PASSPHRASE)
CASES: list[tuple[str, Callable[[str], str], str]] = [
    ("as-sealed", same, PASSPHRASE),
    ("nfd-passphrase", same, NFD),
    ("wrong-passphrase", same, PASSPHRASE + "!"),
    ("empty-passphrase", same, ""),
    ("ciphertext-first-byte", b64_edit("ciphertext", flip(0)), PASSPHRASE),
    ("ciphertext-tag-byte", b64_edit("ciphertext", flip(-1)), PASSPHRASE),
    ("ciphertext-empty", header(ciphertext=""), PASSPHRASE),
    ("nonce-byte", b64_edit("nonce", flip(3)), PASSPHRASE),
    ("salt-byte", b64_edit("salt", flip(15)), PASSPHRASE),
    ("kdf-n-other", header(n=2**11), PASSPHRASE),
    ("purpose-committee-key", header(purpose=ks.PURPOSE_COMMITTEE_KEY), PASSPHRASE),
    ("purpose-other", header(purpose="其他"), PASSPHRASE),
    ("purpose-not-text", header(purpose=7), PASSPHRASE),
    ("kdf-n-above-limit", header(n=2**23), PASSPHRASE),
    ("kdf-n-2^40", header(n=2**40), PASSPHRASE),
    ("kdf-n-below-limit", header(n=2**9), PASSPHRASE),
    ("kdf-n-not-power-of-two", header(n=3000), PASSPHRASE),
    ("kdf-memory-above-1GiB", header(n=2**22, r=4), PASSPHRASE),
    ("kdf-r-0", header(r=0), PASSPHRASE),
    ("kdf-r-65", header(r=65), PASSPHRASE),
    ("kdf-p-17", header(p=17), PASSPHRASE),
    ("kdf-argon2", header(name="argon2"), PASSPHRASE),
    ("kdf-no-p", header(p=None), PASSPHRASE),
    ("version-2", header(version=2), PASSPHRASE),
    ("format-other", header(format="other"), PASSPHRASE),
    ("not-json", lambda _: "not json", PASSPHRASE),
    ("json-list", lambda _: "[]", PASSPHRASE),
    ("no-salt", header(salt=None), PASSPHRASE),
    ("nonce-8-bytes", header(nonce=base64.b64encode(bytes(8)).decode()), PASSPHRASE),
    ("ciphertext-not-base64", header(ciphertext="***"), PASSPHRASE),
    ("salt-padding-too-long", b64_append("salt", "="), PASSPHRASE),
    (
        "nonce-unpadded-truncated",
        lambda t: header(nonce=json.loads(t)["nonce"][:-1])(t),
        PASSPHRASE,
    ),
    ("nonce-extra-padding", b64_append("nonce", "=="), PASSPHRASE),  # Python accepts it
    ("content-not-json", content(b"not json"), PASSPHRASE),
    ("content-not-utf8", content(b'{"a": "\xff"}'), PASSPHRASE),
    ("content-list", content([1, 2]), PASSPHRASE),
    ("content-index-0", lambda t: content(share_doc(index=0))(t), PASSPHRASE),
    ("content-index-bool", lambda t: content(share_doc(index=True))(t), PASSPHRASE),
    ("content-no-ceremony", lambda t: content({**share_doc(), "ceremony_id": None})(t), PASSPHRASE),
    ("content-secret-not-hex", lambda t: content(share_doc(secret="xyz"))(t), PASSPHRASE),
    (
        "content-transport-31-bytes",
        lambda t: content(share_doc(transport_private="ab" * 31))(t),
        PASSPHRASE,
    ),
    ("content-extra-field", lambda t: content(share_doc(note="额外"))(t), PASSPHRASE),
]


# --- the tests ----------------------------------------------------------------------------------


def test_the_node_tests_pass_and_open_a_python_sealed_share(node: str, tmp_path: Path) -> None:
    fixture = tmp_path / "share-fixture.json"
    fixture.write_text(
        json.dumps({"text": fast_file(), "passphrase": PASSPHRASE, "expect": fields(real_share())}),
        encoding="utf-8",
    )
    env = {**os.environ, "BALLOT_KEYSTORE_FIXTURE": str(fixture)}
    proc = subprocess.run(
        [node, "--test", "--test-reporter=tap", str(NODE_TESTS)],
        capture_output=True,
        text=True,
        encoding="utf-8",
        env=env,
        cwd=ROOT,
        timeout=300,
        check=False,
    )
    report = proc.stdout + proc.stderr
    assert proc.returncode == 0, report
    assert re.search(r"^# fail 0$", report, re.MULTILINE), report
    python_test = re.search(r"^(not )?ok \d+ - a share file sealed by Python.*$", report, re.M)
    assert python_test and python_test[0].startswith("ok ") and "# SKIP" not in python_test[0], (
        report
    )


def test_a_real_share_file_opens_to_the_same_fields(node: str) -> None:
    share = real_share()
    assert ks.open_share(fast_file(), PASSPHRASE) == share
    assert js_outcome(node, fast_file(), PASSPHRASE) == fields(share)
    assert len(fields(share)["secret"]) > 50  # a production-group share, not a toy value


@pytest.mark.parametrize(
    ("change", "passphrase"), [pytest.param(c, p, id=name) for name, c, p in CASES]
)
def test_the_module_opens_and_refuses_exactly_what_keystore_py_does(
    node: str, change: Callable[[str], str], passphrase: str
) -> None:
    text = change(fast_file())
    assert js_outcome(node, text, passphrase) == python_outcome(text, passphrase)


def test_refusals_carry_keystore_py_bilingual_messages(node: str) -> None:
    text = fast_file()
    wrong = "wrong passphrase, or the file has been altered | 口令错误，或文件已被篡改"
    assert js_outcome(node, text, "not the passphrase") == wrong
    assert js_outcome(node, b64_edit("ciphertext", flip(20))(text), PASSPHRASE) == wrong
    assert js_outcome(node, header(purpose=ks.PURPOSE_COMMITTEE_KEY)(text), PASSPHRASE) == (
        "this file holds a 'committee-signing-key', not a 'scrutineer-share' | "
        "该文件保存的是 'committee-signing-key'，而非 'scrutineer-share'"
    )
    assert js_outcome(node, header(n=2**23)(text), PASSPHRASE) == (
        "unusable scrypt parameters n=8388608, r=8, p=1 (n a power of two from 2^10 to 2^22, "
        "at most 1 GiB of memory) | scrypt 参数不可用：n=8388608，r=8，p=1"
        "（n 须为 2^10 至 2^22 之间的 2 的幂，内存不超过 1 GiB）"
    )


def test_a_file_with_the_default_parameters_opens_quickly(node: str) -> None:
    share = real_share()
    text = ks.seal_share(share, PASSPHRASE, SeededRandom(3))
    assert json.loads(text)["kdf"] == {"name": "scrypt", "n": 2**15, "r": 8, "p": 1}
    opened, stderr = js_open(node, text, NFD)
    assert opened == fields(share)
    timing = re.fullmatch(r"opened in ([0-9.]+) ms", stderr.strip())
    assert timing, stderr
    took = float(timing[1])
    print(
        f"\nkeystore.js opened a default-parameter share file (n=2^15, r=8, p=1) in {took:.0f} ms"
    )
    # Node stands in for the browser: the scrutineer's browser must open it well under 2 s.
    assert took < DEFAULT_OPEN_BUDGET_MS, f"{took:.0f} ms"
