"""`ballot bench --browser`: a member's device work for one ballot, timed in headless Chromium.

What is timed is all the work a member's device does for a ballot, as booth.js does it, in
the browser module ballot/web/static/js/protocol.js: the member key (a non-extractable P-256
key made once per meeting, and its signed enrolment), createCredential (a fresh P-256 key and
the blinded RFC 9474 request), the member-signed issuance request, finish (unblind and verify
the issuer's blind signature), encryptBallot (ciphertexts, proofs, tracker) and signTracker,
under a real election key K = g^x in the production group and a real 3072-bit issuer key.
Only the issuer's blind signature, the server's work, is not counted. The first ballot on a
fresh page is the cold one: it makes the member key and builds the g and K tables. Then
`repeats` further ballots, each with a fresh credential, give the warm median. `throttle`
slows Chromium's CPU that many times (DevTools' CPU throttling, as for a phone). Every ballot
the browser made is then checked here — validated, tracker recomputed, cast signature,
credential, enrolment and issuance request verified, and decrypted to the choices made — so
a broken ballot can never be timed.

The page is served by a private http.server on 127.0.0.1 (opened as http://localhost, a
secure context, so WebCrypto is available): the app's static files, this benchmark's own
module (ballot/devtools/browser_bench.mjs, never served by the app), a generated HTML page and its
configuration. Needs Playwright for Python and Chromium at /usr/bin/chromium.
"""

from __future__ import annotations

import json
import os
import re
import statistics
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from importlib import metadata, resources
from importlib.resources.abc import Traversable
from pathlib import Path
from typing import Any

from ballot.crypto import blind_rsa
from ballot.crypto.ballot import cast_message, tracker, validate_ballot
from ballot.crypto.codec import ballot_from_json
from ballot.crypto.credential import credential_message
from ballot.crypto.discrete_log import DiscreteLog
from ballot.crypto.elgamal import PublicKey, decrypt_to_power
from ballot.crypto.errors import CryptoError
from ballot.crypto.group import production_group
from ballot.crypto.randomness import SystemRandom
from ballot.crypto.signature import verify as verify_signature
from ballot.protocol import statements
from ballot.protocol.context import ballot_context, round_id

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
)
LIMIT_MS = 1500
ISSUER_BITS = 3072
MEETING = "bench/meeting-1"
ROUND = 1
WHAT = (
    "a member's device work for one ballot in headless Chromium, as booth.js: member key and "
    "enrolment (first ballot only), createCredential, signed issuance request, finish, "
    "encryptBallot, signTracker; cold = first ballot on a fresh page, making the member key and "
    "building the g and K tables; warm = a fresh credential each; the issuer's blind signature "
    "(the server's work) is not counted"
)
MEMBER = "委员 1"

_SEGMENT = re.compile(r"[A-Za-z0-9_-][A-Za-z0-9_.-]*")
_TYPES = {
    ".js": "text/javascript; charset=utf-8",
    ".mjs": "text/javascript; charset=utf-8",
    ".css": "text/css; charset=utf-8",
    ".json": "application/json",
    ".html": "text/html; charset=utf-8",
}
_PAGE = b"""<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>ballot: browser benchmark</title>
<script type="module" src="/bench/browser_bench.mjs"></script>
</head>
<body>
<p id="state">loading</p>
</body>
</html>
"""


class BrowserUnavailable(RuntimeError):
    """Playwright or Chromium is missing; the message (English | 中文) says what to install."""


class BenchFailed(RuntimeError):
    """The page failed, or a ballot it made did not check out here (nothing is reported)."""


def _playwright_version() -> str:
    try:
        return metadata.version("playwright")
    except metadata.PackageNotFoundError:
        return "unknown"


def check_available(chromium: str | None = None) -> None:
    """Raise `BrowserUnavailable` unless Playwright for Python and Chromium (`chromium`,
    default `CHROMIUM`) are both here."""
    chromium = chromium or CHROMIUM
    missing_en: list[str] = []
    missing_zh: list[str] = []
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        missing_en.append("Playwright for Python (pip install 'playwright>=1.45,<2')")
        missing_zh.append("Python 版 Playwright（pip install 'playwright>=1.45,<2'）")
    if not (Path(chromium).is_file() and os.access(chromium, os.X_OK)):
        missing_en.append(f"Chromium at {chromium} (apt-get install chromium)")
        missing_zh.append(f"位于 {chromium} 的 Chromium（apt-get install chromium）")
    if missing_en:
        raise BrowserUnavailable(
            "the browser benchmark needs "
            + " and ".join(missing_en)
            + " | 浏览器基准测试需要安装"
            + "和".join(missing_zh)
        )


@dataclass(frozen=True)
class _Site:
    """What the benchmark server serves."""

    static: Traversable  # ballot/web/static
    bench: Traversable  # ballot/devtools (only its .mjs is served)
    config: bytes
    issuer: blind_rsa.IssuerKey


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    site: _Site


class _Handler(BaseHTTPRequestHandler):
    server: _Server

    def log_message(self, format: str, *args: Any) -> None:
        pass  # quiet: the benchmark prints its own report

    def _send(self, status: int, body: bytes, content_type: str) -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Cache-Control", "no-store")
        self.end_headers()
        self.wfile.write(body)

    def _not_found(self) -> None:
        self._send(HTTPStatus.NOT_FOUND, b"not found\n", "text/plain; charset=utf-8")

    def _file(self, root: Traversable, parts: list[str]) -> None:
        if not parts or not all(_SEGMENT.fullmatch(p) for p in parts):
            return self._not_found()
        node = root.joinpath(*parts)
        content_type = _TYPES.get(Path(parts[-1]).suffix)
        if content_type is None or not node.is_file():
            return self._not_found()
        self._send(HTTPStatus.OK, node.read_bytes(), content_type)

    def do_GET(self) -> None:
        site = self.server.site
        path = self.path.split("?", 1)[0]
        if path in ("/", "/index.html"):
            self._send(HTTPStatus.OK, _PAGE, _TYPES[".html"])
        elif path == "/config.json":
            self._send(HTTPStatus.OK, site.config, _TYPES[".json"])
        elif path.startswith("/static/"):
            self._file(site.static, path.removeprefix("/static/").split("/"))
        elif path.startswith("/bench/"):
            self._file(site.bench, path.removeprefix("/bench/").split("/"))
        else:
            self._not_found()

    def do_POST(self) -> None:
        """/issue: the issuer's blind signature on {"blinded_hex"}."""
        if self.path != "/issue":
            return self._not_found()
        try:
            length = int(self.headers.get("Content-Length", "0"))
            if not 0 < length <= 64 * 1024:
                raise ValueError("bad length")
            request = json.loads(self.rfile.read(length))
            blinded = bytes.fromhex(request["blinded_hex"])
            signed = blind_rsa.blind_sign(self.server.site.issuer, blinded, SystemRandom())
        except Exception as error:
            body = f"{type(error).__name__}: {error}\n".encode()
            return self._send(HTTPStatus.BAD_REQUEST, body, "text/plain; charset=utf-8")
        answer = json.dumps({"blind_signature_hex": signed.hex()}).encode()
        self._send(HTTPStatus.OK, answer, _TYPES[".json"])


@contextmanager
def _serving(site: _Site) -> Iterator[int]:
    """The benchmark server on 127.0.0.1 in a thread; yields its port."""
    server = _Server(("127.0.0.1", 0), _Handler)
    server.site = site
    thread = threading.Thread(target=server.serve_forever, name="browser-bench", daemon=True)
    thread.start()
    try:
        yield server.server_address[1]
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=10)


def _choices(candidates: int, max_approvals: int) -> list[str]:
    """k approvals, as many oppositions as fit (at most k), the rest abstentions."""
    opposing = min(candidates - max_approvals, max_approvals)
    return (
        ["approve"] * max_approvals
        + ["oppose"] * opposing
        + ["abstain"] * (candidates - max_approvals - opposing)
    )


def _run_page(
    port: int, chromium: str, timeout_s: float, throttle: float
) -> tuple[dict[str, Any], str]:
    """Open the page in a fresh headless Chromium; returns the page's result and the version."""
    from playwright.sync_api import Error as PlaywrightError
    from playwright.sync_api import sync_playwright

    problems: list[str] = []
    with sync_playwright() as pw:
        browser = pw.chromium.launch(
            executable_path=chromium, headless=True, args=list(CHROMIUM_ARGS)
        )
        try:
            version = browser.version
            page = browser.new_context().new_page()
            if throttle != 1:
                cdp = page.context.new_cdp_session(page)
                cdp.send("Emulation.setCPUThrottlingRate", {"rate": throttle})
            page.on("pageerror", lambda error: problems.append(f"page error: {error}"))
            page.on(
                "console",
                lambda m: problems.append(f"console: {m.text}") if m.type == "error" else None,
            )
            page.goto(f"http://localhost:{port}/", wait_until="load")
            try:
                page.wait_for_function(
                    "() => window.benchResult !== undefined || window.benchError !== undefined",
                    polling=100,
                    timeout=timeout_s * 1000,
                )
            except PlaywrightError as error:
                raise BenchFailed(
                    f"the page did not finish in {timeout_s:.0f} s: {error.message}; "
                    + "; ".join(problems)
                ) from None
            failure = page.evaluate("() => window.benchError ?? null")
            if failure is not None:
                raise BenchFailed(f"the page failed: {failure}; " + "; ".join(problems))
            result: dict[str, Any] = page.evaluate("() => window.benchResult")
        finally:
            browser.close()
    return result, version


def _check_ballot(
    made: dict[str, Any],
    key: PublicKey,
    secret: int,
    record_hex: str,
    candidates: list[str],
    max_approvals: int,
    choices: list[str],
    issuer: blind_rsa.IssuerPublicKey,
) -> None:
    """Everything the server and the verifier would check, plus: it encrypts `choices`."""
    rng = SystemRandom()
    ctx = ballot_context(MEETING, ROUND, record_hex, candidates, max_approvals)
    ballot = ballot_from_json(made["ballot"])
    validate_ballot(key, ctx, ballot, rng)
    track = tracker(key, ctx, ballot)
    if made["tracker"] != track.hex():
        raise BenchFailed("the browser's tracker differs from the one computed here")
    public_key = bytes.fromhex(made["public_key_hex"])
    verify_signature(public_key, cast_message(track), bytes.fromhex(made["signature_hex"]))
    member_key = bytes.fromhex(made["member_key_hex"])
    verify_signature(
        member_key,
        statements.member_key(MEETING, MEMBER, member_key),
        bytes.fromhex(made["enrolment_hex"]),
    )
    verify_signature(
        member_key,
        statements.issuance_request(
            MEETING, MEMBER, round_id(MEETING, ROUND), bytes.fromhex(made["blinded_hex"])
        ),
        bytes.fromhex(made["request_signature_hex"]),
    )
    credential = made["credential"]
    prepared = bytes.fromhex(credential["prepared_hex"])
    expected = credential_message(MEETING, round_id(MEETING, ROUND), public_key)
    if credential["public_key_hex"] != made["public_key_hex"] or prepared[32:] != expected:
        raise BenchFailed("the credential is not for this key and round")
    if not blind_rsa.verify(issuer, prepared, bytes.fromhex(credential["signature_hex"])):
        raise BenchFailed("the credential's signature does not verify under the issuer key")
    log = DiscreteLog(key.group, 1)
    for choice, s in zip(choices, ballot.selections, strict=True):
        approve = log(decrypt_to_power(key.group, s.approve, secret))
        oppose = log(decrypt_to_power(key.group, s.oppose, secret))
        if (approve, oppose) != (choice == "approve", choice == "oppose"):
            raise BenchFailed("a ballot does not decrypt to the choices made")


def _round(x: float) -> float:
    return float(round(x, 1))


def run_browser_bench(
    candidates: int = 16,
    max_approvals: int = 5,
    repeats: int = 5,
    *,
    chromium: str | None = None,
    timeout_s: float | None = None,
    throttle: float = 1.0,
) -> dict[str, Any]:
    """Time `1 + repeats` ballots in a fresh headless Chromium page (see the module's doc).

    Raises `BrowserUnavailable` without Playwright or Chromium, `BenchFailed` when the page
    fails or any ballot it made does not check out here.
    """
    if not 1 <= candidates <= 200:
        raise ValueError("candidates must be between 1 and 200")
    if not 1 <= max_approvals <= candidates:
        raise ValueError("max_approvals must be between 1 and candidates")
    if not 1 <= repeats <= 1000:
        raise ValueError("repeats must be between 1 and 1000")
    if not 1 <= throttle <= 20:
        raise ValueError("throttle must be between 1 and 20")
    chromium = chromium or CHROMIUM
    check_available(chromium)

    group = production_group()
    secret = group.random_scalar(SystemRandom())
    key = PublicKey(group, group.pow_g(secret))
    issuer = blind_rsa.generate_issuer_key(ISSUER_BITS)
    record_hex = os.urandom(32).hex()
    names = [f"候选单位{i + 1}" for i in range(candidates)]
    choices = _choices(candidates, max_approvals)
    config = {
        "key": format(int(key.k), "x"),
        "context": {
            "record": record_hex,
            "roundId": round_id(MEETING, ROUND),
            "candidates": names,
            "k": max_approvals,
        },
        "choices": choices,
        "issuerKey": blind_rsa.encode_public_key(issuer.public),
        "meetingId": MEETING,
        "member": MEMBER,
        "repeats": repeats,
    }
    root = resources.files("ballot")
    site = _Site(
        static=root / "web" / "static",
        bench=root / "devtools",
        config=json.dumps(config, ensure_ascii=False).encode("utf-8"),
        issuer=issuer,
    )
    if timeout_s is None:
        timeout_s = 60.0 + 15.0 * throttle * (repeats + 1) * max(1.0, candidates / 16)
    load_1m = os.getloadavg()[0]
    with _serving(site) as port:
        page, version = _run_page(port, chromium, timeout_s, throttle)

    ballots: list[dict[str, Any]] = page["ballots"]
    if len(ballots) != repeats + 1:
        raise BenchFailed(f"the page made {len(ballots)} ballots, not {repeats + 1}")
    started = time.perf_counter()
    for number, made in enumerate(ballots, 1):
        try:
            _check_ballot(
                made, key, secret, record_hex, names, max_approvals, choices, issuer.public
            )
        except (CryptoError, KeyError, TypeError, ValueError) as error:
            raise BenchFailed(
                f"ballot {number} made in the browser does not check out here: {error}"
            ) from error
    check_s = time.perf_counter() - started

    def phases(ms: dict[str, float]) -> dict[str, float]:
        return {k: _round(v) for k, v in ms.items() if k != "total"}

    cold = ballots[0]["ms"]
    warm = [b["ms"] for b in ballots[1:]]
    warm_phases = {
        name: _round(statistics.median(w[name] for w in warm))
        for name in warm[0]
        if name != "total"
    }
    cold_ms = _round(cold["total"])
    return {
        "benchmark": "browser",
        "what": WHAT,
        "candidates": candidates,
        "max_approvals": max_approvals,
        "repeats": repeats,
        "issuer_bits": ISSUER_BITS,
        "chromium": version,
        "user_agent": page["userAgent"],
        "playwright": _playwright_version(),
        "cpus": os.cpu_count(),
        "throttle": throttle,
        "load_1m": round(load_1m, 2),  # the machine is shared: read the figures against this
        "cold_ms": cold_ms,
        "cold_phases_ms": phases(cold),
        "warm_median_ms": _round(statistics.median(w["total"] for w in warm)),
        "warm_all_ms": [_round(w["total"]) for w in warm],
        "warm_phases_median_ms": warm_phases,
        "limit_ms": LIMIT_MS,
        "ok": cold_ms <= LIMIT_MS,
        "validated": len(ballots),
        "ballot_bytes": len(json.dumps(ballots[-1]["ballot"], separators=(",", ":"))),
        "check_s": round(check_s, 2),
    }


def report_text(r: dict[str, Any]) -> str:
    cp, wp = r["cold_phases_ms"], r["warm_phases_median_ms"]

    def detail(p: dict[str, float]) -> str:
        return (
            f"member key {p['member_key']:.1f}, credential {p['credential']:.1f}, "
            f"request {p['request']:.1f}, finish {p['finish']:.1f}, "
            f"encrypt {p['encrypt']:.1f}, sign {p['sign']:.1f}; not counted: "
            f"issuer round trip {p['issuer_round_trip']:.1f}"
        )

    verdict = "within" if r["ok"] else "OVER"
    cold = "cold (fresh page, building the tables):"
    warm = f"warm (median of {r['repeats']}):".ljust(len(cold))
    return (
        "\n".join(
            [
                f"ballot of {r['candidates']} candidates, at most {r['max_approvals']} approvals, "
                f"in headless Chromium {r['chromium']} (Playwright {r['playwright']}; "
                f"{r['cpus']} CPUs, load {r['load_1m']}"
                + (f", CPU throttled {r['throttle']:g}×" if r["throttle"] != 1 else "")
                + ")",
                "  member's device: member key, credential, request, finish, encrypt, sign (ms)",
                f"  {cold} {r['cold_ms']:8.1f}  [{detail(cp)}]",
                f"  {warm} {r['warm_median_ms']:8.1f}  [{detail(wp)}]",
                "  warm, each: " + ", ".join(f"{x:.1f}" for x in r["warm_all_ms"]),
                f"  cold {verdict} the {r['limit_ms']} ms limit; all {r['validated']} ballots "
                f"validated, tracker, cast signature, credential, enrolment and request "
                f"verified, and decrypted "
                f"to the choices made",
            ]
        )
        + "\n"
    )
