"""The scrutineer's page (监票人): the share file is opened in the browser and never sent; the
page computes and sends decryption shares for every closed round's totals, and shows which
rounds wait on whom."""

from __future__ import annotations

import json
from typing import Any

from flask import Blueprint, jsonify, render_template, request
from sqlalchemy import select

from ballot.protocol.context import ceremony_id
from ballot.services import ceremonies, counting, overview
from ballot.services.errors import ServiceError
from ballot.services.setup import open_when_dealt
from ballot.storage import models as m
from ballot.web import inputs
from ballot.web.auth import current_account, login_required, runtime

bp = Blueprint("scrutineer", __name__, url_prefix="/scrutineer")


def _pending() -> dict[str, Any]:
    account = current_account()
    assert account is not None
    rt = runtime()
    view = overview.meeting_view(rt.db, account.meeting_id or 0)
    with rt.db() as s:
        closed = {
            r.number: r
            for r in s.scalars(
                select(m.Round).where(m.Round.meeting_id == view.id, m.Round.status == "closed")
            )
        }
        rounds = []
        for r in view.rounds:
            entry: dict[str, Any] = {
                "number": r.number,
                "status": r.status,
                "sent": r.scrutineers_sent,
                "mine": account.scrutineer_index in r.scrutineers_sent,
            }
            if r.number in closed:
                entry["record"] = closed[r.number].record
                entry["aggregates"] = (closed[r.number].counts or {}).get("aggregates", [])
            rounds.append(entry)
    return {
        "meeting": view.public_id,
        "status": view.status,
        "base": request.host_url.rstrip("/"),
        "title": view.title,
        "ceremony": {
            "ceremonyId": ceremony_id(view.public_id),
            "k": view.k,
            "n": view.n,
            "index": account.scrutineer_index,
        },
        "scrutineers": view.scrutineers,
        "rounds": rounds,
    }


@bp.get("/")
@login_required("scrutineer")
def home() -> str:
    return render_template("scrutineer.html", pending=_pending())


@bp.get("/pending.json")
@login_required("scrutineer")
def pending() -> Any:
    return jsonify(_pending())


@bp.post("/shares")
@login_required("scrutineer")
def shares() -> Any:
    """One scrutineer's shares for one closed round; the index is the account's, never the
    body's."""
    body = inputs.json_object()
    number, submitted = inputs.round_number(body), inputs.listed(body, "shares")
    account = current_account()
    assert account is not None
    rt = runtime()
    decided = counting.submit_decryption_shares(
        rt.db,
        account.meeting_id or 0,
        number,
        account.scrutineer_index or 0,
        submitted,
        rt.signer(account.meeting_id or 0),
        rt.rng,
    )
    return jsonify({"accepted": True, "counted": decided is not None})


# --- the key ceremony, run by each scrutineer on their own machine (`ballot ceremony`) --------


def _ceremony_state() -> dict[str, Any]:
    account = current_account()
    assert account is not None
    rt = runtime()
    meeting_id = account.meeting_id or 0
    with rt.db() as s:
        meeting = s.get(m.Meeting, meeting_id)
        if meeting is None:
            raise ServiceError("unknown-meeting", "there is no such meeting", "没有此会议")
        status, public_id = meeting.status, meeting.public_id
        started = s.scalars(
            select(m.Event.body).where(
                m.Event.meeting_id == meeting_id, m.Event.kind == "ceremony-started"
            )
        ).first()
        dealt = sorted(
            set(
                s.scalars(
                    select(m.CeremonyShare.sender).where(m.CeremonyShare.meeting_id == meeting_id)
                )
            )
        )
    params = json.loads(started) if started else {}
    return {
        "meeting": public_id,
        "status": status,
        "ceremonyId": ceremony_id(public_id),
        "k": params.get("k"),
        "n": params.get("n"),
        "index": account.scrutineer_index,
        "messages": ceremonies.commitments(rt.db, meeting_id),
        "dealt": dealt,
        "shares": ceremonies.shares_for(rt.db, meeting_id, account.scrutineer_index or 0),
    }


@bp.get("/ceremony.json")
@login_required("scrutineer")
def ceremony_state() -> Any:
    return jsonify(_ceremony_state())


@bp.post("/ceremony/commitments")
@login_required("scrutineer")
def ceremony_commitments() -> Any:
    """This scrutineer's coefficient commitments and transport key (checked at once)."""
    message = inputs.json_object().get("message")
    account = current_account()
    assert account is not None
    if not isinstance(message, dict) or message.get("sender") != account.scrutineer_index:
        raise ServiceError(
            "malformed",
            f"the message must be sent by scrutineer {account.scrutineer_index} (this login)",
            f"消息须由本登录的监票人 {account.scrutineer_index} 发出",
        )
    ceremonies.publish_commitments(runtime().db, account.meeting_id or 0, message)
    return jsonify({"published": True})


@bp.post("/ceremony/shares")
@login_required("scrutineer")
def ceremony_shares() -> Any:
    """This scrutineer's encrypted shares, one per scrutineer; the meeting opens by itself when
    the last scrutineer has dealt."""
    dealt = inputs.listed(inputs.json_object(), "shares")
    account = current_account()
    assert account is not None
    rt = runtime()
    ceremonies.publish_shares(rt.db, account.meeting_id or 0, account.scrutineer_index or 0, dealt)
    opened = open_when_dealt(rt, account.meeting_id or 0)
    return jsonify({"published": True, "meeting_opened": opened})
