"""Pages anyone may see: home, login, a meeting's results (also printable, and for the
projector), tracker lookup and the record download for auditors."""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlsplit

from flask import (
    Blueprint,
    Response,
    jsonify,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from werkzeug.wrappers import Response as BaseResponse

from ballot.services import accounts, overview
from ballot.services import record as record_service
from ballot.services import results as results_signed
from ballot.services.errors import ServiceError
from ballot.web import printed
from ballot.web.auth import client_address, current_account, look, runtime, work
from ballot.web.i18n import LANGS

bp = Blueprint("public", __name__)

HOME_OF_ROLE = {
    "office": "office.home",
    "chair": "chair.home",
    "member": "vote.booth",
    "scrutineer": "scrutineer.home",
}


@bp.get("/")
def home() -> str:
    with look() as s:
        meetings = overview.all_meetings(s)
    return render_template("home.html", meetings=meetings)


@bp.get("/login")
def login() -> str:
    return render_template("login.html", error=None)


@bp.post("/login")
def login_post() -> Any:
    code = request.form.get("code", "")
    try:
        # logging in owns its transactions: a wrong code is counted although it is refused
        found = accounts.authenticate(runtime().db, code[:64], client_address())
    except ServiceError as err:
        status = 429 if err.code == "too-many-attempts" else 401
        return render_template("login.html", error=err.text), status
    with work() as s:
        previous = session.get("token")
        if isinstance(previous, str) and 0 < len(previous) <= 64:
            accounts.end_session(s, previous)  # a login here ends this browser's last session
        try:
            token = accounts.start_session(s, found, datetime.now(UTC))
        except ServiceError as err:
            return render_template("login.html", error=err.text), 401
    session.clear()
    session.permanent = True
    session["token"] = token
    return redirect(url_for(HOME_OF_ROLE[found.role]))


@bp.post("/logout")
def logout() -> BaseResponse:
    """Ends the session on the server, so a copy of the cookie stops working too."""
    token = session.get("token")
    if isinstance(token, str) and 0 < len(token) <= 64:
        with work() as s:
            accounts.end_session(s, token)
    session.clear()
    return redirect(url_for("public.home"))


@bp.get("/lang/<code>")
def choose_language(code: str) -> BaseResponse:
    target = request.args.get("next", "/")
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//"):
        target = "/"
    response = redirect(target)
    if code in LANGS:
        response.set_cookie(
            "lang", code, max_age=365 * 86400, secure=True, httponly=True, samesite="Strict"
        )
    return response


def _view(public_id: str) -> overview.MeetingView:
    with look() as s:
        return overview.meeting_view(s, overview.meeting_by_public_id(s, public_id))


@bp.get("/m/<public_id>/")
def results(public_id: str) -> str:
    view = _view(public_id)
    with look() as s:
        signed = results_signed.signatures(s, view.id)
    return render_template("results.html", view=view, only=None, signed=signed)


@bp.get("/m/<public_id>/round/<int:number>")
def round_result(public_id: str, number: int) -> str:
    view = _view(public_id)
    rounds = [r for r in view.rounds if r.number == number]
    if not rounds:
        raise ServiceError(
            "unknown-round", en=f"there is no round {number}", zh=f"没有第 {number} 轮"
        )
    return render_template("results.html", view=view, only=rounds[0])


@bp.get("/m/<public_id>/result.pdf")
def result_pdf(public_id: str) -> BaseResponse:
    """The result to sign, stamp and file: a summary page and one page per round."""
    return _pdf(public_id, None)


@bp.get("/m/<public_id>/round/<int:number>.pdf")
def round_pdf(public_id: str, number: int) -> BaseResponse:
    """One round's result to sign, stamp and file."""
    return _pdf(public_id, number)


def _pdf(public_id: str, number: int | None) -> BaseResponse:
    view = _view(public_id)
    only = None
    if number is not None:
        found = [r for r in view.rounds if r.number == number]
        if not found:
            raise ServiceError(
                "unknown-round", en=f"there is no round {number}", zh=f"没有第 {number} 轮"
            )
        only = found[0]
    record_url = url_for("public.record_download", public_id=public_id, _external=True)
    data = printed.pdf(view=view, only=only, record_url=record_url)
    name = f"ballot-{public_id}" + (f"-round-{number}" if number else "") + ".pdf"
    response = Response(data, mimetype="application/pdf")
    response.headers["Content-Disposition"] = f"inline; filename={name}"
    return response


@bp.get("/m/<public_id>/screen")
def screen(public_id: str) -> str:
    return render_template("screen.html", view=_view(public_id))


@bp.get("/m/<public_id>/status.json")
def status(public_id: str) -> Response:
    view = _view(public_id)
    return jsonify(status_json(view))


def room_reasons(decision: dict[str, Any] | None, candidates: list[str]) -> list[Any]:
    """The reasons the projector shows as lines: the rule, ties, empty places (a reason about
    no candidate or several). A reason about one candidate's own votes is that candidate's
    row in the table (its outcome and votes); the results page lists them all."""
    if not decision:
        return []
    shown = []
    for reason in decision.get("reasons") or []:
        text = reason.get("zh", "") if isinstance(reason, dict) else str(reason)
        named = [name for name in candidates if name in text]
        # (a name inside a longer one, 南湖 in 南湖纺织, is not a second candidate)
        named = [n for n in named if not any(n != o and n in o for o in named)]
        if len(named) != 1 or "空缺" in text:  # an empty place is the room's news
            shown.append(reason)
    return shown


def live_shape(view: overview.MeetingView) -> str:
    """What a live page reloads on when it changes: the meeting's status, the number of
    rounds, the current round's status and who has decrypted it, the quorum. The page is
    rendered with the shape it shows, so a change that happens between rendering and the
    first poll still reloads it."""
    current = view.open_round or view.waiting_round
    return json.dumps(
        [
            view.status,
            len(view.rounds),
            current.status if current else None,
            current.scrutineers_sent if current else None,
            bool(view.quorum.get("met")),
            view.quorum.get("needed") == view.present,  # (at the edge: the chair is warned)
            view.unconfirmed,
        ],
        separators=(",", ":"),
    )


def status_json(view: overview.MeetingView) -> dict[str, Any]:
    """What live pages refresh: attendance, quorum, the open or waiting round's turnout."""
    current = view.open_round or view.waiting_round
    return {
        "shape": live_shape(view),
        "status": view.status,
        "members": view.member_count,
        "present": view.present,
        "unconfirmed": view.unconfirmed,
        "quorum": view.quorum,
        "round": None
        if current is None
        else {
            "number": current.number,
            "status": current.status,
            "issued": current.issued,
            "returned": current.returned,
            "scrutineers": current.scrutineers_sent,
        },
        "rounds": len(view.rounds),
        "head": view.head,
    }


@bp.get("/m/<public_id>/ceremony.json")
def ceremony_transcript(public_id: str) -> Response:
    """The recorded key ceremony: what a ballot page, `ballot vote` or a scrutineer recomputes
    the election key and its fingerprint from."""
    with look() as s:
        doc = overview.ceremony_transcript(s, overview.meeting_by_public_id(s, public_id))
    return jsonify(doc)


TRACKER = re.compile(r"^[0-9a-f]{64}$")


def _typed_tracker() -> str:
    """The tracker as typed (`?t=`), in one spelling: spaces dropped, lower case."""
    return request.args.get("t", "").strip().lower().replace(" ", "")[:200]


@bp.get("/m/<public_id>/tracker")
def tracker(public_id: str) -> str:
    view = _view(public_id)
    typed = _typed_tracker()
    found = None
    error = None
    if typed:
        if TRACKER.match(typed):
            with look() as s:
                found = overview.find_tracker(s, view.id, typed)
        else:
            error = True
    return render_template(
        "tracker.html", view=view, typed=typed, found=found, error=error, searched=bool(typed)
    )


@bp.get("/m/<public_id>/tracker.json")
def tracker_json(public_id: str) -> Response:
    """The tracker lookup for pages: a ballot page asks it without cookies, so the server never
    sees a member's session beside their tracker."""
    typed = _typed_tracker()
    if not TRACKER.match(typed):
        raise ServiceError(
            "bad-tracker",
            en="a tracker is 64 hexadecimal digits (0-9, a-f): copy it from the ballot page",
            zh="回执应为 64 位十六进制字符（0-9、a-f）：请从投票页面照抄",
        )
    with look() as s:
        meeting_id = overview.meeting_by_public_id(s, public_id)
        found = overview.find_tracker(s, meeting_id, typed)
    return jsonify({"tracker": typed, "found": found is not None, **(found or {})})


@bp.get("/m/<public_id>/record.json")
def record_download(public_id: str) -> BaseResponse:
    with look() as s:
        data, last = record_service.published(s, overview.meeting_by_public_id(s, public_id))
    response = Response(data, mimetype="application/json")
    response.headers["Content-Disposition"] = "attachment; filename=ballot-record.json"
    response.set_etag(last)
    return response.make_conditional(request)


@bp.get("/me")
def me() -> BaseResponse:
    account = current_account()
    if account is None:
        return redirect(url_for("public.login"))
    return redirect(url_for(HOME_OF_ROLE[account.role]))
