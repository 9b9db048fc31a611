"""The web app through Flask's test client: roles, CSRF, cookies, CSP, escaping, anonymous
endpoints, rate limiting, bad input, and a round from check-in to published counts."""

from __future__ import annotations

import html
import json
import re
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select

from ballot import verify
from ballot.cli.main import main
from ballot.crypto import ceremony
from ballot.crypto.codec import commitment_message_from_json
from ballot.crypto.group import production_group
from ballot.crypto.randomness import SystemRandom
from ballot.protocol.chain import canonical_json
from ballot.protocol.fingerprint import election_key_fingerprint
from ballot.services import accounts, record
from ballot.services.runtime import Runtime
from ballot.services.setup import Invitation
from ballot.services.unit import transaction
from ballot.storage import models as m
from tests.support.web import (
    cast_with_client,
    chair_acts,
    confirm_presence,
    csrf_token,
    enrolled_member_key,
    https_client,
    log_in,
    make_web_meeting,
    scrutineer_shares,
)

HOSTILE = ["<script>alert(1)</script>", '<img src=x onerror="alert(2)">', "乙公司", "丙公司"]


@pytest.fixture(scope="module")
def web(
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[tuple[Flask, int, dict[str, Invitation]]]:
    folder = tmp_path_factory.mktemp("web")
    app, meeting, invitations = make_web_meeting(folder, f"sqlite:///{folder / 'web.sqlite3'}")
    assert isinstance(app, Flask)
    yield app, meeting, invitations
    app.extensions["ballot"].engine.dispose()


def client(app: Flask) -> FlaskClient:
    return https_client(app)


def token(c: FlaskClient, path: str = "/login") -> str:
    return csrf_token(c, path)


def login(app: Flask, invitation: Invitation) -> tuple[FlaskClient, str]:
    return log_in(app, invitation.code)


def rt(app: Flask) -> Runtime:
    return app.extensions["ballot"]  # type: ignore[no-any-return]


def count(app: Flask, model: Any) -> int:
    with rt(app).db() as s:
        return int(s.scalar(select(func.count()).select_from(model)) or 0)


def form_post(c: FlaskClient, path: str, csrf: str, **fields: str) -> Any:
    return c.post(path, data={"csrf_token": csrf, **fields})


def check_in(
    app: Flask,
    meeting: int,
    chair: FlaskClient,
    csrf: str,
    names: list[str],
    inv: dict[str, Invitation],
) -> None:
    """The chair checks these members in, and each one's own device confirms it."""
    with rt(app).db() as s:
        ids = {x.name: x.id for x in s.scalars(select(m.Member))}
    for name in names:
        r = form_post(
            chair, f"/chair/{meeting}/attendance", csrf, member=str(ids[name]), present="1"
        )
        assert r.status_code == 302, r.get_data(as_text=True)[:300]
        device, device_csrf = login(app, inv[name])
        assert confirm_presence(device, device_csrf)["confirmed"]


# --- roles ------------------------------------------------------------------------------------


def test_pages_need_a_login_and_the_right_role(
    web: tuple[Flask, int, dict[str, Invitation]],
) -> None:
    app, meeting, inv = web
    stranger = client(app)
    assert stranger.get(f"/chair/{meeting}").status_code == 302
    assert stranger.get("/vote/").headers["Location"].endswith("/login")
    member, csrf = login(app, inv["委员乙"])
    assert member.get(f"/chair/{meeting}").status_code == 403
    assert form_post(member, f"/chair/{meeting}/open", csrf).status_code == 403
    assert form_post(member, f"/chair/{meeting}/close", csrf, round="1").status_code == 403
    assert member.get("/office/").status_code == 403
    assert member.get("/scrutineer/").status_code == 403
    scrutineer, csrf_s = login(app, inv["监票人 1"])
    assert form_post(scrutineer, f"/chair/{meeting}/open", csrf_s).status_code == 403
    assert scrutineer.get("/vote/").status_code == 403
    chair, csrf_c = login(app, inv["主任甲"])
    assert (
        chair.post(
            "/scrutineer/shares", json={"round": 1, "shares": []}, headers={"X-CSRFToken": csrf_c}
        ).status_code
        == 403
    )
    assert chair.get("/office/").status_code == 403
    office, _ = login(app, inv["会务组"])
    assert office.get(f"/chair/{meeting}").status_code == 403
    assert "403" in member.get(f"/chair/{meeting}").get_data(as_text=True)


def test_a_chair_cannot_run_another_committees_meeting(
    tmp_path: Path, web: tuple[Flask, int, dict[str, Invitation]]
) -> None:
    app, meeting, inv = web
    # a second committee on the same server, with its own chair
    from ballot.devtools.demo import prepare_meeting
    from tests.support.web import FAST_SCRYPT, SLATE

    other, other_inv = prepare_meeting(
        rt(app),
        "另一评委会",
        [("主任子", "chair"), ("委员丑", "member"), ("委员寅", "member")],
        "另一会议",
        SLATE,
        1,
        1,
        tmp_path,
        issuer_bits=3072,
        scrypt=FAST_SCRYPT,
    )
    chair, csrf = login(app, inv["主任甲"])
    assert chair.get(f"/chair/{other}").status_code == 403
    assert form_post(chair, f"/chair/{other}/open", csrf).status_code == 403
    assert (
        form_post(chair, f"/chair/{other}/attendance", csrf, member="1", present="1").status_code
        == 403
    )
    other_chair, _ = login(app, next(x for x in other_inv if x.role == "chair"))
    assert other_chair.get(f"/chair/{meeting}").status_code == 403


# --- CSRF, cookies, CSP -----------------------------------------------------------------------


def test_every_form_carries_a_csrf_token_and_none_is_accepted_without(
    web: tuple[Flask, int, dict[str, Invitation]],
) -> None:
    app, meeting, inv = web
    chair, _csrf = login(app, inv["主任甲"])
    office, _ = login(app, inv["会务组"])
    pages = [
        (chair, f"/chair/{meeting}"),
        (office, "/office/"),
        (client(app), "/login"),
        (chair, "/vote/"),
        (chair, "/"),
    ]
    forms = 0
    for c, path in pages:
        html = c.get(path).get_data(as_text=True)
        for form in re.findall(r"<form[^>]*method=\"post\"[^>]*>.*?</form>", html, re.S):
            forms += 1
            assert 'name="csrf_token"' in form, form
    assert forms >= 10
    before = count(app, m.Attendance)
    assert (
        chair.post(f"/chair/{meeting}/attendance", data={"member": "2", "present": "1"}).status_code
        == 400
    )
    assert chair.post(f"/chair/{meeting}/open", data={}).status_code == 400
    assert client(app).post("/login", data={"code": inv["委员乙"].code}).status_code == 400
    r = chair.post("/vote/issue", json={"meeting": "x", "round": 1, "blinded": "00"})
    assert r.status_code == 400 and r.get_json()["error"] == "csrf"
    assert count(app, m.Attendance) == before


def test_cookies_are_secure_httponly_and_samesite_strict(
    web: tuple[Flask, int, dict[str, Invitation]],
) -> None:
    app, _, inv = web
    c = client(app)
    r = c.post("/login", data={"csrf_token": token(c), "code": inv["委员丙"].code})
    cookies = r.headers.getlist("Set-Cookie")
    session = [x for x in cookies if x.startswith("ballot_session=")]
    assert session
    for cookie in session + c.get("/lang/en").headers.getlist("Set-Cookie"):
        assert "Secure" in cookie and "HttpOnly" in cookie and "SameSite=Strict" in cookie, cookie


def test_strict_content_security_policy_and_no_inline_script(
    web: tuple[Flask, int, dict[str, Invitation]],
) -> None:
    app, meeting, inv = web
    chair, _ = login(app, inv["主任甲"])
    public_id = chair.get("/vote/round.json").get_json()
    with rt(app).db() as s:
        pid = s.get(m.Meeting, meeting).public_id  # type: ignore[union-attr]
    paths = [
        f"/chair/{meeting}",
        "/vote/",
        "/",
        "/login",
        f"/m/{pid}/",
        f"/m/{pid}/screen",
        f"/m/{pid}/tracker",
        "/nowhere",
    ]
    assert public_id is not None
    for path in paths:
        r = chair.get(path)
        csp = r.headers["Content-Security-Policy"]
        assert (
            "script-src 'self'" in csp and "unsafe-inline" not in csp and "unsafe-eval" not in csp
        )
        assert "default-src 'none'" in csp and "frame-ancestors 'none'" in csp
        html = r.get_data(as_text=True)
        for tag in re.findall(r"<script\b[^>]*>", html):
            assert "src=" in tag or 'type="application/json"' in tag, (path, tag)
        assert not re.search(r"\son[a-z]+\s*=", html), path
        assert "javascript:" not in html


# --- the anonymous endpoints --------------------------------------------------------------------


def test_registration_and_casting_refuse_any_cookie(
    web: tuple[Flask, int, dict[str, Invitation]],
) -> None:
    app, _, inv = web
    member, _ = login(app, inv["委员丁"])  # a logged-in client sends its session cookie
    for path in ("/vote/anon/register", "/vote/anon/cast"):
        r = member.post(path, json={"meeting": "x", "round": 1})
        assert r.status_code == 400 and r.get_json()["error"] == "cookies-sent", r.get_json()
        other = client(app)
        other.set_cookie("lang", "en", domain="localhost")  # any cookie at all, not only a session
        r = other.post(path, json={"meeting": "x", "round": 1})
        assert r.get_json()["error"] == "cookies-sent"
    assert count(app, m.Credential) == 0 and count(app, m.Ballot) == 0


# --- escaping, language --------------------------------------------------------------------------


def test_html_in_candidate_names_is_escaped(tmp_path: Path) -> None:
    app, meeting, inv = make_web_meeting(tmp_path, f"sqlite:///{tmp_path / 'x.sqlite3'}", HOSTILE)
    assert isinstance(app, Flask)
    chair, csrf = login(app, inv["主任甲"])
    check_in(app, meeting, chair, csrf, ["主任甲", "委员乙", "委员丙", "委员丁"], inv)
    assert chair_acts(chair, csrf, meeting, "open").status_code == 200
    member, _ = login(app, inv["委员乙"])
    with rt(app).db() as s:
        pid = s.get(m.Meeting, meeting).public_id  # type: ignore[union-attr]
    for c, path in (
        (member, "/vote/"),
        (chair, f"/chair/{meeting}"),
        (chair, f"/m/{pid}/"),
        (chair, f"/m/{pid}/screen"),
    ):
        html = c.get(path).get_data(as_text=True)
        assert "<script>alert(1)" not in html and "<img src=x" not in html, path
        assert "&lt;script&gt;alert(1)" in html or "\\u003cscript\\u003ealert(1)" in html, path
    app.extensions["ballot"].engine.dispose()


def test_english_is_one_click_away(web: tuple[Flask, int, dict[str, Invitation]]) -> None:
    app, meeting, inv = web
    chair, _ = login(app, inv["主任甲"])
    assert "签到" in chair.get(f"/chair/{meeting}").get_data(as_text=True)
    r = chair.get("/lang/en?next=/chair/")
    assert r.status_code == 302 and r.headers["Location"] == "/chair/"
    html = chair.get(f"/chair/{meeting}").get_data(as_text=True)
    assert "Check-in" in html and "签到" not in html
    assert chair.get("/lang/en?next=https://evil.example/").headers["Location"] == "/"
    assert chair.get("/lang/en?next=//evil.example/").headers["Location"] == "/"


def test_live_pages_are_rendered_with_the_shape_they_poll_for(
    web: tuple[Flask, int, dict[str, Invitation]],
) -> None:
    """live.js reloads when status.json's shape differs from the one the page was rendered
    with, so a round counted between rendering and the first poll still shows (it once did
    not: the first poll took the new shape as its starting point)."""
    app, meeting, inv = web
    chair, _ = login(app, inv["主任甲"])
    with rt(app).db() as s:
        public_id = s.get(m.Meeting, meeting).public_id  # type: ignore[union-attr]
    for page, status in (
        (f"/chair/{meeting}", f"/chair/{meeting}/status.json"),
        (f"/m/{public_id}/screen", f"/m/{public_id}/status.json"),
    ):
        rendered = re.search(r'data-shape="([^"]+)"', chair.get(page).get_data(as_text=True))
        assert rendered is not None, page
        shape = chair.get(status).get_json()["shape"]
        assert html.unescape(rendered.group(1)) == shape
        assert json.loads(shape)[0] == "open"


def test_the_ceremony_transcript_is_public_and_gives_the_fingerprint_every_page_shows(
    web: tuple[Flask, int, dict[str, Invitation]],
) -> None:
    """`/m/<id>/ceremony.json` is what ballot pages, `ballot vote` and scrutineers re-derive the
    election key from; the projector, the results and the ballot page show its fingerprint."""
    app, meeting, _ = web
    with rt(app).db() as s:
        row = s.get(m.Meeting, meeting)
        assert row is not None
        public_id, joint = row.public_id, row.joint_key
    anyone = app.test_client()
    doc = anyone.get(f"/m/{public_id}/ceremony.json").get_json()
    group = production_group()
    params = ceremony.CeremonyParams(doc["ceremonyId"], doc["k"], doc["n"])
    messages = [commitment_message_from_json(x) for x in doc["messages"]]
    committee = ceremony.verify_transcript(group, params, messages, SystemRandom())
    digest = ceremony.transcript_digest(group, params, messages)
    assert format(int(committee.joint_key), "x") == doc["joint_key"] == joint
    fingerprint = election_key_fingerprint(group, digest, int(committee.joint_key))
    assert doc["fingerprint"] == fingerprint
    for page in (f"/m/{public_id}/screen", f"/m/{public_id}/"):
        assert fingerprint in anyone.get(page).get_data(as_text=True), page
    results = html.unescape(anyone.get(f"/m/{public_id}/").get_data(as_text=True))
    assert f"ballot verify ballot-record.json --expect-key '{fingerprint}'" in results
    missing = anyone.get("/m/no-such-meeting/ceremony.json")
    assert missing.status_code == 404 and missing.get_json()["error"] == "unknown-meeting"


# --- logins ---------------------------------------------------------------------------------------


def test_wrong_codes_are_rate_limited_per_login_and_never_stop_the_rooms_correct_codes(
    tmp_path: Path,
) -> None:
    """A whole room shares one address: a flood of wrong codes from it (random handles, and
    many tries at one real login's handle) does not stop other members' correct codes; the
    login under attack is refused from that address for a while, not from the next one."""
    from ballot.storage.engine import make_engine, sessions, upgrade

    engine = make_engine(f"sqlite:///{tmp_path / 'a.sqlite3'}")
    upgrade(engine)
    db = sessions(engine)
    with transaction(db) as session:
        _, code = accounts.create_account(session, "office", "会务组")
        _, member = accounts.create_account(session, "member", "委员甲")
    handle = code.split("-")[0]
    for i in range(200):  # the flood: made-up handles cost no scrypt and lock nothing
        with pytest.raises(accounts.ServiceError) as e:
            accounts.authenticate(db, f"Z{i:03d}-BBBB-CCCC-DDDD", "10.0.0.1")
        assert e.value.code == "bad-code"
    for _ in range(accounts.FAILURES_ALLOWED):  # many wrong secrets for the office's handle
        with pytest.raises(accounts.ServiceError) as e:
            accounts.authenticate(db, f"{handle}-BBBB-CCCC-DDDD", "10.0.0.1")
        assert e.value.code == "bad-code"
    assert accounts.authenticate(db, member, "10.0.0.1").role == "member"  # the room goes on
    with pytest.raises(accounts.ServiceError) as e:
        accounts.authenticate(db, code, "10.0.0.1")
    assert e.value.code == "too-many-attempts" and "15" in e.value.text.en
    assert "会务组" in e.value.text.zh
    assert accounts.authenticate(db, code.lower().replace("-", " "), "10.0.0.2").role == "office"
    # as a Chinese input method in full-width mode types it: ＡＢ１２－… with ideographic spaces
    wide = "".join(chr(ord(ch) + 0xFEE0) if ch.isalnum() else "－" for ch in code)
    assert accounts.authenticate(db, wide.replace("－", "\u3000", 1), "10.0.0.2").role == "office"
    assert accounts.normalise(" ｂｂ２-ｃ ") == "BB2C"
    with transaction(db) as session:
        _, new = accounts.reissue_code(session, 1)
    with pytest.raises(accounts.ServiceError):
        accounts.authenticate(db, code, "10.0.0.3")
    login_ = accounts.authenticate(db, new, "10.0.0.3")
    now = datetime.now(UTC)
    with transaction(db) as session:
        token = accounts.start_session(session, login_, now)
        stale = accounts.start_session(session, login_, now - timedelta(hours=13))
    with transaction(db) as session:
        assert accounts.account_for(session, token, now) is not None
        assert accounts.account_for(session, stale, now) is None  # 12 h from the login
        assert accounts.account_for(session, "not-a-token", now) is None
        _, current = accounts.reissue_code(session, 1)
    with transaction(db) as session:  # a replaced code ends every session made with the old
        assert accounts.account_for(session, token, now) is None
    # a login checked just before the office replaced the code makes no session
    racing = accounts.authenticate(db, current, "10.0.0.4")
    with transaction(db) as session:
        accounts.reissue_code(session, 1)
    with pytest.raises(accounts.ServiceError) as late, transaction(db) as session:
        accounts.start_session(session, racing, now)
    assert late.value.code == "bad-code" and "刚被更换" in late.value.text.zh
    with db() as s:
        assert all(code.split("-")[1] not in a.code_hash for a in s.scalars(select(m.Account)))
    engine.dispose()


def test_a_replaced_code_ends_the_old_session_and_the_record_says_so(
    web: tuple[Flask, int, dict[str, Invitation]],
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    app, meeting, inv = web
    member, _ = login(app, inv["委员戊"])
    assert member.get("/vote/").status_code == 200
    office, csrf = login(app, inv["会务组"])
    with rt(app).db() as s:
        aid = s.scalar(select(m.Account.id).where(m.Account.name == "委员戊"))
    page = form_post(office, "/office/code", csrf, account=str(aid)).get_data(as_text=True)
    new_code = re.search(r'class="code">([A-Z0-9-]+)<', page)
    assert new_code
    assert member.get("/vote/").status_code == 302  # back to the login page
    inv["委员戊"] = Invitation("member", "委员戊", new_code.group(1))
    # the replacement is in the meeting's record, for an auditor to ask 委员戊 about
    with rt(app).db() as s:
        exported = record.export(s, meeting)
    assert {"seq": exported["events"][-1]["seq"], "role": "member", "name": "委员戊"} in (
        verify.code_replacements(exported)
    )
    path = tmp_path / "record.json"
    path.write_text(json.dumps(exported, ensure_ascii=False), "utf-8")
    main(["verify", str(path)])
    printed = capsys.readouterr().out
    assert "the office replaced the access code of member 委员戊" in printed
    assert "会务组更换了 委员戊 的访问码" in printed


def test_logging_out_ends_the_session_on_the_server_so_a_copied_cookie_stops_working(
    web: tuple[Flask, int, dict[str, Invitation]],
) -> None:
    app, _, inv = web
    member, csrf = login(app, inv["委员己"])
    cookie = member.get_cookie("ballot_session")
    assert cookie is not None
    copy = client(app)
    copy.set_cookie("ballot_session", cookie.value)
    assert copy.get("/vote/").status_code == 200
    assert form_post(member, "/logout", csrf).status_code == 302
    assert member.get("/vote/").status_code == 302
    assert copy.get("/vote/").status_code == 302  # the copy no longer names a live session
    assert copy.get("/vote/round.json", headers={"Accept": "application/json"}).status_code == 401
    # logging in again in one browser ends that browser's previous session too
    member, csrf = login(app, inv["委员己"])
    old_cookie = member.get_cookie("ballot_session")
    assert old_cookie is not None
    member.post("/login", data={"csrf_token": csrf, "code": inv["委员己"].code})
    stale = client(app)
    stale.set_cookie("ballot_session", old_cookie.value)
    assert stale.get("/vote/").status_code == 302
    assert member.get("/vote/").status_code == 200


# --- a whole round ------------------------------------------------------------------------------


def test_a_round_from_check_in_to_counts_with_no_ballot_visible_to_anyone(
    web: tuple[Flask, int, dict[str, Invitation]],
) -> None:
    app, meeting, inv = web
    chair, csrf = login(app, inv["主任甲"])
    console = chair.get(f"/chair/{meeting}").get_data(as_text=True)
    assert re.search(r'id="open-round"[^>]*disabled', console)
    assert '应到 <b data-field="members">6</b> 人' in console and "需 <b>4</b> 人" in console
    check_in(app, meeting, chair, csrf, ["主任甲", "委员乙", "委员丙"], inv)
    assert "实到 3 人" in chair.get(f"/chair/{meeting}").get_data(as_text=True)
    r = chair_acts(chair, csrf, meeting, "open")
    assert r.status_code == 400 and "需 4 人" in r.get_json()["zh"]
    check_in(app, meeting, chair, csrf, ["委员丁"], inv)
    console = chair.get(f"/chair/{meeting}").get_data(as_text=True)
    assert not re.search(r'id="open-round"[^>]*disabled', console)
    # 4 present, 4 needed: the chair is told what one more departure would do
    assert "实到人数恰为法定人数（4 人）：再有 1 人离场，就不能开始下一轮" in console
    assert chair_acts(chair, csrf, meeting, "open").status_code == 200
    console = chair.get(f"/chair/{meeting}").get_data(as_text=True)
    assert "再有 1 人离场，本轮结束时将因不足法定人数而无效" in console
    # a member steps out mid-round: the quorum is lost, and the console says what a close
    # now would mean and what to do; checked in again, the warning is back to the edge one
    with rt(app).db() as s:
        ding = s.scalar(select(m.Member.id).where(m.Member.name == "委员丁"))
    form_post(chair, f"/chair/{meeting}/attendance", csrf, member=str(ding), present="0")
    console = chair.get(f"/chair/{meeting}").get_data(as_text=True)
    assert "法定人数已不足：实到 3 人，需 4 人。现在结束本轮，本轮将无效" in console
    check_in(app, meeting, chair, csrf, ["委员丁"], inv)
    console = chair.get(f"/chair/{meeting}").get_data(as_text=True)
    assert "法定人数已不足" not in console and "本轮结束时将因不足法定人数而无效" in console

    members = {name: login(app, inv[name]) for name in ("委员乙", "委员丙", "委员丁")}
    trackers = {}
    marks = {
        "委员乙": ["approve", "approve", "oppose", "abstain"],
        "委员丙": ["approve", "oppose", "approve", "abstain"],
        "委员丁": ["approve", "approve", "abstain", "abstain"],
    }
    for name, (c, token_) in members.items():
        trackers[name] = cast_with_client(app, c, token_, marks[name])
    # one credential per member per round
    c, token_ = members["委员乙"]
    state = c.get("/vote/round.json").get_json()
    signer = enrolled_member_key(c, token_, state["round"]["meeting"], state["member"])
    again = c.post(
        "/vote/issue",
        json={
            "meeting": state["round"]["meeting"],
            "round": 1,
            "blinded": "00" * 384,
            "signature_hex": signer.sign_issuance(state["round"]["roundId"], "00" * 384),
        },
        headers={"X-CSRFToken": token_},
    )
    assert again.status_code == 409 and again.get_json()["error"] == "already-issued"
    # nobody's page shows anybody's tracker; the chair sees only how many were returned
    for name, (c, _) in members.items():
        for page in ("/vote/", "/vote/round.json"):
            html = c.get(page).get_data(as_text=True)
            assert not any(t in html for t in trackers.values()), (name, page)
    console = chair.get(f"/chair/{meeting}").get_data(as_text=True)
    assert 'data-field="returned">3<' in console
    # the chair sees how many present members have not voted yet (4 present, 3 returned), a
    # count only: the page names nobody
    assert '到会但尚未投票 <b data-field="not-voted">1</b>' in console
    # the chair votes from 我的选票 like any member, and gets back to the console in one tap
    assert 'id="back-to-console"' in chair.get("/vote/").get_data(as_text=True)
    assert 'id="back-to-console"' not in members["委员乙"][0].get("/vote/").get_data(as_text=True)
    assert not any(t in console for t in trackers.values())
    # a tracker lookup says the ballot is in, and nothing about whose it is
    with rt(app).db() as s:
        pid = s.get(m.Meeting, meeting).public_id  # type: ignore[union-attr]
    found = client(app).get(f"/m/{pid}/tracker?t={trackers['委员乙']}").get_data(as_text=True)
    assert "已收到" in found and "委员乙" not in found
    # the pages' lookup (asked without cookies) answers the same in JSON, any spelling taken
    spelled = " ".join(trackers["委员乙"][i : i + 8] for i in range(0, 64, 8)).upper()
    answer = client(app).get(f"/m/{pid}/tracker.json", query_string={"t": spelled})
    assert answer.status_code == 200
    assert answer.get_json() == {
        "tracker": trackers["委员乙"], "found": True, "round": 1, "published": False
    }  # fmt: skip
    missing = client(app).get(f"/m/{pid}/tracker.json?t={'0' * 64}").get_json()
    assert missing == {"tracker": "0" * 64, "found": False}
    bad = client(app).get(f"/m/{pid}/tracker.json?t=xyz")
    assert bad.status_code == 400 and bad.get_json()["error"] == "bad-tracker"
    assert "64" in bad.get_json()["zh"] and "64" in bad.get_json()["en"]
    # a scrutineer's page may validate the ballots received so far while the round is open:
    # sorted by tracker, never in arrival order, and nothing but the tracker and the ballot
    sc1, _ = login(app, inv["监票人 1"])
    ahead = sc1.get("/scrutineer/ballots.json?round=1")
    assert ahead.status_code == 200, ahead.get_json()
    listed = ahead.get_json()
    assert listed["status"] == "open" and listed["round"] == 1
    assert [b["tracker"] for b in listed["ballots"]] == sorted(trackers.values())
    assert all(set(b) == {"tracker", "ballot"} for b in listed["ballots"])
    for query in ("", "?round=x", "?round=-1", "?round=1e3"):
        bad = sc1.get(f"/scrutineer/ballots.json{query}")
        assert bad.status_code == 400 and bad.get_json()["error"] == "malformed", query
    assert sc1.get("/scrutineer/ballots.json?round=9").get_json()["error"] == "unknown-round"
    (member, _), *_ = members.values()
    assert member.get("/scrutineer/ballots.json?round=1").status_code in (302, 403)

    assert chair_acts(chair, csrf, meeting, "close", round=1).status_code == 200
    assert "等待监票人解密" in chair.get(f"/chair/{meeting}").get_data(as_text=True)
    # two scrutineers send their shares over the web route (the index is the account's)
    folder = rt(app).keys.parent / "shares"
    with rt(app).db() as s:
        rnd = s.scalar(select(m.Round).where(m.Round.meeting_id == meeting, m.Round.number == 1))
        assert rnd is not None
        aggregates = rnd.counts["aggregates"]  # type: ignore[index]
    sent: list[Any] = []
    for index in (1, 3):
        sc, token_s = login(app, inv[f"监票人 {index}"])
        pending = sc.get("/scrutineer/pending.json").get_json()
        assert pending["rounds"][0]["aggregates"] == aggregates
        assert pending["ceremony"]["index"] == index
        words = inv[f"监票人 {index}"].passphrase or ""
        body = scrutineer_shares(rt(app).db, meeting, 1, folder / f"scrutineer-{index}.json", words)
        for other in sent:  # a scrutineer cannot send shares in another's name
            r = sc.post("/scrutineer/shares", json=other, headers={"X-CSRFToken": token_s})
            assert r.status_code == 400 and r.get_json()["error"] == "malformed"
        r = sc.post("/scrutineer/shares", json=body, headers={"X-CSRFToken": token_s})
        assert r.status_code == 200, r.get_json()
        sent.append(body)
    result = client(app).get(f"/m/{pid}/round/1").get_data(as_text=True)
    assert re.search(
        r"<td>甲公司</td><td class=\"num\">3</td><td class=\"num\">0</td><td class=\"num\">0</td>",
        result,
    )
    assert "监票人 1" in result and "监票人 3" in result and "<svg" in result
    console = chair.get(f"/chair/{meeting}").get_data(as_text=True)
    assert "引擎决定" in console and 'id="open-round"' in console


# --- bad input ------------------------------------------------------------------------------------


def test_bad_input_is_refused_with_a_reason_and_changes_nothing(
    web: tuple[Flask, int, dict[str, Invitation]],
) -> None:
    app, meeting, inv = web
    chair, csrf = login(app, inv["主任甲"])
    before = (count(app, m.Event), count(app, m.Attendance), count(app, m.Ballot))
    cases = [
        form_post(chair, f"/chair/{meeting}/attendance", csrf, member="abc", present="1"),
        form_post(chair, f"/chair/{meeting}/attendance", csrf, member="99999", present="1"),
        form_post(chair, f"/chair/{meeting}/close", csrf, round="1"),  # (no signature)
        chair.get(f"/chair/{meeting}/close.json?round=x"),
        chair.get(f"/chair/{meeting}/close.json?round=77"),
        chair_acts(chair, csrf, meeting, "close", round=77),
        chair.post("/vote/issue", json=[1, 2], headers={"X-CSRFToken": csrf}),
        chair.post(
            "/vote/issue",
            data="not json",
            headers={"X-CSRFToken": csrf, "Content-Type": "application/json"},
        ),
        client(app).post(
            "/vote/anon/cast",
            json={
                "meeting": "nope",
                "round": 1,
                "ballot": {},
                "public_key_hex": "",
                "signature_hex": "",
            },
        ),
        client(app).post("/vote/anon/register", json={"meeting": "nope", "round": "1"}),
        client(app).post(
            "/vote/anon/cast",
            data=b"x" * (3 * 1024 * 1024),
            headers={"Content-Type": "application/json"},
        ),
    ]
    assert "需要启用 JavaScript" in cases[2].get_data(as_text=True)  # a form without JS
    for r in cases:
        assert 400 <= r.status_code < 500, r.status_code
        text = r.get_data(as_text=True)
        assert text and ("zh" in text or '<p class="message">' in text), text[:300]
    assert cases[-1].status_code == 413
    assert (count(app, m.Event), count(app, m.Attendance), count(app, m.Ballot)) == before


# --- fuzzing the routes that take input from anyone --------------------------------------------

from hypothesis import HealthCheck, given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

JSONISH = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(max_size=40) | st.floats(allow_nan=False),
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=12), inner, max_size=4)
    ),
    max_leaves=12,
)
FIELDS = st.fixed_dictionaries(
    {},
    optional={
        "meeting": st.text(max_size=40) | JSONISH,
        "round": st.integers(-3, 5) | JSONISH,
        "ballot": JSONISH,
        "public_key_hex": st.text("0123456789abcdef", max_size=140) | JSONISH,
        "prepared_hex": st.text("0123456789abcdef", max_size=80) | JSONISH,
        "signature_hex": st.text("0123456789abcdef", max_size=140) | JSONISH,
        "blinded": st.text("0123456789abcdef", max_size=80) | JSONISH,
    },
)


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(body=FIELDS | JSONISH, path=st.sampled_from(["/vote/anon/register", "/vote/anon/cast"]))
def test_anything_sent_to_the_anonymous_routes_is_refused_cleanly(
    web: tuple[Flask, int, dict[str, Invitation]], body: Any, path: str
) -> None:
    app, _, _ = web
    before = (count(app, m.Credential), count(app, m.Ballot), count(app, m.Event))
    r = client(app).post(path, json=body)
    assert 400 <= r.status_code < 500, (r.status_code, r.get_data(as_text=True)[:300])
    doc = r.get_json()
    assert doc["error"] and doc["en"] and doc["zh"]
    assert (count(app, m.Credential), count(app, m.Ballot), count(app, m.Event)) == before


def test_the_office_cancels_a_mistaken_meeting_and_its_record_says_why(tmp_path: Path) -> None:
    """A meeting set up by mistake is cancelled from the office page before any round: the
    reason is required and kept in the record, the chair can no longer open a round or check
    anyone in; a meeting in which a round was opened is never cancelled."""
    app, meeting, inv = make_web_meeting(tmp_path, f"sqlite:///{tmp_path / 'c.sqlite3'}")
    assert isinstance(app, Flask)
    office, csrf = login(app, inv["会务组"])
    page = office.get("/office/").get_data(as_text=True)
    assert "取消此会议" in page and 'action="/office/cancel"' in page
    refused = form_post(office, "/office/cancel", csrf, meeting=str(meeting), reason=" ")
    assert refused.status_code == 400 and "请写明取消会议的原因" in refused.get_data(as_text=True)
    done = form_post(office, "/office/cancel", csrf, meeting=str(meeting), reason="名单有误")
    assert done.status_code == 200 and "已取消会议" in done.get_data(as_text=True)
    with rt(app).db() as s:
        exported = record.export(s, meeting)
        assert s.get(m.Meeting, meeting).status == "cancelled"  # type: ignore[union-attr]
    last = exported["events"][-1]
    assert last["kind"] == "meeting-cancelled" and last["body"] == {
        "by": "office",
        "reason": "名单有误",
    }
    again = form_post(office, "/office/cancel", csrf, meeting=str(meeting), reason="再次")
    assert again.status_code == 400 and "会务组已取消此会议" in again.get_data(as_text=True)
    chair, chair_csrf = login(app, inv["主任甲"])
    assert "会务组已取消此会议" in chair.get(f"/chair/{meeting}").get_data(as_text=True)
    opened = chair_acts(chair, chair_csrf, meeting, "open")
    assert opened.status_code == 400 and "会务组已取消此会议" in opened.get_json()["zh"]
    with rt(app).db() as s:
        member = s.scalar(select(m.Member.id).where(m.Member.name == "委员乙"))
    checked = form_post(
        chair, f"/chair/{meeting}/attendance", chair_csrf, member=str(member), present="1"
    )
    assert checked.status_code == 400
    listed = office.get("/office/").get_data(as_text=True)
    assert "已取消" in listed and 'action="/office/cancel"' not in listed
    with rt(app).db() as s:
        assert [e["kind"] for e in record.export(s, meeting)["events"]][-1] == "meeting-cancelled"
    rt(app).engine.dispose()


def test_a_meeting_with_a_round_held_is_never_cancelled(tmp_path: Path) -> None:
    app, meeting, inv = make_web_meeting(tmp_path, f"sqlite:///{tmp_path / 'h.sqlite3'}")
    assert isinstance(app, Flask)
    chair, chair_csrf = login(app, inv["主任甲"])
    check_in(app, meeting, chair, chair_csrf, ["主任甲", "委员乙", "委员丙", "委员丁"], inv)
    assert chair_acts(chair, chair_csrf, meeting, "open").status_code == 200
    office, csrf = login(app, inv["会务组"])
    assert 'action="/office/cancel"' not in office.get("/office/").get_data(as_text=True)
    r = form_post(office, "/office/cancel", csrf, meeting=str(meeting), reason="试图取消")
    assert r.status_code == 400 and "已有投票的会议不能取消" in r.get_data(as_text=True)
    with rt(app).db() as s:
        assert s.get(m.Meeting, meeting).status == "open"  # type: ignore[union-attr]
    rt(app).engine.dispose()


def test_the_record_download_is_built_once_per_head_and_answers_if_none_match(
    web: tuple[Flask, int, dict[str, Invitation]], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Eight people downloading an unchanged record share one build of its bytes (a 10 MB
    record used to be built per request); the ETag is the last event's hash, so a browser
    that has it gets 304; a new event gives a new record."""
    import threading

    app, meeting, _ = web
    with rt(app).db() as s:
        pid = s.get(m.Meeting, meeting).public_id  # type: ignore[union-attr]
    built: list[int] = []
    real = record.events

    def counted(*args: Any, **kwargs: Any) -> Any:
        built.append(1)
        return real(*args, **kwargs)

    monkeypatch.setattr(record, "events", counted)
    record._published.clear()
    answers: list[Any] = []

    def download() -> None:
        answers.append(client(app).get(f"/m/{pid}/record.json"))

    threads = [threading.Thread(target=download) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(built) == 1 and {a.status_code for a in answers} == {200}
    bodies = {a.get_data() for a in answers}
    assert len(bodies) == 1
    with rt(app).db() as s:
        assert bodies == {canonical_json(record.export(s, meeting))}
    etag = answers[0].headers["ETag"].strip('"')
    assert etag == json.loads(bodies.pop())["events"][-1]["hash"]
    again = client(app).get(f"/m/{pid}/record.json", headers={"If-None-Match": f'"{etag}"'})
    assert again.status_code == 304 and not again.get_data()
    with transaction(rt(app).db) as session:
        record.lock_meeting(session, meeting)
        record.append(session, meeting, "code-replaced", {"role": "member", "name": "测试"})
    built.clear()
    newer = client(app).get(f"/m/{pid}/record.json", headers={"If-None-Match": f'"{etag}"'})
    assert newer.status_code == 200 and newer.headers["ETag"].strip('"') != etag
    assert len(built) == 1


def test_no_page_reloads_itself() -> None:
    # a page that reloads every few seconds moves under an older member's finger and is read
    # out anew by screen readers (axe: meta-refresh); pages poll and reload only on a change
    folder = Path(__file__).resolve().parents[2] / "ballot" / "web" / "templates"
    templates = sorted(folder.glob("*.html"))
    assert len(templates) > 10
    for template in templates:
        assert "http-equiv" not in template.read_text("utf-8"), template.name


def test_a_waiting_page_updates_when_what_it_shows_changes(tmp_path: Path) -> None:
    app, meeting, inv = make_web_meeting(tmp_path, f"sqlite:///{tmp_path / 'waiting.sqlite3'}")
    member, _ = login(app, inv["委员乙"])
    page = member.get("/vote/").get_data(as_text=True)
    assert "data-waiting=" in page and "js/waiting.js" in page
    found = re.search(r'data-shape="([^"]+)"', page)
    assert found is not None
    shape = html.unescape(found.group(1))
    assert member.get("/vote/round.json").get_json()["shape"] == shape
    assert member.get("/vote/round.json").get_json()["shape"] == shape  # nothing changed
    chair, csrf = login(app, inv["主任甲"])
    check_in(app, meeting, chair, csrf, ["委员乙"], inv)
    assert member.get("/vote/round.json").get_json()["shape"] != shape  # checked in: reload
    app.extensions["ballot"].engine.dispose()
