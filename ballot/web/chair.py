"""The chair's console (主任): check-in, quorum, open and close rounds, the engine's decision
and the one next step it asks for. The chair never sees a ballot: only counts, once the
scrutineers have decrypted the totals."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, jsonify, redirect, render_template, request, url_for
from werkzeug.wrappers import Response as BaseResponse

from ballot.services import counting, meetings, overview, presence, results, voting
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
        try:
            signed_result = results.chair_result(s, meeting_id, account.member_id)
        except ServiceError:  # (no result to sign yet)
            signed_result = None
    return render_template(
        "chair.html",
        view=view,
        blocked=blocked.text if blocked is not None else None,
        me=me,
        signed_result=signed_result,
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


def _chair_id() -> int | None:
    account = current_account()
    return account.member_id if account else None


def _signed() -> tuple[object, object]:
    """The chair's signature and the body it was made over, from the console's JSON request;
    a form sent without them (a browser without JavaScript) is told why it cannot work."""
    if not request.is_json:
        raise ServiceError(
            "chair-signature-needed",
            en="opening and closing a round is signed by the chair's own key on this console, "
            "which needs JavaScript: enable it, or use a browser that has it",
            zh="开始与结束投票须由主任本人密钥在本控制台签名，需要启用 JavaScript：请启用，或换用其他浏览器",
        )
    body = inputs.json_object()
    return body.get("signature_hex"), body.get("body")


def _motion_candidate(value: object) -> str | None:
    if value is None:
        return None
    candidate = value.strip() if isinstance(value, str) else ""
    if not candidate:
        raise ServiceError(
            "malformed", en="choose the candidate to vote on", zh="请选择复议的候选组织"
        )
    return candidate[:200]


@bp.get("/<int:meeting_id>/open.json")
@login_required("chair")
def opening(meeting_id: int) -> Any:
    """What the chair's console shows and signs to open the next round (`?motion=NAME`: a
    review vote on that winner)."""
    motion = _motion_candidate(request.args.get("motion"))
    with look() as s:
        body = voting.round_opening(s, _meeting(s, meeting_id), _chair_id(), motion)
    return jsonify({"kind": "round-opened", "body": body})


@bp.post("/<int:meeting_id>/open")
@login_required("chair")
def open_round(meeting_id: int) -> Any:
    """Open the round the procedure asks for (with `motion`, a review vote 复议 on one winner,
    e.g. on an objection raised after the result was published: 嘉兴 §三(四)3), on the chair's
    signature over what `open.json` gave."""
    with work() as s:
        meeting = _meeting(s, meeting_id)  # (another committee's chair is refused first)
        signature, seen = _signed()
        motion = _motion_candidate(inputs.json_object().get("motion"))
        number = voting.open_round(s, meeting, signature, seen, _chair_id(), motion)
    return jsonify({"opened": number})


@bp.get("/<int:meeting_id>/close.json")
@login_required("chair")
def closing(meeting_id: int) -> Any:
    """What the chair's console shows and signs to close round `?round=N` now."""
    number = request.args.get("round", "")
    if not number.isascii() or not number.isdigit() or len(number) > 9:
        raise ServiceError("malformed", en="which round to close?", zh="要结束哪一轮？")
    with look() as s:
        body = counting.round_closing(s, _meeting(s, meeting_id), int(number), _chair_id())
    return jsonify({"kind": "round-closed", "body": body})


@bp.post("/<int:meeting_id>/close")
@login_required("chair")
def close_round(meeting_id: int) -> Any:
    rt = runtime()
    with work() as s:
        meeting = _meeting(s, meeting_id)
        signature, seen = _signed()
        number = inputs.round_number(inputs.json_object())
        closed = counting.close_round(
            s, meeting, number, rt.signer(s, meeting_id), signature, seen, _chair_id()
        )
    return jsonify({"closed": number, "void": closed["void"]})


@bp.get("/<int:meeting_id>/result.json")
@login_required("chair")
def result(meeting_id: int) -> Any:
    """The final result the chair's console shows and signs, and whether they have signed it."""
    with look() as s:
        found = results.chair_result(s, _meeting(s, meeting_id), _chair_id())
    return jsonify(found)


@bp.post("/<int:meeting_id>/result")
@login_required("chair")
def sign_result(meeting_id: int) -> Any:
    """The chair's signature of the final result `result.json` gave: `{body, signature_hex}`."""
    rt = runtime()
    with work() as s:
        meeting = _meeting(s, meeting_id)
        signature, seen = _signed()
        kept = results.sign_as_chair(
            s, meeting, _chair_id(), seen, signature, rt.signer(s, meeting)
        )
    return jsonify({"signed": True, "answers": kept["answers"]})
