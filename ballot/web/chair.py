"""The chair's console (主任): check-in, quorum, open and close rounds, the engine's decision
and the one next step it asks for. The chair never sees a ballot: only counts, once the
scrutineers have decrypted the totals."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, jsonify, redirect, render_template, request, url_for
from werkzeug.wrappers import Response as BaseResponse

from ballot.services import counting, meetings, overview, presence, voting
from ballot.services.errors import ServiceError
from ballot.services.unit import Session
from ballot.web import inputs
from ballot.web.auth import current_account, login_required, look, runtime, work
from ballot.web.public import status_json

bp = Blueprint("chair", __name__, url_prefix="/chair")


def _meeting(s: Session, meeting_id: int) -> int:
    """The chair may act only on meetings of their own committee."""
    account = current_account()
    return overview.committee_meeting(s, meeting_id, account.committee_id if account else None)


@bp.get("/")
@login_required("chair")
def home() -> BaseResponse:
    account = current_account()
    assert account is not None
    with look() as s:
        found = overview.current_meeting(s, account.committee_id or 0)
    if found is None:
        raise ServiceError(
            "no-meeting",
            en="your committee has no meeting yet: ask the office to create one",
            zh="本评委会尚无会议：请会务组创建",
        )
    return redirect(url_for("chair.console", meeting_id=found))


@bp.get("/<int:meeting_id>")
@login_required("chair")
def console(meeting_id: int) -> str:
    account = current_account()
    assert account is not None
    with look() as s:
        view = overview.meeting_view(s, _meeting(s, meeting_id))
        blocked = voting.opening_refusal(s, meeting_id)
        # the chair is a member: this console is their device, which confirms their presence
        me = presence.device_state(s, meeting_id, account.member_id)
    return render_template(
        "chair.html", view=view, blocked=blocked.text if blocked is not None else None, me=me
    )


@bp.get("/<int:meeting_id>/status.json")
@login_required("chair")
def status(meeting_id: int) -> Any:
    with look() as s:
        view = overview.meeting_view(s, _meeting(s, meeting_id))
    return jsonify(status_json(view))


@bp.post("/<int:meeting_id>/attendance")
@login_required("chair")
def attendance(meeting_id: int) -> BaseResponse:
    en, zh = "choose a member and present or absent", "请选择委员及到会与否"
    member = inputs.form_number("member", en=en, zh=zh)
    present = request.form.get("present", "")
    if present not in ("1", "0"):
        raise ServiceError("malformed", en=en, zh=zh)
    with work() as s:
        meetings.set_present(s, _meeting(s, meeting_id), member, present == "1")
    return redirect(url_for("chair.console", meeting_id=meeting_id) + "#attendance")


@bp.post("/<int:meeting_id>/open")
@login_required("chair")
def open_round(meeting_id: int) -> BaseResponse:
    with work() as s:
        voting.open_round(s, _meeting(s, meeting_id))
    return redirect(url_for("chair.console", meeting_id=meeting_id))


@bp.post("/<int:meeting_id>/close")
@login_required("chair")
def close_round(meeting_id: int) -> BaseResponse:
    number = inputs.form_number("round", en="which round to close?", zh="要结束哪一轮？")
    rt = runtime()
    with work() as s:
        counting.close_round(s, _meeting(s, meeting_id), number, rt.signer(s, meeting_id))
    return redirect(url_for("chair.console", meeting_id=meeting_id))


@bp.post("/<int:meeting_id>/motion")
@login_required("chair")
def open_motion(meeting_id: int) -> BaseResponse:
    """复议: a yes / no vote on one candidate, e.g. on an objection raised after the result was
    published (嘉兴 §三(四)3); allowed once the procedure is complete."""
    candidate = request.form.get("candidate", "").strip()
    if not candidate:
        raise ServiceError(
            "malformed", en="choose the candidate to vote on", zh="请选择复议的候选组织"
        )
    with work() as s:
        voting.open_motion(s, _meeting(s, meeting_id), candidate[:200])
    return redirect(url_for("chair.console", meeting_id=meeting_id))
