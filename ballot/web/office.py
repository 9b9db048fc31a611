"""The office (会务组): the meetings on this server and everyone's login; a lost or shared
access code is replaced here (the new code is shown once, the old one stops working)."""

from __future__ import annotations

import json
import re
from typing import Any

from flask import Blueprint, Response, render_template, request
from werkzeug.wrappers import Response as BaseResponse

from ballot.language.text import Text
from ballot.services import accounts, meetings, member_keys, office_slate, overview, setup, sheets
from ballot.services.errors import ServiceError
from ballot.web import inputs
from ballot.web.auth import login_required, look, work

bp = Blueprint("office", __name__, url_prefix="/office")


def _page(
    new_code: dict[str, str] | None, message: Text | None = None, error: Text | None = None
) -> str:
    with look() as s:
        found, logins = overview.all_meetings(s), accounts.list_accounts(s)
    return render_template(
        "office.html",
        meetings=found,
        accounts=logins,
        new_code=new_code,
        message=message,
        error=error,
    )


@bp.get("/")
@login_required("office")
def home() -> str:
    return _page(None)


@bp.post("/code")
@login_required("office")
def new_code() -> str:
    account = inputs.form_number(
        "account", en="choose whose code to replace", zh="请选择要更换访问码的人"
    )
    with work() as s:
        name, code = accounts.reissue_code(s, account)
    return _page({"name": name, "code": code})


@bp.post("/member-key")
@login_required("office")
def replace_member_key() -> Any:
    """Withdraw a member's key for the current meeting (a lost device); the record names it."""
    account_id = inputs.form_number(
        "account", en="choose whose member key to replace", zh="请选择要更换成员密钥的人"
    )
    try:
        with work() as s:
            member = accounts.member_of_account(s, account_id)
            name, title, fingerprint = member_keys.replace_key(s, member)
    except ServiceError as err:
        return _page(None, error=err.text), 400
    return _page(
        None,
        message=Text(
            zh=f"已撤销 {name} 在「{title}」的成员密钥（指纹 {fingerprint}），并记入会议记录；"
            "其新设备打开选票页面时会登记新密钥。",
            en=f"{name}'s member key for “{title}” (fingerprint {fingerprint}) is withdrawn "
            "and the record names it; their new device enrols a new key when they open the "
            "ballot page.",
        ),
    )


@bp.post("/cancel")
@login_required("office")
def cancel() -> Any:
    """Cancel a meeting set up by mistake, before any round; the record keeps why."""
    meeting = inputs.form_number(
        "meeting", en="choose the meeting to cancel", zh="请选择要取消的会议"
    )
    try:
        with work() as s:
            title = meetings.title_of(s, meeting)
            meetings.cancel_meeting(s, meeting, request.form.get("reason", "")[:1000])
    except ServiceError as err:
        return _page(None, error=err.text), 400
    return _page(
        None,
        message=Text(
            zh=f"已取消会议「{title}」；其记录保留取消原因。",
            en=f"“{title}” is cancelled; its record keeps why.",
        ),
    )


SAMPLE_SLATE = {
    "profile": "jiaxing-2020",
    "candidates": ["候选组织甲", "候选组织乙", "候选组织丙", "候选组织丁"],
    "others": [],
    "rules": {"tiers": [{"id": "award", "places": 2}, {"id": "nominee", "places": 1}]},
}


def _form_defaults() -> dict[str, str]:
    return {
        "committee": "",
        "roster": "姓名,角色\n",
        "title": "",
        "slate": json.dumps(SAMPLE_SLATE, ensure_ascii=False, indent=2),
        "scrutineers": "",
        "k": "",
    }


def _new_form(form: dict[str, str], profile: str, error: Text | None = None) -> str:
    """The new-meeting form under `profile`: the regulation's tiers and their places."""
    try:
        tiers = office_slate.tier_choices(profile)
    except ServiceError:
        profile, tiers = DEFAULT_PROFILE, office_slate.tier_choices(DEFAULT_PROFILE)
    return render_template(
        "office_new.html",
        form=form,
        error=error,
        profile=profile,
        regulations=office_slate.regulations(),
        tiers=tiers,
        settings=[
            (key, *office_slate.SETTINGS[key]) for key in office_slate.open_settings(profile)
        ],
        typed={key: request.form.get(f"setting-{key}", "") for key in office_slate.SETTINGS},
        by_hand=office_slate.lists_by_hand(profile),
        places={
            t.id: request.form.get(f"places-{t.id}", "" if t.places is None else str(t.places))
            for t in tiers
        },
    )


DEFAULT_PROFILE = "jiaxing-2020"


@bp.get("/new")
@login_required("office")
def new_meeting_form() -> str:
    return _new_form(_form_defaults(), request.args.get("profile", DEFAULT_PROFILE))


@bp.get("/template/<kind>.<fmt>")
@login_required("office")
def sheet_template(kind: str, fmt: str) -> BaseResponse:
    """A roster or score-sheet template to fill in, as Excel or CSV."""
    if kind not in sheets.TEMPLATES or fmt not in ("xlsx", "csv"):
        raise ServiceError(
            "unknown-template",
            en="templates: roster.xlsx, roster.csv, scores.xlsx, scores.csv",
            zh="模板：roster.xlsx、roster.csv、scores.xlsx、scores.csv",
        )
    data, mimetype, name = sheets.template(kind, fmt)
    response = Response(data, mimetype=mimetype)
    response.headers["Content-Disposition"] = f"attachment; filename={name}"
    return response


def _sheet(kind: str, field: str, typed: str) -> str:
    """An uploaded sheet (CSV or Excel) as CSV text, else what was typed in the box."""
    upload = request.files.get(f"{field}_file")
    if upload is not None and upload.filename:
        return sheets.sheet_text(kind, upload.filename, upload.read(sheets.MAX_SHEET_BYTES + 1))
    return typed


@bp.post("/new/preview")
@login_required("office")
def preview_meeting() -> Any:
    """What the meeting will be, as tables to confirm: the roster read from its sheet and the
    slate computed from the score sheet by `ballot slate`'s rules. Nothing is stored."""
    form = {key: request.form.get(key, "")[:200_000] for key in _form_defaults()}
    profile = request.form.get("profile", DEFAULT_PROFILE)
    try:
        form["roster"] = _sheet("roster", "roster", form["roster"])
        roster = meetings.parse_roster(form["roster"])
        places = {
            key[7:]: value for key, value in request.form.items() if key.startswith("places-")
        }
        settings = {
            key[8:]: value for key, value in request.form.items() if key.startswith("setting-")
        }
        if office_slate.lists_by_hand(profile):  # the regulation has no list rule
            computed = office_slate.from_list(
                profile, request.form.get("candidates", "")[:200_000], places, settings
            )
        else:
            scores = _sheet("scores", "scores", request.form.get("scores", "")[:200_000])
            if not scores.strip():
                raise ServiceError(
                    "bad-scores",
                    en="upload the score sheet (Excel or CSV), or type it in the box",
                    zh="请上传评分表（Excel 或 CSV），或在框中填写",
                )
            computed = office_slate.from_scores(profile, scores, places, settings)
        if not meetings.shown_text(form["title"].strip()):
            raise ServiceError(
                "bad-title",
                en="a meeting needs a title of at most 200 visible characters",
                zh="会议须有标题（不超过 200 个可见字符）",
            )
        setup.check_scrutineers(*_scrutineers(form))
        with look() as s:  # an existing committee keeps its roster: show that one
            kept = setup.committee_roster(s, form["committee"].strip())
    except ServiceError as err:
        return _new_form(form, profile, err.text), 400
    form["slate"] = json.dumps(computed.slate, ensure_ascii=False)
    return render_template(
        "office_confirm.html",
        form=form,
        roster=kept or roster,
        kept=kept is not None,
        report=computed.report,
        scores={row["organisation"]: row["score"] for row in computed.report["scores"]},
        slate=computed.slate,
        tier_names=overview.tier_names(profile),
        scrutineers=[x.strip() for x in form["scrutineers"].splitlines() if x.strip()],
    )


def _scrutineers(form: dict[str, str]) -> tuple[list[str], int]:
    if not re.fullmatch(r"[0-9]{1,3}", form["k"].strip()):
        raise ServiceError(
            "bad-scrutineers",
            en="the decryption threshold must be a whole number",
            zh="解密门限须为整数",
        )
    names = [x.strip() for x in form["scrutineers"].splitlines() if x.strip()]
    return names, int(form["k"])


@bp.post("/new")
@login_required("office")
def new_meeting() -> Any:
    form = {key: request.form.get(key, "")[:200_000] for key in _form_defaults()}
    try:
        form["roster"] = _sheet("roster", "roster", form["roster"])
        try:
            slate = json.loads(form["slate"])
        except ValueError as err:
            raise ServiceError(
                "bad-slate",
                en=f"the slate is not valid JSON ({err}): keep the shape of the example",
                zh=f"候选名单不是有效的 JSON（{err}）：请保持示例的格式",
            ) from None
        if not isinstance(slate, dict):
            raise ServiceError(
                "bad-slate", en="the slate must be a JSON object", zh="候选名单须为 JSON 对象"
            )
        names, k = _scrutineers(form)
        with work() as s:  # the whole meeting, or nothing of it
            _, title, invitations = setup.plan_meeting(
                s, form["committee"].strip(), form["roster"], form["title"].strip(), slate, k, names
            )
    except ServiceError as err:
        return _new_form(form, request.form.get("profile", DEFAULT_PROFILE), err.text), 400
    return render_template(
        "codes.html", title=title, invitations=invitations, base=request.host_url.rstrip("/")
    )
