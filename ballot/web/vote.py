"""The member's ballot (委员投票). The page's ES module does everything secret on the device:
credential key, blinding, encryption, proofs, signature. The server blind-signs one
credential per present member per round (with the session: it knows who), and then takes the
registration and the ballot over two anonymous requests that must carry no cookie at all."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, jsonify, render_template, request

from ballot.services import member_keys, overview, presence, voting
from ballot.services.errors import ServiceError
from ballot.services.runtime import Runtime
from ballot.web import inputs
from ballot.web.auth import current_account, login_required, look, runtime, work

bp = Blueprint("vote", __name__, url_prefix="/vote")
anonymous = Blueprint("anonymous", __name__, url_prefix="/vote/anon")


def _booth_state() -> dict[str, Any]:
    """The signed-in member's meeting and its open round, as the page and its module need."""
    account = current_account()
    assert account is not None and account.member_id is not None
    with look() as s:
        return voting.booth(s, account.committee_id or 0, account.member_id)


def _shape(state: dict[str, Any]) -> str:
    """What the page's layout depends on: the meeting and its status, the open round, whether
    the member is checked in. The waiting page polls it (waiting.js) and reloads when it
    changes, instead of reloading itself every few seconds."""
    meeting = state.get("meeting") or {}
    number = (state.get("round") or {}).get("number", "")
    return f"{meeting.get('public_id', '')}|{meeting.get('status', '')}|{number}|{bool(state.get('present'))}"


@bp.get("/")
@login_required("member", "chair")
def booth() -> str:
    state = _booth_state()
    return render_template("booth.html", state=state, shape=_shape(state))


@bp.get("/round.json")
@login_required("member", "chair")
def round_json() -> Any:
    state = _booth_state()
    member = {"name": state.get("member_name"), "key": state.get("member_key")}
    meeting = state["meeting"]
    return jsonify(
        {
            "meeting": meeting["public_id"] if meeting else None,
            "round": state["round"],
            "issued": state.get("issued", False),
            "member": member,
            "presence": state.get("presence"),
            "shape": _shape(state),
        }
    )


@bp.post("/enrol")
@login_required("member", "chair")
def enrol() -> Any:
    """Enrol the member key this device made for the meeting (its public half, signed)."""
    body = inputs.json_object()
    account = current_account()
    assert account is not None and account.member_id is not None
    with work() as s:
        meeting = voting.member_meeting(s, account.committee_id or 0, body.get("meeting"))
        fingerprint = member_keys.enrol(
            s, meeting, account.member_id, body.get("public_key_hex"), body.get("signature_hex")
        )
    return jsonify({"enrolled": True, "fingerprint": fingerprint})


@bp.post("/presence")
@login_required("member", "chair")
def confirm_presence() -> Any:
    """The member's device says, signed by the member key, that they are in the room (or have
    left): only so confirmed members count towards the quorum (docs/PROTOCOL.md §14)."""
    body = inputs.json_object()
    account = current_account()
    assert account is not None and account.member_id is not None
    with work() as s:
        meeting = voting.member_meeting(s, account.committee_id or 0, body.get("meeting"))
        after = presence.confirm(
            s,
            meeting,
            account.member_id,
            body.get("state"),
            body.get("n"),
            body.get("signature_hex"),
            body.get("answers"),
        )
    return jsonify({"presence": after.for_page()})


@bp.post("/issue")
@login_required("member", "chair")
def issue() -> Any:
    """Blind-sign this member's credential for the open round (发出选票); once per round, on a
    request signed by the member key this device enrolled (the same request again is answered
    again)."""
    body = inputs.json_object()
    account = current_account()
    assert account is not None and account.member_id is not None
    rt = runtime()
    with work() as s:
        meeting = voting.member_meeting(s, account.committee_id or 0, body.get("meeting"))
        blind = voting.issue_credential(
            s,
            meeting,
            inputs.round_number(body),
            account.member_id,
            inputs.text(body, "blinded"),
            body.get("signature_hex"),
            rt.server_secret,
            rt.rng,
        )
    return jsonify({"blind_signature": blind})


def _no_cookies() -> None:
    if request.headers.get("Cookie"):
        raise ServiceError(
            "cookies-sent",
            en="this request must be anonymous: send it without cookies (fetch with "
            "credentials: 'omit')",
            zh="此请求必须匿名：发送时不得携带 Cookie",
        )


@anonymous.post("/register")
def register() -> Any:
    """Register a blind-signed credential. No session, no cookie: nothing names the member."""
    _no_cookies()
    body = inputs.json_object()
    with work() as s:
        voting.register_credential(
            s,
            overview.meeting_by_public_id(s, inputs.text(body, "meeting")),
            inputs.round_number(body),
            inputs.text(body, "public_key_hex"),
            inputs.text(body, "prepared_hex"),
            inputs.text(body, "signature_hex"),
        )
    return jsonify({"registered": True})


@anonymous.post("/cast")
def cast() -> Any:
    """Cast a ballot signed by a registered credential; returns the tracker (回执)."""
    _no_cookies()
    body = inputs.json_object()
    rt: Runtime = runtime()
    # casting owns its two short transactions (proofs are checked between them)
    track = voting.cast_ballot(
        rt.db,
        inputs.text(body, "meeting"),
        inputs.round_number(body),
        body.get("ballot"),
        inputs.text(body, "public_key_hex"),
        inputs.text(body, "signature_hex"),
        rt.rng,
    )
    return jsonify({"tracker": track})
