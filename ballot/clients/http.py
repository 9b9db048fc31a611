"""Talking to a ballot server from Python (`ballot vote`, `ballot ceremony`): a logged-in
session whose cookie jar and CSRF token come from the pages, and a second opener that never
sends a cookie, for the anonymous routes. Refusals come back as `ClientError` with the
server's bilingual reason."""

from __future__ import annotations

import http.cookiejar
import json
import re
import time
import urllib.error
import urllib.parse
import urllib.request
from typing import Any

from ballot.crypto.randomness import SystemRandom
from ballot.language.text import Text

# answers that mean "briefly unavailable" (a proxy, or the database restarting): try again
RETRIED_STATUS = (502, 503, 504)


class ClientError(Exception):
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


class HttpSession:
    """A logged-in conversation with a ballot server (a cookie jar for the session, a separate
    opener that never sends a cookie, the CSRF token from the pages). A request whose network
    drops, or that the server answers 502/503/504, is sent again (`attempts` in all, waiting
    1, 2, 3 … s): every route a member or scrutineer calls is safe to repeat."""

    def __init__(self, base_url: str, timeout: float = 60, attempts: int = 5) -> None:
        self.base = base_url.rstrip("/")
        self.timeout = timeout
        self.attempts = attempts
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
        for attempt in range(1, self.attempts + 1):
            try:
                with opener.open(request, timeout=self.timeout) as response:
                    return response.status, response.read().decode()
            except urllib.error.HTTPError as err:
                if err.code in RETRIED_STATUS and attempt < self.attempts:
                    self.pause(attempt)  # the server is briefly unavailable: try again
                    continue
                raise self._refusal(err) from None
            except OSError:  # the network dropped (URLError, reset, timeout): try again
                if attempt == self.attempts:
                    raise
                self.pause(attempt)
        raise AssertionError("unreachable")

    def _refusal(self, err: urllib.error.HTTPError) -> ClientError:
        text = err.read().decode(errors="replace")
        try:
            doc = json.loads(text)
            return ClientError(doc["error"], Text(en=doc["en"], zh=doc["zh"]))
        except (ValueError, KeyError, TypeError):
            return ClientError(
                f"http-{err.code}",
                Text(en=f"the server said HTTP {err.code}", zh=f"服务器返回 HTTP {err.code}"),
            )

    def pause(self, attempt: int) -> None:
        time.sleep(attempt)

    def call_json(self, opener: urllib.request.OpenerDirector, path: str, body: Any = None) -> Any:
        return json.loads(self._call(opener, path, body)[1])

    def call_record(self, opener: urllib.request.OpenerDirector, path: str) -> Any:
        """A published record, read by its grammar's reader (repeated keys kept for
        `record-format` to refuse: `json.loads` would keep one of the two silently)."""
        from ballot.protocol import grammar

        text = self._call(opener, path, None)[1]
        try:
            return grammar.loads(text)
        except ValueError as err:  # (a JSONDecodeError is a ValueError too)
            raise ClientError(
                "bad-record",
                Text(
                    en=f"the server's record is not a record: {err}",
                    zh="服务器给出的记录格式不正确",
                ),
            ) from None

    def login(self, code: str) -> None:
        _, page = self._call(self.session, "/login")
        found = re.search(r'name="csrf-token" content="([^"]+)"', page)
        self.csrf = found.group(1) if found else ""
        _, after = self._call(self.session, "/login", form={"csrf_token": self.csrf, "code": code})
        if 'action="/login"' in after:
            raise ClientError(
                "bad-code",
                Text(en="the server refused this access code", zh="服务器拒绝了此访问码"),
            )
        found = re.search(r'name="csrf-token" content="([^"]+)"', after)
        self.csrf = found.group(1) if found else self.csrf
