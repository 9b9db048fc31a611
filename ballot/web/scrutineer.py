"""The scrutineer's page (监票人): the share file is opened in the browser and never sent; the
page computes and sends decryption shares for every closed round's totals, and shows which
rounds wait on whom."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, jsonify, render_template, request

from ballot.services import ceremonies, counting, overview, results, setup
from ballot.services.errors import ServiceError
from ballot.web import inputs
from ballot.web.auth import current_account, login_required, look, runtime, work

bp = Blueprint("scrutineer", __name__, url_prefix="/scrutineer")


def _pending() -> dict[str, Any]:
    account = current_account()
    assert account is not None
    with look() as s:
        state = overview.scrutineer_rounds(
            s, account.meeting_id or 0, account.scrutineer_index or 0
        )
        signed = results.scrutineer_result(
            s, account.meeting_id or 0, account.scrutineer_index or 0
        )
    return state | {"base": request.host_url.rstrip("/"), "result": signed}


@bp.get("/")
@login_required("scrutineer")
def home() -> str:
    return render_template("scrutineer.html", pending=_pending())


@bp.get("/pending.json")
@login_required("scrutineer")
def pending() -> Any:
    return jsonify(_pending())


@bp.get("/ballots.json")
@login_required("scrutineer")
def ballots() -> Any:
    """Round `?round=N`'s ballots received so far (sorted by tracker), to validate ahead of
    its close; what is decrypted is still only what the published record gives."""
    number = request.args.get("round", "")
    if not number.isascii() or not number.isdigit() or len(number) > 9:
        raise ServiceError("malformed", en="which round? (?round=N)", zh="哪一轮？（?round=N）")
    account = current_account()
    assert account is not None
    with look() as s:
        found = overview.received_ballots(s, account.meeting_id or 0, int(number))
    return jsonify(found)


@bp.post("/shares")
@login_required("scrutineer")
def shares() -> Any:
    """One scrutineer's signed acceptance of one closed round and their shares of the totals
    they computed: `{round, accepted, signature, shares}`; the index is the account's, never the
    body's."""
    body = inputs.json_object()
    number, submitted = inputs.round_number(body), inputs.listed(body, "shares")
    account = current_account()
    assert account is not None
    rt = runtime()
    meeting = account.meeting_id or 0
    with work() as s:
        decided = counting.submit_decryption_shares(
            s,
            meeting,
            number,
            account.scrutineer_index or 0,
            submitted,
            rt.signer(s, meeting),
            rt.rng,
            accepted=body.get("accepted"),
            signature=body.get("signature"),
        )
    return jsonify({"accepted": True, "counted": decided is not None})


@bp.post("/result")
@login_required("scrutineer")
def sign_result() -> Any:
    """This scrutineer's signature of the final result their page was given (`pending.json`'s
    `result.body`): `{body, signature}`, made with their share key."""
    body = inputs.json_object()
    account = current_account()
    assert account is not None
    rt = runtime()
    meeting = account.meeting_id or 0
    with work() as s:
        kept = results.sign_as_scrutineer(
            s,
            meeting,
            account.scrutineer_index or 0,
            body.get("body"),
            body.get("signature"),
            rt.signer(s, meeting),
            rt.rng,
        )
    return jsonify({"signed": True, "answers": kept["answers"]})


# --- the key ceremony, run by each scrutineer on their own machine (`ballot ceremony`) --------


@bp.get("/ceremony.json")
@login_required("scrutineer")
def ceremony_state() -> Any:
    account = current_account()
    assert account is not None
    with look() as s:
        state = ceremonies.ceremony_state(s, account.meeting_id or 0, account.scrutineer_index or 0)
    return jsonify(state)


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
            en=f"the message must be sent by scrutineer {account.scrutineer_index} (this login)",
            zh=f"消息须由本登录的监票人 {account.scrutineer_index} 发出",
        )
    with work() as s:
        ceremonies.publish_commitments(s, account.meeting_id or 0, message)
    return jsonify({"published": True})


@bp.post("/ceremony/shares")
@login_required("scrutineer")
def ceremony_shares() -> Any:
    """This scrutineer's encrypted shares, one per scrutineer; the meeting opens by itself when
    the last scrutineer has dealt. The shares are stored first (their own unit of work), so a
    failure while opening never loses them; a retried request whose shares are already stored
    still finishes the opening before it is told so."""
    dealt = inputs.listed(inputs.json_object(), "shares")
    account = current_account()
    assert account is not None
    rt = runtime()
    meeting = account.meeting_id or 0
    refusal = None
    try:
        with work() as s:
            ceremonies.publish_shares(s, meeting, account.scrutineer_index or 0, dealt)
    except ServiceError as err:
        if err.code != "already-published":
            raise
        refusal = err
    with work() as s:
        opened = setup.open_when_dealt(s, rt, meeting)
    if refusal is not None:
        raise refusal
    return jsonify({"published": True, "meeting_opened": opened})
