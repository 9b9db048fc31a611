"""Who is asking: the session names an account; every route says which roles may call it, and
the meeting-level checks (same committee, same meeting) are made where the meeting is known."""

from __future__ import annotations

from collections.abc import Callable
from contextlib import AbstractContextManager
from datetime import UTC, datetime
from functools import wraps
from typing import Any, TypeVar, cast

from flask import abort, current_app, g, redirect, request, session, url_for

from ballot.services import accounts
from ballot.services.runtime import Runtime
from ballot.services.unit import Session, reading, transaction

F = TypeVar("F", bound=Callable[..., Any])


def runtime() -> Runtime:
    return cast(Runtime, current_app.extensions["ballot"])


def work() -> AbstractContextManager[Session]:
    """The request's unit of work: what a view changes is committed together at the end of
    the block, or not at all if it raises."""
    return transaction(runtime().db)


def look() -> AbstractContextManager[Session]:
    """A read-only session for a view that only shows."""
    return reading(runtime().db)


def current_account() -> accounts.Account | None:
    if "account" not in g:
        found = None
        token = session.get("token")
        if isinstance(token, str) and 0 < len(token) <= 64:
            with look() as s:
                found = accounts.account_for(s, token, datetime.now(UTC))
        g.account = found
    return cast("accounts.Account | None", g.account)


def login_required(*roles: str) -> Callable[[F], F]:
    """Only these roles may call the view; others get 403, strangers the login page."""

    def wrap(view: F) -> F:
        @wraps(view)
        def inner(*args: Any, **kwargs: Any) -> Any:
            account = current_account()
            if account is None:
                if request.accept_mimetypes.best == "application/json" or request.is_json:
                    abort(401)
                return redirect(url_for("public.login"))
            if account.role not in roles:
                abort(403)
            return view(*args, **kwargs)

        return cast(F, inner)

    return wrap


def client_address() -> str:
    """The address failed logins are counted against (behind a proxy, configure
    ProxyFix so that this is the client's and not the proxy's)."""
    return request.remote_addr or "unknown"
