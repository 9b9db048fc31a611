"""The office (会务组): the meetings on this server and everyone's login; a lost or shared
access code is replaced here (the new code is shown once, the old one stops working)."""

from __future__ import annotations

from flask import Blueprint, render_template, request
from sqlalchemy import select

from ballot import models as m
from ballot.services import accounts, overview
from ballot.services.errors import ServiceError
from ballot.web.auth import login_required, runtime

bp = Blueprint("office", __name__, url_prefix="/office")


def _accounts() -> list[dict[str, object]]:
    with runtime().db() as s:
        return [
            {
                "id": a.id,
                "role": a.role,
                "name": a.name,
                "handle": a.handle,
                "meeting_id": a.meeting_id,
                "scrutineer_index": a.scrutineer_index,
            }
            for a in s.scalars(select(m.Account).order_by(m.Account.id))
        ]


@bp.get("/")
@login_required("office")
def home() -> str:
    return render_template(
        "office.html",
        meetings=overview.all_meetings(runtime().db),
        accounts=_accounts(),
        new_code=None,
    )


@bp.post("/code")
@login_required("office")
def new_code() -> str:
    raw = request.form.get("account", "")
    if not raw.isdigit():
        raise ServiceError("malformed", "choose whose code to replace", "请选择要更换访问码的人")
    code = accounts.reissue_code(runtime().db, int(raw))
    with runtime().db() as s:
        account = s.get(m.Account, int(raw))
        name = account.name if account else ""
    return render_template(
        "office.html",
        meetings=overview.all_meetings(runtime().db),
        accounts=_accounts(),
        new_code={"name": name, "code": code},
    )
