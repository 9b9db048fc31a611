"""The member's ballot (委员投票). The page's ES module does everything secret on the device:
credential key, blinding, encryption, proofs, signature. The server blind-signs one
credential per present member per round (with the session: it knows who), and then takes the
registration and the ballot over two anonymous requests that must carry no cookie at all."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, jsonify, render_template, request
from sqlalchemy import select

from ballot.services import overview, voting
from ballot.services.errors import ServiceError
from ballot.storage import models as m
from ballot.web import inputs
from ballot.web.auth import current_account, login_required, runtime

bp = Blueprint("vote", __name__, url_prefix="/vote")
anonymous = Blueprint("anonymous", __name__, url_prefix="/vote/anon")


def _booth_state() -> dict[str, Any]:
    """The signed-in member's meeting and its open round, as the page and its module need."""
    account = current_account()
    assert account is not None and account.member_id is not None
    rt = runtime()
    meeting_id = overview.current_meeting(rt.db, account.committee_id or 0)
    state: dict[str, Any] = {"meeting": None, "round": None}
    if meeting_id is None:
        return state
    with rt.db() as s:
        meeting = s.get(m.Meeting, meeting_id)
        assert meeting is not None
        state["meeting"] = {"public_id": meeting.public_id, "title": meeting.title}
        present = s.scalar(
            select(m.Attendance.present).where(
                m.Attendance.meeting_id == meeting.id, m.Attendance.member_id == account.member_id
            )
        )
        state["present"] = bool(present)
        rnd = s.scalar(
            select(m.Round).where(m.Round.meeting_id == meeting.id, m.Round.status == "open")
        )
        if rnd is None:
            return state
        issued = s.scalar(
            select(m.Issuance.id).where(
                m.Issuance.round_id == rnd.id, m.Issuance.member_id == account.member_id
            )
        )
        state["issued"] = issued is not None
        state["round"] = {
            "meeting": meeting.public_id,
            "number": rnd.number,
            "roundId": voting.round_id(meeting, rnd.number),
            "tier": rnd.tier,
            "kind": rnd.kind,
            "candidates": list(rnd.candidates),
            "k": rnd.max_approvals,
            "places": rnd.places,
            "record": rnd.record,
            "key": meeting.joint_key,
            "issuer": meeting.issuer_public,
        }
    return state


@bp.get("/")
@login_required("member", "chair")
def booth() -> str:
    return render_template("booth.html", state=_booth_state())


@bp.get("/round.json")
@login_required("member", "chair")
def round_json() -> Any:
    state = _booth_state()
    return jsonify({"round": state["round"], "issued": state.get("issued", False)})


@bp.post("/issue")
@login_required("member", "chair")
def issue() -> Any:
    """Blind-sign this member's credential for the open round (发出选票); once per round."""
    body = inputs.json_object()
    account = current_account()
    assert account is not None and account.member_id is not None
    rt = runtime()
    meeting_id = overview.current_meeting(rt.db, account.committee_id or 0)
    with rt.db() as s:
        meeting = s.get(m.Meeting, meeting_id or 0)
        if meeting is None or meeting.public_id != body.get("meeting"):
            raise ServiceError(
                "unknown-meeting",
                "this ballot is not for your committee's current meeting: reload the page",
                "此选票不属于您所在评委会的当前会议：请刷新页面",
            )
    blind = voting.issue_credential(
        rt.db,
        meeting.id,
        inputs.round_number(body),
        account.member_id,
        inputs.text(body, "blinded"),
        rt.server_secret,
        rt.rng,
    )
    return jsonify({"blind_signature": blind})


def _no_cookies() -> None:
    if request.headers.get("Cookie"):
        raise ServiceError(
            "cookies-sent",
            "this request must be anonymous: send it without cookies (fetch with "
            "credentials: 'omit')",
            "此请求必须匿名：发送时不得携带 Cookie",
        )


def _meeting_id(body: dict[str, Any]) -> int:
    return overview.meeting_by_public_id(runtime().db, inputs.text(body, "meeting"))


@anonymous.post("/register")
def register() -> Any:
    """Register a blind-signed credential. No session, no cookie: nothing names the member."""
    _no_cookies()
    body = inputs.json_object()
    voting.register_credential(
        runtime().db,
        _meeting_id(body),
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
    rt = runtime()
    track = voting.cast_ballot(
        rt.db,
        _meeting_id(body),
        inputs.round_number(body),
        body.get("ballot"),
        inputs.text(body, "public_key_hex"),
        inputs.text(body, "signature_hex"),
        rt.rng,
    )
    return jsonify({"tracker": track})
