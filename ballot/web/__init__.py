"""The web app: a Flask application factory with one blueprint per role (office, chair,
vote, scrutineer, public), server-rendered pages, CSRF on every form, a strict Content
Security Policy and session cookies that are Secure, HttpOnly and SameSite=Strict."""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from datetime import timedelta
from pathlib import Path
from typing import Any

from flask import Flask, Response, jsonify, render_template, request
from flask_wtf.csrf import CSRFError, CSRFProtect, generate_csrf
from werkzeug.exceptions import HTTPException

from ballot.language import vocabulary
from ballot.protocol.lifecycle import LifecycleError
from ballot.services.errors import ServiceError
from ballot.services.runtime import Runtime, server_secret
from ballot.services.unit import UNAVAILABLE, open_database
from ballot.web import i18n
from ballot.web.auth import current_account

CSP = (
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "connect-src 'self'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'"
)
MAX_REQUEST = 2 * 1024 * 1024  # a 16-candidate ballot is about 185 KB of JSON

csrf = CSRFProtect()

STATUS = {
    "unauthorised": 401,
    "forbidden": 403,
    "unknown-meeting": 404,
    "unknown-round": 404,
    "unknown-template": 404,
    "key-enrolled": 409,
    "stale-presence": 409,
    "round-changed": 409,
    "acceptance-differs": 409,
    "result-not-ready": 409,
    "result-changed": 409,
    "too-many-attempts": 429,
    "database-unavailable": 503,
    "pdf-unavailable": 503,
}


def _status(code: str) -> int:
    if code in STATUS:
        return STATUS[code]
    if code.startswith("already-") or code in ("credential-registered", "round-closed"):
        return 409
    return 400


def create_app(settings: Mapping[str, Any] | None = None) -> Flask:
    """Settings: DATABASE_URL (else the environment's, else ./ballot.sqlite3), KEYS (the keys
    folder, default ./keys), plus any Flask setting."""
    import os

    settings = dict(settings or {})
    app = Flask(__name__)
    keys = Path(settings.pop("KEYS", None) or os.environ.get("BALLOT_KEYS") or "keys").resolve()
    keys.mkdir(parents=True, exist_ok=True)
    secret = server_secret(keys)
    engine, db = open_database(settings.pop("DATABASE_URL", None))
    app.extensions["ballot"] = Runtime(engine, db, keys, secret)
    app.config.update(
        SECRET_KEY=hashlib.sha256(b"ballot/v1/flask-session\x00" + secret.encode()).digest(),
        SESSION_COOKIE_NAME="ballot_session",
        SESSION_COOKIE_SECURE=True,
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Strict",
        PERMANENT_SESSION_LIFETIME=timedelta(hours=12),
        MAX_CONTENT_LENGTH=MAX_REQUEST,
        WTF_CSRF_TIME_LIMIT=12 * 3600,
        WTF_CSRF_SSL_STRICT=False,  # SameSite=Strict plus the token; no Referer needed
        JSON_AS_ASCII=False,
    )
    app.config.update(settings)
    proxies = int(os.environ.get("BALLOT_TRUSTED_PROXIES", "0") or 0)
    if proxies > 0:  # behind a TLS proxy: take the client's address and scheme from it
        from werkzeug.middleware.proxy_fix import ProxyFix

        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=proxies, x_proto=proxies)  # type: ignore[method-assign]
    csrf.init_app(app)

    from ballot.web import chair, office, public, scrutineer, vote
    from ballot.web.public import live_shape, room_reasons
    from ballot.web.qr import qr_svg

    for module in (public, office, chair, vote, scrutineer):
        app.register_blueprint(module.bp)
    # anonymous registration and casting carry no session and no cookie, so there is no
    # ambient authority for a cross-site request to abuse; the routes refuse any cookie
    app.register_blueprint(vote.anonymous)
    csrf.exempt(vote.anonymous)

    @app.context_processor
    def _helpers() -> dict[str, Any]:
        return {
            "t": i18n.t,
            "say_text": i18n.say,
            "word": vocabulary.word,
            "vocab": vocabulary,
            "live_shape": live_shape,
            "room_reasons": room_reasons,
            "qr_svg": qr_svg,
            "lang": i18n.lang(),
            "account": _account_if_reachable(),
            "csrf_token": generate_csrf,
        }

    def _account_if_reachable() -> Any:
        # the page header names who is logged in; with the database away (a restart) the
        # page still renders, so a 503 refusal is said as one rather than failing as a 500
        try:
            return current_account()
        except ServiceError as err:
            if err.code != UNAVAILABLE:
                raise
            return None

    @app.after_request
    def _headers(response: Response) -> Response:
        response.headers["Content-Security-Policy"] = CSP
        response.headers["X-Content-Type-Options"] = "nosniff"
        response.headers["Referrer-Policy"] = "no-referrer"
        response.headers["X-Frame-Options"] = "DENY"
        response.headers["Cross-Origin-Opener-Policy"] = "same-origin"
        if request.is_secure:  # once served over HTTPS, browsers must never fall back to HTTP
            response.headers["Strict-Transport-Security"] = "max-age=31536000"
        if request.path.startswith("/static/") is False:
            response.headers.setdefault("Cache-Control", "no-store")
        return response

    json_routes = ("/vote/anon/", "/vote/issue", "/scrutineer/shares", "/scrutineer/ceremony")

    def _wants_json() -> bool:
        return (
            request.is_json
            or request.path.endswith(".json")
            or request.path.startswith(json_routes)
            or request.accept_mimetypes.best == "application/json"
        )

    def _error(code: str, en: str, zh: str, status: int) -> tuple[Any, int]:
        if _wants_json():
            return jsonify({"error": code, "en": en, "zh": zh}), status
        return render_template("error.html", code=code, en=en, zh=zh, status=status), status

    @app.errorhandler(ServiceError)
    def _service_error(err: ServiceError) -> tuple[Any, int]:
        return _error(err.code, err.text.en, err.text.zh, _status(err.code))

    @app.errorhandler(LifecycleError)
    def _lifecycle_error(err: LifecycleError) -> tuple[Any, int]:
        # the services check every step first; this is a race lost to another request
        return _error(
            "conflict",
            f"{err.text.en}: reload the page to see where the meeting stands",
            f"{err.text.zh}：请刷新页面查看会议当前状态",
            409,
        )

    @app.errorhandler(CSRFError)
    def _csrf_error(err: CSRFError) -> tuple[Any, int]:
        return _error(
            "csrf",
            "the form's security token is missing or expired: reload the page and try again",
            "表单安全令牌缺失或已过期：请刷新页面后重试",
            400,
        )

    @app.errorhandler(HTTPException)
    def _http_error(err: HTTPException) -> tuple[Any, int]:
        status = err.code or 500
        messages = {
            401: ("please log in first", "请先登录"),
            403: (
                "your role may not do this: log in with the right access code",
                "您的角色无权执行此操作：请用相应的访问码登录",
            ),
            404: ("no such page", "没有此页面"),
            405: ("this address does not accept that method", "此地址不接受该请求方式"),
            413: (
                f"the request is larger than {MAX_REQUEST // 1024} KB",
                f"请求超过 {MAX_REQUEST // 1024} KB",
            ),
        }
        en, zh = messages.get(status, (err.description or "error", "请求出错"))
        return _error(f"http-{status}", en, zh, status)

    return app
