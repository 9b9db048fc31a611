"""The chair's console (主任): check-in, quorum, open and close rounds, the engine's decision
and the one next step it asks for. The chair never sees a ballot: only counts, once the
scrutineers have decrypted the totals."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, abort, jsonify, redirect, render_template, request, url_for
from werkzeug.wrappers import Response as BaseResponse

from ballot.services import counting, meetings, overview, voting
from ballot.services.errors import ServiceError
from ballot.storage import models as m
from ballot.web.auth import current_account, login_required, runtime
from ballot.web.public import status_json

bp = Blueprint("chair", __name__, url_prefix="/chair")


def _meeting(meeting_id: int) -> int:
    """The chair may act only on meetings of their own committee."""
    account = current_account()
    with runtime().db() as s:
        meeting = s.get(m.Meeting, meeting_id)
        if meeting is None:
            abort(404)
        if account is None or meeting.committee_id != account.committee_id:
            abort(403)
    return meeting_id


@bp.get("/")
@login_required("chair")
def home() -> BaseResponse:
    account = current_account()
    assert account is not None
    found = overview.current_meeting(runtime().db, account.committee_id or 0)
    if found is None:
        raise ServiceError(
            "no-meeting",
            "your committee has no meeting yet: ask the office to create one",
            "本评委会尚无会议：请会务组创建",
        )
    return redirect(url_for("chair.console", meeting_id=found))


@bp.get("/<int:meeting_id>")
@login_required("chair")
def console(meeting_id: int) -> str:
    view = overview.meeting_view(runtime().db, _meeting(meeting_id))
    return render_template("chair.html", view=view, blocked=_open_blocked(view))


@bp.get("/<int:meeting_id>/status.json")
@login_required("chair")
def status(meeting_id: int) -> Any:
    view = overview.meeting_view(runtime().db, _meeting(meeting_id))
    return jsonify(status_json(view))


def _open_blocked(view: overview.MeetingView) -> tuple[str, str] | None:
    """Why the open-round button is disabled, or None (zh, en)."""
    if view.status == "closed" or view.complete:
        return ("各奖项均已确定，会议结束。", "Every tier is decided; the meeting is closed.")
    if view.status != "open":
        return (
            "密钥仪式尚未完成：监票人须在各自电脑上运行 ballot ceremony，全部完成后会议自动开始。",
            "The key ceremony is not finished: each scrutineer runs ballot ceremony on their own "
            "computer; the meeting opens by itself when all have.",
        )
    if view.open_round is not None:
        return (
            f"第 {view.open_round.number} 轮正在投票：请先结束该轮。",
            f"Round {view.open_round.number} is open: close it first.",
        )
    if view.waiting_round is not None:
        return (
            f"第 {view.waiting_round.number} 轮等待监票人解密。",
            f"Round {view.waiting_round.number} is waiting for the scrutineers to decrypt.",
        )
    q = view.quorum
    if not q["met"]:
        return (q["reason"]["zh"], q["reason"]["en"])
    return None


@bp.post("/<int:meeting_id>/attendance")
@login_required("chair")
def attendance(meeting_id: int) -> BaseResponse:
    member = request.form.get("member", "")
    present = request.form.get("present", "")
    if not member.isdigit() or present not in ("1", "0"):
        raise ServiceError(
            "malformed", "choose a member and present or absent", "请选择委员及到会与否"
        )
    meetings.set_present(runtime().db, _meeting(meeting_id), int(member), present == "1")
    return redirect(url_for("chair.console", meeting_id=meeting_id) + "#attendance")


@bp.post("/<int:meeting_id>/open")
@login_required("chair")
def open_round(meeting_id: int) -> BaseResponse:
    voting.open_round(runtime().db, _meeting(meeting_id))
    return redirect(url_for("chair.console", meeting_id=meeting_id))


@bp.post("/<int:meeting_id>/close")
@login_required("chair")
def close_round(meeting_id: int) -> BaseResponse:
    number = request.form.get("round", "")
    if not number.isdigit():
        raise ServiceError("malformed", "which round to close?", "要结束哪一轮？")
    rt = runtime()
    counting.close_round(rt.db, _meeting(meeting_id), int(number), rt.signer(meeting_id))
    return redirect(url_for("chair.console", meeting_id=meeting_id))


@bp.post("/<int:meeting_id>/motion")
@login_required("chair")
def open_motion(meeting_id: int) -> BaseResponse:
    """复议: a yes / no vote on one candidate, e.g. on an objection raised after the result was
    published (嘉兴 §三(四)3); allowed once the procedure is complete."""
    candidate = request.form.get("candidate", "").strip()
    if not candidate:
        raise ServiceError("malformed", "choose the candidate to vote on", "请选择复议的候选组织")
    voting.open_motion(runtime().db, _meeting(meeting_id), candidate[:200])
    return redirect(url_for("chair.console", meeting_id=meeting_id))
