"""The command-line voter: what the ballot page's ES module does, from Python, over the same
HTTP routes (`ballot vote URL --code CODE --choices …`). The session is used only to get the
credential blind-signed; registration and the ballot go over fresh connections with no cookie.
"""

from __future__ import annotations

import http.cookiejar
import json
import re
import secrets
import time
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass
from typing import Any

from ballot.crypto.elgamal import PublicKey
from ballot.crypto.group import production_group
from ballot.crypto.randomness import SystemRandom
from ballot.language.text import Text
from ballot.protocol.context import ballot_context
from ballot.protocol.device import VoterDevice

CHOICES = {"a": "approve", "o": "oppose", "x": "abstain", "approve": "approve",
           "oppose": "oppose", "abstain": "abstain", "同意": "approve", "不同意": "oppose",
           "弃权": "abstain"}  # fmt: skip


class VoterError(Exception):
    def __init__(self, code: str, text: Text) -> None:
        super().__init__(f"{code}: {text.en}")
        self.code = code
        self.text = text


class _LocalSecure(http.cookiejar.DefaultCookiePolicy):
    """Like browsers: Secure cookies go over https, and over plain http to this machine only."""

    def return_ok_secure(self, cookie: http.cookiejar.Cookie, request: Any) -> bool:
        host = urllib.parse.urlsplit(request.get_full_url()).hostname
        return bool(
            cookie.secure is False or request.type == "https" or host in ("localhost", "127.0.0.1")
        )


def parse_choices(text: str, count: int) -> list[str]:
    """'a,o,x,…' or full words (approve/oppose/abstain, 同意/不同意/弃权), one per candidate."""
    items = [x.strip() for x in text.split(",")] if text.strip() else []
    if len(items) != count:
        raise VoterError(
            "choices",
            Text(
                f"{count} choices are needed (one per candidate, in ballot order), got {len(items)}",
                f"需要 {count} 个选择（每个候选组织一个，按选票顺序），收到 {len(items)} 个",
            ),
        )
    out = []
    for item in items:
        if item.lower() not in CHOICES and item not in CHOICES:
            raise VoterError(
                "choices",
                Text(
                    f"{item!r} is not a choice: use a (approve), o (oppose) or x (abstain)",
                    f"{item!r} 不是有效选择：请用 a（同意）、o（不同意）或 x（弃权）",
                ),
            )
        out.append(CHOICES.get(item.lower(), CHOICES.get(item, "")))
    return out


@dataclass
class Prepared:
    device: VoterDevice
    round: dict[str, Any]
    ballot: dict[str, Any]
    public_key_hex: str
    signature_hex: str
    tracker: str
    credential: dict[str, str] | None = None


class HttpSession:
    """A logged-in conversation with a ballot server (a cookie jar for the session, a separate
    opener that never sends a cookie, the CSRF token from the pages)."""

    def __init__(self, base_url: str, timeout: float = 60) -> None:
        self.base = base_url.rstrip("/")
        self.timeout = timeout
        self.jar = http.cookiejar.CookieJar(_LocalSecure())
        self.session = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(self.jar))
        self.anonymous = urllib.request.build_opener()  # no cookie processor: sends no cookie
        self.csrf = ""
        self.rng = SystemRandom()

    def _call(
        self,
        opener: urllib.request.OpenerDirector,
        path: str,
        body: Any = None,
        form: dict[str, str] | None = None,
    ) -> tuple[int, str]:
        headers = {"Accept": "application/json"}
        data = None
        if body is not None:
            data = json.dumps(body).encode()
            headers["Content-Type"] = "application/json"
            if opener is self.session:
                headers["X-CSRFToken"] = self.csrf
        elif form is not None:
            data = urllib.parse.urlencode(form).encode()
            headers["Content-Type"] = "application/x-www-form-urlencoded"
            headers["Accept"] = "text/html"
        request = urllib.request.Request(self.base + path, data=data, headers=headers)
        try:
            with opener.open(request, timeout=self.timeout) as response:
                return response.status, response.read().decode()
        except urllib.error.HTTPError as err:
            text = err.read().decode(errors="replace")
            try:
                doc = json.loads(text)
                raise VoterError(doc["error"], Text(doc["en"], doc["zh"])) from None
            except (ValueError, KeyError, TypeError):
                raise VoterError(
                    f"http-{err.code}",
                    Text(f"the server said HTTP {err.code}", f"服务器返回 HTTP {err.code}"),
                ) from None

    def call_json(self, opener: urllib.request.OpenerDirector, path: str, body: Any = None) -> Any:
        return json.loads(self._call(opener, path, body)[1])

    def login(self, code: str) -> None:
        _, page = self._call(self.session, "/login")
        found = re.search(r'name="csrf-token" content="([^"]+)"', page)
        self.csrf = found.group(1) if found else ""
        _, after = self._call(self.session, "/login", form={"csrf_token": self.csrf, "code": code})
        if 'action="/login"' in after:
            raise VoterError(
                "bad-code", Text("the server refused this access code", "服务器拒绝了此访问码")
            )
        found = re.search(r'name="csrf-token" content="([^"]+)"', after)
        self.csrf = found.group(1) if found else self.csrf


class HttpVoter(HttpSession):
    """One member's device talking to a ballot server."""

    def current_round(self) -> dict[str, Any] | None:
        doc = self.call_json(self.session, "/vote/round.json")
        if doc.get("issued"):
            raise VoterError(
                "already-issued",
                Text("you already have this round's ballot", "您已领取本轮选票"),
            )
        found: dict[str, Any] | None = doc.get("round")
        return found

    def prepare(self, rnd: dict[str, Any], choices: list[str]) -> Prepared:
        """Everything on the device before anything is sent: key, encryption, proofs,
        signature (so a failure here costs nothing)."""
        device = VoterDevice(rnd["issuer"], rnd["meeting"], rnd["roundId"], self.rng)
        group = production_group()
        key = PublicKey(group, group.backend.mpz(int(rnd["key"], 16)))
        ctx = ballot_context(
            rnd["meeting"], rnd["number"], rnd["record"], rnd["candidates"], rnd["k"]
        )
        ballot, public_key, signature, tracker = device.vote(key, ctx, choices)
        return Prepared(device, rnd, ballot, public_key, signature, tracker)

    def issue(self, p: Prepared) -> None:
        answer = self.call_json(
            self.session,
            "/vote/issue",
            {
                "meeting": p.round["meeting"],
                "round": p.round["number"],
                "blinded": p.device.blinded_hex,
            },
        )
        p.credential = p.device.finish_issuance(answer["blind_signature"])

    def register(self, p: Prepared) -> None:
        assert p.credential is not None
        self.call_json(
            self.anonymous,
            "/vote/anon/register",
            {"meeting": p.round["meeting"], "round": p.round["number"], **p.credential},
        )

    def cast(self, p: Prepared) -> str:
        answer = self.call_json(
            self.anonymous,
            "/vote/anon/cast",
            {
                "meeting": p.round["meeting"],
                "round": p.round["number"],
                "ballot": p.ballot,
                "public_key_hex": p.public_key_hex,
                "signature_hex": p.signature_hex,
            },
        )
        if answer.get("tracker") != p.tracker:
            raise VoterError(
                "tracker-mismatch",
                Text("the server's tracker differs from this device's", "服务器回执与本机不符"),
            )
        return p.tracker


def vote(
    base_url: str, code: str, choices_text: str, delay: tuple[float, float] = (1.5, 5.0)
) -> str:
    """The whole turn; returns the tracker."""
    voter = HttpVoter(base_url)
    voter.login(code)
    rnd = voter.current_round()
    if rnd is None:
        raise VoterError("no-round", Text("no round is open", "目前没有正在进行的投票"))
    prepared = voter.prepare(rnd, parse_choices(choices_text, len(rnd["candidates"])))
    voter.issue(prepared)
    low, high = delay
    time.sleep(low + (high - low) * secrets.randbelow(1000) / 1000)
    voter.register(prepared)
    return voter.cast(prepared)
